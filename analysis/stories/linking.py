"""Multi-day stories: link the one-or-two-day events of :mod:`analysis.stories.grouping` into stories.

An analyst compares coverage of a *story* (the Los Angeles fires from outbreak to
containment), not of one day's *event* (the first evacuations). The grouping, in steps:

1. Events: :func:`analysis.stories.grouping.group_stories` groups the articles into events
   (articles on the same happening within about two days).
2. Each event is represented by the centroid of its members' TF-IDF vectors (headline
   twice plus the whole body, the events' own view; the document frequencies come from
   the same index).
3. Events merge into stories by centroid linkage: repeatedly join the two clusters whose
   centroids are most similar (cosine), while the similarity is at least ``threshold``
   and the clusters' date ranges are no more than ``max_gap_days`` apart (a story is
   continuous coverage: a quiet spell longer than that ends it; what comes after is a new
   story, linked back as a thread). A centroid is the mean of everything a story has said,
   so a neighbour that shares the actors but not the issue (a security conference the week
   before an election) stays below the threshold longer than under single linkage.
4. Stories given by the data keep their id; events are still found inside them; two given
   stories never merge; a grouped story may join a given one (unless
   ``extend_given_stories`` is off), the given id surviving.
5. Incremental (``existing`` index): the stories already in the index are fixed clusters;
   new events join them or found new stories. Two running stories merge only through
   new articles (a new event that bridges them); the surviving id (the older story) keeps
   the other as an alias, so links and filters that name it still resolve.
6. Threads: earlier stories that read as "how we got here" (Francis's death before the
   conclave) are linked, not merged: :func:`story_threads`.

Ids: ``st-`` plus a hash of the story's founding (earliest) article, ``ev-`` the same for
events. Events without a date stay a story of their own (they would be compared with every
date).

>>> arts = pd.DataFrame({
...     "id": ["a1", "b1", "a2", "b2"], "outlet": ["A", "B", "A", "B"], "url": None,
...     "title": ["Volcano erupts on Iceland coast", "Iceland volcano erupts near Grindavik",
...               "Iceland volcano: Grindavik lava threat eases", "Lava from Iceland volcano slows"],
...     "published": ["2024-01-14", "2024-01-14", "2024-01-18", "2024-01-18"],
...     "text": ["Lava flowed toward the fishing town of Grindavik after the Iceland volcano erupted."] * 2
...             + ["The lava from the Iceland volcano slowed before Grindavik, the fishing town."] * 2})
>>> grouping = group_articles(arts)
>>> grouping.articles.event.nunique(), grouping.articles.story.nunique()
(2, 1)

Thresholds: see the constants and docs/stories.md (benchmarks/multiday_stories.py).
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.stories import features
from analysis.stories.grouping import (
    STORY_PREFIX,
    Frequencies,
    StoryIndex,
    StoryParams,
    _check_frame,
    _key_terms,
    _members_with,
    _optional,
    _term_weights,
    group_stories,
    published_day,
)
from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING

if TYPE_CHECKING:
    from core.store import Store

logger = logging.getLogger(__name__)

EVENT_PREFIX = "ev-"

# --- Thresholds (benchmarks/multiday_stories.py; docs/stories.md has the curves) ---
# Two clusters of events merge while the cosine of their centroids is at least this.
# multiday_stories pairwise F1 (max_gap_days 5): 0.20 -> 0.970, 0.25 -> 0.995, 0.30 -> 0.995,
# 0.35 -> 0.988, 0.40 -> 0.951. With every story moved to start on the same day (only the text
# can separate them, a harder test than the real calendar): 0.25 -> 0.81, 0.30 -> 0.93,
# 0.35 -> 0.93, 0.40 -> 0.89. 0.30 is inside both plateaus.
LINK_THRESHOLD = 0.09
# Largest gap in days between the date ranges of two clusters that may merge. A story's
# coverage has no gap above 2 days in the dev stories; the papal conclave came 10 days after
# Francis's funeral. 3 to 7 gave the same F1 on the dev stories; 5 is the middle.
MAX_GAP_DAYS = 5.0
# Pairs of clusters below this cosine are not candidates at all (memory); merges can raise a
# centroid's similarity to a third cluster, so the floor sits well under LINK_THRESHOLD.
MIN_CANDIDATE_SIMILARITY = 0.03
# Threads: an earlier story whose centroid is at least this similar, ending at most
# THREAD_DAYS before the story starts. Between the dev stories' gold centroids the two
# threads score 0.22 (security conference -> election) and 0.41 (funeral -> conclave); the
# unrelated pairs within 60 days score at most 0.15 (tariffs -> Francis's death). A thin
# margin on seven stories: a thread is a suggestion shown beside the story, never a merge.
THREAD_THRESHOLD = 0.20
THREAD_DAYS = 60.0
# Clusters compared at once in the candidate search.
_CHUNK = 512


@dataclass(frozen=True)
class LinkParams:
    """Parameters of the event -> story linking; the defaults are the benchmarked ones."""

    threshold: float = LINK_THRESHOLD
    max_gap_days: float = MAX_GAP_DAYS
    min_candidate_similarity: float = MIN_CANDIDATE_SIMILARITY
    thread_threshold: float = THREAD_THRESHOLD
    thread_days: float = THREAD_DAYS


@dataclass(frozen=True)
class Grouping:
    """Events and stories of a set of articles.

    * ``articles``: one row per input article, input order: ``id``, ``story``, ``event``,
      ``story_origin`` (``data`` when the story id came with the article).
    * ``stories``: one row per story touched: ``story``, ``label`` (the headline most
      central to the whole story), ``key_terms``, ``n_articles``, ``n_outlets``,
      ``outlets``, ``n_events``, ``first_published``, ``last_published``, ``founder``,
      ``story_origin``.
    * ``events``: one row per event touched: ``event``, ``story``, ``label``,
      ``key_terms``, ``n_articles``, ``n_outlets``, ``outlets``, ``first_published``,
      ``last_published``, ``founder``.
    * ``aliases``: merged story id -> surviving story id (all so far, from the index too).
    * ``index``: the updated :class:`StoryIndex`, to save for the next incremental run.
    """

    articles: pd.DataFrame
    stories: pd.DataFrame
    events: pd.DataFrame
    aliases: dict[str, str]
    index: StoryIndex

    def summary(self) -> str:
        """Return one line for people: articles, stories, events, kept ids."""
        multi = int((self.stories.n_outlets >= 2).sum()) if len(self.stories) else 0
        kept = int((self.articles.story_origin == STORY_FROM_DATA).sum())
        return (f"{len(self.articles):,} articles in {self.articles.story.nunique():,} stories "
                f"({multi:,} with 2+ outlets) and {self.articles.event.nunique():,} events; "
                f"{kept:,} story ids kept from the data")


def _hash_id(prefix: str, founder: str) -> str:
    return prefix + hashlib.sha256(founder.encode("utf-8")).hexdigest()[:16]


def resolve(story: str, aliases: dict[str, str]) -> str:
    """Return the story that ``story`` now is (following merges), ``story`` itself if never merged.

    >>> resolve("st-b", {"st-b": "st-a", "st-c": "st-b"}), resolve("st-c", {"st-b": "st-a", "st-c": "st-b"})
    ('st-a', 'st-a')
    """
    seen = set()
    while story in aliases and story not in seen:
        seen.add(story)
        story = aliases[story]
    return story


def article_vectors(index: StoryIndex, params: StoryParams = StoryParams()) -> sp.csr_matrix:
    """Return the unit TF-IDF vectors (headline twice + body) of the index's rows, columns compacted."""
    idf = features.idf(index.body_df, index.documents, params.min_document_frequency)
    return features.compact_columns(features.weighted(index.body_tf, idf))


