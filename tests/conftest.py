"""Shared test fixtures: the ../shared data folder and a network guard.

Tests never touch the internet: any connection to a non-loopback address fails
loudly. Tests that need ../shared skip with a reason on a developer machine
that lacks it, and fail when ``CI`` is set (CI always has it).

With ``PRESSLENS_TEST_PG=postgresql://USER@HOST:PORT/DB`` set (password from PGPASSWORD), every
store a test opens by a file path lives in its own schema of that database (core/pgstore.py), so
the same suite runs on PostgreSQL; tests marked ``sqlite_only`` (they inspect an SQLite file
itself) skip with their reason, and the schemas are dropped when the session ends.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Under CI the property tests draw the same examples every run (a clean clone has no example database):
# a run fails for a reason, never for the luck of the draw. Locally they keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("PRESSLENS_SHARED", REPO_ROOT.parent / "shared"))

ON_POSTGRESQL = bool(os.environ.get("PRESSLENS_TEST_PG"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): the test inspects an SQLite file itself; "
                                       "skipped when the suite runs on PostgreSQL (PRESSLENS_TEST_PG)")


# Tests of other packages that cannot follow the hook, by node id (all parameters), with why (kept here, short).
SQLITE_ONLY = {
    "tests/analysis/test_digest.py::test_same_bytes_across_processes_and_hash_seeds":
        "its subprocesses run with a bare environment (no PRESSLENS_TEST_PG, no PGPASSWORD)",
    "tests/reliability/test_properties.py::test_import_of_any_text_keeps_every_article":
        "draws any text, NUL included, which PostgreSQL's text cannot hold (stored as U+FFFD: docs/store.md)",
    **dict.fromkeys([f"tests/reliability/test_store_files.py::{name}" for name in (
        "test_read_commands_refuse_a_bad_store_in_one_line", "test_write_commands_refuse_a_bad_store_before_writing",
        "test_an_empty_file_becomes_a_store_when_written", "test_dashboard_shows_one_clear_message")],
        "writes broken SQLite files (junk bytes, a foreign SQLite file, hand-edited schemas); "
        "tests/core/test_store_pg.py refuses foreign and newer PostgreSQL schemas"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRESQL:
        return
    for item in items:
        listed = SQLITE_ONLY.get(item.nodeid.split("[", 1)[0])
        if listed:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {listed}"))
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "inspects an SQLite file")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the schemas of this session's stores from the PostgreSQL test database (their marker files,
    under the session's temporary folder, name them; another session's stay)."""
    url = os.environ.get("PRESSLENS_TEST_PG")
    factory = getattr(session.config, "_tmp_path_factory", None)
    if not url or factory is None or hasattr(session.config, "workerinput"):
        return
    import re

    import psycopg

    names = set()
    for path in factory.getbasetemp().rglob("*"):
        try:
            if path.is_file() and path.stat().st_size == 18:
                text = path.read_text(errors="replace")
                if re.fullmatch(r"t_[0-9a-f]{16}", text):
                    names.add(text)
        except OSError:
            continue
    with psycopg.connect(url, autocommit=True) as db:
        for name in sorted(names):
            db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else None
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"tests must not touch the network: connect to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise RuntimeError(f"tests must not touch the network: connect to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


def require_shared(*parts: str) -> Path:
    """Return a path under ../shared, failing in CI and skipping elsewhere when absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        message = f"needs {path} (the read-only ../shared data folder)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must have it")
        pytest.skip(message)
    return path


@pytest.fixture
def shared_path() -> Path:
    """The ../shared folder (fails in CI, skips elsewhere, when missing)."""
    return require_shared()


@pytest.fixture(scope="session")
def basil_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store imported from ../shared/corpora/basil and scored, built once with the real CLIs."""
    from tests.helpers import build_store

    corpus = require_shared("corpora", "basil", "articles.jsonl")
    return build_store(tmp_path_factory.mktemp("basil") / "basil.db", corpus)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the corpus we wrote (tests/fixtures/corpus.py), imported and scored in-process, built once.

    Tests read it; a test that writes copies it first.
    """
    from tests.fixtures.sample_store import build_sample_store

    return build_sample_store(tmp_path_factory.mktemp("sample") / "sample.db")
