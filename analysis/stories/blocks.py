"""Story grouping in bounded memory: the articles in date-ordered blocks, each grouped against the index so far.

A store of a million articles holds ~7 GB of text; grouping it at once would hold all of it, and
the index (each article's title, lead and term counts) grows with the store. Here:

1. Blocks: the articles by (published, id), undated last, at most ``block_articles`` a block,
   a block ending at a day boundary unless one day fills it (:meth:`core.store.Store.article_blocks`
   for a store, :func:`frame_blocks` for a frame: the same rule).
2. Each block is grouped by :func:`analysis.stories.linking.group_articles` against the index built
   so far (``existing=``, the incremental grouping): its articles join running events and
   stories or found new ones; two running stories merge through a block's articles.
3. After each block the index drops the stories that can no longer grow: those whose last dated
   article is more than ``keep_days`` before the block's last day (later blocks are not earlier).
   An article joins an event at most ``window_days`` (1) from it and an event spans at most
   ``max_span_days`` (2); a story gains an event at most ``max_gap_days`` (5) after its last one.
   So with ``keep_days`` >= 5 a dropped story could only have been reached by a running story that
   overlaps it in time and grows in a later block (the only loss; see docs/stories.md). Stories
   without a dated article, and the document frequencies (all articles ever seen), are kept.
4. Labels, events and aliases of the stories a block touches are written with that block: a story
   touched is still whole in the index, so its label (the most central headline) is over all its
   members; the last block that touches a story writes its final label.

Memory: one block of articles with their text, plus the index of the running stories (title, 300
characters of lead and the term counts of each of their articles), plus the document frequencies
(two vectors of 2**20 counts) and the aliases. Undated articles come last: they meet the articles
of the stories still running and each other, not the whole corpus.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.stories import features
from analysis.stories.grouping import Frequencies, StoryIndex, StoryParams, published_day
from analysis.stories.linking import Grouping, LinkParams, group_articles, resolve
from analysis.text.sentences import as_text
from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING

logger = logging.getLogger(__name__)

# Articles read and grouped at a time (the setting stories.block_articles). On the 50,000-article sample
# 5,000 a block kept peak memory well under the whole-at-once grouping; figures in docs/performance.md.
BLOCK_ARTICLES = 5000
# An undated article goes with the block of its most similar dated article when their cosine is at least this
# (the grouping's own floor for pairs with an undated article); below it, it waits for the last blocks.
UNDATED_MATCH = 0.10
_MATCH_ROWS = 2000  # undated articles compared with a dated block at once (memory: rows x block floats)
# Days a story stays in the index after its last article (the setting stories.keep_days); at least
# max_gap_days (5), the longest silence a story survives.
KEEP_DAYS = 14.0


@dataclass
class BlockRun:
    """What a blocked grouping did: blocks, articles, the largest block and index, the final index."""

    blocks: int = 0
    articles: int = 0
    largest_block: int = 0
    largest_index: int = 0
    pruned: int = 0
    recalled: int = 0
    index: StoryIndex | None = None


def iso_day(day: float) -> str:
    """Return the ISO date of a day number (days since 1970-01-01).

    >>> iso_day(20151.0)
    '2025-03-04'
    """
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=int(math.floor(day)))).strftime("%Y-%m-%d")


def frame_blocks(articles: pd.DataFrame, block_articles: int) -> Iterator[pd.DataFrame]:
    """Yield ``articles`` in the store's block order: by (published, id), undated last, whole days when they fit.

    >>> arts = pd.DataFrame({"id": ["a", "b", "c", "d"], "published": ["2024-01-02", "2024-01-01", "2024-01-01", None]})
    >>> [b["id"].tolist() for b in frame_blocks(arts, 2)]
    [['b', 'c'], ['a'], ['d']]
    """
    if block_articles < 1:
        raise ValueError(f"block_articles must be at least 1, not {block_articles}")
    published = articles["published"]
    dated = published.notna()
    order = articles.assign(_p=published.fillna("").astype(str), _i=articles["id"].astype(str))
    rows = order[dated.to_numpy()].sort_values(["_p", "_i"], kind="stable")
    start = 0
    while start < len(rows):
        block = rows.iloc[start:start + block_articles]
        if len(block) == block_articles:
            days = block["_p"].str[:10]
            whole = (days != days.iloc[-1]).to_numpy()
            if whole.any():
                block = block[whole]
        start += len(block)
        yield block.drop(columns=["_p", "_i"])
    undated = order[~dated.to_numpy()].sort_values("_i", kind="stable")
    for start in range(0, len(undated), block_articles):
        yield undated.iloc[start:start + block_articles].drop(columns=["_p", "_i"])


def story_last_days(index: StoryIndex) -> dict[str, float]:
    """Return each story's last dated day in the index (NaN when it has no dated article)."""
    last: dict[str, float] = {}
    for article_id, published in zip(index.ids, index.published):
        story = index.story_of.get(article_id, article_id)
        day = published_day(published)
        before = last.get(story, math.nan)
        if math.isnan(before) or (not math.isnan(day) and day > before):
            last[story] = day
    return last


