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
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING
from core.store import Store

if TYPE_CHECKING:
    from analysis.stories.grouping import StoryIndex
# analysis.stories.grouping (scikit-learn, ~1.2 s to import) is imported where it is used, so that
# `python -m analysis` of any other subcommand starts without it.

INDEX_SUFFIX = ".stories.npz"


def group_store(store: Store, index_path: Path, *, rebuild: bool = False) -> str:
    """Group the store's articles not yet in the index; write story ids, labels and the index.

    Return a one-line summary.
    """
    from analysis.stories.grouping import StoryIndex
    from analysis.stories.linking import group_articles

    existing = None
    if index_path.exists() and not rebuild:
        existing = StoryIndex.load(index_path)
    columns = ["outlet", "url", "title", "published", "text", "story_id", "story_origin"]
    articles = store.articles(columns=columns)
    if existing is not None:
        articles = articles[~articles["id"].isin(set(existing.ids))]
    # a grouped id from an earlier run is regrouped; only the data's own ids are fixed seeds
    from_data = articles["story_origin"] == STORY_FROM_DATA
    articles = articles.assign(story_id=articles["story_id"].where(from_data, None),
                               story_origin=articles["story_origin"].where(from_data, None))
    if articles.empty:
        return f"no new articles to group ({len(existing or ())} already in {index_path})"
    result = group_articles(articles.reset_index(drop=True), existing=existing)
    assignments = result.articles.assign(story=result.articles["story"].where(
        result.articles["story_origin"] == STORY_FROM_GROUPING, None))
    changed = store.assign_stories(assignments[["id", "story", "event"]])
    labels = result.stories[result.stories["story_origin"] != STORY_FROM_DATA]
    store.write_stories(pd.DataFrame(labels))
    store.write_events(result.events)
    store.write_story_aliases(result.aliases)
    _save_atomically(result.index, index_path)
    return f"{result.summary()}; {changed:,} story ids written to {store.path}; index {index_path}"


def _save_atomically(index: StoryIndex, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    index.save(partial)
    os.replace(partial, path)