def group_articles(articles: pd.DataFrame, existing: StoryIndex | None = None,
                   params: StoryParams = StoryParams(), links: LinkParams = LinkParams(),
                   frequencies: Frequencies | None = None) -> Grouping:
    """Find the events and the multi-day stories of ``articles``; with ``existing``, extend it.

    ``articles`` has the columns of :func:`analysis.stories.grouping.group_stories` and may have
    ``story_id`` (a story given by the data: kept) and ``story_origin``. ``frequencies``: the
    document frequencies to weigh terms by (see ``group_stories``; a grouping in blocks passes them).
    """
    _check_frame(articles)
    index = existing if existing is not None else StoryIndex.empty(params)
    known_before = set(index.ids)
    # 1. events (given story ids are partitions: no event joins two given stories)
    events = group_stories(articles, existing=existing, params=params, given_level="story", prefix=EVENT_PREFIX,
                          frequencies=frequencies)
    updated = events.index
    given = ([_optional(s) for s in articles["story_id"].tolist()] if "story_id" in articles.columns
             else [None] * len(articles))
    story_of = dict(updated.story_of)
    for article_id, story in zip(articles["id"].astype(str), given):
        if story is not None and article_id not in known_before:
            story_of[article_id] = story
    data_stories = {story_of[a] for a, o in zip(updated.ids, updated.origins) if o == STORY_FROM_DATA and a in story_of}
    # 2-5. link the events into stories
    new_rows = np.array([a not in known_before for a in updated.ids], dtype=bool)
    matrix = article_vectors(updated, params)
    story_of, aliases = _link(updated, matrix, story_of, data_stories, new_rows, dict(updated.aliases),
                              params.extend_given_stories, links)
    updated.story_of = story_of
    updated.aliases = aliases
    # the per-article result, input order
    event_of = dict(zip(updated.ids, updated.stories))
    origin_of = dict(zip(updated.ids, updated.origins))
    ids = articles["id"].astype(str).tolist()
    result = pd.DataFrame({"id": ids, "story": [story_of[a] for a in ids], "event": [event_of[a] for a in ids],
                           "story_origin": [origin_of[a] if origin_of[a] == STORY_FROM_DATA else STORY_FROM_GROUPING
                                            for a in ids]})
    touched_stories = set(result.story)
    touched_events = set(result.event)
    stories_table = _level_table(updated, matrix, [story_of[a] for a in updated.ids], touched_stories, params,
                                 "story", event_of)
    events_table = _level_table(updated, matrix, updated.stories, touched_events, params, "event", story_of)
    logger.info("linked %d events into %d stories", len(touched_events), len(touched_stories))
    return Grouping(result, stories_table, events_table, aliases, updated)


