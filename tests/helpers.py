"""Helpers shared by tests: run a CLI in a subprocess, build a store from a corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ARGS`` from the repo root and return the finished process."""
    full_env = {k: v for k, v in os.environ.items() if k != "PRESSLENS_DB"}  # tests name their store
    full_env.update({"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", **(env or {})})
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def build_store(db: Path, *corpora: Path, score: bool = True) -> Path:
    """Import corpora into a new store at ``db`` (and score it) with the real CLIs."""
    done = run_cli("scrapers", "import", *map(str, corpora), "--db", str(db))
    assert done.returncode == 0, done.stderr
    if score:
        done = run_cli("analysis", "run", "--db", str(db))
        assert done.returncode == 0, done.stderr
    return db


def run_page(db: Path, monkeypatch: Any, page: str) -> Any:
    """Render one dashboard page on the store ``db`` in Streamlit's AppTest; fail on any exception it raised."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
