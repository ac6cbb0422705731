"""Killed with SIGKILL at any moment and started again, a run ends exactly as an uninterrupted one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.run import default_scorers
from core.settings import Settings
from core.store import Store
from tests.conftest import REPO_ROOT, require_shared
from tests.helpers import run_cli

KILL_AFTER_S = (0.4, 0.8, 1.2, 1.6, 2.0)  # spread over the run, so kills land in different batches


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    full_env = {**os.environ, **env}
    full_env.pop("PRESSLENS_DB", None)
    return subprocess.Popen([sys.executable, "-m", *args], cwd=REPO_ROOT, env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_after(process: subprocess.Popen[str], seconds: float) -> bool:
    """SIGKILL the process after ``seconds`` unless it ended first; return whether it was killed."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def scores_of(db: Path) -> pd.DataFrame:
    with Store.open(db, readonly=True) as store:
        scores = store.scores()[["article_id", "scorer", "metric", "value"]]
        scorers, _ = default_scorers(store.count("articles"), Settings.load())  # tone_news included on small stores
        assert store.count("scored") == store.count("articles") * len(scorers)
    return scores.sort_values(["article_id", "metric"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = require_shared("corpora", "basil", "articles.jsonl")
    db = tmp_path_factory.mktemp("crash") / "imported.db"
    assert run_cli("scrapers", "import", str(corpus), "--db", str(db)).returncode == 0
    return db


def test_analysis_run_killed_and_restarted_scores_each_article_once(imported: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference.db"
    shutil.copy(imported, reference)
    assert run_cli("analysis", "run", "--db", str(reference)).returncode == 0
    expected = scores_of(reference)
    kills = 0
    for delay in KILL_AFTER_S:
        db = tmp_path / f"killed-{delay}.db"
        shutil.copy(imported, db)
        process = start("analysis", "run", "--db", str(db), env={"PRESSLENS_BATCH_SIZE": "10"})
        kills += kill_after(process, delay)
        again = run_cli("analysis", "run", "--db", str(db))
        assert again.returncode == 0, again.stderr
        got = scores_of(db)
        pd.testing.assert_frame_equal(got, expected)
        with Store.open(db, readonly=True) as store:
            evidence = store.evidence_of(store.articles(columns=["outlet"])["id"].tolist())
            assert len(evidence) == store.count("evidence") > 0
        key = ["article_id", "scorer", "metric", "part", "sentence_index"]
        assert not evidence.duplicated(key).any()  # no sentence twice
    assert kills >= 2, "the runs ended before any kill: make the corpus or batch smaller"


def test_import_killed_and_restarted_stores_each_article_once(tmp_path: Path) -> None:
    corpus = require_shared("corpora", "allsides_abp", "articles.jsonl.gz")
    import gzip

    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        reference_lines = sum(1 for _ in handle)
    db = tmp_path / "import.db"
    killed = kill_after(start("scrapers", "import", str(corpus), "--db", str(db), env={}), 2.5)
    assert killed, "the import finished before the kill"
    with Store.open(db) as store:
        partial = store.count("articles")
    assert 0 <= partial < reference_lines
    again = run_cli("scrapers", "import", str(corpus), "--db", str(db))
    assert again.returncode == 0, again.stderr
    with Store.open(db, readonly=True) as store:
        assert store.count("articles") == reference_lines
        assert store._db.execute("SELECT COUNT(DISTINCT id) FROM articles").fetchone()[0] == reference_lines
    assert f"{partial} already stored" in again.stdout