def _link(index: StoryIndex, matrix: sp.csr_matrix, story_of: dict[str, str], data_stories: set[str],
          new_rows: np.ndarray, aliases: dict[str, str], extend_given: bool, links: LinkParams
          ) -> tuple[dict[str, str], dict[str, str]]:
    """Return (article id -> story, aliases): centroid linkage of events under the gap limit."""
    n = len(index)
    days = np.array([published_day(p) for p in index.published], dtype=np.float64)
    # initial clusters: an event of a known story (given by the data, or found in an earlier run) starts in it
    event_ids = list(dict.fromkeys(index.stories))
    event_pos = {e: k for k, e in enumerate(event_ids)}
    row_event = np.array([event_pos[e] for e in index.stories], dtype=np.int64)
    named: list[str | None] = [None] * len(event_ids)  # the known story of each event, if any
    for row, article_id in enumerate(index.ids):
        known = story_of.get(article_id)
        if known is not None:
            known = resolve(known, aliases)
            k = row_event[row]
            if named[k] is None or known in data_stories:
                named[k] = known
    cluster_of_name: dict[str, int] = {}
    cluster_of_event = np.zeros(len(event_ids), dtype=np.int64)
    n_clusters = 0
    for k, name in enumerate(named):
        if name is not None and name in cluster_of_name:
            cluster_of_event[k] = cluster_of_name[name]
            continue
        cluster_of_event[k] = n_clusters
        if name is not None:
            cluster_of_name[name] = n_clusters
        n_clusters += 1
    row_cluster = cluster_of_event[row_event]
    name_of: list[str | None] = [None] * n_clusters
    for name, c in cluster_of_name.items():
        name_of[c] = name
    given = [name in data_stories if name else False for name in name_of]
    fresh = np.zeros(n_clusters, dtype=bool)  # holds an article of this run
    np.logical_or.at(fresh, row_cluster, new_rows)
    membership = sp.csr_matrix((np.ones(n, dtype=np.float32), (row_cluster, np.arange(n))), shape=(n_clusters, n))
    sums = (membership @ matrix).tocsr()
    first = np.full(n_clusters, np.inf)
    last = np.full(n_clusters, -np.inf)
    dated = ~np.isnan(days)
    np.minimum.at(first, row_cluster[dated], days[dated])
    np.maximum.at(last, row_cluster[dated], days[dated])

    # candidate pairs: both dated, ranges within the gap, at least one holding new articles
    size = np.bincount(row_cluster, minlength=n_clusters).astype(np.float64)
    pairs = _candidate_pairs(sums, size, first, last, fresh, links)
    parent = list(range(n_clusters))
    version = [0] * n_clusters
    neighbours: list[set[int]] = [set() for _ in range(n_clusters)]
    heap: list[tuple[float, int, int, int, int]] = []
    for a, b, s in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
        if s >= links.threshold:
            heap.append((-s, a, b, 0, 0))
    heapq.heapify(heap)
    vectors = {c: sums[c] for c in range(n_clusters) if neighbours[c]}

    def allowed(a: int, b: int) -> bool:
        if given[a] and given[b]:
            return False
        if (given[a] or given[b]) and not extend_given:
            return False
        if not (fresh[a] or fresh[b]):
            return False  # two running stories merge only through new articles
        return max(first[a], first[b]) - min(last[a], last[b]) <= links.max_gap_days

    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb or not allowed(a, b):
            continue
        keep, gone = _survivor(a, b, given, name_of, first)
        parent[gone] = keep
        version[keep] += 1
        vectors[keep] = vectors[keep] + vectors.pop(gone)
        size[keep] += size[gone]
        first[keep] = min(first[keep], first[gone])
        last[keep] = max(last[keep], last[gone])
        fresh[keep] = fresh[keep] or fresh[gone]
        given[keep] = given[keep] or given[gone]
        if name_of[gone] is not None:
            if name_of[keep] is None:
                name_of[keep] = name_of[gone]
            else:
                aliases[name_of[gone]] = name_of[keep]
        neighbours[keep] |= neighbours[gone]
        neighbours[keep].discard(keep)
        neighbours[keep].discard(gone)
        for other in neighbours[gone]:
            neighbours[other].discard(gone)
            if other != keep:
                neighbours[other].add(keep)
        neighbours[gone] = set()
        live = [c for c in neighbours[keep] if parent[c] == c]
        if live:
            others = sp.vstack([vectors[c] for c in live]).tocsr()
            sims = np.asarray((others @ vectors[keep].T).todense()).ravel() / (size[live] * size[keep])
            for c, s in zip(live, sims.tolist()):
                if s >= links.threshold and allowed(keep, c):
                    x, y = (keep, c) if keep < c else (c, keep)
                    heapq.heappush(heap, (-s, x, y, version[x], version[y]))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    # story ids: the known name, else from the founding article (earliest in canonical order)
    first_row: dict[int, int] = {}
    for row in range(n):
        first_row.setdefault(find(int(row_cluster[row])), row)
    out: dict[str, str] = {}
    for row, article_id in enumerate(index.ids):
        root = find(int(row_cluster[row]))
        name = name_of[root]
        if name is None:
            name = _hash_id(STORY_PREFIX, index.ids[first_row[root]])
            name_of[root] = name
        given_story = story_of.get(article_id) if index.origins[row] == STORY_FROM_DATA else None
        out[article_id] = given_story if given_story is not None else name
    return out, aliases


