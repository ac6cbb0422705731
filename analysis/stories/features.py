"""Story features: how articles are represented and compared for the story grouping.

Used by :mod:`analysis.stories.grouping`, which owns the grouping itself. Three parts:

1. Hashed term counts of two views of an article (headline twice + whole body as word
   unigrams; headline + lead as uni- and bigrams). Hashing gives a fixed feature space,
   so a saved index can take new articles without refitting; the weights come from
   document frequencies kept beside the counts.
2. Candidate pairs: the cosine similarity of each article with the articles published
   within a few days of it (an undated article meets every article), kept above a floor.
3. Local density: the mean of an article's strongest pair weights (the grouping passes
   only the pairs across its first groups). Articles on a busy running story (an
   impeachment, a campaign) have many close neighbours that are other events of it,
   articles on a one-day event few; the grouping asks more similarity of denser articles.

>>> tf = term_counts(["Volcano erupts in Iceland", "Iceland volcano erupts again"], BODY)
>>> tf.shape == (2, N_FEATURES)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

# Hashed feature space of each view (2**20: collisions are rare at 10**5 distinct words).
N_FEATURES = 2**20

BODY = HashingVectorizer(n_features=N_FEATURES, stop_words="english", alternate_sign=False, norm=None,
                         dtype=np.float32)
LEAD = HashingVectorizer(n_features=N_FEATURES, stop_words="english", alternate_sign=False, norm=None,
                         ngram_range=(1, 2), dtype=np.float32)
ANALYZE = BODY.build_analyzer()

# Rows compared at once in the candidate search (memory: rows x candidate columns floats).
_CHUNK = 256


def body_texts(titles: Sequence[str], texts: Sequence[str]) -> list[str]:
    """Return the headline+body view of each article (the headline given twice)."""
    return [f"{t}\n{t}\n{x}" for t, x in zip(titles, texts)]


def lead_texts(titles: Sequence[str], texts: Sequence[str], lead_chars: int) -> list[str]:
    """Return the headline+lead view of each article (the first ``lead_chars`` of the body)."""
    return [f"{t}\n{x[:lead_chars]}" for t, x in zip(titles, texts)]


def term_counts(docs: list[str], vectorizer: HashingVectorizer) -> sp.csr_matrix:
    """Return sublinear term frequencies (1 + log tf) as a float32 CSR matrix."""
    if not docs:
        return sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
    matrix = vectorizer.transform(docs).tocsr()
    matrix.data = (1.0 + np.log(matrix.data)).astype(np.float32)
    matrix.sort_indices()
    return matrix


def document_frequency(matrix: sp.csr_matrix) -> np.ndarray:
    """Return in how many rows each feature occurs."""
    return np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)


def idf(df: np.ndarray, n_docs: int, min_df: int) -> np.ndarray:
    """Return smoothed inverse document frequencies; features in fewer than ``min_df`` rows get 0."""
    weights = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    weights[df < min_df] = 0.0
    return weights


def weighted(tf: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
    """Return ``tf`` times ``weights`` per feature, rows scaled to unit length."""
    matrix = tf.multiply(weights.reshape(1, -1)).tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags((1.0 / norms).astype(np.float32)) @ matrix).tocsr()


def compact_columns(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Return ``matrix`` without explicit zeros and without the columns no row uses.

    Products of rows are unchanged; they get much cheaper (a 2**21-column matrix of 28k
    articles uses about 260k columns once the weightless one-document terms are dropped).
    """
    matrix = matrix.tocsr(copy=True)
    matrix.eliminate_zeros()
    used = np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]))
    remap = np.zeros(matrix.shape[1], dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return sp.csr_matrix((matrix.data, remap[matrix.indices], matrix.indptr), shape=(matrix.shape[0], len(used)))


def candidate_pairs(matrix: sp.csr_matrix, days: np.ndarray, active: np.ndarray, window_days: int,
                    min_similarity: float, min_undated_similarity: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (i, j, similarity) of the pairs worth comparing that involve an active row.

    Rows are in canonical order: dated rows sorted by day, then undated rows. A dated row
    meets the rows within ``window_days`` and every undated row; an undated row meets the
    undated rows and the inactive dated rows (an active dated row already met it). Each
    unordered pair comes once. Dated pairs are kept from ``min_similarity``, pairs with an
    undated row from ``min_undated_similarity``.
    """
    n = matrix.shape[0]
    dated = int(np.sum(~np.isnan(days)))
    dated_days = days[:dated]
    undated_cols = np.arange(dated, n)
    inactive_dated = np.flatnonzero(~active[:dated])
    out_i: list[np.ndarray] = []
    out_j: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    rows = np.flatnonzero(active)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        for part, is_dated in ((chunk[chunk < dated], True), (chunk[chunk >= dated], False)):
            if not len(part):
                continue
            if is_dated:
                lo = int(np.searchsorted(dated_days, days[part].min() - window_days, "left"))
                hi = int(np.searchsorted(dated_days, days[part].max() + window_days, "right"))
                cols = np.concatenate([np.arange(lo, hi), undated_cols])
            else:
                cols = np.concatenate([inactive_dated, undated_cols])
            sims = (matrix[part] @ matrix[cols].T).toarray()
            keep = ((cols[None, :] > part[:, None]) | ~active[cols][None, :]) & (cols[None, :] != part[:, None])
            col_undated = np.isnan(days[cols])[None, :] | (not is_dated)
            if is_dated:
                near = np.abs(days[cols][None, :] - days[part][:, None]) <= window_days
                keep &= near | col_undated
            keep &= sims >= np.where(col_undated, min_undated_similarity, min_similarity)
            ii, jj = np.nonzero(keep)
            out_i.append(part[ii])
            out_j.append(cols[jj])
            out_s.append(sims[ii, jj])
    if not out_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.float32)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def strongest_neighbours(n: int, left: np.ndarray, right: np.ndarray, weights: np.ndarray,
                         known: np.ndarray) -> np.ndarray:
    """Return each row's ``k`` strongest pair weights, descending, zero-padded (k = known's width).

    ``known`` (n x k) holds what earlier runs found for each row (zeros for new rows);
    the pairs of this run are added to it. Weights below zero count as zero.

    >>> strongest_neighbours(3, np.array([0, 0]), np.array([1, 2]), np.array([0.5, 0.2]), np.zeros((3, 2)))
    array([[0.5, 0.2],
           [0.5, 0. ],
           [0.2, 0. ]], dtype=float32)
    """
    k = known.shape[1]
    rows = np.concatenate([np.repeat(np.arange(n), k), left, right])
    values = np.maximum(np.concatenate([known.ravel(), weights, weights]), 0.0)
    order = np.lexsort((-values, rows))
    rows, values = rows[order], values[order]
    starts = np.searchsorted(rows, np.arange(n))
    rank = np.arange(len(rows)) - starts[rows]
    top = np.zeros((n, k), dtype=np.float32)
    first = rank < k
    top[rows[first], rank[first]] = values[first]
    return top
