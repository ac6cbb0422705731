"""Import articles from JSON Lines (also gzip-compressed) and CSV files into the store.

The format is the one of ../shared/corpora/README.md: one article per line with
``id, outlet, url, title, published, topic, story_id, text, labels``. A bad line
is reported with its file, line number and what is wrong; the good lines are
stored; importing the same file again adds nothing. An outlet that
``data/outlets.toml`` names (by name, display name or alias) is stored under
its display name, and its outlet row gets the file's bias, country and
ownership where the data gave none.

    report = import_files([Path("articles.jsonl")], store)
    print(report.summary())
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from core.encoding import MOJIBAKE_LABEL, repair
from core.errors import InputError
from core.jsonl import JsonlLimits, JsonlReader, LineError
from core.outlets import default_outlets
from core.schema import STORY_FROM_DATA, Article, article_id
from core.settings import Settings
from core.store import Store, UpsertCounts
from core.urls import canonical_url, url_host
from scrapers.outlets import display_name, outlet_for_url, outlet_rows

log = logging.getLogger(__name__)

FIELDS = ("id", "outlet", "url", "title", "published", "topic", "story_id", "text", "labels")
REQUIRED_TEXT_FIELDS = ("text",)
# News before this is almost certainly a parsing accident (epoch zero, year 0001 ...).
EARLIEST_DATE = date(1990, 1, 1)
# A publication date more than a day ahead of the clock is wrong (time zones allow a few hours).
FUTURE_TOLERANCE = timedelta(days=1)
UNKNOWN_OUTLET = "(unknown outlet)"
# Labels that carry an outlet's bias rating in the corpora we know.
BIAS_LABELS = ("allsides_bias", "groundnews_bias", "mbfc_bias")
# Articles stored in one transaction. Each transaction writes every index page it touched (the id, URL and
# hash indexes are touched at random) to the WAL: 100,000 articles into a store of 100,000 wrote 25.6 GB
# and took 39 CPU-s in the writer with 500, 18.5 GB and 34 with 2,000, 11.5 GB and 31 with 5,000
# (docs/performance.md). Memory: two batches of texts (the one read, the one being stored).
BATCH = 5000


@dataclass
class ImportReport:
    """What an import did, for the closing summary."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    rejected: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, line, kind, message
    warnings: Counter[str] = field(default_factory=Counter)
    truncated: list[InputError] = field(default_factory=list)  # files that broke off (their lines before count)
    outlets: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)
    first: str | None = None
    last: str | None = None

    @property
    def accepted(self) -> int:
        return self.counts.inserted + self.counts.updated + self.counts.unchanged

    def rejected_by_reason(self) -> Counter[str]:
        return Counter(kind for _, _, kind, _ in self.rejected)

    def as_counts(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "inserted": self.counts.inserted,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "rejected": dict(self.rejected_by_reason()),
            "warnings": dict(self.warnings),
            "truncated": [str(exc) for exc in self.truncated],
            "outlets": len(self.outlets),
            "stories": len(self.stories),
        }

    def summary(self) -> str:
        """Return the closing lines an analyst reads."""
        reasons = self.rejected_by_reason()
        rejected = ", ".join(f"{n} {kind}" for kind, n in reasons.most_common()) or "none"
        span = f"{self.first} .. {self.last}" if self.first else "no dates"
        lines = [
            f"{self.accepted} articles from {len(self.outlets)} outlets in {len(self.stories)} stories "
            f"({span}) read from {self.lines} lines of {len(self.files)} file(s)",
            f"stored: {self.counts.inserted} new, {self.counts.updated} updated, "
            f"{self.counts.unchanged} already stored",
            f"rejected lines: {len(self.rejected)} ({rejected})",
        ]
        if self.warnings:
            lines.append("warnings: " + ", ".join(f"{n} {w}" for w, n in self.warnings.most_common()))
        if self.truncated:
            lines.append(f"truncated files: {len(self.truncated)} (the lines before each break are counted above)")
        return "\n".join(lines)


# csv refuses fields over 131,072 characters by default; a long article is not an error.
CSV_FIELD_LIMIT = 64 * 1024 * 1024

