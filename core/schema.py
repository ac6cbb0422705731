"""The article record and the column names every layer shares.

An article's id is derived from its canonical URL, so the same page collected
twice (or imported twice) is one row. Records without a URL (some corpora) get
an id derived from the id their source gave them.

>>> article_id("https://example.com/a?utm_source=x", None)
'u-2dce0a4c50441bfccfa9'
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.urls import canonical_url

# Columns of the articles table, in order. The store and the importer use this list.
ARTICLE_COLUMNS: tuple[str, ...] = (
    "id",
    "source_id",
    "outlet",
    "url",
    "canonical_url",
    "title",
    "published",
    "modified",
    "authors",
    "language",
    "topic",
    "story_id",
    "story_origin",
    "text",
    "content_hash",
    "source",
    "labels",
    "stored_at",
    "host",
    "attribution",
)

# Where a story id came from: the imported data (never overwritten) or our grouping.
STORY_FROM_DATA = "data"
STORY_FROM_GROUPING = "grouping"

_ID_CHARS = 20


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(url: str | None, source_id: str | None, *, canonical: bool = False) -> str:
    """Return the stable article id: from the canonical URL, else from the source's own id.

    ``canonical=True`` says ``url`` is already :func:`canonical_url`'s answer (an import computes it once).
    """
    if url:
        return "u-" + _digest(url if canonical else canonical_url(url))[:_ID_CHARS]
    if source_id:
        return "s-" + _digest(source_id)[:_ID_CHARS]
    raise ValueError("an article needs a url or a source id")


def content_hash(title: str, text: str) -> str:
    """Return the hash of what scorers read (headline and body): a change means rescoring."""
    return _digest(f"{title}\n{text}")


@dataclass(frozen=True)
class Article:
    """One article as the store keeps it."""

    id: str
    outlet: str
    title: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    source_id: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    topic: str | None = None
    story_id: str | None = None
    story_origin: str | None = None
    source: str = "import"
    labels: dict[str, Any] = field(default_factory=dict)
    stored_at: str | None = None
    # Where the article was read (the outlet of its URL's domain, else the domain) when that is known;
    # ``outlet`` is its publisher, the outlet compared. ``attribution`` says why they differ (or 'host').
    host: str | None = None
    attribution: str | None = None

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.text)

    def to_row(self) -> dict[str, Any]:
        """Return the record as a row of the articles table (lists and dicts as JSON)."""
        row = dict(self.__dict__)  # a shallow copy: asdict's deep copy of the labels cost a fifth of an import
        row["authors"] = json.dumps(list(self.authors), ensure_ascii=False)
        row["labels"] = json.dumps(self.labels, ensure_ascii=False, sort_keys=True)
        row["content_hash"] = self.content_hash
        return {column: row[column] for column in ARTICLE_COLUMNS}


# Columns of a sentence-evidence row, as Store.evidence returns them.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "article_id", "scorer", "version", "metric", "part", "sentence_index", "start", "end", "value",
)

# One article's evidence from one scorer is stored as one packed record (the evidence_packs table):
# these columns of fixed width, column after column, little-endian, zlib-compressed. ``metric`` and
# ``part`` are keys of the metrics and evidence_parts tables; a NULL value is NaN. 64-bit integers
# keep every SQLite integer as it was; zlib takes the unused high bytes away (10.8 bytes a row on
# allsides_abp with the record's own overhead, against 40 unpacked and 151 in the schema-6 evidence table
# with its key index).
EVIDENCE_PACK_LAYOUT: tuple[tuple[str, str], ...] = (
    ("metric", "<i8"), ("part", "<i8"), ("sentence_index", "<i8"), ("start", "<i8"), ("end", "<i8"),
    ("value", "<f8"),
)
_PACK_LEVEL = 6  # zlib's default: level 9 saved under 2% more on allsides_abp and wrote slower


def pack_evidence(columns: dict[str, Any]) -> bytes:
    """Pack evidence columns (the names of EVIDENCE_PACK_LAYOUT, equal lengths) into one compressed record.

    >>> blob = pack_evidence({"metric": [1], "part": [0], "sentence_index": [0], "start": [0], "end": [9],
    ...                       "value": [0.5]})
    >>> unpack_evidence(blob, 1)["end"].tolist()
    [9]
    """
    parts = [np.ascontiguousarray(columns[name], dtype=dtype).tobytes() for name, dtype in EVIDENCE_PACK_LAYOUT]
    return zlib.compress(b"".join(parts), _PACK_LEVEL)


def unpack_evidence(blob: bytes, rows: int) -> dict[str, np.ndarray]:
    """Return the columns of a record made by :func:`pack_evidence` holding ``rows`` rows."""
    raw = zlib.decompress(blob)
    columns: dict[str, np.ndarray] = {}
    offset = 0
    for name, dtype in EVIDENCE_PACK_LAYOUT:
        width = np.dtype(dtype).itemsize * rows
        columns[name] = np.frombuffer(raw, dtype=dtype, count=rows, offset=offset)
        offset += width
    if offset != len(raw):
        raise ValueError(f"an evidence record of {len(raw)} bytes does not hold {rows} rows")
    return columns
