"""Shared test fixtures: the ../shared data folder and a network guard.

Tests never touch the internet: any connection to a non-loopback address fails
loudly. Tests that need ../shared skip with a reason on a developer machine
that lacks it, and fail when ``CI`` is set (CI always has it).
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
