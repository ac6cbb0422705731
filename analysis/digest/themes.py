"""The themes of a story's coverage: its sentences clustered by meaning, each named by its key phrases.

BERTopic's design on a story's own sentences, with TF-IDF in place of the embeddings:

1. **Sentences**: every sentence of the story that is not page furniture (analysis.text.furniture),
   6..70 words, each distinct text once (wire copies count once).
2. **Vectors**: TF-IDF of uni- and bigrams (story-fitted, numbers dropped), reduced by LSA
   (truncated SVD) and L2-normalised, so cosine is a dot product.
3. **Clusters**: Ward agglomerative clustering (deterministic: no random start) into
   ``n_clusters`` groups; a theme needs MIN_THEME_OUTLETS outlets and MIN_THEME_SENTENCES sentences.
4. **Names**: class-based TF-IDF (tf of the term in the cluster x log(1 + A / f), A the mean
   words per cluster, f the term's count over all clusters); outlet names, byline and credit
   names and reporting verbs never name a theme.
5. **Statement**: the cluster's sentence nearest its centroid that stands alone (8..45 words, no
   leading pronoun or quote), verbatim, cited.

Themes are ranked by how many outlets carry them, then by size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.text.furniture import is_furniture

# Sentences shorter than this are headings and fragments; longer ones are run-together paragraphs.
MIN_WORDS, MAX_WORDS = 6, 70
# A statement of a theme: a stand-alone sentence of this many words (short enough to read in a line).
STATEMENT_MIN_WORDS, STATEMENT_MAX_WORDS = 8, 45
# Fewer usable sentences than this: no themes (nothing to cluster).
MIN_SENTENCES = 12
# A theme is carried by at least this many outlets and this many distinct sentences.
MIN_THEME_OUTLETS = 2
MIN_THEME_SENTENCES = 3
MAX_THEMES, MIN_THEMES = 6, 4
# Clusters cut, more than MAX_THEMES: some are too small or one outlet's and drop out. Tried 8-14 on the
# multi-day stories: 10 gave 5-6 themes of 2+ outlets each without splitting one event into two.
N_CLUSTERS = 12
# Ward clustering keeps an n x n distance matrix: at most this many sentences (~50 MB, a few seconds);
# past it, the articles' earlier sentences are kept.
MAX_CLUSTER_SENTENCES = 2500
# LSA vectors are rounded to this many decimals before clustering (same themes whatever the BLAS threads).
VECTOR_DECIMALS = 6
# LSA dimensions (capped by the matrix's rank).
LSA_COMPONENTS = 100
PHRASES_PER_THEME = 3
# A two-word phrase names a theme better than a word ("camp mystic", not "camp"): its c-TF-IDF weight x 3.
# Read on the five multi-day stories' names at 1.5 and 3: at 1.5 most names were single words.
BIGRAM_WEIGHT = 3.0
# Words that say how a thing was reported, not what: never a theme's name.
REPORTING_WORDS = frozenset(
    """said says say told tells according reported reports report added adds statement news newsroom
    press agency agencies wire published update updates updated live latest story article also would could
    may might one two three first last new week weeks day days monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november december
    year years time times percent per cent mr ms mrs including including just like get got make made""".split())
_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z\-']*[a-zA-Z]\b"
_NEEDS_CONTEXT = re.compile(r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|But|And|Also|So|Yet|"
                            r"Still|However|Meanwhile|Instead|Then|There|Here)\b")
_OPENING_QUOTE = re.compile(r"^[\"“‘'(\[•*\-]")
# A sentence ends in a full stop or a closing quote; a headline or a caption inside the text does not.
_ENDS = re.compile(r"[.!][\"'”’)]*\s*$")
# Later sentences of an article state a theme a little less well: closeness *= POSITION_DECAY ** index.
POSITION_DECAY = 0.97


@dataclass(frozen=True)
class Theme:
    """One theme: its key phrases, the sentence-table rows in it and the row that states it best."""

    phrases: tuple[str, ...]
    rows: tuple[int, ...]
    statement: int
    outlets: tuple[str, ...]
    statements: tuple[int, ...] = ()  # every stand-alone sentence of the theme, best first (``statement`` leads)

    @property
    def label(self) -> str:
        """Return the theme's name: its key phrases."""
        return ", ".join(self.phrases)


def usable_rows(table: pd.DataFrame) -> np.ndarray:
    """Return the rows of a sentence table that are coverage: not furniture, MIN..MAX words, first copy only."""
    seen: set[str] = set()
    keep = []
    for i, (sentence, furniture) in enumerate(zip(table["sentence"], _furniture(table))):
        words = len(sentence.split())
        key = " ".join(sentence.lower().split())
        if MIN_WORDS <= words <= MAX_WORDS and key not in seen and not furniture:
            seen.add(key)
            keep.append(i)
    return np.asarray(keep, dtype=int)