def _survivor(a: int, b: int, given: list[bool], name_of: list[str | None], first: np.ndarray) -> tuple[int, int]:
    """Return (kept, merged) clusters: a given story first, then a named (running) one, then the older."""
    def rank(c: int) -> tuple[int, int, float, int]:
        return (0 if given[c] else 1, 0 if name_of[c] is not None else 1, float(first[c]), c)
    return (a, b) if rank(a) <= rank(b) else (b, a)


def _normalised(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags(1.0 / norms) @ matrix).tocsr()


def _candidate_pairs(sums: sp.csr_matrix, size: np.ndarray, first: np.ndarray, last: np.ndarray,
                     fresh: np.ndarray, links: LinkParams) -> list[tuple[int, int, float]]:
    """Return (a, b, mean cross-pair cosine) of dated cluster pairs within the gap, one holding new articles."""
    dated = np.flatnonzero(np.isfinite(first))
    if len(dated) < 2:
        return []
    order = dated[np.argsort(first[dated], kind="stable")]
    starts = first[order]
    longest = float(np.max(last[order] - first[order]))
    out: list[tuple[int, int, float]] = []
    active = order[fresh[order]]
    for lo in range(0, len(active), _CHUNK):
        chunk = active[lo:lo + _CHUNK]
        low = float(first[chunk].min()) - links.max_gap_days - longest
        high = float(last[chunk].max()) + links.max_gap_days
        cols = order[np.searchsorted(starts, low, "left"):np.searchsorted(starts, high, "right")]
        sims = (sums[chunk] @ sums[cols].T).toarray() / (size[chunk][:, None] * size[cols][None, :])
        gap = np.maximum(first[chunk][:, None], first[cols][None, :]) - np.minimum(last[chunk][:, None],
                                                                                     last[cols][None, :])
        keep = (gap <= links.max_gap_days) & (sims >= links.min_candidate_similarity)
        keep &= chunk[:, None] != cols[None, :]
        keep &= (chunk[:, None] < cols[None, :]) | ~fresh[cols][None, :]  # each pair once
        ii, jj = np.nonzero(keep)
        out.extend(zip(chunk[ii].tolist(), cols[jj].tolist(), sims[ii, jj].tolist()))
    return out


