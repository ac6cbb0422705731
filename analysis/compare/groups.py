"""Outlet groups: which bias rating, country or owner each outlet has, to compare groups like outlets.

Two sources, in this order:

1. ``data/outlets.toml``, the editable list (``bias`` AllSides five-point, ``bias3`` left /
   center / right, ``country``, ``ownership``, ``aliases`` = other spellings in corpora);
2. the store's outlets table, which the importer fills from the corpora's own labels
   (AllSides or Ground News ratings), for outlets the file does not rate.

An outlet with no value for a grouping is in the group ``UNKNOWN``, so it stays visible.

>>> store_rows = pd.DataFrame({"name": ["Fox News", "Tiny Daily"], "bias": [None, "lean left"],
...                            "country": [None, None], "ownership": [None, None]})
>>> table = outlet_groups(store_rows, entries={"Fox News": {"bias3": "right", "country": "US"}})
>>> table[["outlet", "bias3", "country"]].values.tolist()
[['Fox News', 'right', 'US'], ['Tiny Daily', 'left', '(unknown)']]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import UnknownNameError
from core.outlets import DEFAULT_OUTLETS, default_outlets, fold_name, load_outlets

log = logging.getLogger(__name__)

OUTLETS_FILE = DEFAULT_OUTLETS
GROUPINGS = ("bias", "bias3", "country", "ownership")
GROUP_COLUMNS = ("outlet", *GROUPINGS)
UNKNOWN = "(unknown)"
_COARSE = {"lean left": "left", "lean right": "right", "centre": "center"}


def read_outlet_entries(path: Path = OUTLETS_FILE) -> dict[str, dict[str, Any]]:
    """Return ``{spelling: facts}`` from the outlets file: name, display name, aliases and domains
    each mapped to its outlet's facts (the spellings core.outlets.lookup_outlet knows).

    The file is read and validated by core.outlets; a missing file gives an empty mapping.
    """
    if not path.exists():
        return {}
    outlets = default_outlets() if path == DEFAULT_OUTLETS else load_outlets(path)
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in outlets.items():
        facts = {key: entry.get(key) or "" for key in GROUPINGS}
        for spelling in (name, entry.get("display_name"), *entry.get("aliases", []), *entry.get("domains", [])):
            if isinstance(spelling, str) and spelling:
                entries.setdefault(spelling, facts)
    return entries


def outlet_groups(outlets: pd.DataFrame, *, entries: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return one row per outlet of the store's outlets table with its bias, bias3, country, ownership.

    ``entries`` defaults to :func:`read_outlet_entries` (data/outlets.toml); its non-empty values
    win over the store's. A stored name finds its entry as the scrapers find an outlet, whatever
    its case and spacing (core.outlets.fold_name). ``bias3`` falls back to the coarse form of
    ``bias`` (lean left -> left).
    """
    known: dict[str, Mapping[str, Any]] = {}
    for spelling, facts in (read_outlet_entries() if entries is None else entries).items():
        known.setdefault(fold_name(spelling), facts)
    rows = []
    names = outlets["name"] if "name" in outlets else pd.Series(dtype=object)
    for position, name in enumerate(names):
        stored = outlets.iloc[position]
        facts = known.get(fold_name(name), {}) if isinstance(name, str) else {}
        row: dict[str, Any] = {"outlet": name}
        for key in ("bias", "country", "ownership"):
            value = facts.get(key) or (stored.get(key) if key in outlets else None)
            row[key] = str(value).strip().lower() if key == "bias" and value else (value or None)
        coarse = facts.get("bias3") or (_COARSE.get(row["bias"], row["bias"]) if row["bias"] else None)
        row["bias3"] = coarse
        rows.append({key: (row[key] if row[key] else UNKNOWN) if key != "outlet" else name for key in GROUP_COLUMNS})
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS))


def group_of(articles: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.Series:
    """Return each article's group under ``by`` ('outlet' or one of GROUPINGS); unknown -> UNKNOWN.

    >>> arts = pd.DataFrame({"outlet": ["A", "B", "C"]})
    >>> groups = pd.DataFrame({"outlet": ["A", "B"], "bias3": ["left", "right"]})
    >>> group_of(arts, groups, "bias3").tolist()
    ['left', 'right', '(unknown)']
    """
    if by == "outlet":
        return articles["outlet"].astype(str)
    if by not in GROUPINGS:
        raise UnknownNameError("grouping", by, ["outlet", *GROUPINGS])
    mapping = dict(zip(groups["outlet"], groups[by])) if by in groups else {}
    return articles["outlet"].map(lambda outlet: mapping.get(outlet) or UNKNOWN).astype(str)