def _furniture(table: pd.DataFrame) -> list[bool]:
    """Return the table's furniture column, or each sentence's own verdict when the table has none."""
    if "furniture" in table:
        return [bool(f) for f in table["furniture"]]
    return [is_furniture(s) for s in table["sentence"]]


def stands_alone(sentence: str) -> bool:
    """Return True for a sentence a reader understands without the one before it (a headline run into a
    byline, "Title/ Site/ CITY/ Name/ ...", is not one: three slashes, as What's happened's candidates)."""
    words = len(sentence.split())
    return (STATEMENT_MIN_WORDS <= words <= STATEMENT_MAX_WORDS and not _NEEDS_CONTEXT.match(sentence)
            and not _OPENING_QUOTE.match(sentence) and not sentence.rstrip().endswith("?")
            and bool(_ENDS.search(sentence)) and not is_furniture(sentence) and sentence.count("/") < 3)


def excluded_words(names: Sequence[str]) -> set[str]:
    """Return the lower-cased words of ``names`` and the reporting words: never a theme's name or a concept."""
    return {w.lower() for n in names for w in re.findall(r"[A-Za-z][A-Za-z\-']+", n)} | set(REPORTING_WORDS)


def sentence_vectors(sentences: Sequence[str], excluded: set[str]) -> np.ndarray | None:
    """Return L2-normalised LSA vectors of the sentences (None when there are no terms)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=_TOKEN, ngram_range=(1, 2),
                                 min_df=2)
    try:
        matrix = vectorizer.fit_transform(list(sentences))
    except ValueError:  # no term in two sentences
        return None
    keep = [j for j, term in enumerate(vectorizer.get_feature_names_out()) if not set(term.split()) & excluded]
    if len(keep) < 3:
        return None
    matrix = matrix[:, keep]
    components = min(LSA_COMPONENTS, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 2:
        return normalize(matrix.toarray())
    reduced = TruncatedSVD(n_components=components, random_state=0).fit_transform(matrix)
    # rounded, so that a BLAS summing in another order (other thread counts) cannot flip a cluster
    return np.round(normalize(reduced), VECTOR_DECIMALS)


def class_phrases(groups: Sequence[Sequence[str]], excluded: set[str], outlets: Sequence[Sequence[str]],
                  top: int = PHRASES_PER_THEME) -> list[tuple[str, ...]]:
    """Return each group's key phrases by class-based TF-IDF (a phrase used by 2+ outlets where it can be).

    >>> class_phrases([["tariff pause lifts stocks", "tariff pause helps"], ["flood toll rises", "flood toll"]],
    ...               set(), [["A", "B"], ["A", "B"]], top=1)
    [('tariff pause',), ('flood toll',)]
    """
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(g) for g in groups]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=_TOKEN, ngram_range=(1, 2))
    try:
        counts = vectorizer.fit_transform(docs).toarray().astype(float)
    except ValueError:
        return [() for _ in groups]
    vocabulary = vectorizer.get_feature_names_out()
    words_per_class = counts.sum(axis=1)
    mean_words = float(words_per_class.mean()) or 1.0
    frequency = counts.sum(axis=0)
    idf = np.log1p(mean_words / np.maximum(frequency, 1))
    result = []
    for c, sentences in enumerate(groups):
        tf = counts[c] / (words_per_class[c] or 1.0)
        weight = tf * idf * np.array([BIGRAM_WEIGHT if " " in t else 1.0 for t in vocabulary])
        users: dict[str, set[str]] = defaultdict(set)
        for sentence, outlet in zip(sentences, outlets[c]):
            lowered = " ".join(re.findall(_TOKEN, sentence.lower()))
            for j in np.flatnonzero(weight > 0):
                if vocabulary[j] in lowered:
                    users[vocabulary[j]].add(outlet)
        several = len(set(outlets[c])) >= 2
        ranked = sorted(np.flatnonzero(weight > 0), key=lambda j: (-round(float(weight[j]), 12), vocabulary[j]))
        chosen: list[str] = []
        for j in ranked:
            term = str(vocabulary[j])
            words = set(term.split())
            if words & excluded or any(len(w) < 3 for w in words) or (several and len(users[term]) < 2):
                continue
            if any(words & set(c2.split()) for c2 in chosen):
                continue
            chosen.append(term)
            if len(chosen) >= top:
                break
        result.append(tuple(chosen))
    return result


def find_themes(table: pd.DataFrame, *, names: Sequence[str] = (), n_clusters: int = N_CLUSTERS,
                max_themes: int = MAX_THEMES) -> list[Theme]:
    """Return up to ``max_themes`` themes of a sentence table (analysis.digest.sections.sentence_table).

    ``names`` are words that must never name a theme: the story's outlet names, bylines and credits.
    """
    from sklearn.cluster import AgglomerativeClustering

    rows = usable_rows(table)
    if len(rows) < MIN_SENTENCES or table["outlet"].nunique() < MIN_THEME_OUTLETS:
        return []
    if len(rows) > MAX_CLUSTER_SENTENCES:  # Ward holds an n x n matrix: the articles' earlier sentences first
        order = sorted(rows, key=lambda r: (int(table.at[int(r), "index"]), str(table.at[int(r), "article_id"])))
        rows = np.asarray(sorted(order[:MAX_CLUSTER_SENTENCES]), dtype=int)
    sentences = [str(table.at[int(r), "sentence"]) for r in rows]
    excluded = excluded_words(names)
    vectors = sentence_vectors(sentences, excluded)
    if vectors is None:
        return []
    k = max(2, min(n_clusters, len(rows) // 4))
    labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(vectors)
    clusters = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        outlets = sorted({str(table.at[int(rows[m]), "outlet"]) for m in members})
        if len(members) < MIN_THEME_SENTENCES or len(outlets) < MIN_THEME_OUTLETS:
            continue
        centroid = vectors[members].mean(axis=0)
        closeness = (vectors[members] @ centroid) * np.array(
            [POSITION_DECAY ** min(int(table.at[int(rows[m]), "index"]), 20) for m in members])
        candidates = [(float(closeness[i]), int(m)) for i, m in enumerate(members) if stands_alone(sentences[m])]
        if not candidates:
            continue
        ranked = sorted(candidates, key=lambda cm: (-round(cm[0], 9), str(table.at[int(rows[cm[1]]), "article_id"]),
                                                    int(table.at[int(rows[cm[1]]), "start"])))
        clusters.append((members, outlets, tuple(int(rows[m]) for _, m in ranked)))
    clusters.sort(key=lambda c: (-len(c[1]), -len(c[0]), c[2][0]))
    clusters = clusters[:max_themes]
    phrases = class_phrases([[sentences[m] for m in members] for members, _, _ in clusters], excluded,
                            [[str(table.at[int(rows[m]), "outlet"]) for m in members] for members, _, _ in clusters])
    themes = []
    for (members, outlets, best), named in zip(clusters, phrases):
        if not named:
            continue
        themes.append(Theme(named, tuple(sorted(int(rows[m]) for m in members)), best[0], tuple(outlets), best))
    return themes


def theme_of_rows(table: pd.DataFrame, themes: Sequence[Theme]) -> np.ndarray:
    """Return, per sentence-table row, the index of its theme (-1: none)."""
    out = np.full(len(table), -1, dtype=int)
    for t, theme in enumerate(themes):
        out[list(theme.rows)] = t
    return out


def article_shares(table: pd.DataFrame, themes: Sequence[Theme]) -> pd.DataFrame:
    """Return one row per article: its outlet and the share of its usable sentences in each theme.

    Columns: article_id, outlet, sentences, and ``theme_0`` .. ``theme_{n-1}``.
    """
    assigned = theme_of_rows(table, themes)
    usable = np.zeros(len(table), dtype=bool)
    usable[usable_rows_all(table)] = True
    records = []
    for article_id, part in table.assign(_theme=assigned, _usable=usable).groupby("article_id", sort=True):
        n = int(part["_usable"].sum())
        row: dict[str, object] = {"article_id": str(article_id), "outlet": str(part["outlet"].iloc[0]), "sentences": n}
        counts = Counter(int(t) for t in part["_theme"] if t >= 0)
        for t in range(len(themes)):
            row[f"theme_{t}"] = counts.get(t, 0) / n if n else 0.0
        records.append(row)
    columns = ["article_id", "outlet", "sentences", *[f"theme_{t}" for t in range(len(themes))]]
    return pd.DataFrame(records, columns=columns)


def usable_rows_all(table: pd.DataFrame) -> np.ndarray:
    """Return the coverage rows of a table, copies included (each article's own sentences)."""
    return np.asarray([i for i, (s, f) in enumerate(zip(table["sentence"], _furniture(table)))
                       if MIN_WORDS <= len(s.split()) <= MAX_WORDS and not f], dtype=int)


def best_row(table: pd.DataFrame, theme: Theme, ids: set[str], *, max_words: int = STATEMENT_MAX_WORDS,
             skip: Set[str] = frozenset()) -> int | None:
    """Return the sentence of these articles that states the theme best (its ranking), at most ``max_words``;
    a sentence in ``skip`` (shown elsewhere on the page) is passed over."""
    rows = side_rows(table, theme, ids, max_words=max_words, skip=skip)
    return rows[0] if rows else None


def side_rows(table: pd.DataFrame, theme: Theme, ids: set[str], *, max_words: int = STATEMENT_MAX_WORDS,
              skip: Set[str] = frozenset()) -> list[int]:
    """Return the theme's stand-alone sentences of these articles, best first, at most ``max_words``, none in
    ``skip``."""
    return [row for row in theme.statements
            if str(table.at[row, "article_id"]) in ids and len(str(table.at[row, "sentence"]).split()) <= max_words
            and str(table.at[row, "sentence"]) not in skip]

