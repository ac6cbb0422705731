"""Outlet groups: each outlet's country, region, language, type, ownership and bias, to compare groups like outlets.

Sources, in this order (core/outlet_profiles.py does the work):

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
>>> table = outlet_groups(store_rows)
>>> table[["outlet", "bias3", "country", "type"]].values.tolist()
[['Fox News', 'right', 'US', 'broadcaster'], ['Tiny Daily', 'left', 'unknown', 'unknown']]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import UnknownNameError
from core.languages import detect_language
from core.outlet_profiles import GROUP_FIELDS, profile_outlets
from core.outlets import DEFAULT_OUTLETS, default_outlets, load_outlets
from core.store import ArticleFilter, Store
from core.urls import url_host

log = logging.getLogger(__name__)

OUTLETS_FILE = DEFAULT_OUTLETS
GROUPINGS = GROUP_FIELDS  # country, region, language, type, ownership, bias, bias3
GROUP_BY = ("outlet", *GROUPINGS)
GROUP_COLUMNS = ("outlet", *GROUPINGS, "inferred")
UNKNOWN = "unknown"
# Articles per outlet whose text is read to infer the outlet's language (when nothing states it):
# a few agree as well as all of them on a one-language outlet, and reading texts is the cost.
LANGUAGE_SAMPLE = 5


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


def outlet_groups(outlets: pd.DataFrame, *, articles: pd.DataFrame | None = None,
                  table: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return one row per outlet with its group under every grouping and the fields that were inferred.

    ``outlets`` is the store's outlets table (name, and optionally bias, country, ownership);
    ``articles`` (outlet, and optionally url, language) adds the outlets that only articles name
    and the evidence inference reads: hosts from ``url``, languages from ``language``. ``table``
    defaults to the outlets file with the user's overrides. Missing values of any kind (None,
    NaN, '') are ``unknown``; ``inferred`` is a comma-separated list of inferred fields.
    """
    table = default_outlets() if table is None else table
    names: list[str] = []
    stored: dict[str, dict[str, Any]] = {}
    if "name" in outlets:
        for record in outlets.to_dict("records"):
            name = record.get("name")
            if isinstance(name, str):
                names.append(name)
                stored[name] = {k: v for k, v in record.items() if isinstance(v, str)}
    hosts: dict[str, list[str]] = {}
    languages: dict[str, list[str]] = {}
    if articles is not None and "outlet" in articles and not articles.empty:
        for outlet, group in articles.groupby("outlet", sort=False):
            outlet = str(outlet)
            if outlet not in stored:
                names.append(outlet)
            if "url" in group:
                hosts[outlet] = [url_host(u) for u in group["url"] if isinstance(u, str) and u]
            if "language" in group:  # a missing language is no evidence; '' (examined, unclear) is
                languages[outlet] = [v for v in group["language"] if isinstance(v, str)]
    names = list(dict.fromkeys(names))
    rows = profile_outlets(names, table, hosts=hosts, languages=languages, stored=stored)
    frame = pd.DataFrame(rows, columns=["outlet", *GROUPINGS, "inferred"]) if rows else \
        pd.DataFrame(columns=list(GROUP_COLUMNS))
    for field in GROUPINGS:
        frame[field] = frame[field].map(lambda v: v if isinstance(v, str) and v else UNKNOWN)
    frame["inferred"] = frame["inferred"].map(lambda v: ",".join(v) if isinstance(v, tuple) else "")
    return frame[list(GROUP_COLUMNS)]


def store_outlet_groups(store: Store, flt: ArticleFilter = ArticleFilter(), *,
                        table: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return :func:`outlet_groups` for the outlets of a selection, with the evidence read from the store.

    The one call report, brief, digest and dashboard need: each outlet's country, region,
    language, type, ownership, bias and bias3 (``unknown`` when neither listed nor inferred)
    and ``inferred``. An article without a stored language gets one detected from its title and
    text, for up to ``LANGUAGE_SAMPLE`` articles of each outlet whose language the table lacks.
    Only outlets with articles in the selection are returned.
    """
    table = default_outlets() if table is None else table
    articles = store.articles(flt, columns=("outlet", "url", "language"))
    groups = outlet_groups(store.outlets(), articles=articles, table=table)
    unknown = set(groups.loc[groups["language"] == UNKNOWN, "outlet"]) & set(articles["outlet"])
    if unknown:
        missing = articles[articles["outlet"].isin(unknown) & articles["language"].isna()]
        sample = missing.groupby("outlet", sort=False).head(LANGUAGE_SAMPLE)
        if not sample.empty:
            texts = store.articles(ids=sample["id"].tolist(), with_text=True, columns=("title", "text"))
            detected = {row.id: detect_language(f"{row.title}\n{row.text}") for row in texts.itertuples()}
            articles = articles.assign(language=[detected.get(i, lang)
                                                 for i, lang in zip(articles["id"], articles["language"])])
            groups = outlet_groups(store.outlets(), articles=articles, table=table)
    return groups[groups["outlet"].isin(set(articles["outlet"]))].reset_index(drop=True)


def group_of(articles: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.Series:
    """Return each article's group under ``by`` ('outlet' or one of GROUPINGS); no value -> UNKNOWN.

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
    return articles["outlet"].map(
        lambda outlet: mapping.get(outlet) if isinstance(mapping.get(outlet), str) and mapping.get(outlet)
        else UNKNOWN).astype(str)


def group_summary(articles: pd.DataFrame, groups: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return per group of ``by``: its outlets, how many of them have an inferred value, and its articles.

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
    per_outlet = frame.drop_duplicates("outlet")
    summary = per_outlet.groupby("group", sort=True).agg(outlets=("outlet", "size"),
                                                         inferred=("is_inferred", "sum"))
    summary["articles"] = frame.groupby("group").size()
    return summary.reset_index().astype({"outlets": int, "inferred": int, "articles": int})
