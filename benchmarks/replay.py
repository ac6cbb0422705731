"""Replay a JSON Lines corpus into a bigger one: fresh ids, URLs and story ids, shifted dates, the same texts.

    lines = replay_lines(Path("articles.jsonl.gz"), articles=100_000)
    written = write_replay(Path("articles.jsonl.gz"), Path("/tmp/scale.jsonl.gz"), articles=100_000)

Pass ``k`` (0, 1, 2 ...) of the source becomes copy ``k``: every record keeps its outlet, title,
text, topic and labels; its ``id`` gets ``~r<k>``, its URL a ``presslens_replay=<k>`` query
parameter (the canonical URL keeps it, so every copy is a new article to the importer, which
deduplicates by id and canonical URL, not by text), its ``story_id`` ``~r<k>`` (a verified story
of copy k is a story of its own), and its date moves ``k * shift_days`` days later. The source is
read line by line, once per pass: memory does not grow with the number of articles.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REPLAY_PARAM = "presslens_replay"
# One week between copies: 36 copies of allsides_abp (2012-2020) end in 2021, never in the future.
SHIFT_DAYS = 7


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=1)  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def replay_id(source_id: str, copy: int) -> str:
    """Return copy ``copy``'s id of a source id.

    >>> replay_id("abp-x1", 3)
    'abp-x1~r3'
    """
    return f"{source_id}~r{copy}"


def replay_url(url: str, copy: int) -> str:
    """Return the URL with the replay parameter (other parameters kept).

    >>> replay_url("https://example.com/a/b?x=1", 2)
    'https://example.com/a/b?x=1&presslens_replay=2'
    """
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), (REPLAY_PARAM, str(copy))])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def shift_date(value: str | None, days: int) -> str | None:
    """Return an ISO date or datetime ``days`` later, in the same form; None and unparseable values stay.

    >>> shift_date("2020-02-28", 2), shift_date("2020-02-28T10:00:00", 1), shift_date(None, 3)
    ('2020-03-01', '2020-02-29T10:00:00', None)
    """
    if not value:
        return value
    try:
        if len(value) == 10:
            return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
        return (datetime.fromisoformat(value) + timedelta(days=days)).isoformat(timespec="seconds")
    except ValueError:
        return value


def replay_record(record: dict[str, Any], copy: int, shift_days: int = SHIFT_DAYS) -> dict[str, Any]:
    """Return copy ``copy`` of one corpus record (a new dict; text, title, outlet and labels unchanged)."""
    out = dict(record)
    if record.get("id") is not None:
        out["id"] = replay_id(str(record["id"]), copy)
    if record.get("url"):
        out["url"] = replay_url(str(record["url"]), copy)
    if record.get("story_id"):
        out["story_id"] = replay_id(str(record["story_id"]), copy)
    out["published"] = shift_date(record.get("published"), copy * shift_days)
    return out


def replay_records(source: Path, articles: int, shift_days: int = SHIFT_DAYS
                   ) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
    """Yield (copy, source record, replayed record) until ``articles`` records: pass k over ``source`` gives copy k.

    The source is streamed (one line in memory at a time); an empty source yields nothing.
    """
    made = 0
    copy = 0
    while made < articles:
        before = made
        with _open(source, "r") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                yield copy, record, replay_record(record, copy, shift_days)
                made += 1
                if made >= articles:
                    return
        if made == before:
            return  # an empty source
        copy += 1


def write_replay(source: Path, target: Path, articles: int, shift_days: int = SHIFT_DAYS) -> int:
    """Write ``articles`` replayed records to ``target`` (.jsonl or .jsonl.gz); return how many were written."""
    written = 0
    with _open(target, "w") as out:
        for _copy, _source, record in replay_records(source, articles, shift_days):
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
            written += 1
    return written
