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
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import tldextract

from core.errors import InputError
from core.urls import url_host

log = logging.getLogger(__name__)

# AllSides' five-point scale; bias3 is the coarse three-point one the corpora use.
BIAS_VALUES = ("left", "lean left", "center", "lean right", "right")
BIAS3_VALUES = ("left", "center", "right")
OUTLET_KEYS = {"name", "display_name", "domains", "country", "ownership", "bias", "bias3", "aliases", "note"}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # No URLs and no cache dir: only the suffix list bundled with tldextract, never the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url_or_host: str) -> str:
    """Return the registered domain (``bbc.co.uk``) of a URL or host, or the host when none.

    >>> registered_domain("https://feeds.bbci.co.uk/news/rss.xml")
    'bbci.co.uk'
    """
    host = url_host(url_or_host) if "://" in url_or_host else url_or_host.lower()
    return _extractor()(host).top_domain_under_public_suffix or host


def load_outlets(path: Path) -> dict[str, dict[str, Any]]:
    """Read the outlets file into ``{name: facts}``; raise InputError on a bad entry.

    Each ``[[outlet]]`` has ``name`` and optional ``display_name, domains, country,
    ownership, bias`` (AllSides five-point), ``bias3`` (left/center/right),
    ``aliases`` (other spellings, e.g. a corpus's) and ``note``. A domain may
    belong to one outlet only.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "o.toml"
    >>> _ = p.write_text('[[outlet]]\\nname = "Reuters"\\ndomains = ["reuters.com"]\\n')
    >>> load_outlets(p)["Reuters"]["domains"]
    ['reuters.com']
    """
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read outlets file: {exc}", source=source) from exc
    unknown_top = set(data) - {"outlet"}
    if unknown_top:
        raise InputError(f"unknown keys {sorted(unknown_top)}; expected [[outlet]] tables", source=source)
    outlets: dict[str, dict[str, Any]] = {}
    owner_of: dict[str, str] = {}
    for number, entry in enumerate(data.get("outlet", []), start=1):
        where = f"outlet #{number}"
        unknown = set(entry) - OUTLET_KEYS
        if unknown:
            raise InputError(f"{where}: unknown keys {sorted(unknown)}; valid: {sorted(OUTLET_KEYS)}", source=source)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}: name must be a non-empty string", source=source)
        if name in outlets:
            raise InputError(f"{where}: outlet {name!r} listed twice", source=source)
        bias, bias3 = entry.get("bias", ""), entry.get("bias3", "")
        if bias and bias not in BIAS_VALUES:
            raise InputError(f"{name}: bias {bias!r} is not one of {BIAS_VALUES}", source=source)
        if bias3 and bias3 not in BIAS3_VALUES:
            raise InputError(f"{name}: bias3 {bias3!r} is not one of {BIAS3_VALUES}", source=source)
        domains = [d.lower().removeprefix("www.") for d in entry.get("domains", [])]
        for domain in domains:
            if domain in owner_of:
                raise InputError(f"{name}: domain {domain} already belongs to {owner_of[domain]}", source=source)
            owner_of[domain] = name
        outlets[name] = {"name": name, "display_name": entry.get("display_name", name), "domains": domains,
                         "country": entry.get("country", ""), "ownership": entry.get("ownership", ""),
                         "bias": bias, "bias3": bias3 or _coarse(bias), "aliases": list(entry.get("aliases", [])),
                         "note": entry.get("note", "")}
    return outlets


def _coarse(bias: str) -> str:
    return {"lean left": "left", "lean right": "right"}.get(bias, bias)


def outlet_for_url(url: str, outlets: dict[str, dict[str, Any]]) -> str:
    """Name the outlet of a URL: the longest listed domain its host ends with, else its registered domain."""
    host = url_host(url)
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


def outlet_rows(outlets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the outlets as rows for ``Store.upsert_outlets`` (name, display_name, domain, bias ...)."""
    rows = []
    for facts in outlets.values():
        rows.append({"name": facts["name"], "display_name": facts["display_name"],
                     "domain": facts["domains"][0] if facts["domains"] else None,
                     "bias": facts["bias"] or facts["bias3"] or None, "country": facts["country"] or None,
                     "ownership": facts["ownership"] or None,
                     "attributes": {"domains": facts["domains"], "bias3": facts["bias3"], "aliases": facts["aliases"]}})
    return rows
