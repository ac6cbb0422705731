"""Typed errors shared by the collectors, the analysis layer and the dashboard.

Failures are data: library code raises these, the CLIs turn them into one clean
line and a non-zero exit, and per-item failures become rows in the store.
"""

from __future__ import annotations


class PressLensError(Exception):
    """Base class of every error PressLens raises on purpose."""


class SettingsError(PressLensError):
    """A setting is unknown or has a value of the wrong type."""


class StoreError(PressLensError):
    """The store cannot be opened, migrated or written."""


class InputError(PressLensError):
    """An input file or record is malformed; the message names it and what is wrong."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        where = source if source is not None else ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line
        self.reason = message


class UnknownNameError(PressLensError, KeyError):
    """A name (scorer, story, outlet ...) is not known; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        listed = ", ".join(sorted(valid)) or "(none)"
        super().__init__(f"unknown {kind} {name!r}; valid: {listed}")
        self.kind = kind
        self.name = name
        self.valid = sorted(valid)

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class ExtractError(PressLensError):
    """No article could be extracted from a page (not HTML, empty, or no body text)."""


class NotNewsError(ExtractError):
    """The page is no news article: a section front, an error, sign-in or cookie page."""
