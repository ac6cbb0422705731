"""Outlet facts (data/outlets.toml) and the outlet an article URL belongs to.

The registered domain comes from tldextract with the public-suffix snapshot that
ships inside the package: ``suffix_list_urls=()`` means it never fetches a list.

    outlets = load_outlets(Path("data/outlets.toml"))
    outlet_for_url("https://www.reuters.com/world/china/x-2025-06-10/", outlets)   # 'Reuters'

>>> outlets = {"Reuters": {"name": "Reuters", "domains": ["reuters.com"]},
...            "ABC News": {"name": "ABC News", "domains": ["abcnews.go.com"]}}
>>> outlet_for_url("https://uk.reuters.com/article/x", outlets)
'Reuters'
>>> outlet_for_url("https://abcnews.go.com/Politics/story", outlets)
'ABC News'
>>> outlet_for_url("https://news.example.co.uk/a", outlets)
'example.co.uk'
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from core.outlets import lookup_outlet
from core.urls import registered_domain, url_host

log = logging.getLogger(__name__)


def outlet_for_url(url: str, outlets: dict[str, dict[str, Any]]) -> str:
    """Name the outlet of a URL: the longest listed domain its host ends with, else its registered domain."""
    host = url_host(url).rstrip(".")  # "kyivpost.com." is kyivpost.com
    index = _domain_index(tuple((name, tuple(facts.get("domains", ()))) for name, facts in outlets.items()))
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in index:
            return index[candidate]
    return registered_domain(host) if host else url


@lru_cache(maxsize=8)
def _domain_index(entries: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    return {domain: name for name, domains in entries for domain in domains}


def outlet_rows(outlets: dict[str, dict[str, Any]], names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Return outlets as rows for ``Store.upsert_outlets``, keyed by display name (what articles carry).

    ``names`` limits the rows to the outlets those names or aliases spell (unknown names are skipped).

    >>> facts = {"Associated Press": {"name": "Associated Press", "display_name": "The Associated Press",
    ...          "domains": ["apnews.com"], "bias": "", "bias3": "center", "country": "US", "ownership": "",
    ...          "aliases": ["AP"]}}
    >>> [(r["name"], r["bias"]) for r in outlet_rows(facts, ["AP", "Unknown Daily"])]
    [('The Associated Press', 'center')]
    """
    wanted = None if names is None else {lookup_outlet(n, outlets) for n in names} - {None}
    rows = []
    for key, facts in outlets.items():
        if wanted is not None and key not in wanted:
            continue
        rows.append({"name": facts["display_name"], "display_name": facts["display_name"],
                     "domain": facts["domains"][0] if facts["domains"] else None,
                     "bias": facts["bias"] or facts["bias3"] or None, "country": facts["country"] or None,
                     "ownership": facts["ownership"] or None,
                     "attributes": {"domains": facts["domains"], "bias3": facts["bias3"], "aliases": facts["aliases"],
                                    "key": facts["name"]}})
    return rows


def display_name(name: str, outlets: dict[str, dict[str, Any]]) -> str:
    """Return the display name an outlet is stored under: the outlets file's, or the name as given.

    >>> facts = {"Associated Press": {"name": "Associated Press", "display_name": "The Associated Press",
    ...                               "domains": [], "aliases": ["AP"]}}
    >>> display_name("AP", facts), display_name("Daily Example", facts)
    ('The Associated Press', 'Daily Example')
    """
    key = lookup_outlet(name, outlets)
    return outlets[key]["display_name"] if key else name
