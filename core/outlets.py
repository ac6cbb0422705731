"""The outlets table: ``data/outlets.toml`` (shipped) merged with ``data/outlets.local.toml`` (the user's).

Each ``[[outlet]]`` names one news outlet: display name, domains, aliases, country (ISO 3166-1
alpha-2), language (ISO 639-1), type (closed vocabulary :data:`TYPES`), ownership, bias
(AllSides five-point) and bias3 (left/center/right). The shipped file says where its facts
come from. A user file in the same format overrides the shipped one field by field: an entry
whose ``name`` (or display name or alias) is a shipped outlet changes only the fields it gives;
any other entry adds an outlet. The merged table is validated as a whole: a domain or a
spelling belongs to one outlet only.

Shared by the scrapers (outlet names on import and collection) and the analysis (outlet
groups), so it lives in core. What the table does not say can be inferred: see
core/outlet_profiles.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.languages import is_language
from core.places import is_country
from core.tomlfile import read_toml

# AllSides' five-point scale; bias3 is the coarse three-point one the corpora use.
BIAS_VALUES = ("left", "lean left", "center", "lean right", "right")
BIAS3_VALUES = ("left", "center", "right")
# The closed vocabulary of outlet types; data/outlets.toml's header says what each means.
TYPES = ("wire", "state_affiliated", "public_broadcaster", "national_newspaper", "regional_newspaper",
         "broadcaster", "digital_native", "business_financial", "magazine", "specialist", "aggregator",
         "blog_newsletter", "press_release", "organization")
OUTLET_KEYS = {"name", "display_name", "domains", "country", "language", "type", "ownership", "bias", "bias3",
               "aliases", "note"}
_LIST_KEYS = ("domains", "aliases")
_TEXT_KEYS = ("display_name", "country", "language", "type", "ownership", "bias", "bias3", "note")
# Common non-ISO spellings, so an error can say which code was meant.
_COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB"}

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_OUTLETS = DATA_DIR / "outlets.toml"
# The user's overrides (git-ignored); the setting outlets_local (PRESSLENS_OUTLETS_LOCAL) names another file.
LOCAL_OUTLETS = DATA_DIR / "outlets.local.toml"
LOCAL_ENV = "PRESSLENS_OUTLETS_LOCAL"


def _read_entries(path: Path) -> list[dict[str, Any]]:
    source = str(path)
    data = read_toml(path, "outlets file")
    unknown_top = set(data) - {"outlet"}
    if unknown_top:
        raise InputError(f"unknown keys {sorted(unknown_top)}; expected [[outlet]] tables", source=source)
    entries = data.get("outlet", [])
    if not isinstance(entries, list):
        raise InputError("'outlet' must be a list of [[outlet]] tables", source=source)
    for number, entry in enumerate(entries, start=1):
        _check_entry(entry, f"outlet #{number}", source)
    return entries


def _check_entry(entry: Any, where: str, source: str) -> None:
    """Raise InputError when one entry has an unknown key or a value outside its vocabulary."""
    if not isinstance(entry, dict):
        raise InputError(f"{where}: must be a table", source=source)
    unknown = set(entry) - OUTLET_KEYS
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}; valid: {sorted(OUTLET_KEYS)}", source=source)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{where}: name must be a non-empty string", source=source)
    where = f"{name!r}"
    for key in _LIST_KEYS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise InputError(f"{where}: {key} must be a list of non-empty strings", source=source)
    for key in _TEXT_KEYS:
        if not isinstance(entry.get(key, ""), str):
            raise InputError(f"{where}: {key} must be a string", source=source)
    country, language = entry.get("country", ""), entry.get("language", "")
    if country and not is_country(country):
        hint = f" (did you mean {_COUNTRY_HINTS[country.upper()]!r}?)" if country.upper() in _COUNTRY_HINTS else ""
        raise InputError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code{hint}", source=source)
    if language and not is_language(language):
        raise InputError(f"{where}: language {language!r} is not an ISO 639-1 code (e.g. 'en')", source=source)
    kind = entry.get("type", "")
    if kind and kind not in TYPES:
        raise InputError(f"{where}: type {kind!r} is not one of {', '.join(TYPES)}", source=source)
    bias, bias3 = entry.get("bias", ""), entry.get("bias3", "")
    if bias and bias not in BIAS_VALUES:
        raise InputError(f"{where}: bias {bias!r} is not one of {BIAS_VALUES}", source=source)
    if bias3 and bias3 not in BIAS3_VALUES:
        raise InputError(f"{where}: bias3 {bias3!r} is not one of {BIAS3_VALUES}", source=source)


def _normalise(entry: Mapping[str, Any]) -> dict[str, Any]:
    name = str(entry["name"])
    bias = entry.get("bias", "")
    return {"name": name, "display_name": entry.get("display_name") or name,
            "domains": [d.strip().lower().removeprefix("www.") for d in entry.get("domains", [])],
            "country": entry.get("country", ""), "language": entry.get("language", ""),
            "type": entry.get("type", ""), "ownership": entry.get("ownership", ""), "bias": bias,
            "bias3": entry.get("bias3") or _coarse(bias), "aliases": list(entry.get("aliases", [])),
            "note": entry.get("note", "")}


def _index(outlets: dict[str, dict[str, Any]], source: str) -> None:
    """Raise InputError when a domain or a spelling (name, display name, alias) names two outlets."""
    owner_of: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for name, facts in outlets.items():
        for domain in facts["domains"]:
            if owner_of.setdefault(domain, name) != name:
                raise InputError(f"{name}: domain {domain} already belongs to {owner_of[domain]}", source=source)
        for spelling in {fold_name(s) for s in (name, facts["display_name"], *facts["aliases"], *facts["domains"])}:
            if spelled.setdefault(spelling, name) != name:
                raise InputError(f"{name}: the name or alias {spelling!r} already names {spelled[spelling]}",
                                 source=source)


def load_outlets(path: Path, local: Path | None = None) -> dict[str, dict[str, Any]]:
    """Read the outlets file (and a user file overriding it) into ``{name: facts}``; raise InputError if bad.

    ``facts`` has every key of :data:`OUTLET_KEYS` (empty strings and lists where the file says
    nothing) and ``bias3`` falls back to the coarse form of ``bias``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "o.toml"
    >>> _ = p.write_text('[[outlet]]\\nname = "Reuters"\\ndomains = ["reuters.com"]\\ncountry = "GB"\\n')
    >>> load_outlets(p)["Reuters"]["domains"], load_outlets(p)["Reuters"]["type"]
    (['reuters.com'], '')
    """
    outlets: dict[str, dict[str, Any]] = {}
    for entry in _read_entries(path):
        if entry["name"] in outlets:
            raise InputError(f"outlet {entry['name']!r} listed twice", source=str(path))
        outlets[entry["name"]] = _normalise(entry)
    _index(outlets, str(path))
    if local is not None and local.exists():
        outlets = merge_outlets(outlets, _read_entries(local), source=str(local))
    return outlets


def merge_outlets(outlets: dict[str, dict[str, Any]], overrides: list[dict[str, Any]], *,
                  source: str = "overrides") -> dict[str, dict[str, Any]]:
    """Return the table with user entries applied: known outlets get the fields given, others are added.

    An override finds its outlet by name, display name or alias (any case); the merged table
    must still give every domain and spelling to one outlet.

    >>> base = {"Reuters": _normalise({"name": "Reuters", "country": "GB", "aliases": ["Thomson Reuters"]})}
    >>> merged = merge_outlets(base, [{"name": "thomson reuters", "type": "wire"}, {"name": "Tiny Daily"}])
    >>> merged["Reuters"]["country"], merged["Reuters"]["type"], sorted(merged)
    ('GB', 'wire', ['Reuters', 'Tiny Daily'])
    """
    merged = {name: {**facts, "domains": list(facts["domains"]), "aliases": list(facts["aliases"])}
              for name, facts in outlets.items()}
    for number, entry in enumerate(overrides, start=1):
        _check_entry(entry, f"outlet #{number}", source)
        key = lookup_outlet(entry["name"], merged)
        if key is None:
            merged[entry["name"]] = _normalise(entry)
            continue
        facts = merged[key]
        for field, value in entry.items():
            if field == "name":
                continue
            facts[field] = [d.strip().lower().removeprefix("www.") for d in value] if field == "domains" else value
        if "bias" in entry and "bias3" not in entry:
            facts["bias3"] = _coarse(entry["bias"])
    _index(merged, source)
    return merged


def local_outlets_path() -> Path:
    """Return the user's override file: ``$PRESSLENS_OUTLETS_LOCAL`` or ``data/outlets.local.toml``.

    The environment variable is the ``outlets_local`` setting's (core/settings.py, validated there);
    it is read here because every layer reads the table, with or without a Settings object at hand.
    """
    return Path(os.environ[LOCAL_ENV]) if os.environ.get(LOCAL_ENV) else LOCAL_OUTLETS


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _cached(path: Path, local: Path, stamps: tuple[Any, Any]) -> dict[str, dict[str, Any]]:
    return load_outlets(path, local)


def outlets_table_stamp() -> str:
    """Return what changes when the outlets table does (the shipped file or the user's): paths, times, sizes."""
    local = local_outlets_path()
    return f"{DEFAULT_OUTLETS}:{_stamp(DEFAULT_OUTLETS)}|{local}:{_stamp(local)}"


def default_outlets() -> dict[str, dict[str, Any]]:
    """Return the shipped table merged with the user's file (re-read when either file changes).

    >>> default_outlets()["Reuters"]["domains"]
    ['reuters.com']
    """
    local = local_outlets_path()
    table = _cached(DEFAULT_OUTLETS, local, (_stamp(DEFAULT_OUTLETS), _stamp(local)))
    return {name: {**facts, "domains": list(facts["domains"]), "aliases": list(facts["aliases"])}
            for name, facts in table.items()}


def save_override(path: Path, name: str, changes: Mapping[str, Any], *,
                  base: dict[str, dict[str, Any]] | None = None) -> None:
    """Write ``changes`` for outlet ``name`` into the user file at ``path`` (created if missing).

    The dashboard's Outlets page saves an edited row with this. An empty string clears a field
    back to "not known". The file is validated against ``base`` (default: the shipped table)
    before it is written: a bad value raises InputError and leaves the file as it was.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "local.toml"
    >>> save_override(p, "Tiny Daily", {"country": "KE", "type": "digital_native"}, base={})
    >>> load_outlets(p)["Tiny Daily"]["country"]
    'KE'
    """
    entries = _read_entries(path) if path.exists() else []
    bad = set(changes) - (OUTLET_KEYS - {"name"})
    if bad:
        raise InputError(f"{name!r}: cannot set {sorted(bad)}; valid: {sorted(OUTLET_KEYS - {'name'})}")
    for entry in entries:
        if fold_name(entry["name"]) == fold_name(name):
            entry.update(changes)
            break
    else:
        entries.append({"name": name, **changes})
    merge_outlets(_default_shipped() if base is None else base, entries, source=str(path))  # raises if bad
    path.write_text(dump_outlets(entries), encoding="utf-8")


def _default_shipped() -> dict[str, dict[str, Any]]:
    return load_outlets(DEFAULT_OUTLETS)


def dump_outlets(entries: list[Mapping[str, Any]]) -> str:
    """Return entries as ``[[outlet]]`` TOML (strings and lists of strings), the format users edit.

    >>> print(dump_outlets([{"name": "A", "domains": ["a.com"], "country": "KE"}]).strip())
    # PressLens outlets: user overrides of data/outlets.toml (see core/outlets.py).
    <BLANKLINE>
    [[outlet]]
    name = "A"
    domains = ["a.com"]
    country = "KE"
    """
    parts = ["# PressLens outlets: user overrides of data/outlets.toml (see core/outlets.py).\n"]
    for entry in entries:
        lines = ["[[outlet]]", f"name = {json.dumps(entry['name'], ensure_ascii=False)}"]
        for key, value in entry.items():
            if key == "name":
                continue
            if isinstance(value, list):
                text = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
            else:
                text = json.dumps(str(value), ensure_ascii=False)
            lines.append(f"{key} = {text}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


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


def spelling_index(outlets: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Return ``{folded spelling: key}`` for every name, display name, alias and domain of the table.

    >>> spelling_index({"Fox News": {"display_name": "Fox News", "domains": ["foxnews.com"], "aliases": []}})
    {'fox news': 'Fox News', 'foxnews.com': 'Fox News'}
    """
    return dict(_spellings(_spelling_entries(outlets)))


def fold_name(text: str) -> str:
    """An outlet spelling as names are matched: case-folded, white space collapsed.

    >>> fold_name("  FOX  News ")
    'fox news'
    """
    return " ".join(text.casefold().split())


def _spelling_entries(outlets: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
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
