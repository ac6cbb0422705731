"""Stories: group articles from different outlets that cover the same event.

A comparison is only fair between articles about the same event, so PressLens finds
the stories itself when the data does not give them. The grouping, in steps:

1. Represent each article twice: its headline (given twice) plus the whole body as
   TF-IDF word unigrams, and its headline plus lead as word uni- and bigrams. Both are
   hashed (a fixed feature space, so a saved index can take new articles without
   refitting) and weighted by document frequencies kept in the index.
2. Compare each article with the articles published within ``window_days`` of it (an
   article with no date is compared with every article, at a penalty).
3. Measure each article's local density: how similar its closest articles outside its
   group are, in a first grouping on similarity alone (step 4 at ``first_threshold``).
4. Merge by average linkage: repeatedly join the two groups whose mean similarity over
   all their cross pairs, less ``density_weight`` times the average of the two groups' mean
   densities, is highest, while it stays at or above ``threshold``. A mean, unlike a single strong link, does
   not chain related but different events together; the density term asks more of
   articles on a busy running story, whose other events are close to them. Two groups
   that both hold the same outlet merge only when near-duplicates (an outlet rarely runs
   two articles on one event; syndicated copies run under other outlets' names and
   merge first, their similarity being near 1); no group spans more than
   ``max_span_days`` between its dated members.
5. Label each story with its most representative headline (the member closest to the
   others) and its key terms, and keep its members' outlets and dates.

Story ids given by the data (a non-null ``story_id``) are kept as they are and act as
fixed seeds: articles without one may join them, but they are never split or merged.
In incremental mode (``existing=``, a saved :class:`StoryIndex`) the stories already in
the index are fixed the same way: new articles join them or found new stories, and
nothing is regrouped. Ids are content-derived: ``st-`` plus a hash of the founding
(earliest) article's id, so the same input gives the same ids.

>>> arts = pd.DataFrame({
...     "id": ["a1", "b1", "c1"], "outlet": ["A", "B", "C"], "url": None,
...     "title": ["Volcano erupts on Iceland coast", "Iceland volcano erupts near the coast",
...               "City council approves new bike lanes"],
...     "published": ["2024-01-14", "2024-01-14", "2024-01-14"],
...     "text": ["Lava flowed toward the fishing town of Grindavik after the volcano erupted.",
...              "The volcano erupted and lava reached the edge of Grindavik, a fishing town.",
...              "The council voted for bike lanes on three downtown streets."]})
>>> result = group_stories(arts)
>>> result.articles.story.nunique()
2
>>> result.stories.sort_values("n_articles").iloc[-1].outlets
('A', 'B')

Thresholds were chosen on half of the dev stories of ``allsides_abp`` (split by a hash
of the story id) and reported on the other half: see ``benchmarks/stories.py``.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.stories import features
from analysis.stories.features import N_FEATURES
from analysis.text.sentences import as_text
from core.errors import InputError
from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "outlet", "url", "title", "published", "text")
STORY_PREFIX = "st-"
INDEX_FORMAT = 3

# --- Thresholds (chosen on the "tune" half of allsides_abp's dev stories; benchmarks/stories.py) ---
# Days either side of an article's date in which its story mates are looked for. 98 % of
# same-story pairs in allsides_abp are at most 1 day apart; 2 days lost 0.03 F1 to false merges.
WINDOW_DAYS = 1
# Two groups merge while their mean cross-pair similarity, less DENSITY_WEIGHT times the
# average of the two groups' mean local densities, is at least this. Tune-half F1 by threshold (DENSITY_WEIGHT
# 0.5): 0.02 -> 0.860, 0.03 -> 0.861, 0.04 -> 0.859, 0.05 -> 0.865, 0.06 -> 0.860.
MERGE_THRESHOLD = 0.05
# Local density of an article: the mean of its DENSITY_NEIGHBOURS strongest pair weights to
# articles outside its group in a first grouping (similarity alone, at FIRST_THRESHOLD, the
# former tuned threshold). An article of a busy running story (impeachment, a campaign) has
# many close neighbours that are other events of it; an article of a one-day event has few.
# Asking more of denser articles (a local scaling, as CSLS does for nearest neighbours) took
# the tune half from 0.855 to 0.865. The first grouping is needed: counting all neighbours
# penalised large real stories by their own members (groundnews F1 0.957 -> 0.758). A
# logistic regression of same-story on the tune half's pair features gave density a weight
# near 1; inside average linkage 0.75 (0.869 at 0.02, 0.858 at 0.04) and 1.0 (0.865, 0.852)
# were less stable than 0.5; k = 5 gave 0.866, 20 gave 0.858-0.860; FIRST_THRESHOLD 0.10 or
# 0.14 moved F1 by 0.002.
DENSITY_WEIGHT = 0.5
DENSITY_NEIGHBOURS = 10
FIRST_THRESHOLD = 0.12
# Largest span in days between the dated members of one story: undated articles (12 % of
# allsides_abp, compared with every date) must not bridge events months apart (one did: a
# 2018 referral for charges and the 2020 decision not to charge). Without density, tune-half
# F1 with no limit 0.849, 1 day 0.848, 2 days 0.855, 3 days 0.854.
MAX_SPAN_DAYS = 2
# Subtracted from the similarity of a pair with an undated article (it is compared with the
# whole corpus, so chance matches are likelier). Tune-half F1 at threshold 0.12: 0.05 -> 0.841,
# 0.07 -> 0.849, 0.09 -> 0.839.
UNDATED_PENALTY = 0.07
# Subtracted from a dated pair's similarity per day between the two articles: consecutive
# days of a running story (a hearing, then the vote) are often different events. Tune-half
# F1: 0 -> 0.839, 0.02 -> 0.849 (0.04 was below 0.02 in an earlier grid).
DAY_PENALTY = 0.02
# Pairs below these similarities are not kept as candidates at all (memory; they are far
# under MERGE_THRESHOLD and only ever lower a mean). Undated pairs need more: there are many.
MIN_PAIR_SIMILARITY = 0.05
MIN_UNDATED_PAIR_SIMILARITY = 0.10
# Share of the similarity that comes from the headline+whole-body view; the rest from the
# headline+lead bigram view. 0.8 beat 1.0 (body alone) by about 0.015 F1; 0.65 tied
# (within 0.003); 0.5 and 0.3, even with a longer lead, lost recall faster than they gained precision.
BODY_WEIGHT = 0.8
# Characters of the body that form the lead in the headline+lead view.
LEAD_CHARS = 300
# Two groups that share an outlet merge only at or above this mean similarity (updated
# versions of one article); below it the merge is refused. Refusing always (a value > 1)
# changed allsides F1 by under 0.002; 0.6 keeps an outlet's near-identical updates together.
SAME_OUTLET_MIN_SIMILARITY = 0.6
# Terms seen in fewer documents than this get no weight (typos, one-off tokens).
MIN_DOCUMENT_FREQUENCY = 2
# Key terms shown in a story's label.
KEY_TERMS = 5

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class StoryParams:
    """Parameters of the grouping; the defaults are the benchmarked ones (see the constants)."""

    window_days: int = WINDOW_DAYS
    threshold: float = MERGE_THRESHOLD
    undated_penalty: float = UNDATED_PENALTY
    min_pair_similarity: float = MIN_PAIR_SIMILARITY
    min_undated_pair_similarity: float = MIN_UNDATED_PAIR_SIMILARITY
    body_weight: float = BODY_WEIGHT
    lead_chars: int = LEAD_CHARS
    same_outlet_min_similarity: float = SAME_OUTLET_MIN_SIMILARITY
    day_penalty: float = DAY_PENALTY
    min_document_frequency: int = MIN_DOCUMENT_FREQUENCY
    density_weight: float = DENSITY_WEIGHT
    first_threshold: float = FIRST_THRESHOLD
    max_span_days: float = MAX_SPAN_DAYS
    extend_given_stories: bool = True  # may ungrouped articles join a story given by the data?

    def representation_key(self) -> str:
        """Return what a saved index's vectors depend on (an index only serves equal keys)."""
        return (f"lead={self.lead_chars};features={N_FEATURES};neighbours={DENSITY_NEIGHBOURS};"
                f"format={INDEX_FORMAT}")