def _newest_day(index: StoryIndex | None) -> float:
    """Return the latest dated day in the index (-inf when none)."""
    days = [d for d in (published_day(p) for p in (index.published if index is not None else [])) if not math.isnan(d)]
    return max(days) if days else -math.inf


def prune(index: StoryIndex, before_day: float, *, undated: bool = False) -> tuple[StoryIndex, int]:
    """Return the index without the stories whose last dated article is before ``before_day``, and the rows dropped.

    ``undated``: drop the stories without a dated article too (an undated article grouped with a dated
    block that joined no dated story: no later article is dated near it).

    The document frequencies and the count of documents seen stay as they are (the idf of later
    articles is the same as without pruning); aliases are kept.
    """
    if not len(index) or math.isnan(before_day):
        return index, 0
    last = story_last_days(index)
    gone = {story for story, day in last.items() if (undated and math.isnan(day)) or day < before_day}
    if not gone:
        return index, 0
    keep = np.array([index.story_of.get(a, a) not in gone for a in index.ids], dtype=bool)
    rows = np.flatnonzero(keep)

    def pick(values: list) -> list:  # type: ignore[type-arg]
        return [values[r] for r in rows]

    kept_ids = pick(index.ids)
    kept = StoryIndex(kept_ids, pick(index.stories), pick(index.origins), pick(index.outlets),
                      pick(index.published), pick(index.titles), pick(index.leads), index.body_tf[rows],
                      index.lead_tf[rows], index.body_df, index.lead_df, index.neighbours[rows],
                      index.representation, {a: index.story_of[a] for a in kept_ids if a in index.story_of},
                      dict(index.aliases), index.documents)
    return kept, int(len(index) - len(rows))


def with_grouped(index: StoryIndex, grouped: pd.DataFrame, params: StoryParams = StoryParams()) -> StoryIndex:
    """Return the index with articles grouped in an earlier run added back (their stories read from the store).

    ``grouped`` has ``id, outlet, title, published, text, story_id, event_id, story_origin``. Their
    terms are counted already in the index's document frequencies (they were grouped before), so
    those stay; their local density is unknown (zeros: they ask the least of new neighbours).
    """
    grouped = grouped[~grouped["id"].astype(str).isin(set(index.ids)) & grouped["event_id"].notna()]
    if grouped.empty:
        return index
    titles = [as_text(t) for t in grouped["title"].tolist()]
    texts = [as_text(x) for x in grouped["text"].tolist()]
    ids = grouped["id"].astype(str).tolist()
    origins = [STORY_FROM_DATA if o == STORY_FROM_DATA else STORY_FROM_GROUPING
               for o in grouped["story_origin"].tolist()]
    story_of = dict(index.story_of)
    story_of.update({a: str(s) for a, s in zip(ids, grouped["story_id"].tolist()) if s})
    body = features.term_counts(features.body_texts(titles, texts), features.BODY)
    lead = features.term_counts(features.lead_texts(titles, texts, params.lead_chars), features.LEAD)
    zeros = np.zeros((len(ids), index.neighbours.shape[1]), dtype=np.float32)
    return StoryIndex(index.ids + ids, index.stories + grouped["event_id"].astype(str).tolist(),
                      index.origins + origins, index.outlets + [o or None for o in grouped["outlet"].tolist()],
                      index.published + [p or None for p in grouped["published"].tolist()],
                      index.titles + titles, index.leads + [x[: params.lead_chars] for x in texts],
                      sp.vstack([index.body_tf, body]).tocsr(), sp.vstack([index.lead_tf, lead]).tocsr(),
                      index.body_df, index.lead_df, np.vstack([index.neighbours, zeros]), index.representation,
                      story_of, dict(index.aliases), index.documents)