def parse_date(value: Any, name: str = "published", *, today: date | None = None) -> str | None:
    """Return an ISO date or datetime string for a corpus date, or raise LineError.

    >>> parse_date("2019-03-28T10:00:00Z")
    '2019-03-28T10:00:00'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise LineError("bad date", f"{name} must be an ISO 8601 string, got {type(value).__name__}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LineError("bad date", f"{name} is not an ISO 8601 date: {text[:40]!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    limit = (today or datetime.now(UTC).date()) + FUTURE_TOLERANCE
    if parsed.date() < EARLIEST_DATE or parsed.date() > limit:
        raise LineError("date out of range", f"{name} {text!r} is before {EARLIEST_DATE} or in the future")
    if len(text) == 10:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def _optional_str(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name in ("id", "story_id"):
        return str(value)
    if not isinstance(value, str):
        raise LineError("bad field", f"{name} must be a string, got {type(value).__name__}")
    return value.strip() or None


def record_to_article(record: Any, source: str, max_chars: int = Settings.max_article_chars
                      ) -> tuple[Article, list[str]]:
    """Validate one decoded record and return the article and its warnings, or raise LineError.

    ``max_chars`` is the longest text accepted (the ``max_article_chars`` setting).
    """
    if not isinstance(record, dict):
        raise LineError("not an object", f"expected a JSON object, got {type(record).__name__}")
    warnings: list[str] = []
    for name in REQUIRED_TEXT_FIELDS:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise LineError(f"missing {name}", f"{name} is missing or empty")
        if not isinstance(value, str):
            raise LineError("bad field", f"{name} must be a string, got {type(value).__name__}")
        if len(value) > max_chars:
            raise LineError("article too long", f"{name} has {len(value):,} characters, more than "
                                                f"{max_chars:,} (max_article_chars)")
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise LineError("bad field", f"title must be a string, got {type(title).__name__}")
    if not (title or "").strip():
        warnings.append("missing title")
    source_id = _optional_str(record, "id")
    url = _optional_str(record, "url")
    if not url and not source_id:
        raise LineError("missing id", "a line needs an id or a url")
    try:
        canonical = canonical_url(url) if url else None
        ident = article_id(canonical, source_id, canonical=True)
    except ValueError as exc:
        raise LineError("bad url", str(exc)) from None
    outlet = _optional_str(record, "outlet")
    if outlet is None:
        warnings.append("missing outlet")
        outlet = UNKNOWN_OUTLET
    published = parse_date(record.get("published"), "published")
    if published is None:
        warnings.append("missing date")
    modified = parse_date(record.get("modified"), "modified")
    labels = record.get("labels") or {}
    if isinstance(labels, str):
        try:
            labels = json.loads(labels)
        except json.JSONDecodeError:
            raise LineError("bad field", "labels is not valid JSON") from None
    if not isinstance(labels, dict):
        raise LineError("bad field", f"labels must be an object, got {type(labels).__name__}")
    story_id = _optional_str(record, "story_id")
    authors_raw = record.get("authors", labels.get("authors"))
    if isinstance(authors_raw, str):
        authors = tuple(a.strip() for a in authors_raw.split(",") if a.strip())
    elif isinstance(authors_raw, list):
        authors = tuple(str(a).strip() for a in authors_raw if str(a).strip())
    else:
        authors = ()
    raw = {"title": (title or "").strip(), "text": record["text"].strip()}
    fixed = {field: repair(value) for field, value in raw.items()}
    if fixed != raw:  # mojibake: the repaired text is stored (and quoted), the original kept beside it
        warnings.append("mojibake repaired")
        labels = {**labels, MOJIBAKE_LABEL: {f: raw[f] for f in raw if fixed[f] != raw[f]}}
    article = Article(
        id=ident,
        source_id=source_id,
        outlet=outlet,
        url=url,
        canonical_url=canonical,
        title=fixed["title"],
        text=fixed["text"],
        published=published,
        modified=modified,
        authors=authors,
        language=_optional_str(record, "language"),
        topic=_optional_str(record, "topic"),
        story_id=story_id,
        story_origin=STORY_FROM_DATA if story_id else None,
        source=source,
        labels=labels,
    )
    return article, warnings


def _bounded_lines(binary: Any, cap: int, source: str) -> Iterator[str]:
    """Yield a binary file's lines decoded (a BOM dropped), each read in at most ``cap + 1`` bytes."""
    number = 0
    while True:
        raw = binary.readline(cap + 1)
        if not raw:
            return
        number += 1
        if len(raw) > cap and not raw.endswith(b"\n"):
            raise InputError(f"line longer than {cap:,} bytes (max_line_bytes); the rows before it were read",
                             source=source, line=number)
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"line is not UTF-8 ({exc.reason} at byte {exc.start}); the rows before it were read",
                             source=source, line=number) from None


