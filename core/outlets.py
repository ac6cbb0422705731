"""The editable outlet list, ``data/outlets.toml``: names, display names, domains, aliases,
bias (AllSides five-point and three-point), country and ownership.

Shared by the scrapers (outlet names on import and collection) and the analysis (outlet
groups), so it lives in core.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import InputError

# AllSides' five-point scale; bias3 is the coarse three-point one the corpora use.
BIAS_VALUES = ("left", "lean left", "center", "lean right", "right")
BIAS3_VALUES = ("left", "center", "right")
OUTLET_KEYS = {"name", "display_name", "domains", "country", "ownership", "bias", "bias3", "aliases", "note"}


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


def lookup_outlet(name: str | None, outlets: dict[str, dict[str, Any]]) -> str | None:
    """Return the outlets-file key of a name, display name, alias or domain (case-insensitive), else None.

    >>> facts = {"Fox News": {"name": "Fox News", "display_name": "Fox News", "domains": ["foxnews.com"],
    ...                       "aliases": ["Fox News (Online)"]}}
    >>> lookup_outlet("fox news (online)", facts), lookup_outlet("foxnews.com", facts), lookup_outlet("X", facts)
    ('Fox News', 'Fox News', None)
    """
    if not name:
        return None
    return _spellings(_spelling_entries(outlets)).get(fold_name(name))


def fold_name(text: str) -> str:
    """An outlet spelling as names are matched: case-folded, white space collapsed.

    >>> fold_name("  FOX  News ")
    'fox news'
    """
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
            index.setdefault(fold_name(spelling), key)
    return index