def group_in_blocks(blocks: Iterable[pd.DataFrame], existing: StoryIndex | None = None,
                    params: StoryParams = StoryParams(), links: LinkParams = LinkParams(),
                    keep_days: float = KEEP_DAYS,
                    on_block: Callable[[Grouping, dict[str, str]], None] | None = None,
                    frequencies: Frequencies | None = None,
                    recall: Callable[[float, float, set[str]], pd.DataFrame] | None = None) -> BlockRun:
    """Group the blocks one after the other against the index so far; prune it after each; return the run.

    ``frequencies``: the document frequencies of the index and of every article the blocks hold
    (:func:`count_frequencies`, a first pass): each block then weighs terms as a grouping of all at
    once would. Without them each block weighs terms by the articles seen so far.

    ``recall(first_day, last_day, ids_in_index)``: the articles grouped in an earlier run (with their
    ``story_id``, ``event_id``) of the stories that have an article between the two days (an
    incremental run: an article older than the saved index's running stories meets its stories
    again; the store's grouping reads them back). Called before each block with its dated range
    widened by ``keep_days``.

    ``on_block(grouping, new_aliases)`` receives each block's grouping (its articles, the stories
    and events it touched) and the aliases that are new or resolve further since the last block
    (merged story -> the story it now is).
    """
    if keep_days < links.max_gap_days:
        raise ValueError(f"keep_days ({keep_days}) must be at least max_gap_days ({links.max_gap_days})")
    run = BlockRun(index=existing)
    written: dict[str, str] = {a: resolve(a, existing.aliases) for a in existing.aliases} if existing else {}
    for block in blocks:
        if block.empty:
            continue
        run.blocks += 1
        run.articles += len(block)
        run.largest_block = max(run.largest_block, len(block))
        days = [d for d in (published_day(p) for p in block["published"].tolist()) if not math.isnan(d)]
        if recall is not None and days and min(days) < _newest_day(run.index):
            # a story the index dropped ended more than keep_days before the newest day it held: only a block
            # that starts before that day can come near one
            known = set(run.index.ids) if run.index is not None else set()
            back = recall(min(days) - keep_days, max(days) + keep_days, known)
            if len(back):
                run.index = with_grouped(run.index if run.index is not None else StoryIndex.empty(params), back,
                                         params)
                run.recalled += len(back)
        result = group_articles(block.reset_index(drop=True), existing=run.index, params=params, links=links,
                                frequencies=frequencies)
        run.largest_index = max(run.largest_index, len(result.index))
        resolved = {a: resolve(a, result.aliases) for a in result.aliases}
        fresh = {a: s for a, s in resolved.items() if written.get(a) != s}
        written.update(fresh)
        if on_block is not None:
            on_block(result, fresh)
        index = result.index
        if days:
            index, dropped = prune(index, max(days) - keep_days, undated=True)
            run.pruned += dropped
        run.index = index
        logger.info("block %d: %d articles; index %d articles (%d pruned so far)", run.blocks, len(block),
                    len(index), run.pruned)
    return run


def _unit_bodies(block: pd.DataFrame, idf: np.ndarray) -> sp.csr_matrix:
    titles = [as_text(t) for t in block["title"].tolist()]
    texts = [as_text(x) for x in block["text"].tolist()]
    return features.weighted(features.term_counts(features.body_texts(titles, texts), features.BODY), idf)


