"""Outlet groups: each article's group under a grouping, to compare groups like outlets.

Each outlet's values come from ``core.outlet_profiles.outlet_groups`` / ``store_outlet_groups``,
in this order:

1. the outlets table, ``data/outlets.toml`` merged with the user's ``data/outlets.local.toml``;
2. the store's outlets table, which the importer fills from the corpora's own labels
   (AllSides or Ground News ratings), for outlets the file does not rate;
3. inference: country from the outlet's own domain suffix or the outlet it was read on,
   language from its articles, blog type from a blogging platform host. Inferred values
   count as known and are listed in the ``inferred`` column.

An outlet with no value for a grouping is in the group ``unknown`` (:data:`UNKNOWN`), so every
article of a selection is in exactly one group and tables add up to the selection.

>>> store_rows = pd.DataFrame({"name": ["Fox News", "Tiny Daily"], "bias": [None, "lean left"],
...                            "country": [None, float("nan")], "ownership": [None, None]})
>>> groups = outlet_groups(store_rows)
>>> groups[["outlet", "bias3", "country", "type"]].values.tolist()
[['Fox News', 'right', 'US', 'broadcaster'], ['Tiny Daily', 'left', 'unknown', 'unknown']]
>>> group_of(pd.DataFrame({"outlet": ["Tiny Daily", "Fox News", "Other"]}), groups, "country").tolist()
['unknown', 'US', 'unknown']
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from core import outlet_profiles
from core.errors import UnknownNameError
from core.outlet_profiles import GROUP_FIELDS, UNKNOWN
from core.outlets import DEFAULT_OUTLETS, default_outlets, load_outlets

log = logging.getLogger(__name__)

OUTLETS_FILE = DEFAULT_OUTLETS
GROUPINGS = GROUP_FIELDS  # country, region, language, type, ownership, bias, bias3
GROUP_BY = ("outlet", *GROUPINGS)


def read_outlet_entries(path: Path = OUTLETS_FILE) -> dict[str, dict[str, Any]]:
    """Return ``{spelling: facts}`` from the outlets file: name, display name, aliases and domains
    each mapped to its outlet's facts (one dict per outlet, shared by its spellings).

    The default file is read with the user's overrides (core.outlets.default_outlets); a missing
    file gives an empty mapping.
    """
    if not path.exists():
        return {}
    outlets = default_outlets() if path == DEFAULT_OUTLETS else load_outlets(path)
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in outlets.items():
        facts = {key: entry.get(key) or "" for key in ("country", "language", "type", "ownership", "bias", "bias3")}
        for spelling in (name, entry.get("display_name"), *entry.get("aliases", []), *entry.get("domains", [])):
            if isinstance(spelling, str) and spelling:
                entries.setdefault(spelling, facts)
    return entries


def outlet_groups(outlets: pd.DataFrame, *, entries: Mapping[str, Mapping[str, Any]] | None = None,
                  articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each outlet's group values (core.outlet_profiles.outlet_groups) from a spelling mapping.

    ``entries`` is ``{spelling: facts}`` as :func:`read_outlet_entries` gives it (default: the
    outlets file with the user's overrides); ``{}`` uses the store's values and inference only.

    >>> outlet_groups(pd.DataFrame({"name": ["Fox News"]}), entries={})["country"].tolist()
    ['unknown']
    """
    if entries is None:
        return outlet_profiles.outlet_groups(outlets, articles=articles)
    table: dict[str, dict[str, Any]] = {}
    key_of: dict[int, str] = {}
    for spelling, facts in entries.items():  # one facts dict per outlet, shared by its spellings
        key = key_of.setdefault(id(facts), spelling)
        entry = table.setdefault(key, {"display_name": key, "domains": [], "aliases": [],
                                       **{k: facts.get(k, "") for k in GROUP_FIELDS}})
        entry["aliases"].append(spelling)
    return outlet_profiles.outlet_groups(outlets, articles=articles, table=table)


def group_of(articles: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.Series:
    """Return each article's group under ``by`` ('outlet' or one of GROUPINGS); no value -> UNKNOWN.

    ``language`` is the article's own when ``articles`` has one (stored, or detected by
    core.outlet_profiles.with_article_languages), else its outlet's: an outlet that publishes
    in several languages is compared by the language of what it wrote.

    >>> arts = pd.DataFrame({"outlet": ["A", "B", "C"]})
    >>> groups = pd.DataFrame({"outlet": ["A", "B"], "bias3": ["left", float("nan")]})
    >>> group_of(arts, groups, "bias3").tolist()
    ['left', 'unknown', 'unknown']
    """
    if by == "outlet":
        return articles["outlet"].map(lambda v: v if isinstance(v, str) and v else UNKNOWN).astype(str)
    if by not in GROUPINGS:
        raise UnknownNameError("grouping", by, list(GROUP_BY))
    mapping = dict(zip(groups["outlet"], groups[by])) if by in groups else {}
    labels = articles["outlet"].map(
        lambda outlet: mapping.get(outlet) if isinstance(mapping.get(outlet), str) and mapping.get(outlet)
        else UNKNOWN).astype(str)
    if by == "language" and "language" in articles:
        own = articles["language"].map(lambda v: v if isinstance(v, str) and v else "")
        labels = labels.where(own == "", own)
    return labels


def group_summary(articles: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return per group of ``by``: its outlets, how many of them have an inferred value, and its articles.

    For ``language``, an outlet counts as inferred in a group when one of its articles there had
    its language detected (``articles.language_inferred``).

    >>> arts = pd.DataFrame({"outlet": ["A", "A", "B", "C"]})
    >>> groups = pd.DataFrame({"outlet": ["A", "B", "C"], "country": ["US", "US", "unknown"],
    ...                        "inferred": ["", "country,region", ""]})
    >>> group_summary(arts, groups, "country").values.tolist()
    [['US', 2, 1, 3], ['unknown', 1, 0, 1]]
    """
    labels = group_of(articles, groups, by)
    inferred = dict(zip(groups["outlet"], groups["inferred"])) if "inferred" in groups else {}
    frame = pd.DataFrame({"group": labels.to_numpy(), "outlet": articles["outlet"].to_numpy()})
    frame["is_inferred"] = [by in str(inferred.get(o, "")).split(",") for o in frame["outlet"]]
    if by == "language" and "language_inferred" in articles:
        frame["is_inferred"] = frame["is_inferred"] | articles["language_inferred"].fillna(False).to_numpy(bool)
    per_outlet = frame.groupby(["group", "outlet"], as_index=False)["is_inferred"].max()
    summary = per_outlet.groupby("group", sort=True).agg(outlets=("outlet", "size"),
                                                         inferred=("is_inferred", "sum"))
    summary["articles"] = frame.groupby("group").size()
    return summary.reset_index().astype({"outlets": int, "inferred": int, "articles": int})
