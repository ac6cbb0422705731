"""The one JSON Lines reader: ``.jsonl`` and ``.jsonl.gz``, bounded, one error wording.

Every JSONL input of PressLens (imports, sentiment and frame inputs, story files) is read here.
A bad line is named ``FILE:LINE: what is wrong``; the lenient form (:class:`JsonlReader`) yields it
as a :class:`LineError` and reads on, the strict form (:func:`read_objects`) raises it as an
:class:`~core.errors.InputError`. What the reader guards against:

- a line longer than ``max_line_bytes``: read in bounded chunks, rejected by line number, the rest of
  it skipped up to the next newline (a 6 GB line never sits in memory);
- JSON nested deeper than ``max_depth`` (or deeper than Python's parser can go): rejected;
- lone UTF-16 surrogate escapes (``"\\ud800"``): *repaired*, each replaced by U+FFFD, and counted in
  ``warnings`` (the article is kept; a lone surrogate is half of a broken emoji, never text that
  matters, and it cannot be encoded to UTF-8, so it would fail the content hash and the store);
- a UTF-8 byte-order mark at the start of line 1: accepted;
- a truncated or corrupt ``.gz``: the lines before the break are yielded, then ``truncated`` says
  where the file broke (the strict form raises it).

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "in.jsonl")
...     _ = open(path, "wb").write(b'\\xef\\xbb\\xbf{"a": 1}\\n{oops\\n')
...     [(n, str(r)) for n, r in JsonlReader(path)]
[(1, "{'a': 1}"), (2, 'invalid JSON: Expecting property name enclosed in double quotes at column 2')]
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from core.errors import InputError

BOM = b"\xef\xbb\xbf"
# Longest line read by default (16 MiB): a 1,000,000-character article escaped as \uXXXX fits.
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
# Deepest JSON by default: corpus records nest 2-3 levels (a labels object holding a list).
DEFAULT_MAX_DEPTH = 64
# An over-long line is skipped in pieces of this size (memory stays bounded).
_SKIP_CHUNK = 1024 * 1024
# A lone surrogate can only come from a \uD800-\uDFFF escape: strict UTF-8 never decodes to one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_WARNING = "lone surrogate replaced"


class LineError(ValueError):
    """One input line is bad; ``kind`` groups the summary, the message says what is wrong."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class JsonlLimits:
    """How much one line may hold (from the ``max_line_bytes`` and ``max_json_depth`` settings)."""

    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH

    @classmethod
    def from_settings(cls, settings: Any) -> JsonlLimits:
        """Return the limits a Settings object holds."""
        return cls(max_line_bytes=settings.max_line_bytes, max_depth=settings.max_json_depth)


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _depth(value: Any) -> int:
    """Return how deep lists and objects nest in a decoded value (iteratively: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def repair_surrogates(value: Any) -> tuple[Any, int]:
    """Return the value with every lone surrogate (in strings and keys) replaced by U+FFFD, and how many.

    >>> repair_surrogates({"t": "a\\ud800b", "l": ["\\udfff"]})
    ({'t': 'a�b', 'l': ['�']}, 2)
    """
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            fixed, n = repair_surrogates(item)
            items.append(fixed)
            total += n
        return items, total
    if isinstance(value, dict):
        total = 0
        out = {}
        for key, item in value.items():
            fixed_key, n_key = repair_surrogates(key)
            fixed, n = repair_surrogates(item)
            out[fixed_key] = fixed
            total += n_key + n
        return out, total
    return value, 0


def decode_line(raw: bytes, limits: JsonlLimits = JsonlLimits()) -> tuple[Any, int]:
    """Decode one line's bytes into a value and its count of repaired surrogates, or raise LineError.

    >>> decode_line(b'{"t": "\\\\ud800"}')
    ({'t': '�'}, 1)
    >>> decode_line(b"[" * 100 + b"]" * 100)
    Traceback (most recent call last):
    ...
    core.jsonl.LineError: JSON nested deeper than 64 levels (max_json_depth)
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError("not utf-8", f"line is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    too_deep = LineError("too deep", f"JSON nested deeper than {limits.max_depth} levels (max_json_depth)")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError("invalid json", f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise too_deep from None
    # Cheap guard first: a line with fewer brackets than the limit cannot nest deeper than it.
    if raw.count(b"[") + raw.count(b"{") > limits.max_depth and _depth(value) > limits.max_depth:
        raise too_deep
    repaired = 0
    if _SURROGATE_ESCAPE.search(raw):
        value, repaired = repair_surrogates(value)
    return value, repaired


class JsonlReader:
    """Yield ``(line number, value or LineError)`` for each non-blank line of a JSONL(.gz) file.

    After iteration, ``warnings`` counts repairs (lone surrogates) and ``truncated`` holds the reason
    when a compressed file broke off (the lines before the break were yielded).
    """

    def __init__(self, path: str | Path, limits: JsonlLimits = JsonlLimits()) -> None:
        self.path = Path(path)
        self.limits = limits
        self.warnings: Counter[str] = Counter()
        self.truncated: InputError | None = None
        self.lines_read = 0

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        source = str(self.path)
        try:
            handle = _open(self.path)
        except FileNotFoundError:
            raise InputError("no such file", source=source) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
        number = 0
        cap = self.limits.max_line_bytes
        try:
            with handle:
                while True:
                    raw = handle.readline(cap + 1)
                    if not raw:
                        break
                    number += 1
                    self.lines_read = number
                    if number == 1 and raw.startswith(BOM):
                        raw = raw[len(BOM):]
                    if len(raw) > cap and not raw.endswith(b"\n"):
                        self._skip_rest(handle)
                        yield number, LineError("line too long", f"line longer than {cap:,} bytes "
                                                                 "(max_line_bytes); skipped")
                        continue
                    if not raw.strip():
                        continue
                    try:
                        value, repaired = decode_line(raw, self.limits)
                    except LineError as exc:
                        yield number, exc
                        continue
                    if repaired:
                        self.warnings[SURROGATE_WARNING] += repaired
                    yield number, value
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            self.truncated = InputError(
                f"the file is truncated or corrupt after line {number} ({exc}); the {number} lines before "
                "the break were read", source=source, line=number + 1)
        except OSError as exc:
            raise InputError(f"cannot read past line {number}: {exc}", source=source, line=number + 1) from None

    @staticmethod
    def _skip_rest(handle: IO[bytes]) -> None:
        while True:
            chunk = handle.readline(_SKIP_CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return


def read_objects(path: str | Path, *, need: Sequence[str] = (), limits: JsonlLimits = JsonlLimits(),
                 allow_empty: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)``; the first bad line raises InputError ``FILE:LINE: what is wrong``.

    ``need`` lists fields every line must carry. A truncated ``.gz`` raises after its good lines.
    """
    reader = JsonlReader(path, limits)
    source = str(path)
    count = 0
    for number, value in reader:
        if isinstance(value, LineError):
            raise InputError(str(value), source=source, line=number)
        if not isinstance(value, dict):
            raise InputError(f"expected a JSON object, got {type(value).__name__}", source=source, line=number)
        for name in need:
            if name not in value:
                raise InputError(f"missing field {name!r}", source=source, line=number)
        count += 1
        yield number, value
    if reader.truncated is not None:
        raise reader.truncated
    if not count and not allow_empty:
        raise InputError("no records (the file is empty)", source=source)
