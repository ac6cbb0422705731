"""PostgreSQL under the store: URLs, a connection that speaks the store's SQL, and full text.

``core.store.Store`` writes each statement once, with ``?`` placeholders; on PostgreSQL the
connection here turns them into ``%s`` (string literals left alone, a literal ``%`` doubled)
and hands rows back that read by position or by name, as ``sqlite3.Row`` does. Nothing else
in PressLens imports this module.

Full text (in core/store.py, which owns every SQL statement): FTS5's tokenizer cuts titles
and texts into terms, and PostgreSQL stores them with their positions as a ``tsvector``.

Credentials never travel in the URL: libpq reads them from PGPASSWORD, PGPASSFILE or
``~/.pgpass``. A URL holding a password is refused.

The test hook: with ``PRESSLENS_TEST_PG=postgresql://USER@HOST:PORT/DB`` in the environment, a
store opened by a file path lives in its own schema of that database (``t_`` and a hash of the
resolved path), so the whole suite, subprocesses included, runs on PostgreSQL unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from core.errors import StoreError

URL_SCHEMES = ("postgresql://", "postgres://")
TEST_ENV = "PRESSLENS_TEST_PG"
# tsvector limits: positions above 16,383 count as 16,383; at most 256 positions per term; terms under 2 KiB.
MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 256
MAX_TERM_BYTES = 2046
# Every write transaction of a schema takes this advisory lock first: one writer at a time, as SQLite.
WRITE_LOCK = 7471


def is_url(target: str | Path) -> bool:
    """Return whether a store target is a PostgreSQL URL (else it is an SQLite path)."""
    return str(target).startswith(URL_SCHEMES)


def store_location(db: str | Path) -> str:
    """Return where a store is, to hand to another process: a file's absolute path, or the URL as it is.

    Here, beside ``is_url``, so that ``python -m dashboard`` hands the store to Streamlit without
    importing the store's module (pandas, numpy: about 0.6 s before the server starts).
    """
    return str(db) if is_url(db) else str(Path(db).resolve())


def redact(url: str) -> str:
    """Return a URL with any password (in the authority or the query) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(unparseable URL)"
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = "&".join(f"{k}=***" if k == "password" else f"{k}={v}" for k, v in parse_qsl(parts.query))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def check_url(url: str) -> str:
    """Return the URL if it names a database and holds no password; else raise StoreError (one line)."""
    try:
        parts = urlsplit(url)
        has_password = parts.password is not None
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise StoreError(f"store URL {redact(url)}: {exc}") from None
    if has_password or any(k == "password" for k, _ in parse_qsl(parts.query)):
        raise StoreError(f"store URL {redact(url)} holds a password: refused; give it through PGPASSWORD, "
                         "PGPASSFILE or ~/.pgpass, never in the URL")
    if not parts.path.strip("/"):
        raise StoreError(f"store URL {url} names no database (postgresql://HOST[:PORT]/DB)")
    return url


class _NoRowsRun:
    """What ``executemany`` of no rows returns: a cursor's answers for nothing done (as sqlite3's)."""

    rowcount = 0
    lastrowid = None

    def fetchall(self) -> list[Any]:
        return []


_NO_ROWS = _NoRowsRun()


def test_target(path: str | Path) -> tuple[str, str] | None:
    """Return (database URL, schema) for a file path under the test hook, or None when it is off."""
    url = os.environ.get(TEST_ENV)
    if not url or is_url(path):
        return None
    if str(path) == ":memory:":
        return check_url(url), f"m_{uuid.uuid4().hex[:16]}"
    digest = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return check_url(url), f"t_{digest}"


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """Return ``sql`` with ``?`` placeholders as ``%s`` and literal ``%`` doubled (string literals kept).

    >>> translate("SELECT a FROM t WHERE b = ? AND url LIKE 'http://%' AND c = '?'")
    "SELECT a FROM t WHERE b = %s AND url LIKE 'http://%%' AND c = '?'"
    """
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
            out.append(char)
        elif char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def nul_free(params: Sequence[Any]) -> tuple[Any, ...]:
    """Return parameters with NUL characters (PostgreSQL's text cannot hold them) as U+FFFD, on writes and
    filters alike, so that a stored value and a filter on it still meet."""
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) and "\x00" in p else p for p in params)


class Row(tuple):
    """A result row read by position or by column name (as ``sqlite3.Row``)."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _named_rows(cursor: Any) -> Any:
    names = {column.name: k for k, column in enumerate(cursor.description or ())}
    return type("Row", (Row,), {"__slots__": (), "_index": names})


class PgCursor:
    """A cursor whose ``row_factory`` may be set to None for plain tuples (as on sqlite3)."""

    def __init__(self, connection: PgConnection) -> None:
        self._connection = connection
        self.row_factory: Any = _named_rows

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        from psycopg.rows import tuple_row

        cursor = self._connection.raw.cursor(row_factory=self.row_factory or tuple_row)
        cursor.execute(translate(sql), nul_free(params))
        return cursor


class PgConnection:
    """The part of ``sqlite3.Connection`` the store uses, on a psycopg connection in autocommit mode."""

    dialect = "postgresql"

    def __init__(self, raw: Any, schema: str | None) -> None:
        self.raw = raw
        self.schema = schema

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        rows = [nul_free(r) for r in rows]
        if not rows:
            return _NO_ROWS  # psycopg's unused cursor says rowcount -1; sqlite3 says 0
        cursor = self.raw.cursor(row_factory=_named_rows)
        cursor.executemany(translate(sql), rows)
        return cursor

    def script(self, sql: str) -> None:
        """Run a script of statements (no parameters)."""
        self.raw.execute(sql)

    def cursor(self) -> PgCursor:
        return PgCursor(self)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        if self.schema and self.schema.startswith("m_") and not self.raw.closed:
            try:  # an in-memory store under the test hook goes with its connection
                self.raw.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            except Exception:  # noqa: BLE001  (a read-only or broken connection: the session drops it)
                pass
        self.raw.close()


def connect(url: str, *, schema: str | None, readonly: bool, timeout_ms: int) -> PgConnection:
    """Open a connection in autocommit mode (read-only transactions when ``readonly``)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = str(conninfo_to_dict(url).get("options") or "")
    except psycopg.Error as exc:
        raise StoreError(f"store URL {redact(url)}: {exc}") from None
    options = [given] if given else []  # a URL's own options (e.g. a search_path) are kept
    options.append(f"-c lock_timeout={int(timeout_ms)}")
    if schema:
        options.append(f"-c search_path={schema}")
    if readonly:
        options.append("-c default_transaction_read_only=on")
    try:
        raw = psycopg.connect(url, autocommit=True, options=" ".join(options), connect_timeout=10)
    except psycopg.Error as exc:
        raise StoreError(f"cannot open store {redact(url)}: {str(exc).strip().splitlines()[0]}") from None
    if schema and not readonly:
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (WRITE_LOCK, schema))
            raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    return PgConnection(raw, schema)


def schema_exists(connection: PgConnection) -> bool:
    """Return whether the connection's schema (the first of its search path) exists."""
    row = connection.execute("SELECT current_schema()").fetchone()
    return row is not None and row[0] is not None


def quote_ident(name: str) -> str:
    """Return an SQL identifier, quoted (names come from PressLens, never from input)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise StoreError(f"not an identifier: {name!r}")
    return f'"{name}"'
