"""The store: the only module that writes SQL, always with parameters.

SQLite by default: one file in WAL mode, so a dashboard or report process reads
while a collector writes. A team's store is PostgreSQL (``postgresql://HOST[:PORT]/DB``,
credentials from libpq's environment; core/pgstore.py): the same statements, written
once with ``?`` placeholders, with per-backend text only where the two differ (full
text, JSON labels, NULL order, schema bookkeeping). Every write is an idempotent upsert
keyed by content-derived ids, and every schema change is a recorded migration.

>>> with Store.open(":memory:") as store:
...     store.upsert_articles([Article(id="s-1", outlet="Example", title="T", text="Body.")]).inserted
1
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core import pgstore
from core.errors import StoreError
from core.migrations import MIGRATIONS, POSTGRESQL_BASE_VERSION, POSTGRESQL_SCHEMA, VACUUM_AFTER, steps
from core.pgstore import MAX_TERM_BYTES, store_location  # noqa: F401  (store_location: where it always was)
from core.schema import (
    ARTICLE_COLUMNS,
    EVIDENCE_COLUMNS,
    STORY_FROM_DATA,
    STORY_FROM_GROUPING,
    Article,
    pack_evidence,
    unpack_evidence,
)
from core.settings import DEFAULT_DB, Settings

log = logging.getLogger(__name__)

try:
    import psycopg

    _DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
except ImportError:  # an SQLite-only install
    _DB_ERRORS = (sqlite3.Error,)

# Ids per read in evidence_of (SQLite allows 32,766 host parameters; a few hundred keep each read short).
EVIDENCE_IDS_PER_READ = 500
_OUTLET_FIELDS = ("display_name", "domain", "bias", "country", "ownership")
_SYNDICATION_FIELDS = ("group_id", "group_size", "n_outlets", "is_original", "similarity", "wire", "agency")


def process_started(pid: int) -> float | None:
    """Return when a process started (seconds since the epoch, from /proc), or None where that is unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration):
        return None
    ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after the command name in parentheses
    return int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")


def process_alive(pid: int, started: float | None) -> bool:
    """Return whether process ``pid`` runs and is the one that started at ``started`` (when known)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    if started is None:
        return True
    now = process_started(pid)
    return now is None or abs(now - started) < 0.5


_EXPECTED: dict[int, dict[str, list[str]]] = {}


def _expected_columns(version: int) -> dict[str, list[str]]:
    """Return each ordinary table's columns as migrations 1..version create them (built once in memory)."""
    if version not in _EXPECTED:
        memory = sqlite3.connect(":memory:")
        for number, _name, body in MIGRATIONS:
            if number <= version:
                _apply(memory, body)
        names = [r[0] for r in memory.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%'")]
        _EXPECTED[version] = {n: [r[1] for r in memory.execute("SELECT * FROM pragma_table_info(?)", (n,))]
                              for n in names}
        memory.close()
    return _EXPECTED[version]


# Every write sets a new random token beside the data version: a store restored from a backup and written to
# as many times as the one it replaced still differs from it (``Store.fingerprint``).
WRITE_TOKEN_SQL = {
    "sqlite": "INSERT OR REPLACE INTO store_state (key, value) VALUES ('write_token', random() & 9007199254740991)",
    "postgresql": "INSERT INTO store_state (key, value) VALUES ('write_token', floor(random() * 9007199254740991)) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
}
# What ``Store._arrow_facets`` reads: every article from the covering index ``articles_facets``, NULL as NUL.
ARROW_FACETS_SQL = ("SELECT key, IFNULL(substr(published, 1, 10), char(0)) AS day, IFNULL(topic, char(0)) AS topic, "
                    "IFNULL(story_id, char(0)) AS story, outlet FROM articles ORDER BY outlet")
# Article columns the grouping writes (not part of an imported Article): readable by articles(columns=...).
GROUPING_COLUMNS: tuple[str, ...] = ("event_id",)
# The article's integer key (migration 7): readable by articles(columns=...), to join metric_values' rows.
KEY_COLUMNS: tuple[str, ...] = ("key",)


def repost_copies(syndication: pd.DataFrame) -> set[str]:
    """Return the ids of a publisher's re-posted copies: every article but one per (syndication group, outlet).

    A wire story read on ten hosts is one story of its publisher: comparisons count it once (the
    original, else the earliest copy). ``syndication`` is ``Store.syndication``'s table.

    >>> syn = pd.DataFrame({"article_id": ["a", "b", "c", "d"], "outlet": ["Reuters", "Reuters", "AP", "Reuters"],
    ...                     "group_id": [1, 1, 1, 2], "is_original": [False, True, False, False],
    ...                     "published": ["2025-01-02", "2025-01-01", "2025-01-01", "2025-01-03"]})
    >>> sorted(repost_copies(syn))
    ['a']
    """
    if syndication is None or syndication.empty:
        return set()
    ordered = syndication.sort_values(["group_id", "outlet", "is_original", "published", "article_id"],
                                      ascending=[True, True, False, True, True], na_position="last")
    return set(ordered[ordered.duplicated(["group_id", "outlet"], keep="first")]["article_id"].astype(str))


def store_exists(db: str | Path) -> bool:
    """Return whether there is a store to read: a file, or a URL (its server is asked when it is opened)."""
    return pgstore.is_url(db) or Path(db).is_file()


def store_sidecar(db: str | Path, suffix: str) -> Path:
    """Return where a file kept beside the store goes (e.g. the stories index): next to an SQLite file, or
    for a PostgreSQL store in data/ named after its host, port and database (a local file of this machine).

    >>> store_sidecar("x/s.db", ".idx").as_posix(), store_sidecar("postgresql://u@db.lan:5433/news", ".idx").name
    ('x/s.db.idx', 'db.lan_5433_news.idx')
    """
    if not pgstore.is_url(db):
        return Path(str(db) + suffix)
    from urllib.parse import urlsplit

    parts = urlsplit(str(db))
    name = "_".join(p for p in (parts.hostname or "local", str(parts.port or ""), parts.path.strip("/")) if p)
    return DEFAULT_DB.parent / (re.sub(r"[^A-Za-z0-9._-]", "_", name) + suffix)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a report, a page or an export looks at. Empty fields do not filter."""

    story_id: str | None = None  # a merged story's old id (an alias) finds the story it became
    event_id: str | None = None
    topic: str | None = None
    outlets: tuple[str, ...] = ()
    since: str | None = None  # inclusive, YYYY-MM-DD
    until: str | None = None  # inclusive, YYYY-MM-DD
    language: str | None = None
    groups: tuple[str, ...] = ()  # outlet groups: bias ratings (left, center ...) or countries
    search: str | None = None  # full-text query over titles and texts

    def where(self, alias: str = "a", dialect: str = "sqlite") -> tuple[str, list[Any]]:
        """Return an SQL condition (with placeholders) and its parameters, for a backend."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.story_id:
            clauses.append(f"{alias}.story_id = COALESCE((SELECT story_id FROM story_aliases WHERE alias = ?), ?)")
            params.extend([self.story_id, self.story_id])
        if self.event_id:
            clauses.append(f"{alias}.event_id = ?")
            params.append(self.event_id)
        if self.topic:
            clauses.append(f"{alias}.topic = ?")
            params.append(self.topic)
        if self.outlets:
            clauses.append(f"{alias}.outlet IN ({','.join('?' * len(self.outlets))})")
            params.extend(self.outlets)
        if self.since:
            clauses.append(f"substr({alias}.published, 1, 10) >= ?")
            params.append(self.since[:10])
        if self.until:
            clauses.append(f"substr({alias}.published, 1, 10) <= ?")
            params.append(self.until[:10])
        if self.language:
            clauses.append(f"{alias}.language = ?")
            params.append(self.language)
        if self.groups:
            marks = ",".join("?" * len(self.groups))
            clauses.append(f"{alias}.outlet IN (SELECT name FROM outlets WHERE bias IN ({marks}) "
                           f"OR country IN ({marks}))")
            params.extend(self.groups)
            params.extend(self.groups)
        if self.search and fts_query(self.search):
            clause, param = _search_clause(alias, self.search, dialect)
            clauses.append(clause)
            params.extend(param)
        return (" AND ".join(clauses) or "1 = 1"), params


def _search_clause(alias: str, search: str, dialect: str) -> tuple[str, list[Any]]:
    """Return the full-text condition on articles ``alias``: FTS5 on SQLite, the tsvector on PostgreSQL."""
    if dialect == "postgresql":
        query = pg_tsquery(fts_parts(search))
        return (f"{alias}.search @@ CAST(? AS tsquery)", [query]) if query else ("1 = 0", [])
    return f"{alias}.key IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", [fts_query(search)]


@dataclass
class UpsertCounts:
    """What an upsert did: new rows, changed rows, rows already stored as they are."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class ScoreBatch:
    """A scorer's output for some articles: article-level values and sentence evidence."""

    scorer: str
    version: str
    content_hashes: dict[str, str]  # article id -> hash of the text that was scored
    scores: pd.DataFrame  # columns: article_id, metric, value
    evidence: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["article_id", "metric", "part", "sentence_index", "start", "end", "value"]
        )
    )


# A bulk writer's connection (Store.tune_for_bulk_writes): page cache in KiB, WAL pages between
# checkpoints. Measured on 100,000 articles imported into a store of 100,000 (docs/performance.md):
# 256 MB of cache took a third off SQLite's system time; 10,000 pages (40 MB of WAL) against 1,000.
BULK_CACHE_KIB = 256 * 1024
BULK_WAL_PAGES = 10_000
# FTS5 merges a level's segments once this many are there (its default: 4). 8 took 20% off the writer's
# CPU on the same import (each term's postings rewritten fewer times); a search reads at most 7 segments
# a level instead of 3. 16 saved no more.
FTS_AUTOMERGE = 8


