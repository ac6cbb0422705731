"""The per-outlet report behind ``python -m analysis report`` and the dashboard's table."""

from __future__ import annotations

import re

import pandas as pd

from analysis.compare import outlet_table
from core.errors import InputError
from core.settings import Settings
from core.store import ArticleFilter, Store
from core.tabular import to_csv, to_json, to_table

FORMATS = ("csv", "json", "table")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMALS = 4


def check_filter(flt: ArticleFilter) -> None:
    """Reject malformed dates before they silently filter everything out."""
    for name, value in (("--since", flt.since), ("--until", flt.until)):
        if value and not _DATE.match(value):
            raise InputError(f"{name} must be a date like 2025-06-10, got {value!r}")
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"--since {flt.since} is after --until {flt.until}")


def outlet_report(store: Store, flt: ArticleFilter, settings: Settings) -> pd.DataFrame:
    """Return the per-outlet table for the filter, rounded for people."""
    check_filter(flt)
    articles = store.articles(flt)
    scores = store.scores(flt, metrics=("tone", "headline_tone"))
    table = outlet_table(articles, scores, samples=settings.bootstrap_samples,
                         confidence=settings.confidence, seed=settings.bootstrap_seed)
    numeric = table.select_dtypes("number").columns.difference(["articles", "scored"])
    table[numeric] = table[numeric].round(DECIMALS)
    return table


def render(table: pd.DataFrame, fmt: str) -> str:
    """Return the table as CSV, JSON or aligned text (formula-safe in every format)."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table) + "\n"
    if fmt == "table":
        return to_table(table) + "\n"
    raise InputError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
