"""Group a store's articles into stories and events (``python -m analysis stories --db``), incrementally.

``python -m analysis stories`` (analysis/__main__.py) has

Two forms:

* ``--in FILE.jsonl --out OUT.jsonl``: input lines {"id", "outlet", "url", "title",
  "published", "text"} (optionally "story_id", kept as given); one output line
  {"id", "story", "event", "story_label", "event_label"} per input article, in input
  order: ``story`` is the multi-day story, ``event`` the one-or-two-day happening in it.
* ``--db DB``: groups the store's articles and writes their story and event ids and
  labels back, so the report and the dashboard filter on them. Stories given by the data
  are kept, never overwritten (their events are still found). The grouping is incremental:
  a story index saved beside the store (``DB.stories.npz``, or ``--index``) lets new
  articles join existing stories or start new ones without regrouping everything; when
  new articles bridge two stories they merge and the older id survives, the other kept
  as an alias. ``--rebuild`` starts from scratch.

The store is read in date-ordered blocks (``--block-articles``, the setting ``story_block_articles``),
each grouped against the index so far, and the index keeps only the stories still running
(``--keep-days``): memory is bounded by the block and the running stories, not the store
(analysis/stories/blocks.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING
from core.store import ArticleFilter, Store

if TYPE_CHECKING:
    from analysis.stories.grouping import StoryIndex
# analysis.stories.grouping (scikit-learn, ~1.2 s to import) is imported where it is used, so that
# `python -m analysis` of any other subcommand starts without it.

INDEX_SUFFIX = ".stories.npz"
# The least --keep-days: analysis.stories.linking.MAX_GAP_DAYS, the longest silence a story survives (a test
# keeps the two equal; this module does not import the linking, which needs scikit-learn).
MIN_KEEP_DAYS = 5.0


def group_store(store: Store, index_path: Path, *, rebuild: bool = False, block_articles: int | None = None,
                keep_days: float | None = None) -> str:
    """Group the store's articles not yet grouped, in date-ordered blocks; write story ids, labels and the index.

    Memory holds one block of ``block_articles`` articles with their text and the index of the
    stories still running (analysis/stories/blocks.py). With a saved index (and no ``rebuild``),
    the articles without an event yet are grouped. Return a one-line summary.
    """
    from analysis.stories.blocks import (
        BLOCK_ARTICLES,
        KEEP_DAYS,
        count_frequencies,
        group_in_blocks,
        iso_day,
        undated_days,
        with_undated,
    )
    from analysis.stories.grouping import StoryIndex
    from analysis.stories.linking import Grouping

    existing = None
    if index_path.exists() and not rebuild:
        existing = StoryIndex.load(index_path)
    size = BLOCK_ARTICLES if block_articles is None else block_articles
    columns = ["outlet", "url", "title", "published", "text", "story_id", "story_origin"]
    changed = 0
    fresh = existing is not None  # an incremental run groups the articles without an event only

    def regrouped(blocks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for block in blocks:
            # a grouped id from an earlier run is regrouped; only the data's own ids are fixed seeds
            from_data = block["story_origin"] == STORY_FROM_DATA
            yield block.assign(story_id=block["story_id"].where(from_data, None),
                               story_origin=block["story_origin"].where(from_data, None))

    def write(result: Grouping, new_aliases: dict[str, str]) -> None:
        nonlocal changed
        assignments = result.articles.assign(story=result.articles["story"].where(
            result.articles["story_origin"] == STORY_FROM_GROUPING, None))
        changed += store.assign_stories(assignments[["id", "story", "event"]])
        labels = result.stories[result.stories["story_origin"] != STORY_FROM_DATA]
        store.write_stories(pd.DataFrame(labels))
        store.write_events(result.events)
        store.write_story_aliases(new_aliases)

    # a first pass counts the terms of every article to group, so each block weighs terms as a grouping of all
    # at once would (a block of titles and texts at a time)
    frequencies = count_frequencies(store.article_blocks(["title", "text"], size, ungrouped=fresh), existing)
    # a second pass, when there are undated articles: each goes with the block of its most similar dated article
    days = undated_days(store.article_blocks(["title", "text"], size, ungrouped=fresh, dated=False),
                        store.article_blocks(["title", "text"], size, ungrouped=fresh, dated=True), frequencies)

    def fetch(ids: list[str]) -> pd.DataFrame:
        return store.articles(ids=ids, columns=columns)

    ordered = with_undated(store.article_blocks(columns, size, ungrouped=fresh, dated=True),
                           store.article_blocks(columns, size, ungrouped=fresh, dated=False), days, fetch)

    def recall(first_day: float, last_day: float, known: set[str]) -> pd.DataFrame:
        """The grouped articles of the stories with an article in the days, not in the index (incremental runs)."""
        near = store.articles(ArticleFilter(since=iso_day(first_day), until=iso_day(last_day)),
                              columns=["story_id", "event_id"])
        near = near[near["event_id"].notna() & near["story_id"].notna() & ~near["id"].isin(known)]
        parts = [store.articles(ArticleFilter(story_id=story), columns=[*columns, "event_id"])
                 for story in sorted(set(near["story_id"]))]
        return (pd.concat(parts, ignore_index=True) if parts
                else pd.DataFrame(columns=["id", *columns, "event_id"]))

    run = group_in_blocks(regrouped(ordered), existing=existing,
                          keep_days=KEEP_DAYS if keep_days is None else keep_days, on_block=write,
                          frequencies=frequencies, recall=recall if fresh else None)
    if run.index is None or not run.articles:
        return f"no new articles to group ({len(existing or ())} running in {index_path})"
    _save_atomically(run.index, index_path)
    return (f"{run.articles:,} articles grouped in {run.blocks:,} block(s) of at most {size:,} "
            f"(largest {run.largest_block:,}; index at most {run.largest_index:,} articles, "
            f"{len(run.index):,} kept as running stories; {run.recalled:,} read back from the store); "
            f"{changed:,} story ids written to {store.path}; index {index_path}")


def _save_atomically(index: StoryIndex, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    index.save(partial)
    os.replace(partial, path)