def _level_table(index: StoryIndex, matrix: sp.csr_matrix, group_of_row: Sequence[str], touched: set[str],
                 params: StoryParams, level: str, other_of: dict[str, str]) -> pd.DataFrame:
    """Return one row per touched story or event: most central headline, key terms, outlets, dates."""
    rows_of: dict[str, list[int]] = {}
    for row, group in enumerate(group_of_row):
        if group in touched:
            rows_of.setdefault(group, []).append(row)
    present = {group: _members_with([f"{index.titles[r]}\n{index.leads[r]}" for r in rows])
               for group, rows in rows_of.items() if len(rows) > 1}
    idf = features.idf(index.body_df, index.documents, params.min_document_frequency)
    weight_of = _term_weights(sorted(set().union(*present.values())), idf)
    records = []
    for group in sorted(rows_of):
        rows = rows_of[group]
        titled = [r for r in rows if index.titles[r].strip()] or rows
        centre = np.asarray(matrix[rows].sum(axis=0)).ravel()
        central = titled[int(np.argmax(matrix[titled] @ centre))] if len(rows) > 2 else titled[0]
        outlets = tuple(sorted({o for r in rows if (o := index.outlets[r])}))
        dates = sorted(p[:10] for r in rows if (p := index.published[r]) and not math.isnan(published_day(p)))
        terms = _key_terms(present[group], weight_of) if group in present else ()
        record: dict[str, Any] = {level: group, "label": index.titles[central], "key_terms": terms,
                                  "n_articles": len(rows),
                                  "n_outlets": len(outlets), "outlets": outlets,
                                  "first_published": dates[0] if dates else None,
                                  "last_published": dates[-1] if dates else None, "founder": index.ids[rows[0]]}
        if level == "story":
            record["n_events"] = len({index.stories[r] for r in rows})
            record["story_origin"] = (STORY_FROM_DATA if index.origins[rows[0]] == STORY_FROM_DATA
                                      else STORY_FROM_GROUPING)
        else:
            record["story"] = other_of[index.ids[rows[0]]]
        records.append(record)
    columns = [level, "label", "key_terms", "n_articles", "n_outlets", "outlets", "first_published", "last_published",
               "founder"] + (["n_events", "story_origin"] if level == "story" else ["story"])
    return pd.DataFrame.from_records(records, columns=columns)


# --------------------------------------------------------------------------------------------
# What other modules call: a story's events (its timeline) and its threads
# --------------------------------------------------------------------------------------------

_VIEW_COLUMNS = ["id", "outlet", "title", "published", "text", "story_id", "event_id"]