# --------------------------------------------------------------------------------------------
# The index: what a later run needs to add articles without regrouping
# --------------------------------------------------------------------------------------------


@dataclass
class StoryIndex:
    """Grouped articles and their term statistics, saved between runs for incremental grouping.

    Rows are kept in canonical order (dated first by day, then by id). ``neighbours``
    holds each article's strongest pair weights so far to articles outside its group in
    the first grouping (their mean is its local density).
    ``save``/``load`` use one compressed ``.npz`` file (no pickles).

    >>> index = StoryIndex.empty()
    >>> len(index)
    0
    """

    ids: list[str]
    stories: list[str]
    origins: list[str]
    outlets: list[str | None]
    published: list[str | None]
    titles: list[str]
    leads: list[str]
    body_tf: sp.csr_matrix
    lead_tf: sp.csr_matrix
    body_df: np.ndarray
    lead_df: np.ndarray
    neighbours: np.ndarray
    representation: str = field(default_factory=lambda: StoryParams().representation_key())
    # the multi-day level (analysis/stories/linking.py): article id -> story, and merged story -> survivor
    story_of: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    # articles ever added (the document frequencies count them all); more than the rows once pruned
    n_documents: int | None = None

    @property
    def documents(self) -> int:
        """Return how many articles the document frequencies count (the rows, unless some were pruned)."""
        return len(self.ids) if self.n_documents is None else self.n_documents

    @classmethod
    def empty(cls, params: StoryParams = StoryParams()) -> StoryIndex:
        """Return an index holding no article."""
        blank = sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
        zeros = np.zeros(N_FEATURES, dtype=np.int64)
        return cls([], [], [], [], [], [], [], blank, blank.copy(), zeros, zeros.copy(),
                   np.zeros((0, DENSITY_NEIGHBOURS), dtype=np.float32), params.representation_key())

    def __len__(self) -> int:
        return len(self.ids)

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (a ``.npz`` file)."""
        meta = {"format": INDEX_FORMAT, "representation": self.representation, "ids": self.ids,
                "stories": self.stories, "origins": self.origins, "outlets": self.outlets,
                "published": self.published, "titles": self.titles, "leads": self.leads,
                "story_of": self.story_of, "aliases": self.aliases, "documents": self.documents}
        arrays: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
        for name in ("body_tf", "lead_tf"):
            matrix: sp.csr_matrix = getattr(self, name)
            arrays[f"{name}_data"] = matrix.data
            arrays[f"{name}_indices"] = matrix.indices
            arrays[f"{name}_indptr"] = matrix.indptr
        for name in ("body_df", "lead_df"):
            values: np.ndarray = getattr(self, name)
            nonzero = np.flatnonzero(values)
            arrays[f"{name}_at"] = nonzero.astype(np.int64)
            arrays[f"{name}_n"] = values[nonzero].astype(np.int64)
        arrays["neighbours"] = self.neighbours.astype(np.float32)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path) -> StoryIndex:
        """Read an index written by :meth:`save`; raise InputError if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                if meta.get("format") != INDEX_FORMAT:
                    raise InputError(f"story index format {meta.get('format')!r}, expected {INDEX_FORMAT}: "
                                     "rebuild it", source=str(path))
                matrices = {}
                for name in ("body_tf", "lead_tf"):
                    matrices[name] = sp.csr_matrix(
                        (data[f"{name}_data"], data[f"{name}_indices"], data[f"{name}_indptr"]),
                        shape=(len(meta["ids"]), N_FEATURES))
                frequencies = {}
                for name in ("body_df", "lead_df"):
                    values = np.zeros(N_FEATURES, dtype=np.int64)
                    values[data[f"{name}_at"]] = data[f"{name}_n"]
                    frequencies[name] = values
                neighbours = data["neighbours"]
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(f"not a story index ({exc})", source=str(path)) from exc
        return cls(meta["ids"], meta["stories"], meta["origins"], meta["outlets"], meta["published"],
                   meta["titles"], meta["leads"], matrices["body_tf"], matrices["lead_tf"],
                   frequencies["body_df"], frequencies["lead_df"], neighbours, meta["representation"],
                   dict(meta.get("story_of", {})), dict(meta.get("aliases", {})), meta.get("documents"))


