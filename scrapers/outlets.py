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
from collections.abc import Iterable
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


DEFAULT_OUTLETS = Path(__file__).resolve().parent.parent / "data" / "outlets.toml"


@lru_cache(maxsize=1)
def _default_outlets() -> dict[str, dict[str, Any]]:
    return load_outlets(DEFAULT_OUTLETS)


def default_outlets() -> dict[str, dict[str, Any]]:
    """Return the outlets of the repository's ``data/outlets.toml`` (read once per process).

    >>> default_outlets()["Reuters"]["domains"]
    ['reuters.com']
    """
    return {name: dict(facts) for name, facts in _default_outlets().items()}


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


def lookup_outlet(name: str | None, outlets: dict[str, dict[str, Any]]) -> str | None:
    """Return the outlets-file key of a name, display name, alias or domain (case-insensitive), else None.

    >>> facts = {"Fox News": {"name": "Fox News", "display_name": "Fox News", "domains": ["foxnews.com"],
    ...                       "aliases": ["Fox News (Online)"]}}
    >>> lookup_outlet("fox news (online)", facts), lookup_outlet("foxnews.com", facts), lookup_outlet("X", facts)
    ('Fox News', 'Fox News', None)
    """
    if not name:
        return None
    return _spellings(_spelling_entries(outlets)).get(_fold(name))


def display_name(name: str, outlets: dict[str, dict[str, Any]]) -> str:
    """Return the display name an outlet is stored under: the outlets file's, or the name as given.

    >>> facts = {"Associated Press": {"name": "Associated Press", "display_name": "The Associated Press",
    ...                               "domains": [], "aliases": ["AP"]}}
    >>> display_name("AP", facts), display_name("Daily Example", facts)
    ('The Associated Press', 'Daily Example')
    """
    key = lookup_outlet(name, outlets)
    return outlets[key]["display_name"] if key else name


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _spelling_entries(outlets: dict[str, dict[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, (key, str(facts.get("display_name") or key), *facts.get("aliases", ()),
                        *facts.get("domains", ())))
                 for key, facts in outlets.items())


@lru_cache(maxsize=8)
def _spellings(entries: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, spellings in entries:
        for spelling in spellings:
            index.setdefault(_fold(spelling), key)
    return index