def _article_frame(store_or_articles: Store | pd.DataFrame, aliases: dict[str, str] | None
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return articles with ``story`` and ``event`` columns, and the aliases, from a store or a frame."""
    if isinstance(store_or_articles, pd.DataFrame):
        frame = store_or_articles
    else:
        frame = store_or_articles.articles(columns=["outlet", "title", "published", "text", "story_id",
                                                    "event_id"])
        aliases = store_or_articles.story_aliases() if aliases is None else aliases
    renames = {"story_id": "story", "event_id": "event"}
    frame = frame.rename(columns={k: v for k, v in renames.items() if k in frame.columns and v not in frame.columns})
    return frame, aliases or {}


def _centroids(frame: pd.DataFrame, key: str) -> tuple[list[str], sp.csr_matrix]:
    """Return the groups of ``key`` and the unit centroids of their TF-IDF vectors (fit on ``frame``)."""
    titles = frame["title"].fillna("").astype(str).tolist()
    texts = frame["text"].fillna("").astype(str).tolist() if "text" in frame.columns else [""] * len(frame)
    tf = features.term_counts(features.body_texts(titles, texts), features.BODY)
    matrix = features.weighted(tf, features.idf(features.document_frequency(tf), len(frame), 2))
    groups = frame[key].astype(str).tolist()
    names = list(dict.fromkeys(groups))
    pos = {g: i for i, g in enumerate(names)}
    membership = sp.csr_matrix((np.ones(len(groups), dtype=np.float32), ([pos[g] for g in groups],
                                                                         np.arange(len(groups)))),
                               shape=(len(names), len(groups)))
    return names, _normalised(membership @ matrix)


def story_events(store_or_articles: Store | pd.DataFrame, story_id: str,
                 aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """Return a story's events as a dated timeline, earliest first.

    ``store_or_articles`` is a :class:`core.store.Store` or a frame with ``id, outlet,
    title, published`` and ``story``/``event`` (or ``story_id``/``event_id``). A merged
    story id (an alias: ``aliases``, or the store's) is followed. Columns: ``event, label, first_published,
    last_published, n_articles, n_outlets``; the label is the event's most common headline,
    the earliest on ties.

    >>> arts = pd.DataFrame({"id": ["a", "b", "c"], "outlet": ["A", "B", "A"], "title": ["Fire", "Fire", "Rain"],
    ...                      "published": ["2025-01-07", "2025-01-07", "2025-01-12"], "story": "st-1",
    ...                      "event": ["ev-1", "ev-1", "ev-2"]})
    >>> story_events(arts, "st-1")[["event", "label", "n_articles"]].values.tolist()
    [['ev-1', 'Fire', 2], ['ev-2', 'Rain', 1]]
    """
    frame, aliases = _article_frame(store_or_articles, aliases)
    story_id = resolve(story_id, aliases)
    members = frame[frame["story"] == story_id]
    columns = ["event", "label", "first_published", "last_published", "n_articles", "n_outlets"]
    if members.empty or "event" not in members.columns:
        return pd.DataFrame(columns=columns)
    members = members.assign(event=members["event"].fillna(members["id"]), day=members["published"].str[:10])
    records = []
    for event, rows in members.groupby("event", sort=False):
        titles = rows.sort_values("day", na_position="last")["title"]
        label = titles.value_counts(sort=True).index[0] if titles.duplicated().any() else titles.iloc[0]
        days = rows["day"].dropna()
        records.append({"event": event, "label": label, "first_published": days.min() if len(days) else None,
                        "last_published": days.max() if len(days) else None, "n_articles": len(rows),
                        "n_outlets": rows["outlet"].nunique()})
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.sort_values(["first_published", "event"], na_position="last").reset_index(drop=True)


def story_threads(store_or_articles: Store | pd.DataFrame, story_id: str, links: LinkParams = LinkParams(),
                  aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the earlier stories that lead to ``story_id`` ("how we got here"), most similar first.

    A thread ends before the story starts (at most ``thread_days`` before) and its centroid
    (TF-IDF of headline + text, fit on the articles given) is at least ``thread_threshold``
    similar to the story's. Columns: ``story, label, first_published, last_published,
    n_articles, similarity`` (the label: the thread's headline most central to it).
    """
    frame, aliases = _article_frame(store_or_articles, aliases)
    story_id = resolve(story_id, aliases)
    columns = ["story", "label", "first_published", "last_published", "n_articles", "similarity"]
    frame = frame[frame["story"].notna()]
    if story_id not in set(frame["story"]):
        return pd.DataFrame(columns=columns)
    frame = frame.assign(day=frame["published"].map(published_day)).reset_index(drop=True)
    names, unit = _centroids(frame, "story")
    at = names.index(story_id)
    sims = np.asarray((unit @ unit[at].T).todense()).ravel()
    spans = frame.groupby("story")["day"].agg(["min", "max", "size"])
    start = spans.loc[story_id, "min"]
    records = []
    for name, sim in zip(names, sims.tolist()):
        if name == story_id or sim < links.thread_threshold or math.isnan(start):
            continue
        first, last, size = spans.loc[name, "min"], spans.loc[name, "max"], spans.loc[name, "size"]
        if math.isnan(last) or last >= start or start - last > links.thread_days:
            continue
        rows = frame[frame["story"] == name]
        records.append({"story": name, "label": _central_title(rows), "first_published": _iso(first),
                        "last_published": _iso(last), "n_articles": int(size), "similarity": round(sim, 3)})
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.sort_values(["similarity", "story"], ascending=[False, True]).reset_index(drop=True)


def _central_title(rows: pd.DataFrame) -> str:
    titles = rows["title"].fillna("").astype(str).tolist()
    if len(titles) <= 2:
        return titles[0]
    tf = features.term_counts(titles, features.BODY)
    unit = _normalised(tf)
    centre = np.asarray(unit.sum(axis=0)).ravel()
    return titles[int(np.argmax(unit @ centre))]


def _iso(day: float) -> str | None:
    if math.isnan(day):
        return None
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(day))).strftime("%Y-%m-%d")