@dataclass
class Frequencies:
    """Document frequencies of both views over ``documents`` articles (what the idf weights come from)."""

    body_df: np.ndarray
    lead_df: np.ndarray
    documents: int

    @classmethod
    def of(cls, index: StoryIndex) -> Frequencies:
        """Return the index's frequencies (a copy)."""
        return cls(index.body_df.copy(), index.lead_df.copy(), index.documents)

    def add(self, titles: Sequence[object], texts: Sequence[object], params: StoryParams = StoryParams()) -> None:
        """Count the terms of more articles, as :func:`group_stories` represents them."""
        heads = [as_text(t) for t in titles]
        bodies = [as_text(x) for x in texts]
        self.body_df += features.document_frequency(features.term_counts(features.body_texts(heads, bodies),
                                                                         features.BODY))
        self.lead_df += features.document_frequency(features.term_counts(
            features.lead_texts(heads, bodies, params.lead_chars), features.LEAD))
        self.documents += len(heads)


@dataclass(frozen=True)
class StoryAssignment:
    """The result of a grouping.

    * ``articles``: one row per input article: ``id``, ``story``, ``story_origin``
      (``data`` when the id came with the article, ``grouping`` otherwise), input order.
    * ``stories``: one row per story of those articles: ``story``, ``label`` (the most
      representative headline), ``key_terms``, ``n_articles``, ``n_outlets``, ``outlets``,
      ``first_published``, ``last_published``, ``founder``, ``story_origin``.
    * ``index``: the updated :class:`StoryIndex`, to save for the next incremental run.
    """

    articles: pd.DataFrame
    stories: pd.DataFrame
    index: StoryIndex

    def summary(self) -> str:
        """Return one line for people: articles, stories, multi-outlet stories, kept ids."""
        multi = int((self.stories.n_outlets >= 2).sum()) if len(self.stories) else 0
        kept = int((self.articles.story_origin == STORY_FROM_DATA).sum())
        return (f"{len(self.articles):,} articles in {self.articles.story.nunique():,} stories "
                f"({multi:,} with 2+ outlets); {kept:,} story ids kept from the data")