def undated_days(undated_blocks: Iterable[pd.DataFrame], dated_blocks: Iterable[pd.DataFrame],
                 frequencies: Frequencies, params: StoryParams = StoryParams(),
                 floor: float = UNDATED_MATCH) -> dict[str, float]:
    """Return, per undated article, the day of the dated article most similar to it (cosine >= ``floor``).

    Cosine of the headline+body TF-IDF (the idf of ``frequencies``). The grouping in blocks groups an
    undated article with the block of that day, where it meets the articles of that day and the
    stories running then, as a grouping of all at once would let it meet its best match. Memory: the
    undated articles' vectors, one dated block's, and a chunk of similarities.
    """
    idf = features.idf(frequencies.body_df, frequencies.documents, params.min_document_frequency)
    ids: list[str] = []
    parts: list[sp.csr_matrix] = []
    for block in undated_blocks:
        ids.extend(block["id"].astype(str).tolist())
        parts.append(_unit_bodies(block, idf))
    if not ids:
        return {}
    undated = sp.vstack(parts).tocsr()
    best = np.full(len(ids), -np.inf)
    day = np.full(len(ids), np.nan)
    for block in dated_blocks:
        if block.empty:
            continue
        vectors = _unit_bodies(block, idf).T.tocsc()
        days = np.array([published_day(p) for p in block["published"].tolist()], dtype=np.float64)
        for lo in range(0, len(ids), _MATCH_ROWS):
            sims = (undated[lo:lo + _MATCH_ROWS] @ vectors).toarray()
            at = sims.argmax(axis=1)
            top = sims[np.arange(len(at)), at]
            better = (top > best[lo:lo + _MATCH_ROWS]) & ~np.isnan(days[at])
            best[lo:lo + _MATCH_ROWS][better] = top[better]
            day[lo:lo + _MATCH_ROWS][better] = days[at][better]
    return {a: float(d) for a, b, d in zip(ids, best.tolist(), day.tolist()) if b >= floor}


def with_undated(dated_blocks: Iterable[pd.DataFrame], undated_blocks: Iterable[pd.DataFrame],
                 days: dict[str, float], fetch: Callable[[list[str]], pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Yield the dated blocks, each with the undated articles matched to its days (``fetch(ids)`` reads them),
    then the undated articles matched to none, in their blocks."""
    pending = sorted((d, a) for a, d in days.items())
    at = 0
    for block in dated_blocks:
        dated = [d for d in (published_day(p) for p in block["published"].tolist()) if not math.isnan(d)]
        last = max(dated) if dated else -math.inf
        take = []
        while at < len(pending) and pending[at][0] <= last:
            take.append(pending[at][1])
            at += 1
        yield pd.concat([block, fetch(take)], ignore_index=True) if take else block
    if at < len(pending):
        yield fetch([a for _, a in pending[at:]])
    for block in undated_blocks:
        rest = block[~block["id"].astype(str).isin(days)]
        if len(rest):
            yield rest


def count_frequencies(blocks: Iterable[pd.DataFrame], existing: StoryIndex | None = None,
                      params: StoryParams = StoryParams()) -> Frequencies:
    """Return the document frequencies of ``existing`` plus the articles of ``blocks`` (``title``, ``text``)."""
    counts = Frequencies.of(existing if existing is not None else StoryIndex.empty(params))
    for block in blocks:
        counts.add(block["title"].tolist(), block["text"].tolist(), params)
    return counts


def group_frame_in_blocks(articles: pd.DataFrame, block_articles: int = BLOCK_ARTICLES,
                          params: StoryParams = StoryParams(), links: LinkParams = LinkParams(),
                          keep_days: float = KEEP_DAYS, first_pass: bool = True) -> tuple[pd.DataFrame, BlockRun]:
    """Group a frame in blocks (the store's order and rule); return ``id, story, event`` in input order and the run.

    ``first_pass``: count the document frequencies of all articles first (as the store's grouping does).

    The story of an article grouped in an earlier block is the story it became (merges followed).
    """
    parts: list[pd.DataFrame] = []

    def keep(result: Grouping, _aliases: dict[str, str]) -> None:
        parts.append(result.articles[["id", "story", "event"]])

    frequencies = count_frequencies(frame_blocks(articles, block_articles), params=params)
    dated = articles[articles["published"].notna().to_numpy()]
    undated = articles[articles["published"].isna().to_numpy()]
    days = undated_days(frame_blocks(undated, block_articles), frame_blocks(dated, block_articles), frequencies,
                        params) if len(undated) else {}
    by_id = undated.set_index(undated["id"].astype(str))

    def fetch(ids: list[str]) -> pd.DataFrame:
        return by_id.loc[ids].reset_index(drop=True)

    ordered = with_undated(frame_blocks(dated, block_articles), frame_blocks(undated, block_articles), days, fetch)
    run = group_in_blocks(ordered, params=params, links=links, keep_days=keep_days, on_block=keep,
                          frequencies=frequencies if first_pass else None)
    aliases = run.index.aliases if run.index is not None else {}
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id", "story", "event"])
    found = found.assign(story=[resolve(s, aliases) for s in found["story"].tolist()])
    order = pd.DataFrame({"id": articles["id"].astype(str).tolist()})
    return order.merge(found.assign(id=found["id"].astype(str)), on="id", how="left"), run