class Store:
    """A connection to the PressLens store. Open with ``Store.open(path)``."""

    def __init__(self, connection: Any, path: str, readonly: bool) -> None:
        self._db = connection
        self.path = path  # what messages name: a file, or a URL without credentials
        self.location = path  # what Store.open takes to reach the same store again (the URL as given)
        self.busy_timeout_ms = 30000
        self.readonly = readonly
        self.dialect = getattr(connection, "dialect", "sqlite")  # sqlite or postgresql

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open_with(cls, settings: Settings, *, readonly: bool = False, path: str | Path | None = None) -> Store:
        """Open the store the settings name (or ``path``) with the settings' lock timeout: every CLI's door."""
        return cls.open(settings.db if path is None else path, readonly=readonly,
                        busy_timeout_ms=settings.busy_timeout_ms)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, busy_timeout_ms: int = 30000) -> Store:
        """Open (and, unless read-only, create and migrate) the store at ``path`` (a file or a PostgreSQL URL)."""
        target = str(path)
        if pgstore.is_url(target) or pgstore.test_target(target):
            store = cls._open_postgresql(target, readonly=readonly, busy_timeout_ms=busy_timeout_ms)
            store.location, store.busy_timeout_ms = target, busy_timeout_ms
            return store
        try:
            if readonly:
                if target != ":memory:" and not Path(target).exists():
                    raise StoreError(
                        f"no store at {target}: import or collect first "
                        f"(python -m scrapers import FILE --db {target})"
                    )
                uri = f"file:{Path(target).resolve()}?mode=ro"
                connection = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None,
                                             check_same_thread=False)
            else:
                if target != ":memory:":
                    Path(target).parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(target, timeout=busy_timeout_ms / 1000, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {target}: {exc}") from exc
        store = cls._checked(cls(connection, target, readonly))
        store.busy_timeout_ms = busy_timeout_ms
        return store

    @classmethod
    def _open_postgresql(cls, target: str, *, readonly: bool, busy_timeout_ms: int) -> Store:
        """Open a PostgreSQL store: a URL, or a file path under the test hook (its own schema)."""
        hooked = pgstore.test_target(target)
        source = None  # under the test hook: the schema a copied marker file names
        if hooked is None:
            url, schema, name = pgstore.check_url(target), None, pgstore.redact(target)
        else:
            (url, schema), name = hooked, target
            marker = Path(target)
            if target != ":memory:":
                if readonly and not marker.exists():
                    raise StoreError(f"no store at {target}: import or collect first "
                                     f"(python -m scrapers import FILE --db {target})")
                source = _test_marker(marker)
                if source == schema:
                    source = None
                if readonly and source:
                    schema = source  # a copy not yet opened for writing reads as its original
                    source = None
        connection = pgstore.connect(url, schema=schema, readonly=readonly, timeout_ms=busy_timeout_ms)
        store = cls._checked(cls(connection, name, readonly))
        if hooked is not None and target != ":memory:" and not readonly:
            if source and store.data_version() == 0 and store.count("articles") == 0:
                store._copy_schema(source)  # the file was copied: so is the store
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(str(schema))  # the file marks the store, as an SQLite file would
        return store

    def _copy_schema(self, source: str) -> None:
        """Copy every row of another PostgreSQL schema's store into this new one (the test hook's file copy)."""
        tables = sorted(self._tables() - {"schema_migrations"})
        source_q = pgstore.quote_ident(source)
        with self._write() as db:
            for table in tables:
                db.execute(f"DELETE FROM {table}")
                db.execute(f"INSERT INTO {table} SELECT * FROM {source_q}.{table}")
            self._reset_identities(tables)
            db.execute("UPDATE store_state SET value = value - 1 WHERE key = 'data_version'")  # _write adds one

    def _reset_identities(self, tables: Sequence[str]) -> None:
        """Move PostgreSQL's identity sequences past the keys now stored (after rows were copied in)."""
        for table, column in self._db.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND is_identity = 'YES'").fetchall():
            if table in tables:
                self._db.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 0) + 1, "
                                 f"false) FROM {table}", (table, column))

    @classmethod
    def _checked(cls, store: Store) -> Store:
        """Check, prepare and (unless read-only) migrate a just-opened store; close it on failure."""
        connection, target, readonly = store._db, store.path, store.readonly
        try:
            store.check_schema()  # before anything is written: a foreign or newer file stays as it is
            if not readonly and store.dialect == "sqlite":
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
                connection.execute("PRAGMA foreign_keys = ON")
        except StoreError:
            connection.close()
            raise
        except _DB_ERRORS as exc:
            connection.close()
            raise StoreError(f"cannot open store {target}: {exc}") from exc
        if not readonly:
            try:
                store.migrate()
            except BaseException:
                connection.close()
                raise
        elif store.schema_version() == 0:
            store.close()
            raise StoreError(f"{target} is not a PressLens store (no schema)")
        elif store.schema_version() < MIGRATIONS[-1][0]:
            version = store.schema_version()
            store.close()
            raise StoreError(
                f"{target} has schema version {version}, this PressLens needs {MIGRATIONS[-1][0]}: open it once "
                f"for writing to migrate (python -m analysis run --db {target})"
            )
        return store

    def close(self) -> None:
        self._db.close()

    def tune_for_bulk_writes(self) -> None:
        """Give this connection a larger page cache and rarer WAL checkpoints, for a long run of writes.

        SQLite only (a no-op on PostgreSQL or a read-only store). The pragmas change how this connection
        works; the full-text index's ``automerge`` (FTS5's own option, kept in ``articles_fts_config``) is
        raised to merge fewer, larger runs of segments. Neither changes a row or what a search matches.
        Importing 100,000 articles into a store of 100,000, the writer took 58 CPU-s with SQLite's defaults
        (2 MB of cache, a checkpoint every 1,000 pages), 49 with the pragmas (the indexes of a growing
        table no longer fit 2 MB, so their pages were read again and again) and 41 with automerge 8.
        """
        if self.dialect != "sqlite" or self.readonly:
            return
        self._db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        self._db.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
        found = self._db.execute("SELECT v FROM articles_fts_config WHERE k = 'automerge'").fetchone()
        if found is None or found[0] != FTS_AUTOMERGE:
            self._db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', ?)", (FTS_AUTOMERGE,))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- migrations ----------------------------------------------------------------------------
    def check_schema(self) -> None:
        """Refuse a file that is not SQLite, a foreign SQLite file, or a store newer than this code.

        An empty file (or a new one) passes: it becomes a store. Nothing is written here.
        """
        where = self.path
        tables = self._tables()
        if not tables:
            return
        if "schema_migrations" not in tables:
            listed = ", ".join(sorted(tables)[:8]) + (" ..." if len(tables) > 8 else "")
            kind = "an SQLite file" if self.dialect == "sqlite" else "a PostgreSQL schema"
            raise StoreError(f"{where} is {kind} but not a PressLens store (no schema_migrations table; "
                             f"its tables: {listed}); nothing was written to it")
        try:
            versions = {int(r[0]) for r in self._db.execute("SELECT version FROM schema_migrations")}
        except (*_DB_ERRORS, TypeError, ValueError) as exc:
            raise StoreError(f"{where} has an unreadable schema_migrations table ({exc})") from None
        known = {version for version, _, _ in MIGRATIONS}
        newest = MIGRATIONS[-1][0]
        unknown = sorted(versions - known)
        if unknown:
            raise StoreError(
                f"{where} has schema version {max(versions)} (migration {', '.join(map(str, unknown))} unknown to "
                f"this PressLens, which knows versions up to {newest}): open it with the PressLens that wrote it; "
                "nothing was written to it")
        version = max(versions, default=0)
        for table, columns in _expected_columns(version).items():
            present = self._columns(table)
            missing = [c for c in columns if c not in present]
            if missing:
                what = "table is missing" if not present else f"column(s) {', '.join(missing)} missing"
                raise StoreError(f"{where} has schema version {version} but its {table} {what}: the store was "
                                 "changed outside PressLens (or by a newer one); nothing was written to it")

    def _tables(self) -> set[str]:
        """Return the names of the store's ordinary tables (no views, no full-text shadow tables)."""
        if self.dialect == "postgresql":
            return {str(r[0]) for r in self._db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE'")}
        try:
            rows = self._db.execute("SELECT type, name FROM sqlite_master").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a PressLens store: not an SQLite database ({exc})") from None
        return {name for kind, name in rows if kind == "table" and not name.startswith("sqlite_")}

    def _columns(self, table: str) -> set[str]:
        """Return the column names of one table (empty when it is missing)."""
        if self.dialect == "postgresql":
            return {str(r[0]) for r in self._db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = ?", (table,))}
        return {r[1] for r in self._db.execute("SELECT * FROM pragma_table_info(?)", (table,))}

    def schema_version(self) -> int:
        """Return the number of the last applied migration (0 for an empty file)."""
        if "schema_migrations" not in self._tables():
            return 0
        row = self._db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; return their numbers."""
        if self.dialect == "postgresql":
            return self._migrate_postgresql()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[int] = []
        start = self.schema_version()
        for version, name, body in MIGRATIONS:
            if version <= self.schema_version():
                continue
            try:
                self._db.execute("BEGIN IMMEDIATE")
                if version > self.schema_version():  # another process may have just applied it
                    _apply(self._db, body)
                    self._db.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, _now()),
                    )
                    applied.append(version)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"migration {version} ({name}) failed on {self.path}: {exc}") from exc
        if applied:
            log.info("applied migrations %s to %s", applied, self.path)
        if start and VACUUM_AFTER & set(applied):
            self.vacuum()
        return applied

    def _migrate_postgresql(self) -> list[int]:
        """Create a new PostgreSQL store at the base version, then apply later migrations, each once."""
        applied: list[int] = []
        for version, name, body in ((0, "", ""), *MIGRATIONS):
            if version and version <= POSTGRESQL_BASE_VERSION:
                continue
            try:
                self._db.execute("BEGIN")
                self._db.execute("SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))",
                                 (pgstore.WRITE_LOCK,))
                current = self.schema_version()  # another process may have just migrated
                if version == 0 and current == 0:
                    self._db.script(POSTGRESQL_SCHEMA)
                    self._db.executemany(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        [(v, n, _now()) for v, n, _body in MIGRATIONS if v <= POSTGRESQL_BASE_VERSION])
                    applied.extend(v for v, _n, _body in MIGRATIONS if v <= POSTGRESQL_BASE_VERSION)
                elif version > current:
                    _apply(self._db, body, self.dialect)
                    self._db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                     (version, name, _now()))
                    applied.append(version)
                self._db.execute("COMMIT")
            except _DB_ERRORS as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"migration {version or POSTGRESQL_BASE_VERSION} ({name or 'schema'}) failed on "
                                 f"{self.path}: {exc}") from exc
        if applied:
            log.info("applied migrations %s to %s", applied, self.path)
        return applied

    def vacuum(self) -> bool:
        """Rewrite the store file without its free pages (after a migration that dropped much); return success.

        A reader holding the file open can make it fail; the store stays correct, only larger, and the
        next VACUUM frees the space.
        """
        try:
            self._db.execute("VACUUM")
            if self.dialect == "sqlite":
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except _DB_ERRORS as exc:
            log.warning("could not vacuum %s (%s): its free pages stay until the next VACUUM", self.path, exc)
            return False
        return True

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Run a block's reads in one read transaction, so they see one state of a store others may be writing."""
        begin = "BEGIN" if self.dialect == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        self._db.execute(begin)
        try:
            yield
        finally:
            self._db.execute("COMMIT")  # nothing was written: it only ends the snapshot

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """Run a block in one write transaction that also bumps the data version (one writer at a time)."""
        if self.readonly:
            raise StoreError(f"store {self.path} was opened read-only")
        try:
            if self.dialect == "postgresql":
                self._db.execute("BEGIN")
                self._db.execute("SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))",
                                 (pgstore.WRITE_LOCK,))
            else:
                self._db.execute("BEGIN IMMEDIATE")
            yield self._db
            self._db.execute("UPDATE store_state SET value = value + 1 WHERE key = 'data_version'")
            self._db.execute(WRITE_TOKEN_SQL[self.dialect])  # a new random token: see ``fingerprint``
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def upsert_outlets(self, outlets: Iterable[dict[str, Any]]) -> int:
        """Insert outlets that are new; fill fields still empty on known ones. Return rows touched."""
        rows = [
            (
                o["name"],
                *(o.get(key) for key in _OUTLET_FIELDS),
                json.dumps(o.get("attributes") or {}, sort_keys=True),
            )
            for o in outlets
        ]
        if not rows:
            return 0
        with self._write() as db:
            cursor = db.executemany(
                """
                INSERT INTO outlets (name, display_name, domain, bias, country, ownership, attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET
                    display_name = COALESCE(outlets.display_name, excluded.display_name),
                    domain = COALESCE(outlets.domain, excluded.domain),
                    bias = COALESCE(outlets.bias, excluded.bias),
                    country = COALESCE(outlets.country, excluded.country),
                    ownership = COALESCE(outlets.ownership, excluded.ownership)
                WHERE outlets.display_name IS NULL OR outlets.domain IS NULL OR outlets.bias IS NULL
                   OR outlets.country IS NULL OR outlets.ownership IS NULL
                """,
                rows,
            )
            return int(cursor.rowcount)

    def upsert_articles(self, articles: Sequence[Article]) -> UpsertCounts:
        """Store articles by id: new ones inserted, changed ones updated, the rest left alone.

        A story id that came with the data is never replaced by a grouped one, and
        ``stored_at`` keeps the time the article was first stored.
        """
        counts = UpsertCounts()
        if not articles:
            return counts
        now = _now()
        rows = []
        for article in articles:
            row = article.to_row()
            row["stored_at"] = row["stored_at"] or now
            rows.append(row)
        ids = [row["id"] for row in rows]
        with self._write() as db:
            existing: dict[str, Any] = {}
            for chunk in _chunks(ids, 500):
                for found in db.execute(
                    f"SELECT * FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ):
                    existing[found["id"]] = found
            written = list(ARTICLE_COLUMNS) + (["search"] if self.dialect == "postgresql" else [])
            columns = ", ".join(written)
            placeholders = ", ".join("CAST(? AS tsvector)" if c == "search" else "?" for c in written)
            kept = ("id", "stored_at", "story_id", "story_origin")  # story columns: see the CASE below
            updates = ", ".join(f"{c} = excluded.{c}" for c in written if c not in kept)
            changed = []
            for row in rows:
                old = existing.get(row["id"])
                if old is None:
                    counts.inserted += 1
                elif all(old[c] == row[c] for c in ARTICLE_COLUMNS if c != "stored_at"):
                    counts.unchanged += 1
                    continue
                else:
                    counts.updated += 1
                changed.append(row)
                existing[row["id"]] = row  # a duplicate later in the batch compares to this one
            values = [[row[c] for c in ARTICLE_COLUMNS] for row in changed]
            upsert = f"""
                ON CONFLICT(id) DO UPDATE SET {updates},
                    story_id = CASE WHEN articles.story_origin = '{STORY_FROM_DATA}'
                                    THEN articles.story_id ELSE excluded.story_id END,
                    story_origin = CASE WHEN articles.story_origin = '{STORY_FROM_DATA}'
                                        THEN articles.story_origin ELSE excluded.story_origin END
                """
            if self.dialect == "postgresql":  # the FTS5 terms of title and text, with their positions
                for value, vector in zip(values, search_vectors([(r["title"], r["text"]) for r in changed])):
                    value.append(vector)
                db.executemany(f"INSERT INTO articles ({columns}) VALUES ({placeholders}) {upsert}", values)
                return counts
            # SQLite: many rows a statement. The full-text trigger makes each statement open a statement
            # savepoint, and FTS5 writes its pending terms out as a new segment at every savepoint: one row
            # a statement made a segment per article (and merging them was a quarter of an import's CPU).
            per_statement = max(1, min(_ARTICLE_ROWS_PER_STATEMENT,
                                       db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(written)))
            for chunk in _chunks(values, per_statement):
                rows_sql = ", ".join([f"({placeholders})"] * len(chunk))
                db.execute(f"INSERT INTO articles ({columns}) VALUES {rows_sql} {upsert}",
                           [value for row in chunk for value in row])
        return counts

    def save_page(self, url: str, html: bytes, *, final_url: str | None = None, outlet: str | None = None,
                  status: int | None = None, content_type: str | None = None) -> None:
        """Keep a fetched page's raw HTML (compressed), so extraction can be re-run without refetching."""
        with self._write() as db:
            db.execute(
                """
                INSERT INTO pages (url, final_url, outlet, status, content_type, html, fetched_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET final_url = excluded.final_url, outlet = excluded.outlet,
                    status = excluded.status, content_type = excluded.content_type,
                    html = excluded.html, fetched_at = excluded.fetched_at
                """,
                (url, final_url, outlet, status, content_type, zlib.compress(html, 6), _now()),
            )

    def page_html(self, url: str) -> bytes | None:
        """Return a stored page's raw HTML, or None."""
        row = self._db.execute("SELECT html FROM pages WHERE url = ?", (url,)).fetchone()
        return zlib.decompress(row["html"]) if row else None

    def log_failure(self, url: str, kind: str, message: str, *, outlet: str | None = None,
                    run_id: int | None = None) -> None:
        """Record one failure as data (timeout, http status, paywalled, rejected line ...)."""
        self.log_failures([(url, kind, message, outlet)], run_id=run_id)

    def log_failures(self, failures: Iterable[tuple[str, str, str, str | None]], *,
                     run_id: int | None = None) -> int:
        """Record many failures (url, kind, message, outlet) in one transaction."""
        now = _now()
        rows = [(url, outlet, kind, message, run_id, now) for url, kind, message, outlet in failures]
        if not rows:
            return 0
        with self._write() as db:
            db.executemany(
                "INSERT INTO fetch_log (url, outlet, kind, message, run_id, at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def write_scores(self, batch: ScoreBatch, run_id: int | None = None) -> None:
        """Replace a scorer's scores and evidence for the batch's articles, atomically.

        Articles not in the store are skipped (with a warning): scores are keyed by the article's key.
        """
        ids = list(batch.content_hashes)
        if not ids:
            return
        now = _now()
        with self._write() as db:
            keys = self._article_keys(ids)
            missing = [i for i in ids if i not in keys]
            if missing:
                log.warning("%s scores of %d article(s) not in the store skipped (e.g. %s)", batch.scorer,
                            len(missing), missing[0])
            scorer_key = self._dictionary_keys("scorers", [batch.scorer])[batch.scorer]
            names = [str(m) for m in dict.fromkeys([*batch.scores["metric"], *batch.evidence["metric"]])]
            metric_keys = self._metric_keys(batch.scorer, batch.version, names)
            for chunk in _chunks(list(keys.values()), 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM score_values WHERE article_key IN ({marks}) "
                           "AND metric_key IN (SELECT key FROM metrics WHERE scorer = ?)", [*chunk, batch.scorer])
                db.execute(f"DELETE FROM evidence_packs WHERE article_key IN ({marks}) AND scorer_key = ?",
                           [*chunk, scorer_key])
            db.executemany(
                "INSERT INTO score_values (metric_key, article_key, value) VALUES (?, ?, ?)",
                [
                    (metric_keys[str(metric)], keys[article], _real(value))
                    for article, metric, value in zip(batch.scores["article_id"], batch.scores["metric"],
                                                      batch.scores["value"])
                    if article in keys
                ],
            )
            db.executemany(
                "INSERT INTO evidence_packs (article_key, scorer_key, rows, data) VALUES (?, ?, ?, ?)",
                [(key, scorer_key, rows, blob) for key, rows, blob in self._packs(batch.evidence, keys, metric_keys)],
            )
            db.executemany(
                """
                INSERT INTO scored_by (article_key, scorer_key, version, content_hash, run_id, scored_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(article_key, scorer_key) DO UPDATE SET version = excluded.version,
                    content_hash = excluded.content_hash, run_id = excluded.run_id,
                    scored_at = excluded.scored_at
                """,
                [(keys[aid], scorer_key, batch.version, h, run_id, now)
                 for aid, h in batch.content_hashes.items() if aid in keys],
            )

    def _article_keys(self, ids: Sequence[str]) -> dict[str, int]:
        """Return ``{article id: key}`` of the given ids that are stored."""
        keys: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(ids)), 500):
            keys.update((str(i), int(k)) for i, k in self._db.execute(
                f"SELECT id, key FROM articles WHERE id IN ({','.join('?' * len(chunk))})", list(chunk)))
        return keys

    def _dictionary_keys(self, table: str, names: Sequence[str]) -> dict[str, int]:
        """Return the keys of names in a dictionary table (scorers, evidence_parts), adding the new ones."""
        assert table in ("scorers", "evidence_parts")
        self._db.executemany(f"INSERT INTO {table} (name) VALUES (?) ON CONFLICT DO NOTHING", [(n,) for n in names])
        return {n: int(self._db.execute(f"SELECT key FROM {table} WHERE name = ?", (n,)).fetchone()[0])
                for n in names}

    def _metric_keys(self, scorer: str, version: str, metrics: Sequence[str]) -> dict[str, int]:
        """Return the keys of a scorer version's metrics, adding the new ones."""
        self._db.executemany("INSERT INTO metrics (scorer, version, metric) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             [(scorer, version, m) for m in metrics])
        rows = self._db.execute("SELECT metric, key FROM metrics WHERE scorer = ? AND version = ?", (scorer, version))
        return {str(m): int(k) for m, k in rows}

    def _packs(self, evidence: pd.DataFrame, keys: dict[str, int],
               metric_keys: dict[str, int]) -> Iterator[tuple[int, int, bytes]]:
        """Yield (article key, rows, packed record) for each stored article of an evidence frame."""
        if evidence.empty:
            return
        frame = evidence[evidence["article_id"].isin(list(keys))]
        if frame.empty:
            return
        parts = [str(p) for p in dict.fromkeys(frame["part"])]
        part_keys = self._dictionary_keys("evidence_parts", parts)
        article = frame["article_id"].map(keys).to_numpy(dtype=np.int64)
        order = np.argsort(article, kind="stable")
        article = article[order]
        columns = {
            "metric": frame["metric"].astype(str).map(metric_keys).to_numpy(dtype=np.int64)[order],
            "part": frame["part"].astype(str).map(part_keys).to_numpy(dtype=np.int64)[order],
            "sentence_index": frame["sentence_index"].to_numpy(dtype=np.int64)[order],
            "start": frame["start"].to_numpy(dtype=np.int64)[order],
            "end": frame["end"].to_numpy(dtype=np.int64)[order],
            "value": np.array([np.nan if (x := _real(v)) is None else x for v in frame["value"]],
                              dtype=np.float64)[order],  # NULL as NaN (_real stores NaN as NULL)
        }
        starts = np.flatnonzero(np.r_[True, np.diff(article) != 0])
        for first, last in zip(starts, np.r_[starts[1:], len(article)]):
            yield int(article[first]), int(last - first), pack_evidence({n: c[first:last] for n, c in columns.items()})

    def write_syndication(self, groups: pd.DataFrame) -> int:
        """Store syndication groups (the frame of ``scrapers.dedup.syndication_groups``) by article id.

        Articles not in the store are skipped. Return the rows written.
        """
        missing = set(_SYNDICATION_FIELDS) - set(groups.columns)
        if missing:
            raise StoreError(f"syndication groups need columns {sorted(missing)}")
        rows = [
            (str(r.id), str(r.group_id), int(r.group_size), int(r.n_outlets), int(bool(r.is_original)),
             _real(r.similarity), _text_or_none(r.wire), _text_or_none(r.agency))
            for r in groups[["id", *_SYNDICATION_FIELDS]].itertuples(index=False)
        ]
        with self._write() as db:
            stored = self._article_keys([row[0] for row in rows])
            cursor = db.executemany(
                """
                INSERT INTO syndication (article_id, group_id, group_size, n_outlets, is_original, similarity,
                                         wire, agency)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(article_id) DO UPDATE SET group_id = excluded.group_id,
                    group_size = excluded.group_size, n_outlets = excluded.n_outlets,
                    is_original = excluded.is_original, similarity = excluded.similarity,
                    wire = excluded.wire, agency = excluded.agency
                """,
                [row for row in rows if row[0] in stored],
            )
            return int(cursor.rowcount)

    def assign_stories(self, assignments: pd.DataFrame) -> int:
        """Set grouped story ids (columns ``id``, ``story``, optional ``event``).

        A story given by the data is never replaced; every article's event is set (events
        are found inside given stories too). Return the number of articles whose story changed.
        """
        missing = {"id", "story"} - set(assignments.columns)
        if missing:
            raise StoreError(f"story assignments need columns {sorted(missing)}")
        rows = [(str(story), STORY_FROM_GROUPING, str(article), str(story))
                for article, story in zip(assignments["id"], assignments["story"])
                if isinstance(story, str) and story]
        events = ([(str(event), str(article)) for article, event in zip(assignments["id"], assignments["event"])
                   if isinstance(event, str) and event] if "event" in assignments.columns else [])
        with self._write() as db:
            cursor = db.executemany(
                f"""
                UPDATE articles SET story_id = ?, story_origin = ?
                WHERE id = ? AND COALESCE(story_origin, '') != '{STORY_FROM_DATA}'
                  AND COALESCE(story_id, '') != ?
                """,
                rows,
            )
            changed = int(cursor.rowcount)
            db.executemany("UPDATE articles SET event_id = ? WHERE id = ?", events)
            return changed

    def write_events(self, events: pd.DataFrame) -> int:
        """Store event labels (columns ``event, story, label`` and optional ``founder``); return the rows."""
        missing = {"event", "story", "label"} - set(events.columns)
        if missing:
            raise StoreError(f"events need columns {sorted(missing)}")
        founders = events["founder"] if "founder" in events.columns else [None] * len(events)
        rows = [(str(event), _text_or_none(story), str(label or ""), _text_or_none(founder))
                for event, story, label, founder in zip(events["event"], events["story"], events["label"], founders)]
        with self._write() as db:
            db.executemany(
                """
                INSERT INTO events (id, story_id, label, founder) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET story_id = excluded.story_id, label = excluded.label,
                    founder = excluded.founder
                """,
                rows,
            )
        return len(rows)

    def write_story_aliases(self, aliases: dict[str, str]) -> int:
        """Record merged story ids (alias -> surviving story) and move their articles and events over."""
        rows = [(str(alias), str(story)) for alias, story in aliases.items() if alias != story]
        with self._write() as db:
            db.executemany(
                "INSERT INTO story_aliases (alias, story_id) VALUES (?, ?) "
                "ON CONFLICT(alias) DO UPDATE SET story_id = excluded.story_id", rows)
            db.executemany(
                f"UPDATE articles SET story_id = ? WHERE story_id = ? AND COALESCE(story_origin, '') != "
                f"'{STORY_FROM_DATA}'", [(story, alias) for alias, story in rows])
            db.executemany("UPDATE events SET story_id = ? WHERE story_id = ?", [(s, a) for a, s in rows])
        return len(rows)

    def story_aliases(self) -> dict[str, str]:
        """Return ``{merged story id: the story it became}``."""
        return {str(a): str(s) for a, s in self._db.execute("SELECT alias, story_id FROM story_aliases")}

    def events(self, flt: ArticleFilter = ArticleFilter()) -> pd.DataFrame:
        """Return one row per event among the filtered articles, earliest first (a story's timeline).

        Columns: event, story, label, n_articles, n_outlets, first_published, last_published.
        The label is the grouping's; else the event's most common title.
        """
        where, params = flt.where("a", self.dialect)
        counts = self._frame(
            "SELECT a.event_id AS event, MAX(a.story_id) AS story, COUNT(*) AS n_articles, "
            "COUNT(DISTINCT a.outlet) AS n_outlets, MIN(substr(a.published, 1, 10)) AS first_published, "
            "MAX(substr(a.published, 1, 10)) AS last_published, MIN(a.title) AS any_title "
            f"FROM articles a WHERE {where} AND a.event_id IS NOT NULL GROUP BY a.event_id",
            params,
        )
        columns = ["event", "story", "label", "n_articles", "n_outlets", "first_published", "last_published"]
        if counts.empty:
            return pd.DataFrame(columns=columns)
        labels = self._frame("SELECT id AS event, label FROM events", [])
        frame = counts.merge(labels, how="left", on="event")
        frame["label"] = frame["label"].where(frame["label"].notna(), frame["any_title"])
        frame = frame.sort_values(["first_published", "event"], na_position="last")
        return frame[columns].reset_index(drop=True)

    def write_stories(self, stories: pd.DataFrame) -> int:
        """Store story labels (columns ``story, label, key_terms`` and optional ``founder, story_origin``)."""
        missing = {"story", "label", "key_terms"} - set(stories.columns)
        if missing:
            raise StoreError(f"stories need columns {sorted(missing)}")
        founders = stories["founder"] if "founder" in stories.columns else [None] * len(stories)
        origins = stories["story_origin"] if "story_origin" in stories.columns else [None] * len(stories)
        rows = [
            (str(story), str(label or ""), json.dumps(list(terms or ()), ensure_ascii=False),
             _text_or_none(founder), _text_or_none(origin) or STORY_FROM_GROUPING)
            for story, label, terms, founder, origin in zip(stories["story"], stories["label"],
                                                            stories["key_terms"], founders, origins)
        ]
        with self._write() as db:
            db.executemany(
                """
                INSERT INTO stories (id, label, key_terms, founder, origin) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET label = excluded.label, key_terms = excluded.key_terms,
                    founder = excluded.founder, origin = excluded.origin
                """,
                rows,
            )
        return len(rows)

    def start_run(self, command: str, settings: dict[str, Any], versions: dict[str, str]) -> int:
        """Record that a command started (with this host, process id and process start time); return the run id.

        Runs left ``running`` by a process that is gone are marked ``interrupted`` first.
        """
        self.mark_interrupted_runs()
        pid = os.getpid()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (command, started_at, status, settings, versions, host, pid, process_started) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (command, _now(), "running", json.dumps(settings, sort_keys=True, default=str),
                 json.dumps(versions, sort_keys=True), socket.gethostname(), pid, process_started(pid)),
            )
            return int(cursor.fetchone()[0])

    def mark_interrupted_runs(self) -> list[int]:
        """Mark ``interrupted`` the runs of this host still ``running`` whose process is gone; return their ids.

        A process id reused by a later process does not count: its start time differs from the recorded one.
        Runs of other hosts, and rows written before runs recorded their process, are left as they are.
        """
        rows = self._db.execute(
            "SELECT id, pid, process_started FROM runs WHERE status = 'running' AND host = ? AND pid IS NOT NULL",
            (socket.gethostname(),),
        ).fetchall()
        gone = [int(r["id"]) for r in rows if not process_alive(int(r["pid"]), r["process_started"])]
        if gone:
            with self._write() as db:
                db.executemany("UPDATE runs SET status = 'interrupted', finished_at = ? "
                               "WHERE id = ? AND status = 'running'", [(_now(), run_id) for run_id in gone])
            log.info("marked runs %s interrupted (their processes are gone)", gone)
        return gone

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str = "done") -> None:
        """Record how a run ended and what it counted."""
        with self._write() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?",
                (_now(), status, json.dumps(counts, sort_keys=True, default=str), run_id),
            )

    # -- reading -------------------------------------------------------------------------------
    def data_version(self) -> int:
        """Return a number that grows with every committed write (the dashboard's cache key)."""
        row = self._db.execute("SELECT value FROM store_state WHERE key = 'data_version'").fetchone()
        return int(row[0]) if row else 0

    def fingerprint(self) -> str:
        """Return what a file derived from this store keeps to know it still describes it.

        The data version (grows with every write) with the last write's random token (a store restored
        from a backup and written to as often differs), the schema version, the number of articles and
        their largest key, and the first run's id and start. A write between these reads gives a
        fingerprint no later store version has: the file is then read afresh, never used wrongly.
        """
        state = dict(self._db.execute(
            "SELECT key, value FROM store_state WHERE key IN ('data_version', 'write_token')").fetchall())
        articles = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]  # apart: one scan of the smallest
        largest = self._db.execute("SELECT MAX(key) FROM articles").fetchone()[0]  # index; the key's maximum at once
        first = self._db.execute("SELECT id, started_at FROM runs ORDER BY id LIMIT 1").fetchone()
        return "|".join(str(part) for part in (state.get("data_version", 0), state.get("write_token", ""),
                                               self.schema_version(), articles, largest, *(first or ("", ""))))

    def count(self, table: str) -> int:
        """Return the number of rows of one of the store's tables."""
        if table not in {"articles", "outlets", "pages", "fetch_log", "scores", "evidence", "runs", "scored"}:
            raise StoreError(f"unknown table {table!r}")
        compact = {"scores": "SELECT COUNT(*) FROM score_values", "scored": "SELECT COUNT(*) FROM scored_by",
                   "evidence": "SELECT COALESCE(SUM(rows), 0) FROM evidence_packs"}  # rows, as before migration 7
        sql = compact.get(table, f"SELECT COUNT(*) FROM {table}")
        return int(self._db.execute(sql).fetchone()[0])

    def articles(self, flt: ArticleFilter = ArticleFilter(), *, with_text: bool = False,
                 ids: Sequence[str] | None = None, columns: Sequence[str] | None = None,
                 keys: Sequence[int] | None = None) -> pd.DataFrame:
        """Return the filtered articles as a DataFrame (text only when asked: it is large).

        ``columns`` picks a subset of ARTICLE_COLUMNS (lists are much faster without labels).
        ``keys``: only these articles (integer keys), in the usual order.
        """
        if columns is not None:
            unknown = sorted(set(columns) - set(ARTICLE_COLUMNS) - set(GROUPING_COLUMNS) - set(KEY_COLUMNS))
            if unknown:
                raise StoreError(f"unknown article column(s) {unknown}")
            wanted = list(dict.fromkeys(["id", *columns]))
        else:
            wanted = [c for c in ARTICLE_COLUMNS if with_text or c != "text"]
        where, params = flt.where("a", self.dialect)
        order = self._nulls_first("a.published")
        if keys is not None:
            listed, extra = self._key_list(keys)
            where, params = f"{where} AND a.key IN {listed}", [*params, *extra]
        if ids is not None:
            frames = []
            for chunk in _chunks(list(ids), 500):
                frames.append(self._frame(
                    f"SELECT {', '.join('a.' + c for c in wanted)} FROM articles a "
                    f"WHERE {where} AND a.id IN ({','.join('?' * len(chunk))}) ORDER BY a.id",
                    [*params, *chunk],
                ))
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=wanted)
        return self._frame(
            f"SELECT {', '.join('a.' + c for c in wanted)} FROM articles a WHERE {where} "
            f"ORDER BY {order}, a.id",
            params,
        )

    def article_blocks(self, columns: Sequence[str], block_rows: int, *, ungrouped: bool = False,
                       dated: bool | None = None) -> Iterator[pd.DataFrame]:
        """Yield the articles in blocks of at most ``block_rows``, by (published, id), the undated last (by key).

        A block ends at a day boundary (the first 10 characters of ``published``) unless one day
        alone fills it; the rows of a cut day are read again with the next block. Each block is
        one keyset query, so memory holds one block whatever the store's size. ``ungrouped``:
        only articles without an event yet (never grouped). ``dated``: True only the dated articles,
        False only the undated, None both.
        """
        if block_rows < 1:
            raise StoreError(f"block_rows must be at least 1, not {block_rows}")
        wanted = list(dict.fromkeys(["id", "published", *columns]))
        unknown = sorted(set(wanted) - set(ARTICLE_COLUMNS) - set(GROUPING_COLUMNS))
        if unknown:
            raise StoreError(f"unknown article column(s) {unknown}")
        extra = " AND a.event_id IS NULL" if ungrouped else ""
        after: tuple[str, str] | None = None
        while dated is not False:  # dated articles
            where = "a.published IS NOT NULL" + extra
            params: list[Any] = []
            if after is not None:
                where += " AND (a.published > ? OR (a.published = ? AND a.id > ?))"
                params = [after[0], after[0], after[1]]
            block = self._frame(f"SELECT {', '.join('a.' + c for c in wanted)} FROM articles a WHERE {where} "
                                "ORDER BY a.published, a.id LIMIT ?", [*params, int(block_rows)])
            if block.empty:
                break
            if len(block) == block_rows:
                days = block["published"].str[:10]
                whole = days != days.iloc[-1]
                if whole.any():
                    block = block[whole.to_numpy()].reset_index(drop=True)
            after = (str(block["published"].iloc[-1]), str(block["id"].iloc[-1]))
            yield block
        last_key: int | None = None
        while dated is not True:  # undated articles, by key (the order they came in: no sort of all of them)
            where = "a.published IS NULL" + extra + ("" if last_key is None else " AND a.key > ?")
            block = self._frame(f"SELECT a.key AS key_, {', '.join('a.' + c for c in wanted)} FROM articles a "
                                f"WHERE {where} ORDER BY a.key LIMIT ?",
                                [*([] if last_key is None else [last_key]), int(block_rows)])
            if block.empty:
                break
            last_key = int(block["key_"].iloc[-1])
            yield block.drop(columns=["key_"])

    def scorers_present(self) -> list[str]:
        """Return the names of the scorers that scored at least one article, sorted."""
        return sorted(str(row[0]) for row in self._db.execute(
            "SELECT name FROM scorers k WHERE EXISTS (SELECT 1 FROM scored_by s WHERE s.scorer_key = k.key)"))

    def foreign_language(self, readable: Sequence[str]) -> dict[str, str]:
        """Return ``{id: language}`` of articles whose stored language is none of ``readable`` (ISO 639-1 codes).

        An article with no stored language is not listed (its language is not known to be foreign).
        """
        marks = ", ".join("?" * len(readable))
        rows = self._db.execute(
            "SELECT id, lower(substr(language, 1, 2)) FROM articles WHERE language IS NOT NULL AND language != '' "
            f"AND lower(substr(language, 1, 2)) NOT IN ({marks})", [c.lower() for c in readable])
        return {str(i): str(lang) for i, lang in rows}

    def unscored(self, scorer: str, version: str, limit: int | None = None) -> list[str]:
        """Return ids of articles with no score from this scorer version for their current text."""
        sql = """
            SELECT a.id FROM articles a
            LEFT JOIN scored_by s ON s.article_key = a.key AND s.scorer_key = (SELECT key FROM scorers WHERE name = ?)
            WHERE s.article_key IS NULL OR s.version != ? OR s.content_hash != a.content_hash
            ORDER BY a.id
        """
        params: list[Any] = [scorer, version]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row[0] for row in self._db.execute(sql, params)]

    def scores(self, flt: ArticleFilter = ArticleFilter(), *, scorer: str | None = None,
               metrics: Sequence[str] = ()) -> pd.DataFrame:
        """Return article-level scores joined to their article's outlet and date."""
        where, params = flt.where("a", self.dialect)
        if scorer:
            where += " AND m.scorer = ?"
            params.append(scorer)
        if metrics:
            where += f" AND m.metric IN ({','.join('?' * len(metrics))})"
            params.extend(metrics)
        return self._frame(
            "SELECT a.id AS article_id, a.outlet, a.published, a.story_id, m.scorer, m.version, m.metric, v.value "
            "FROM score_values v JOIN metrics m ON m.key = v.metric_key JOIN articles a ON a.key = v.article_key "
            f"WHERE {where} ORDER BY a.id, m.scorer, m.metric",
            params,
        )

    def metric_values(self, flt: ArticleFilter, scorer: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """Return one metric's values of the filtered articles as two arrays: article keys and values.

        The report's read, once per metric: a range of ``score_values`` (its primary key), no names, no
        order by id, the articles joined only when the filter needs them; NULL values are left out.
        Where a scorer stored the metric under several versions, the newest comes last.
        """
        where, params = flt.where("a", self.dialect)
        join = "" if where == "1 = 1" else "JOIN articles a ON a.key = v.article_key "
        sql = ("SELECT v.article_key, v.value FROM score_values v JOIN metrics m ON m.key = v.metric_key "
               f"{join}WHERE m.scorer = ? AND m.metric = ? AND v.value IS NOT NULL AND {where} ORDER BY v.metric_key")
        if where == "1 = 1" and self._arrow_readable():  # in C into Arrow: 0.31-0.39 s a million values, not
            # 0.66-0.92 s. Filtered reads stay here: ADBC's own SQLite planned them 2-13x slower at a million.
            try:
                table = self._arrow_query(sql, [scorer, metric, *params])
                return (table.column(0).to_numpy().astype(np.int64, copy=False),
                        table.column(1).to_numpy().astype(float, copy=False))
            except Exception as exc:  # the driver missing or failing: the same read through sqlite3
                log.warning("reading %s's %s.%s through ADBC failed (%s); reading rows instead", self.path, scorer,
                            metric, exc)
        cursor = self._db.cursor()
        cursor.row_factory = None  # plain tuples: a million rows a metric at the scale the report is made for
        rows = cursor.execute(sql, [scorer, metric, *params]).fetchall()
        pairs = np.fromiter(rows, dtype=[("key", np.int64), ("value", float)], count=len(rows))
        return pairs["key"], pairs["value"]

    def score_matrix(self, scorers: Sequence[str] | None = None, *, exclude: Sequence[str] = (),
                     keys: Sequence[int] | None = None) -> pd.DataFrame:
        """Return article-level scores as one row per article (sorted by id) and one column per ``scorer.metric``.

        ``scorers`` limits the read to those scorers, ``exclude`` leaves some out: each read is a range of
        the (metric, article) primary key; integers are mapped to ids and names once per distinct key.
        ``keys``: only these articles (their integer keys, as ``articles(columns=["key"])`` gives them).
        """
        metrics = self._db.execute("SELECT key, scorer, metric FROM metrics").fetchall()
        if scorers is not None:
            metrics = [m for m in metrics if m[1] in set(scorers)]
        elif exclude:
            metrics = [m for m in metrics if m[1] not in set(exclude)]
        cursor = self._db.cursor()
        cursor.row_factory = None  # plain tuples: sqlite3.Row costs 2x on millions of rows
        sql, extra = "SELECT article_key, value FROM score_values WHERE metric_key = ?", []
        if keys is not None:
            listed, extra = self._key_list(keys)
            sql += f" AND article_key IN {listed}"
        chunks = []
        for key, _scorer, _metric in metrics:
            rows = cursor.execute(sql, (key, *extra)).fetchall()
            if rows:
                table = np.array(rows, dtype=np.float64)  # NULL (None) -> NaN
                chunks.append((np.full(len(table), key, dtype=np.int64), table))
        if not chunks:
            return pd.DataFrame(index=pd.Index([], name="article_id"))
        metric_of = np.concatenate([c[0] for c in chunks])
        article_of = np.concatenate([c[1][:, 0] for c in chunks]).astype(np.int64)
        values = np.concatenate([c[1][:, 1] for c in chunks])
        article_keys, row_codes = np.unique(article_of, return_inverse=True)
        ids = np.array(self._ids_of(article_keys), dtype=object)
        labels = {int(key): f"{scorer}.{metric}" for key, scorer, metric in metrics}
        names = sorted(set(labels.values()))  # two versions of a metric share a column (an article has one)
        column_of = np.zeros(max(labels) + 1, dtype=np.int64)
        for key, label in labels.items():
            column_of[key] = names.index(label)
        col_codes = column_of[metric_of]
        matrix = np.full((len(article_keys), len(names)), np.nan)
        matrix[row_codes, col_codes] = values
        present = sorted({int(c) for c in np.unique(col_codes)})
        order = np.argsort(ids, kind="stable")
        return pd.DataFrame(matrix[order][:, present], index=pd.Index(ids[order], name="article_id"),
                            columns=[names[c] for c in present])

    def _ids_of(self, article_keys: np.ndarray) -> list[str]:
        """Return the ids of article keys (sorted ascending), in their order."""
        if len(article_keys) == 0:
            return []
        low, high = int(article_keys[0]), int(article_keys[-1])
        if high - low < 4 * len(article_keys):  # dense: one range of the primary key
            found = dict(self._db.execute("SELECT key, id FROM articles WHERE key BETWEEN ? AND ?", (low, high)))
        else:  # a few keys spread over a large store
            listed, extra = self._key_list(article_keys)
            found = dict(self._db.execute(f"SELECT key, id FROM articles WHERE key IN {listed}", extra))
        return [found[int(k)] for k in article_keys]

    def _key_list(self, keys: Sequence[int]) -> tuple[str, list[Any]]:
        """Return an SQL list of integer keys passed as one parameter (any number of them), and its parameter."""
        values = [int(k) for k in keys]
        if self.dialect == "postgresql":
            return "(SELECT unnest(?::bigint[]))", [values]
        return "(SELECT value FROM json_each(?))", [json.dumps(values)]

    def facet_columns(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Return every article's key with its outlet, publication day, topic and story, compactly: (keys, facets).

        ``facets`` holds one row per article in the order of ``keys`` (ascending), with the columns
        outlet, day (``YYYY-MM-DD`` or None), topic and story (its id) as pandas categoricals with
        sorted categories: a million articles take a few megabytes. Read from the ``articles_facets``
        index (migration 8), never from the rows that hold the texts; each outlet name is read once
        (with its article count), not once per article. An SQLite store is read into Arrow columns by
        ADBC's SQLite driver (``_arrow_facets``): 0.87 s at a million articles against 2.2 s through
        ``sqlite3``'s Python rows.
        """
        if self._arrow_readable():
            try:
                return self._arrow_facets()
            except Exception as exc:  # the driver missing or failing: the same read through sqlite3
                log.warning("reading %s's columns through ADBC failed (%s); reading its rows instead", self.path, exc)
        return self._row_facets()

    def _row_facets(self) -> tuple[np.ndarray, pd.DataFrame]:
        """``facet_columns`` through this connection's rows (a PostgreSQL store, an SQLite store in memory)."""
        runs = self._db.execute("SELECT outlet, COUNT(*) FROM articles GROUP BY outlet ORDER BY outlet").fetchall()
        cursor = self._db.cursor()
        cursor.row_factory = None
        rows = cursor.execute("SELECT key, substr(published, 1, 10), topic, story_id FROM articles "
                              "ORDER BY outlet").fetchall()
        table = np.array(rows, dtype=object).reshape(len(rows), 4)  # one C pass over the tuples
        keys = table[:, 0].astype(np.int64)
        order = np.argsort(keys, kind="stable")
        names = [str(name) for name, _ in runs]
        outlet = np.repeat(np.arange(len(runs)), [int(n) for _, n in runs])[order]

        def categorical(position: int) -> pd.Categorical:  # sorted categories: days compare as their codes
            codes, values = pd.factorize(table[order, position], sort=True)
            return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype=object))

        facets = pd.DataFrame({"outlet": pd.Categorical.from_codes(outlet, categories=names),
                               "day": categorical(1), "topic": categorical(2), "story": categorical(3)})
        return keys[order], facets

    def _arrow_readable(self) -> bool:
        """Return whether large reads go through ADBC's SQLite driver: an SQLite store in a file."""
        return self.dialect == "sqlite" and Path(self.path).is_file()

    def _arrow_query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Return a read's rows as a ``pyarrow.Table``, read in C by ADBC's SQLite driver on a second, read-only
        connection to the same file (it sees every committed write, as this one does)."""
        import adbc_driver_sqlite.dbapi as adbc

        with adbc.connect(Path(self.path).resolve().as_uri() + "?mode=ro") as conn, conn.cursor() as cursor:
            busy_ms = int(self.busy_timeout_ms)
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")  # wait for a writer as sqlite3 does (no placeholder)
            cursor.fetchall()
            cursor.execute(sql, list(params) if params else None)
            return cursor.fetch_arrow_table()

    def _arrow_facets(self) -> tuple[np.ndarray, pd.DataFrame]:
        """``facet_columns`` of an SQLite store, read in C into Arrow columns and encoded there (no row objects).

        A second, read-only connection (ADBC's own SQLite) reads what this one would, committed writes
        included. NULL is read as a NUL character (ADBC infers a column's type from its first rows, and an
        all-NULL start reads as integers) and becomes a missing value again, as ``sqlite3`` gives it.
        """
        import pyarrow.compute as pc

        gap = "\x00"
        table = self._arrow_query(ARROW_FACETS_SQL)
        keys = table["key"].to_numpy()
        order = np.argsort(keys, kind="stable")

        def categorical(name: str) -> tuple[np.ndarray, list[str]]:  # codes in key order, sorted categories
            encoded = pc.dictionary_encode(table[name].combine_chunks())
            ranked = pc.sort_indices(encoded.dictionary).to_numpy()  # code point order, as Python sorts
            rank = np.empty(len(ranked), dtype=np.int64)
            rank[ranked] = np.arange(len(ranked))
            values = encoded.dictionary.take(ranked).to_pylist()
            codes = rank[encoded.indices.to_numpy(zero_copy_only=False)][order]
            if gap in values:  # NULL: no category, code -1
                at = values.index(gap)
                codes = np.where(codes == at, -1, codes - (codes > at))
                del values[at]
            return codes, values

        facets = {}
        for name in ("outlet", "day", "topic", "story"):
            codes, values = categorical(name)
            categories = values if name == "outlet" else pd.Index(values, dtype=object)
            facets[name] = pd.Categorical.from_codes(codes, categories=categories)
        return keys[order], pd.DataFrame(facets)

    def outlet_samples(self, per_outlet: int) -> pd.DataFrame:
        """Return the URL and language of each outlet's ``per_outlet`` most recent articles (outlet, url, language).

        Bounded evidence for inferring outlet groups on a store too large to read whole: one short
        read of the (outlet, published) index per outlet.
        """
        names = [row[0] for row in self._db.execute("SELECT DISTINCT outlet FROM articles ORDER BY outlet")]
        order = "published DESC NULLS LAST" if self.dialect == "postgresql" else "published DESC"  # undated last
        rows: list[tuple[Any, ...]] = []
        for name in names:
            rows += self._db.execute(
                f"SELECT outlet, url, language FROM articles WHERE outlet = ? ORDER BY {order} LIMIT ?",
                (name, int(per_outlet))).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["outlet", "url", "language"])

    def keys_where(self, flt: ArticleFilter) -> np.ndarray:
        """Return the keys of the filtered articles, ascending (a story's, a search's: the narrow filters).

        A search alone on SQLite reads the full-text index only (its rowids are the keys), never the articles.
        """
        cursor = self._db.cursor()
        cursor.row_factory = None
        query = fts_query(flt.search) if flt.search else ""
        if self.dialect == "sqlite" and query and replace(flt, search=None) == ArticleFilter():
            rows = cursor.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [query]).fetchall()
        else:
            where, params = flt.where("a", self.dialect)
            rows = cursor.execute(f"SELECT a.key FROM articles a WHERE {where}", params).fetchall()
        return np.sort(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))

    def keys_of(self, ids: Sequence[str]) -> np.ndarray:
        """Return the keys of the stored articles among ``ids``, ascending."""
        return np.array(sorted(self._article_keys(ids).values()), dtype=np.int64)

    def evidence(self, article_id: str, scorer: str | None = None) -> pd.DataFrame:
        """Return the sentence-level evidence of one article, by scorer, metric, part and sentence."""
        return self.evidence_of([article_id], scorer)

    def with_label(self, key: str) -> pd.DataFrame:
        """Return the id and outlet of every article whose labels hold ``key`` (e.g. mojibake_original)."""
        condition = self._label_condition(key)
        return self._frame(f"SELECT id, outlet FROM articles WHERE {condition}", [])

    def keys_with_label(self, key: str) -> np.ndarray:
        """Return the keys of the articles whose labels hold ``key``, ascending."""
        condition = self._label_condition(key)
        rows = self._db.execute(f"SELECT key FROM articles WHERE {condition}").fetchall()
        return np.array(sorted(int(r[0]) for r in rows), dtype=np.int64)

    def _label_condition(self, key: str) -> str:
        """Return the condition "labels hold ``key``", the key inline (checked here): for ``mojibake_original``
        the partial index articles_repaired (outlet, id, and the key) answers it without reading a row."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"not a label key: {key!r}")
        label_key = key
        if self.dialect == "postgresql":
            return f"(CAST(labels AS jsonb) ->> '{label_key}') IS NOT NULL"
        return f"json_extract(labels, '$.{label_key}') IS NOT NULL"

    def evidence_of(self, article_ids: Sequence[str], scorer: str | None = None) -> pd.DataFrame:
        """Return the sentence-level evidence of many articles: one read per 500 ids, not one per article.

        Rows come in the order of ``article_ids``, then by scorer, metric, part and sentence (as
        :meth:`evidence` orders one article's). Columns: EVIDENCE_COLUMNS.
        """
        ids = list(dict.fromkeys(str(i) for i in article_ids))
        packs: list[tuple[str, int, bytes]] = []  # (article id, rows, record)
        for start in range(0, len(ids), EVIDENCE_IDS_PER_READ):
            chunk = ids[start:start + EVIDENCE_IDS_PER_READ]
            sql = ("SELECT a.id, p.rows, p.data FROM articles a "
                   f"JOIN evidence_packs p ON p.article_key = a.key WHERE a.id IN ({', '.join('?' * len(chunk))})")
            params: list[Any] = list(chunk)
            if scorer:
                sql += " AND p.scorer_key = (SELECT key FROM scorers WHERE name = ?)"
                params.append(scorer)
            packs.extend((str(i), int(n), bytes(d)) for i, n, d in self._db.execute(sql, params) if n)
        if not packs:
            return pd.DataFrame.from_records([], columns=list(EVIDENCE_COLUMNS))
        order = {aid: k for k, aid in enumerate(ids)}
        metric_rows = {int(k): (s, v, m)
                       for k, s, v, m in self._db.execute("SELECT key, scorer, version, metric FROM metrics")}
        part_names = dict(self._db.execute("SELECT key, name FROM evidence_parts"))
        unpacked = [unpack_evidence(data, rows) for _id, rows, data in packs]
        sizes = np.array([rows for _id, rows, _data in packs])
        column = {name: np.concatenate([u[name] for u in unpacked]) for name in unpacked[0]}
        article = np.repeat(np.array([aid for aid, _rows, _data in packs], dtype=object), sizes)
        rank = np.repeat(np.array([order[aid] for aid, _rows, _data in packs]), sizes)
        metric_keys, metric_codes = np.unique(column["metric"], return_inverse=True)
        scorers_ = np.array([metric_rows[int(k)][0] for k in metric_keys], dtype=object)[metric_codes]
        versions = np.array([metric_rows[int(k)][1] for k in metric_keys], dtype=object)[metric_codes]
        metrics = np.array([metric_rows[int(k)][2] for k in metric_keys], dtype=object)[metric_codes]
        part_keys, part_codes = np.unique(column["part"], return_inverse=True)
        parts = np.array([part_names[int(k)] for k in part_keys], dtype=object)[part_codes]
        ordered = np.lexsort((column["sentence_index"], _ranks(parts), _ranks(metrics), _ranks(scorers_), rank))
        values = column["value"][ordered]
        nulls = np.isnan(values)
        value: np.ndarray = values
        if nulls.all():
            value = np.full(len(values), None, dtype=object)  # as a column of NULLs reads from SQLite
        return pd.DataFrame({
            "article_id": article[ordered], "scorer": scorers_[ordered], "version": versions[ordered],
            "metric": metrics[ordered], "part": parts[ordered],
            "sentence_index": column["sentence_index"][ordered].astype(np.int64),
            "start": column["start"][ordered].astype(np.int64), "end": column["end"][ordered].astype(np.int64),
            "value": value,
        })

    def syndication(self, flt: ArticleFilter = ArticleFilter()) -> pd.DataFrame:
        """Return the syndication groups of the filtered articles (one row per grouped article)."""
        where, params = flt.where("a", self.dialect)
        order = self._nulls_first("a.published")
        frame = self._frame(
            "SELECT s.article_id, a.outlet, a.published, a.story_id, s.group_id, s.group_size, s.n_outlets, "
            "s.is_original, s.similarity, s.wire, s.agency "
            f"FROM syndication s JOIN articles a ON a.id = s.article_id WHERE {where} "
            f"ORDER BY s.group_id, {order}, s.article_id",
            params,
        )
        if frame.empty:
            return pd.DataFrame(columns=["article_id", "outlet", "published", "story_id", "group_id", "group_size",
                                         "n_outlets", "is_original", "similarity", "wire", "agency"])
        frame["is_original"] = frame["is_original"].astype(bool)
        return frame

    def stories(self, flt: ArticleFilter = ArticleFilter()) -> pd.DataFrame:
        """Return one row per story among the filtered articles, largest first.

        Columns: story, label, key_terms (list), n_articles, n_outlets, first_published,
        last_published, origin. The label is the grouping's when stored, else the story's
        most common title (ties: the earliest).
        """
        where, params = flt.where("a", self.dialect)
        counts = self._frame(
            "SELECT a.story_id AS story, COUNT(*) AS n_articles, COUNT(DISTINCT a.outlet) AS n_outlets, "
            "MIN(substr(a.published, 1, 10)) AS first_published, MAX(substr(a.published, 1, 10)) "
            "AS last_published, MAX(a.story_origin) AS origin "
            f"FROM articles a WHERE {where} AND a.story_id IS NOT NULL GROUP BY a.story_id",
            params,
        )
        columns = ["story", "label", "key_terms", "n_articles", "n_outlets", "first_published", "last_published",
                   "origin"]
        if counts.empty:
            return pd.DataFrame(columns=columns)
        labels = self._frame("SELECT id AS story, label, key_terms FROM stories", [])
        titles = self._frame(
            "SELECT a.story_id AS story, a.title, COUNT(*) AS n, MIN(COALESCE(a.published, '9999')) AS first "
            f"FROM articles a WHERE {where} AND a.story_id IS NOT NULL GROUP BY a.story_id, a.title",
            params,
        ).sort_values(["story", "n", "first", "title"], ascending=[True, False, True, True])
        common = titles.drop_duplicates("story").set_index("story")["title"]
        frame = counts.merge(labels, how="left", on="story")
        frame["label"] = frame["label"].where(frame["label"].notna(), frame["story"].map(common))
        frame["key_terms"] = [json.loads(t) if isinstance(t, str) else [] for t in frame["key_terms"]]
        frame = frame.sort_values(["n_articles", "n_outlets", "story"], ascending=[False, False, True])
        return frame[columns].reset_index(drop=True)

    def story_labels(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Return each story's one label: the grouping's (the stories table), else its most common headline (ties:
        the earliest), as ``stories`` gives it."""
        labels: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(story_ids)), 500):
            marks = ",".join("?" * len(chunk))
            labels.update((str(i), str(label)) for i, label in self._db.execute(
                f"SELECT id, label FROM stories WHERE id IN ({marks}) AND label IS NOT NULL AND label != ''",
                list(chunk)))
            missing = [i for i in chunk if i not in labels]
            if missing:
                marks = ",".join("?" * len(missing))
                titles = self._frame(f"SELECT story_id, title, published FROM articles WHERE story_id IN ({marks})",
                                     missing)
                counted = titles.assign(first=titles["published"].fillna("9999")).groupby(
                    ["story_id", "title"], as_index=False).agg(n=("first", "size"), first=("first", "min"))
                common = counted.sort_values(["story_id", "n", "first", "title"],
                                             ascending=[True, False, True, True]).drop_duplicates("story_id")
                labels.update(zip(common["story_id"].astype(str), common["title"].astype(str)))
        return labels

    def story_members(self, story_ids: Sequence[str]) -> pd.DataFrame:
        """Return the articles of these stories: story_id, key, outlet, published (through the index on story)."""
        frames = [self._frame(f"SELECT story_id, key, outlet, published FROM articles "
                              f"WHERE story_id IN ({','.join('?' * len(chunk))})", list(chunk))
                  for chunk in _chunks(list(dict.fromkeys(story_ids)), 500)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["story_id", "key", "outlet", "published"])

    def story_hits(self, search: str) -> dict[str, int]:
        """Return ``{story id: articles}`` for the articles that match a full-text search."""
        if not fts_query(search):
            return {}
        clause, params = _search_clause("a", search, self.dialect)
        rows = self._db.execute(
            f"SELECT a.story_id, COUNT(*) FROM articles a WHERE a.story_id IS NOT NULL AND {clause} "
            "GROUP BY a.story_id", params)
        return {str(story): int(count) for story, count in rows}

    def first_urls(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Return the earliest http(s) article URL of each story (stories without one are left out)."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(story_ids), 500):
            rows = self._db.execute(
                "SELECT a.story_id, a.url FROM articles a WHERE a.story_id IN "
                f"({','.join('?' * len(chunk))}) AND (lower(a.url) LIKE 'http://%' OR lower(a.url) LIKE 'https://%') "
                "ORDER BY a.story_id, a.published IS NULL, a.published, a.id",  # undated last
                list(chunk),
            )
            for story, url in rows:
                found.setdefault(str(story), str(url))
        return found

    def hosts(self, flt: ArticleFilter = ArticleFilter()) -> pd.DataFrame:
        """Return where each publisher's articles were read: outlet, host, articles, reposted.

        One row per (publisher, host) of the selection's articles that know their host;
        ``reposted`` is True when the host is not the publisher (a wire copy on an aggregator,
        a re-post). Most articles first.
        """
        where, params = flt.where("a", self.dialect)
        frame = self._frame(
            f"SELECT a.outlet, a.host, COUNT(*) AS articles FROM articles a WHERE {where} AND a.host IS NOT NULL "
            "GROUP BY a.outlet, a.host ORDER BY articles DESC, a.outlet, a.host",
            params,
        )
        if frame.empty:
            return pd.DataFrame(columns=["outlet", "host", "articles", "reposted"])
        return frame.assign(reposted=frame["outlet"] != frame["host"])

    def outlets(self) -> pd.DataFrame:
        """Return the outlets table."""
        return self._frame("SELECT * FROM outlets ORDER BY name", [])

    def failures(self) -> pd.DataFrame:
        """Return the failure ledger (fetch_log)."""
        return self._frame("SELECT * FROM fetch_log ORDER BY id", [])

    def runs(self) -> pd.DataFrame:
        """Return the run history."""
        return self._frame("SELECT * FROM runs ORDER BY id", [])

    def distinct(self, column: str, flt: ArticleFilter = ArticleFilter()) -> list[str]:
        """Return the distinct non-empty values of an article column (outlets, topics, stories ...)."""
        if column not in ("outlet", "topic", "story_id", "language", "source"):
            raise StoreError(f"cannot list distinct values of {column!r}")
        where, params = flt.where("a", self.dialect)
        rows = self._db.execute(
            f"SELECT DISTINCT a.{column} FROM articles a WHERE {where} AND a.{column} IS NOT NULL "
            f"ORDER BY a.{column}",
            params,
        )
        return [row[0] for row in rows]

    def summary(self, flt: ArticleFilter = ArticleFilter()) -> dict[str, Any]:
        """Return counts of articles, outlets and stories and the date range."""
        where, params = flt.where("a", self.dialect)
        row = self._db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT a.outlet), COUNT(DISTINCT a.story_id), "
            f"MIN(a.published), MAX(a.published) FROM articles a WHERE {where}",
            params,
        ).fetchone()
        return {"articles": row[0], "outlets": row[1], "stories": row[2],
                "first_published": row[3], "last_published": row[4]}

    def _rows(self, table: str) -> int:
        """Return the number of rows of one of the store's tables (MOVED_TABLES)."""
        assert table in MOVED_TABLES
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def _insert_block(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows as they are (a move): PostgreSQL's COPY, or one executemany on SQLite."""
        assert table in MOVED_TABLES
        if self.dialect == "postgresql":
            with self._db.raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(pgstore.nul_free(row))
        else:
            marks = ", ".join("?" * len(columns))
            self._db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def grant_roles(self, reader: str, writer: str) -> list[str]:
        """Create (when missing) a reader role that may only read and a writer role that may read and write.

        PostgreSQL only; run by the store's owner (with CREATEROLE when a role is new). Roles get no
        password here: set one with ``ALTER ROLE ... PASSWORD`` (psql's ``\\password``), or use another
        method of pg_hba.conf. Return the statements run.
        """
        if self.dialect != "postgresql":
            raise StoreError(f"{self.path} is an SQLite file: roles are PostgreSQL's (file permissions guard SQLite)")
        names = [pgstore.quote_ident(reader), pgstore.quote_ident(writer)]
        schema = pgstore.quote_ident(str(self._db.execute("SELECT current_schema()").fetchone()[0]))
        database = pgstore.quote_ident(str(self._db.execute("SELECT current_database()").fetchone()[0]))
        run: list[str] = []
        for name, role in zip(names, (reader, writer)):
            if not self._db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone():
                run.append(f"CREATE ROLE {name} LOGIN")
        reader_q, writer_q = names
        run += [
            f"GRANT CONNECT ON DATABASE {database} TO {reader_q}, {writer_q}",
            f"GRANT USAGE ON SCHEMA {schema} TO {reader_q}, {writer_q}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {reader_q}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader_q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {reader_q}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {writer_q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {writer_q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "
            f"{writer_q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {writer_q}",
        ]
        try:
            self._db.execute("BEGIN")
            for statement in run:
                self._db.execute(statement)
            self._db.execute("COMMIT")
        except _DB_ERRORS as exc:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot grant roles on {self.path}: {str(exc).strip().splitlines()[0]}") from None
        return run

    def _nulls_first(self, column: str) -> str:
        """Return an ORDER BY term that puts NULLs first on both backends (SQLite's order)."""
        return f"{column} NULLS FIRST" if self.dialect == "postgresql" else column

    def _frame(self, sql: str, params: Sequence[Any]) -> pd.DataFrame:
        cursor = self._db.execute(sql, list(params))
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


# Tables a move copies, in an order that keeps every key it points at already copied.
MOVED_TABLES = ("outlets", "articles", "pages", "fetch_log", "runs", "scorers", "metrics", "evidence_parts",
                "score_values", "scored_by", "evidence_packs", "syndication", "stories", "events", "story_aliases")
# Rows read and written at a time by a move: memory stays bounded whatever the store's size.
MOVE_BLOCK_ROWS = 2000


def move_store(source: Store, target: Store, *, block_rows: int = MOVE_BLOCK_ROWS) -> dict[str, int]:
    """Copy every row of ``source`` into the empty store ``target`` (e.g. SQLite to PostgreSQL); return the counts.

    Keys (article, run, dictionary keys) are kept as they are; the target's data version becomes the
    source's. One transaction: a failed move leaves the target empty. Refuses a target holding any row.
    """
    if target.readonly:
        raise StoreError(f"store {target.path} was opened read-only")
    if source.schema_version() != target.schema_version():
        raise StoreError(f"{source.path} has schema version {source.schema_version()}, {target.path} "
                         f"{target.schema_version()}: open both with this PressLens for writing first")
    held = {t: n for t in MOVED_TABLES if (n := target._rows(t))}
    if held:
        listed = ", ".join(f"{n:,} {t}" for t, n in held.items())
        raise StoreError(f"{target.path} is not empty ({listed}): a move only fills an empty store; nothing "
                         "was written to it")
    counts: dict[str, int] = {}
    with target._write() as db, source._snapshot():
        version = source.data_version()  # read first: every table below comes from this one snapshot
        for table in MOVED_TABLES:
            columns = sorted(source._columns(table) & target._columns(table) - {"search"})
            wanted = ", ".join(columns)
            order = "rowid" if source.dialect == "sqlite" and table not in ("score_values", "scored_by") else "1"
            cursor = source._db.cursor()
            cursor.row_factory = None
            rows = cursor.execute(f"SELECT {wanted} FROM {table} ORDER BY {order}")
            counts[table] = 0
            while block := rows.fetchmany(block_rows):
                if table == "articles" and target.dialect == "postgresql":
                    title, text = columns.index("title"), columns.index("text")
                    vectors = search_vectors([(r[title], r[text]) for r in block])
                    block = [(*r, v) for r, v in zip(block, vectors)]
                    names = [*columns, "search"]
                else:
                    names = columns
                target._insert_block(table, names, block)
                counts[table] += len(block)
        if target.dialect == "postgresql":
            target._reset_identities(MOVED_TABLES)
        db.execute("UPDATE store_state SET value = ? WHERE key = 'data_version'", (version - 1,))  # +1 on commit
    moved = {t: target._rows(t) for t in MOVED_TABLES}
    if moved != counts:
        raise StoreError(f"the move to {target.path} counted {counts} but the target holds {moved}")
    return counts


FTS_OR = "\x00OR"  # the OR operator among fts_parts (a phrase never holds a control character)


def fts_parts(text: str) -> list[str]:
    """Return the parts of what an analyst types: words and phrases (without quotes), and FTS_OR.

    >>> [p.strip("\\x00") for p in fts_parts('rare earths OR "export controls" -x')]
    ['rare', 'earths', 'OR', 'export controls', '-x']
    """
    parts: list[str] = []
    text = re.sub(r"[\x00-\x1f]", " ", text)  # SQLite ends a string at NUL
    for token in re.findall(r'"[^"]*"|\S+', text):
        if token == "OR" and parts and parts[-1] != FTS_OR:
            parts.append(FTS_OR)
            continue
        bare = token.strip('"').strip()
        if bare:
            parts.append(bare)
    while parts and parts[-1] == FTS_OR:
        parts.pop()
    return parts


def _test_marker(marker: Path) -> str | None:
    """Return the schema a test-hook marker file names (None: no file, or an empty one).

    Anything else at that path (an SQLite store above all) is refused, never overwritten: the hook is
    an environment variable, and a shell that ran the tests with it may go on to open a real store.
    """
    if not marker.exists():
        return None
    with marker.open("rb") as handle:
        head = handle.read(64)
    text = head.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    if len(head) > 40 or not re.fullmatch(r"[tm]_[0-9a-f]{16}", text):
        raise StoreError(f"{marker} is not a PostgreSQL test store: PRESSLENS_TEST_PG is set, which maps every "
                         "store file to a test schema; unset it to open this file")
    return text


def fts_query(text: str) -> str:
    """Turn what an analyst types into a safe FTS5 query: words and "quoted phrases", all required.

    ``OR`` between terms is kept; every other FTS5 operator character is taken literally.

    >>> fts_query('rare earths OR "export controls" -x')
    '"rare" "earths" OR "export controls" "-x"'
    """
    return " ".join("OR" if p == FTS_OR else '"' + p.replace('"', '""') + '"' for p in fts_parts(text))


# -- full text on PostgreSQL: FTS5's terms in a tsvector --
_TOKENIZER = threading.local()


def _fts5() -> sqlite3.Connection:
    """Return this thread's in-memory FTS5 table (the store's tokenizer) and its term-instance view."""
    db = getattr(_TOKENIZER, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE doc USING fts5(title, text, tokenize='unicode61 remove_diacritics 2')")
        db.execute("CREATE VIRTUAL TABLE doc_terms USING fts5vocab(doc, 'instance')")
        _TOKENIZER.db = db
    return db


def _instances(pairs: Sequence[tuple[str, str]]) -> dict[int, list[tuple[str, int, int]]]:
    """Return {row number: [(term, column 0/1, offset)]} of (title, text) pairs cut by FTS5."""
    db = _fts5()
    found: dict[int, list[tuple[str, int, int]]] = {}
    with db:
        db.executemany("INSERT INTO doc (rowid, title, text) VALUES (?, ?, ?)",
                       [(k + 1, _nul_free(t), _nul_free(x)) for k, (t, x) in enumerate(pairs)])
        for term, row, column, offset in db.execute("SELECT term, doc, col, offset FROM doc_terms"):
            found.setdefault(int(row) - 1, []).append((str(term), 0 if column == "title" else 1, int(offset)))
        db.execute("DELETE FROM doc")
    return found


def _nul_free(text: str | None) -> str:
    return (text or "").replace("\x00", " ")


def fts_terms(text: str) -> list[str]:
    """Return the terms of a text in order, as the store's FTS5 tokenizer cuts and folds them.

    >>> fts_terms("Déjà-vu, U.S. exports")
    ['deja', 'vu', 'u', 's', 'exports']
    """
    found = _instances([("", text)]).get(0, [])
    return [term for term, _column, _offset in sorted(found, key=lambda t: t[2])]


# Articles cut into terms at a time when building tsvectors (bounded memory: the terms of 200 texts).
VECTOR_BATCH = 200
# One tsvector literal per document, built by SQLite from FTS5's term instances: 'term':pos,pos ... Text
# positions follow the title's after a gap of one. PostgreSQL's input sorts positions, keeps 256 per term and
# stops them at 16,383; a term longer than it can hold is left out.
_VECTOR_SQL = f"""
SELECT e.doc, group_concat(e.entry, ' ') FROM (
    SELECT v.doc AS doc, '''' || replace(replace(v.term, '\\', '\\\\'), '''', '''''') || ''':' ||
        group_concat(v.offset + 1 + CASE WHEN v.col = 'title' THEN 0 ELSE COALESCE(h.n, 0) + 1 END, ',') AS entry
    FROM doc_terms v LEFT JOIN (SELECT doc, COUNT(*) AS n FROM doc_terms WHERE col = 'title' GROUP BY doc) h
        ON h.doc = v.doc
    WHERE length(CAST(v.term AS BLOB)) <= {MAX_TERM_BYTES}
    GROUP BY v.doc, v.term
) e GROUP BY e.doc
"""


def search_vectors(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Return the ``tsvector`` literal of each (title, text): FTS5's terms at their positions.

    Text positions follow the title's after a gap of one, so a phrase never spans the two (as
    in FTS5, where they are two columns).

    >>> search_vectors([("Café", "It's a café")])
    ["'a':5 'cafe':1,6 'it':3 's':4"]
    """
    vectors: list[str] = []
    db = _fts5()
    for start in range(0, len(pairs), VECTOR_BATCH):
        chunk = pairs[start:start + VECTOR_BATCH]
        with db:
            db.executemany("INSERT INTO doc (rowid, title, text) VALUES (?, ?, ?)",
                           [(k + 1, _nul_free(t), _nul_free(x)) for k, (t, x) in enumerate(chunk)])
            found = {int(doc): str(vector) for doc, vector in db.execute(_VECTOR_SQL)}
            db.execute("DELETE FROM doc")
        vectors.extend(found.get(k + 1, "") for k in range(len(chunk)))
    return vectors


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_tsquery(parts: Sequence[str]) -> str | None:
    """Return a ``tsquery`` for FTS5 query parts (phrases and ``OR``), or None when it can match nothing.

    As FTS5: the words of a phrase follow each other; phrases side by side are all required; OR
    binds looser than that; a phrase with no words is left out.

    >>> pg_tsquery(["rare", "earths", FTS_OR, "export controls"])
    "'rare' & 'earths' | 'export' <-> 'controls'"
    """
    groups: list[list[str]] = [[]]
    for part in parts:
        if part == FTS_OR:
            groups.append([])
            continue
        words = [w for w in fts_terms(part) if len(w.encode()) <= pgstore.MAX_TERM_BYTES]
        if words:
            phrase = " <-> ".join(_quote(w) for w in words)
            groups[-1].append(phrase)  # <-> binds tighter than &, & tighter than |
    alternatives = [" & ".join(g) for g in groups if g]
    return " | ".join(alternatives) or None



def _real(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number  # NaN -> NULL


def _text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text or None


def _ranks(strings: np.ndarray) -> np.ndarray:
    """Return each string's rank among the distinct strings (Python's order: SQLite's BINARY order on UTF-8)."""
    _distinct, codes = np.unique(strings.astype(str), return_inverse=True)
    return codes


# Articles written by one INSERT statement in SQLite (each statement writes a full-text segment): 500 rows
# bind 10,000 values, under SQLite's default limit of 32,766; 1,600 saved nothing more (docs/performance.md).
_ARTICLE_ROWS_PER_STATEMENT = 500


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _apply(db: Any, body: Any, dialect: str = "sqlite") -> None:
    """Run one migration's steps (SQL scripts and Python steps) on ``db``."""
    for step in steps(body, dialect):
        if isinstance(step, str) and dialect == "postgresql":
            db.script(step)
        elif isinstance(step, str):
            for statement in _split_sql(step):
                db.execute(statement)
        else:
            step(db)


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (which contain ``;``) whole."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    return statements