# --------------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------------


def published_day(value: object) -> float:
    """Return days since 1970-01-01 of an ISO date or datetime string, NaN when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if value is pd.NaT:
        return math.nan
    if isinstance(value, date):  # date, datetime and pandas Timestamp
        return float((date(value.year, value.month, value.day) - _EPOCH).days)
    match = _DATE_RE.match(str(value))
    if not match:
        return math.nan
    try:
        return float((date(int(match[1]), int(match[2]), int(match[3])) - _EPOCH).days)
    except ValueError:
        return math.nan




def _optional(value: object) -> str | None:
    text = as_text(value)
    return text or None


def _check_frame(articles: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in articles.columns]
    if missing:
        raise InputError(f"articles lack column(s) {', '.join(missing)}; need {', '.join(REQUIRED_COLUMNS)}")
    ids = articles["id"].astype(str)
    if articles["id"].isna().any() or (ids == "").any():
        raise InputError("every article needs a non-empty id")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise InputError(f"duplicate article id(s): {', '.join(sorted(set(duplicated))[:5])}")


def _canonical_order(days: Sequence[float], ids: Sequence[str]) -> list[int]:
    """Return positions sorted by day (undated last), then id: the order every step follows."""
    return sorted(range(len(ids)), key=lambda i: (math.isnan(days[i]), 0.0 if math.isnan(days[i]) else days[i],
                                                  ids[i]))


# --------------------------------------------------------------------------------------------
# Average-linkage merging
# --------------------------------------------------------------------------------------------

def _pair_weights(left: np.ndarray, right: np.ndarray, sims: np.ndarray, days: np.ndarray,
                  params: StoryParams) -> np.ndarray:
    """Return the pair similarities less the undated and per-day penalties."""
    undated = np.isnan(days)
    apart = np.nan_to_num(np.abs(days[left] - days[right]), nan=0.0)
    return (sims.astype(np.float64) - params.undated_penalty * (undated[left] | undated[right])
            - params.day_penalty * apart)


def _average_linkage(n: int, pairs: tuple[np.ndarray, np.ndarray, np.ndarray], density: np.ndarray,
                     seeds: Sequence[str | None], closed: Sequence[bool], outlets: Sequence[str | None],
                     days: np.ndarray, params: StoryParams,
                     parts: Sequence[str | None] | None = None) -> list[int]:
    """Return a cluster representative per row: average linkage over the weighted candidate pairs.

    Two clusters merge, closest first, while their mean cross-pair weight (missing pairs
    count 0) less ``density_weight`` times the average of the two clusters' mean local densities stays
    at or above ``threshold``. Refused: merges of two clusters that share an outlet (unless
    near-duplicates), that would span more than ``max_span_days`` between dated members,
    that join two seeds, that join rows of two different ``parts`` (stories given by the
    data, inside which events are found), or that add to a cluster holding a ``closed`` row.
    Rows sharing a seed (a fixed story) start as one cluster.
    """
    left, right, weights = pairs
    parent = list(range(n))
    size = [1] * n
    dense = density.astype(np.float64).tolist()  # per cluster: the sum of its members' densities
    first = [math.inf if math.isnan(d) else d for d in days.tolist()]  # earliest dated member
    last = [-math.inf if math.isnan(d) else d for d in days.tolist()]
    seeded = [s is not None for s in seeds]
    shut = list(closed)
    part = list(parts) if parts is not None else [None] * n
    outlet_sets: list[set[str]] = [{o} if o else set() for o in outlets]
    neighbours: list[dict[int, float]] = [{} for _ in range(n)]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def absorb(keep: int, gone: int) -> None:
        parent[gone] = keep
        size[keep] += size[gone]
        dense[keep] += dense[gone]
        first[keep] = min(first[keep], first[gone])
        last[keep] = max(last[keep], last[gone])
        outlet_sets[keep] |= outlet_sets[gone]
        shut[keep] = shut[keep] or shut[gone]
        seeded[keep] = seeded[keep] or seeded[gone]
        part[keep] = part[keep] or part[gone]

    # 1. seeds: rows of one given story form one cluster from the start
    first_of: dict[str, int] = {}
    for row, seed in enumerate(seeds):
        if seed is None:
            continue
        if seed in first_of:
            absorb(first_of[seed], row)
        else:
            first_of[seed] = row
    # 2. sum the pair weights between clusters
    for a, b, w in zip(left.tolist(), right.tolist(), weights.tolist()):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        neighbours[ra][rb] = neighbours[ra].get(rb, 0.0) + w
        neighbours[rb][ra] = neighbours[rb].get(ra, 0.0) + w
    version = [0] * n
    heap: list[tuple[float, float, int, int, int, int]] = []

    def push(a: int, b: int, total: float) -> None:
        mean = total / (size[a] * size[b])
        score = mean - params.density_weight * 0.5 * (dense[a] / size[a] + dense[b] / size[b])
        if score >= params.threshold:
            x, y = (a, b) if a < b else (b, a)
            heapq.heappush(heap, (-score, mean, x, y, version[x], version[y]))

    for a in range(n):
        if find(a) == a:
            for b, total in neighbours[a].items():
                if a < b:
                    push(a, b, total)
    # 3. merge the best pair of clusters while its score is high enough
    while heap:
        _, mean, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb:
            continue
        if (seeded[a] and seeded[b]) or shut[a] or shut[b]:
            continue
        if part[a] is not None and part[b] is not None and part[a] != part[b]:
            continue
        if outlet_sets[a] & outlet_sets[b] and mean < params.same_outlet_min_similarity:
            continue
        if max(last[a], last[b]) - min(first[a], first[b]) > params.max_span_days:
            continue
        keep, gone = (a, b) if (seeded[a] or (not seeded[b] and a < b)) else (b, a)
        absorb(keep, gone)
        version[keep] += 1
        for other, total in neighbours[gone].items():
            if other == keep:
                continue
            neighbours[keep][other] = neighbours[keep].get(other, 0.0) + total
            mirror = neighbours[other]
            mirror[keep] = mirror.get(keep, 0.0) + mirror.pop(gone)
        neighbours[gone] = {}
        neighbours[keep].pop(gone, None)
        for other, total in neighbours[keep].items():
            push(keep, other, total)
    return [find(i) for i in range(n)]


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------


def _members_with(texts: Sequence[str]) -> Counter[str]:
    """Return, per term, how many of the texts use it."""
    present: Counter[str] = Counter()
    for text in texts:
        present.update(set(features.ANALYZE(text)))
    return present


def _term_weights(terms: Sequence[str], idf: np.ndarray) -> dict[str, float]:
    """Return the idf of each term (one hashing pass for all of them)."""
    if not terms:
        return {}
    columns = features.BODY.transform(list(terms)).tocsr()
    weights = np.zeros(len(terms), dtype=np.float64)
    has = np.diff(columns.indptr) > 0
    weights[has] = idf[columns.indices[columns.indptr[:-1][has]]]
    return dict(zip(terms, weights.tolist()))


def _key_terms(present: Counter[str], weight_of: Mapping[str, float]) -> tuple[str, ...]:
    """Return the KEY_TERMS terms most shared by the members and rarest in the corpus."""
    scored = sorted(((present[t] * weight_of[t], t) for t in present if weight_of[t] > 0 and not t.isdigit()),
                    key=lambda item: (-item[0], item[1]))
    return tuple(t for _, t in scored[:KEY_TERMS])


def _representative(members: list[int], matrix: sp.csr_matrix) -> int:
    """Return the member whose mean similarity to the other members is highest (first on ties)."""
    if len(members) <= 2:
        return members[0]
    block = matrix[members]
    sims = (block @ block.T).toarray()
    return members[int(np.argmax(sims.sum(axis=1)))]


def _story_id(founder: str, prefix: str = STORY_PREFIX) -> str:
    return prefix + hashlib.sha256(founder.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# The grouping
# --------------------------------------------------------------------------------------------


def group_stories(articles: pd.DataFrame, existing: StoryIndex | None = None,
                  params: StoryParams = StoryParams(), *, given_level: str = "event",
                  prefix: str = STORY_PREFIX, frequencies: Frequencies | None = None) -> StoryAssignment:
    """Group articles into stories; with ``existing``, add them to a saved index instead.

    ``articles`` has the columns ``id, outlet, url, title, published, text`` and may have
    ``story_id`` (kept as is when not null) and ``story_origin``. Articles already in
    ``existing`` keep their story. Returns per-article story ids, story labels and the
    updated index (see :class:`StoryAssignment`).

    The groups are one-or-two-day events. With ``given_level="event"`` a story id given by
    the data is a fixed group of its own; with ``given_level="story"`` (what
    :func:`analysis.stories.linking.group_articles` uses) it is a multi-day story inside which
    events are still found: no event joins articles of two given stories, and the
    ``story`` column holds the event. Ids are ``prefix`` plus a hash of the founder.

    ``frequencies``: document frequencies to weigh terms by instead of the index's plus these
    articles' (a grouping in blocks passes those of every article it will group, so that each
    block weighs terms as a grouping of all at once would).

    >>> arts = pd.DataFrame({"id": ["x"], "outlet": ["A"], "url": None, "title": ["Storm hits coast"],
    ...                      "published": ["2024-02-01"], "text": ["A storm hit the coast."]})
    >>> group_stories(arts).articles.story.tolist()
    ['st-2d711642b726b044']
    """
    _check_frame(articles)
    index = existing if existing is not None else StoryIndex.empty(params)
    if index.representation != params.representation_key():
        raise InputError(f"the story index was built with {index.representation}, "
                         f"not {params.representation_key()}: rebuild it")
    input_ids = articles["id"].astype(str).tolist()
    given = articles["story_id"].tolist() if "story_id" in articles.columns else [None] * len(articles)
    given = [_optional(s) for s in given]
    given_origin = (articles["story_origin"].tolist() if "story_origin" in articles.columns
                    else [None] * len(articles))
    known = {article_id: row for row, article_id in enumerate(index.ids)}
    new_rows = [i for i, article_id in enumerate(input_ids) if article_id not in known]

    # 1. represent the new articles; merge the term statistics with the index's
    new = articles.iloc[new_rows]
    titles = [as_text(t) for t in new["title"].tolist()]
    texts = [as_text(t) for t in new["text"].tolist()]
    body_tf = features.term_counts(features.body_texts(titles, texts), features.BODY)
    lead_tf = features.term_counts(features.lead_texts(titles, texts, params.lead_chars), features.LEAD)
    if frequencies is None:
        body_df = index.body_df + features.document_frequency(body_tf)
        lead_df = index.lead_df + features.document_frequency(lead_tf)
        n_seen = index.documents + len(new_rows)  # the idf counts every article seen, pruned ones too
    else:
        body_df, lead_df, n_seen = frequencies.body_df, frequencies.lead_df, frequencies.documents
    n_docs = len(index) + len(new_rows)

    all_ids = index.ids + [input_ids[i] for i in new_rows]
    all_outlets = index.outlets + [_optional(o) for o in new["outlet"].tolist()]
    all_published = index.published + [_optional(p) for p in new["published"].tolist()]
    all_titles = index.titles + titles
    all_leads = index.leads + [x[: params.lead_chars] for x in texts]
    as_story = given_level == "story"
    if given_level not in ("event", "story"):
        raise InputError(f"given_level must be 'event' or 'story', not {given_level!r}")
    new_seeds = [None if as_story else given[i] for i in new_rows]
    all_seeds: list[str | None] = list(index.stories) + new_seeds
    all_origins = list(index.origins) + [
        (_optional(given_origin[i]) or STORY_FROM_DATA) if given[i] is not None else STORY_FROM_GROUPING
        for i in new_rows]
    days_unsorted = np.array([published_day(p) for p in all_published], dtype=np.float64)
    order = _canonical_order(days_unsorted.tolist(), all_ids)

    body_all = sp.vstack([index.body_tf, body_tf]).tocsr()[order]
    lead_all = sp.vstack([index.lead_tf, lead_tf]).tocsr()[order]
    body_idf = features.idf(body_df, n_seen, params.min_document_frequency)
    lead_idf = features.idf(lead_df, n_seen, params.min_document_frequency)
    matrix = features.compact_columns(sp.hstack([
        math.sqrt(params.body_weight) * features.weighted(body_all, body_idf),
        math.sqrt(1.0 - params.body_weight) * features.weighted(lead_all, lead_idf)]))
    blank = np.zeros((len(new_rows), DENSITY_NEIGHBOURS), dtype=np.float32)
    known_neighbours = np.vstack([index.neighbours, blank])[order]

    def reorder(values: list[Any]) -> list[Any]:
        return [values[i] for i in order]

    ids = reorder(all_ids)
    seeds = reorder(all_seeds)
    parts: list[str | None] | None = None
    if as_story:
        data_story = [index.story_of.get(a) if o == STORY_FROM_DATA else None
                      for a, o in zip(index.ids, index.origins)] + [given[i] for i in new_rows]
        parts = reorder(data_story)
    outlets = reorder(all_outlets)
    days = days_unsorted[order]
    is_new = np.zeros(n_docs, dtype=bool)
    is_new[len(index):] = True
    active = is_new[order]

    # 2. candidate pairs involving a new article, their weights, each article's local density
    left, right, sims = features.candidate_pairs(matrix, days, active, params.window_days,
                                                 params.min_pair_similarity, params.min_undated_pair_similarity)
    weights = _pair_weights(left, right, sims, days, params)
    closed = [not as_story and not params.extend_given_stories and seed is not None and origin == STORY_FROM_DATA
              for seed, origin in zip(seeds, reorder(all_origins))]
    # 3. a first grouping on similarity alone; an article's density counts its pairs across groups
    plain = replace(params, density_weight=0.0, threshold=params.first_threshold)
    first = np.array(_average_linkage(n_docs, (left, right, weights), np.zeros(n_docs), seeds, closed, outlets,
                                      days, plain, parts))
    across = first[left] != first[right]
    neighbours = features.strongest_neighbours(n_docs, left[across], right[across], weights[across], known_neighbours)
    density = neighbours.mean(axis=1)
    # 4. the grouping: average linkage with fixed seeds, asking more of dense articles
    roots = _average_linkage(n_docs, (left, right, weights), density, seeds, closed, outlets, days, params, parts)
    logger.info("grouped %d new articles (%d in the index) over %d candidate pairs",
                len(new_rows), len(index), len(left))

    # 5. story ids: a seed's id, else from the founding (first in canonical order) member
    members: dict[int, list[int]] = {}
    for row, root in enumerate(roots):
        members.setdefault(root, []).append(row)
    story_of_row: list[str] = [""] * n_docs
    for rows in members.values():
        seed = next((seeds[r] for r in rows if seeds[r] is not None), None)
        story = seed if seed is not None else _story_id(ids[rows[0]], prefix)
        for r in rows:
            story_of_row[r] = seeds[r] if seeds[r] is not None else story

    # 6. the updated index (canonical order) and the per-article result
    origins = reorder(all_origins)
    updated = StoryIndex(ids, story_of_row, origins, outlets, reorder(all_published), reorder(all_titles),
                         reorder(all_leads), body_all, lead_all, body_df, lead_df, neighbours,
                         params.representation_key(), dict(index.story_of), dict(index.aliases), n_seen)
    position = {article_id: row for row, article_id in enumerate(ids)}
    out_story = []
    out_origin = []
    for i, article_id in enumerate(input_ids):
        row = position[article_id]
        if given[i] is not None and not as_story:
            out_story.append(given[i])
            out_origin.append(_optional(given_origin[i]) or STORY_FROM_DATA)
        else:
            out_story.append(story_of_row[row])
            out_origin.append(origins[row] if article_id in known else STORY_FROM_GROUPING)
    result = pd.DataFrame({"id": input_ids, "story": out_story, "story_origin": out_origin})

    touched = {story_of_row[position[a]] for a in input_ids}
    stories = _story_table(touched, updated, matrix, body_idf)
    return StoryAssignment(result, stories, updated)


def _story_table(touched: set[str], index: StoryIndex, matrix: sp.csr_matrix, idf: np.ndarray) -> pd.DataFrame:
    """Return the label, outlets and dates of each touched story (rows in canonical order)."""
    rows_of: dict[str, list[int]] = {}
    for row, story in enumerate(index.stories):
        if story in touched:
            rows_of.setdefault(story, []).append(row)
    present = {story: _members_with([f"{index.titles[r]}\n{index.leads[r]}" for r in rows])
               for story, rows in rows_of.items() if len(rows) > 1}
    weight_of = _term_weights(sorted(set().union(*present.values())), idf)
    records = []
    for story in sorted(rows_of):
        rows = rows_of[story]
        best = _representative(rows, matrix)
        outlets = tuple(sorted({index.outlets[r] for r in rows if index.outlets[r]}))
        dates = sorted(p[:10] for r in rows if (p := index.published[r]) and not math.isnan(published_day(p)))
        terms = _key_terms(present[story], weight_of) if story in present else ()
        records.append({"story": story, "label": index.titles[best], "key_terms": terms,
                        "n_articles": len(rows), "n_outlets": len(outlets), "outlets": outlets,
                        "first_published": dates[0] if dates else None,
                        "last_published": dates[-1] if dates else None,
                        "founder": index.ids[rows[0]], "story_origin": index.origins[rows[0]]})
    columns = ["story", "label", "key_terms", "n_articles", "n_outlets", "outlets", "first_published",
               "last_published", "founder", "story_origin"]
    return pd.DataFrame.from_records(records, columns=columns)


def with_params(params: StoryParams, overrides: Mapping[str, Any]) -> StoryParams:
    """Return ``params`` with some fields replaced; raise InputError naming valid fields on a typo."""
    valid = set(StoryParams.__dataclass_fields__)
    unknown = sorted(set(overrides) - valid)
    if unknown:
        raise InputError(f"unknown story parameter(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
    return replace(params, **overrides)