def _csv_records(path: Path, limits: JsonlLimits = JsonlLimits()) -> Iterator[tuple[int, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    reader: csv.DictReader[str] | None = None
    try:
        with opener(path, "rb") as binary:
            # Lines read bounded (max_line_bytes); utf-8-sig on line 1: a byte-order mark (spreadsheets write
            # one) must not become part of the first column's name.
            handle = _bounded_lines(binary, limits.max_line_bytes, str(path))
            csv.field_size_limit(CSV_FIELD_LIMIT)
            reader = csv.DictReader(handle, strict=True)
            missing = {"text"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"CSV header lacks column(s) {', '.join(sorted(missing))}",
                                 source=str(path), line=1)
            for row in reader:
                line = reader.line_num
                if None in row:
                    yield line, LineError("bad csv row", f"row has {len(row[None])} more cells than the header")
                    continue
                yield line, {key: (value if value != "" else None) for key, value in row.items()}
    except UnicodeDecodeError as exc:
        raise InputError(f"file is not UTF-8 ({exc.reason})", source=str(path)) from exc
    except csv.Error as exc:
        line = reader.line_num if reader is not None else None
        raise InputError(f"malformed CSV: {exc}", source=str(path), line=line) from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        line = reader.line_num if reader is not None else 0
        raise InputError(f"the file is truncated or corrupt after line {line} ({exc})", source=str(path),
                         line=line + 1) from exc


def read_records(path: Path, limits: JsonlLimits = JsonlLimits()) -> Iterator[tuple[int, Any]] | JsonlReader:
    """Yield (line number, decoded record or LineError) for a JSONL, JSONL.gz, CSV or CSV.gz file.

    For JSON Lines the reader itself is returned: after iteration it holds its repairs and truncation.
    """
    if not path.is_file():
        raise InputError("no such file", source=str(path))
    suffixes = [s.lower() for s in path.suffixes]
    kind = suffixes[-2] if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1 else (suffixes or [""])[-1]
    if kind in (".jsonl", ".json", ".ndjson"):
        return JsonlReader(path, limits)
    if kind == ".csv":
        return _csv_records(path, limits)
    raise InputError(f"unknown file type {''.join(suffixes) or '(none)'}: expected .jsonl, .jsonl.gz, .csv or "
                     ".csv.gz", source=str(path))


def import_files(paths: list[Path], store: Store, run_id: int | None = None,
                 known: dict[str, dict[str, Any]] | None = None, settings: Settings | None = None) -> ImportReport:
    """Import every good line of every file into the store; report the bad ones.

    ``known`` is the outlets file's content (default: ``data/outlets.toml``); ``settings`` give the
    limits (longest line, deepest JSON, longest article). A truncated ``.gz`` keeps and counts the
    lines before its break and is listed in ``report.truncated``.
    """
    settings = settings or Settings()
    limits = JsonlLimits.from_settings(settings)
    report = ImportReport()
    known = default_outlets() if known is None else known
    names = OutletNames(known)
    with _BatchWriter(store, report) as writer:
        for path in paths:
            report.files.append(str(path))
            seen: dict[str, int] = {}
            batch: list[Article] = []
            outlets: dict[str, dict[str, Any]] = {}
            stored: set[str] = set()  # outlets already upserted from this file (their facts are fixed at first sight)
            records = read_records(path, limits)
            try:
                for number, record in records:
                    report.lines += 1
                    try:
                        if isinstance(record, LineError):
                            raise record
                        article, warnings = record_to_article(record, source=f"import:{path.name}",
                                                              max_chars=settings.max_article_chars)
                        article = names.with_host(names.with_known_outlet(article))
                        if article.id in seen:
                            raise LineError("duplicate", f"duplicate of line {seen[article.id]} (same id or url)")
                    except LineError as exc:
                        report.rejected.append((str(path), number, exc.kind, str(exc)))
                        continue
                    seen[article.id] = number
                    report.warnings.update(warnings)
                    batch.append(article)
                    _note(report, article, outlets)
                    if len(batch) >= BATCH:
                        _flush(writer, batch, outlets, names, stored)
            finally:
                _flush(writer, batch, outlets, names, stored)  # what was read before a broken line is kept
                writer.wait()
            if isinstance(records, JsonlReader):
                report.warnings.update(records.warnings)
                if records.truncated is not None:
                    report.truncated.append(records.truncated)
    return report


class _BatchWriter:
    """Stores batches on a second connection in a thread of its own while the next batch is read.

    SQLite does its work (B-trees, the full-text index) without holding Python's global lock, so
    reading and validating one batch overlaps with storing the one before: at most one batch is in
    flight, and ``submit`` or ``wait`` raises what storing it raised. A store in memory has no
    second connection: its batches are stored in the caller's thread.
    """

    def __init__(self, store: Store, report: ImportReport) -> None:
        self.store = store
        self.report = report
        threaded = str(store.location) != ":memory:" and not store.readonly
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-writer") if threaded else None
        self._own: Store | None = None
        self._pending: Future[UpsertCounts] | None = None
        self.failed = False  # a batch failed: nothing after it is stored (its error is on its way up)

    def __enter__(self) -> _BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            if self._pool is not None:
                if self._own is not None:
                    self._pool.submit(self._own.close).result()
                self._pool.shutdown(wait=True)

    def submit(self, outlet_rows: list[dict[str, Any]], batch: list[Article]) -> None:
        """Store the outlet rows, then the articles (the caller's lists are not kept)."""
        self.wait()
        if self.failed:
            return
        if self._pool is None:
            try:
                self.report.counts.add(self._store(self.store, outlet_rows, batch))
            except BaseException:
                self.failed = True
                raise
            return
        self._pending = self._pool.submit(self._in_thread, outlet_rows, list(batch))

    def wait(self) -> None:
        """Wait for the batch in flight; raise what storing it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                self.report.counts.add(pending.result())
            except BaseException:
                self.failed = True
                raise

    def _in_thread(self, outlet_rows: list[dict[str, Any]], batch: list[Article]) -> UpsertCounts:
        if self._own is None:
            self._own = Store.open(self.store.location, busy_timeout_ms=self.store.busy_timeout_ms)
            self._own.tune_for_bulk_writes()
        return self._store(self._own, outlet_rows, batch)

    @staticmethod
    def _store(store: Store, outlet_rows: list[dict[str, Any]], batch: list[Article]) -> UpsertCounts:
        if outlet_rows:
            store.upsert_outlets(outlet_rows)
        return store.upsert_articles(batch)


def _note(report: ImportReport, article: Article, outlets: dict[str, dict[str, Any]]) -> None:
    report.outlets.add(article.outlet)
    if article.story_id:
        report.stories.add(article.story_id)
    if article.published:
        day = article.published[:10]
        report.first = min(report.first or day, day)
        report.last = max(report.last or day, day)
    if article.outlet not in outlets:
        bias = next((str(article.labels[k]).lower() for k in BIAS_LABELS if article.labels.get(k)), None)
        domain = article.labels.get("source_domain")
        outlets[article.outlet] = {"name": article.outlet, "bias": bias,
                                   "domain": domain if isinstance(domain, str) else None}


def with_known_outlet(article: Article, known: dict[str, dict[str, Any]]) -> Article:
    """Return the article under its outlet's display name; the spelling given is kept in its labels.

    >>> facts = {"Fox News": {"name": "Fox News", "display_name": "Fox News", "domains": [],
    ...                       "aliases": ["Fox Online News"]}}
    >>> a = with_known_outlet(Article(id="s-1", outlet="Fox Online News", title="T", text="B"), facts)
    >>> a.outlet, a.labels["outlet_as_given"]
    ('Fox News', 'Fox Online News')
    """
    name = display_name(article.outlet, known)
    if name == article.outlet:
        return article
    return replace(article, outlet=name, labels={**article.labels, "outlet_as_given": article.outlet})


def with_host(article: Article, known: dict[str, dict[str, Any]]) -> Article:
    """Return the article with its host: the outlet of its URL's domain (display name), else the domain.

    Importing keeps the file's outlet (the publisher compared); the host says where the text was
    read, so a wire copy on an aggregator shows both. Without a URL there is no host.

    >>> facts = {"Yahoo News": {"name": "Yahoo News", "display_name": "Yahoo News", "domains": ["news.yahoo.com"],
    ...                         "aliases": []}}
    >>> a = with_host(Article(id="s-1", outlet="Reuters", title="T", text="B", url="https://ca.news.yahoo.com/x"),
    ...               facts)
    >>> a.outlet, a.host, a.attribution
    ('Reuters', 'Yahoo News', 'file')
    """
    if not article.url:
        return article
    return replace(article, host=display_name(outlet_for_url(article.url, known), known), attribution="file")


def outlet_facts(outlets: dict[str, dict[str, Any]], known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return outlet rows: what the data said, completed by the outlets file where the data said nothing.

    >>> known = {"HuffPost": {"name": "HuffPost", "display_name": "HuffPost", "domains": ["huffpost.com"],
    ...           "bias": "left", "bias3": "left", "country": "US", "ownership": "BuzzFeed", "aliases": []}}
    >>> [(r["name"], r["bias"], r["country"]) for r in outlet_facts({"HuffPost": {"name": "HuffPost"}}, known)]
    [('HuffPost', 'left', 'US')]
    """
    rows = []
    for name, given in outlets.items():
        base = next(iter(outlet_rows(known, [name])), {"name": name})
        rows.append({**base, **{k: v for k, v in given.items() if v}})
    return rows


def _flush(writer: _BatchWriter, batch: list[Article], outlets: dict[str, dict[str, Any]],
           names: OutletNames, stored: set[str]) -> None:
    """Store the batch, and the outlet rows not stored yet (an outlet's row is fixed when first seen)."""
    if not batch:
        return
    new = {name: facts for name, facts in outlets.items() if name not in stored}
    stored.update(new)
    writer.submit([names.outlet_row(name, facts) for name, facts in new.items()], batch)
    batch.clear()


class OutletNames:
    """The outlets file's answers for one import, remembered per name and per host.

    Looking a spelling up in the outlets file costs a pass over it; an import of a million
    articles from a few hundred outlets asks the same few hundred questions, so each is asked once.

    >>> facts = {"Fox News": {"name": "Fox News", "display_name": "Fox News", "domains": ["foxnews.com"],
    ...                       "aliases": ["Fox Online News"]}}
    >>> names = OutletNames(facts)
    >>> a = names.with_host(names.with_known_outlet(Article(id="s-1", outlet="Fox Online News", title="T",
    ...                                                     text="B", url="https://www.foxnews.com/a")))
    >>> a.outlet, a.host
    ('Fox News', 'Fox News')
    """

    def __init__(self, known: dict[str, dict[str, Any]]) -> None:
        self.known = known
        self._display: dict[str, str] = {}
        self._hosts: dict[str, str] = {}

    def display_name(self, name: str) -> str:
        """Return :func:`scrapers.outlets.display_name` of ``name`` (remembered)."""
        found = self._display.get(name)
        if found is None:
            found = self._display[name] = display_name(name, self.known)
        return found

    def host_name(self, url: str) -> str:
        """Return the display name of the outlet of a URL's host (remembered per host)."""
        try:
            host = url_host(url)
        except ValueError:
            host = ""
        if not host:  # named after the URL itself: nothing to share
            return self.display_name(outlet_for_url(url, self.known))
        found = self._hosts.get(host)
        if found is None:
            found = self._hosts[host] = self.display_name(outlet_for_url(url, self.known))
        return found

    def with_known_outlet(self, article: Article) -> Article:
        """Return :func:`with_known_outlet` of the article."""
        name = self.display_name(article.outlet)
        if name == article.outlet:
            return article
        return replace(article, outlet=name, labels={**article.labels, "outlet_as_given": article.outlet})

    def with_host(self, article: Article) -> Article:
        """Return :func:`with_host` of the article."""
        if not article.url:
            return article
        return replace(article, host=self.host_name(article.url), attribution="file")

    def outlet_row(self, name: str, given: dict[str, Any]) -> dict[str, Any]:
        """Return :func:`outlet_facts`' row of one outlet."""
        return outlet_facts({name: given}, self.known)[0]
