"""Downloads built from exactly what is on screen: formula-safe CSV with the outlet in every row."""

from __future__ import annotations

import re

import pandas as pd

from core.store import ArticleFilter
from core.tabular import to_csv


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Return the table as formula-safe UTF-8 CSV bytes."""
    return to_csv(table).encode("utf-8")


def file_stem(name: str, flt: ArticleFilter) -> str:
    """Return a file name stem that says what the download holds."""
    parts = [name, flt.story_id or flt.topic or "all", flt.since or "", flt.until or ""]
    stem = "_".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem)[:120]
