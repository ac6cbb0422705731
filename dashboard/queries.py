"""What the dashboard's pages show, as pure functions of (store path, filter, settings).

No streamlit here: every function is tested with plain pytest, and the pages
only lay out what these return. Each call opens a short read-only connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.report import outlet_report
from core.settings import Settings
from core.store import ArticleFilter, Store


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers."""

    stories: tuple[str, ...]
    topics: tuple[str, ...]
    outlets: tuple[str, ...]
    first_day: str | None
    last_day: str | None
    articles: int


def store_exists(db: str) -> bool:
    """Return whether a store file is there to read."""
    return Path(db).is_file()


def data_version(db: str, settings: Settings) -> int:
    """Return the store's data version (grows with every write; the cache key)."""
    if not store_exists(db):
        return -1
    with Store.open(db, readonly=True, busy_timeout_ms=settings.busy_timeout_ms) as store:
        return store.data_version()


def filter_options(db: str, settings: Settings) -> FilterOptions:
    """Return the stories, topics, outlets and date span the sidebar offers."""
    with Store.open(db, readonly=True, busy_timeout_ms=settings.busy_timeout_ms) as store:
        summary = store.summary()
        return FilterOptions(
            stories=tuple(store.distinct("story_id")),
            topics=tuple(store.distinct("topic")),
            outlets=tuple(store.distinct("outlet")),
            first_day=(summary["first_published"] or "")[:10] or None,
            last_day=(summary["last_published"] or "")[:10] or None,
            articles=int(summary["articles"]),
        )


def outlet_view(db: str, flt: ArticleFilter, settings: Settings) -> pd.DataFrame:
    """Return the per-outlet table (the same one ``python -m analysis report`` prints)."""
    with Store.open(db, readonly=True, busy_timeout_ms=settings.busy_timeout_ms) as store:
        return outlet_report(store, flt, settings)


def empty_store_help(db: str) -> str:
    """Return the exact commands that fill an empty store."""
    return (
        "This store has no articles yet. Import a corpus and score it:\n\n"
        f"    python -m scrapers import ../shared/corpora/basil/articles.jsonl --db {db}\n"
        f"    python -m analysis run --db {db}\n\n"
        "then reload this page."
    )
