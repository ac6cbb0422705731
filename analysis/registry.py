"""The one door through which scorers are registered and found, built-ins included.

>>> "tone_vader" in names()
True
>>> get("no such scorer")
Traceback (most recent call last):
...
core.errors.UnknownNameError: unknown scorer 'no such scorer'; valid: ...
"""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from analysis.base import Scorer
from core.errors import UnknownNameError

# Modules whose scorers ship with PressLens; each registers itself on import.
BUILTIN_MODULES = ("analysis.tone.vader", "analysis.quotes", "analysis.emphasis", "analysis.frames.lexicon")

_REGISTRY: dict[str, type[Scorer]] = {}
_loaded = False
S = TypeVar("S", bound=type[Scorer])


def register(cls: S) -> S:
    """Register a scorer class under its ``name`` (a class decorator)."""
    for attribute in ("name", "version", "metrics"):
        if not getattr(cls, attribute, None):
            raise TypeError(f"scorer {cls.__name__} must declare a non-empty {attribute!r}")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and existing is not cls and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"scorer name {cls.name!r} is taken by {existing.__qualname__}")
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _loaded = True


def names() -> list[str]:
    """Return the names of every registered scorer."""
    _load_builtins()
    return sorted(_REGISTRY)


def default_names() -> list[str]:
    """Return the scorers ``python -m analysis run`` applies by default."""
    _load_builtins()
    return sorted(name for name, cls in _REGISTRY.items() if cls.default)


def scorer_class(name: str) -> type[Scorer]:
    """Return the class registered under ``name``; an unknown name lists the valid ones."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError("scorer", name, list(_REGISTRY)) from None


def get(name: str, **params: Any) -> Scorer:
    """Return a scorer instance by name, with parameters set."""
    return scorer_class(name)(**params)
