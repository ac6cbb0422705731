"""Scoring on a Dask cluster writes exactly what scoring locally writes (same batches, one writer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from analysis import cluster
from analysis import run as runner
from analysis.__main__ import main
from core.settings import Settings
from core.store import Store
from tests.fixtures.sample_store import build_sample_store

SCORERS = ("tone_vader", "quotes", "frames_generic")


def _contents(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store.open(db, readonly=True) as store:
        scores = store.scores().sort_values(["article_id", "scorer", "metric"]).reset_index(drop=True)
        ids = store.articles()["id"].tolist()
        evidence = pd.concat([store.evidence(i) for i in ids], ignore_index=True)
    return scores.drop(columns=["published"]), evidence.sort_values(list(evidence.columns[:5])).reset_index(drop=True)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A Dask scheduler with two single-thread workers, in this process (threads: quick to start)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as local:
        yield local.scheduler_address


def test_a_dask_run_writes_what_a_local_run_writes(tmp_path: Path, scheduler: str) -> None:
    local = build_sample_store(tmp_path / "local.db", score=False, copies=2)  # 72 articles: 8 batches of 10
    dask = build_sample_store(tmp_path / "dask.db", score=False, copies=2)
    settings = Settings(batch_size=10, workers=1)
    with Store.open(local) as store:
        report_local = runner.run(store, settings, SCORERS)
    with Store.open(dask) as store, cluster.dask_cluster(scheduler, workers=2) as where:
        assert where.slots == 2
        report_dask = runner.run(store, settings, SCORERS, where)
        command = store.runs()["command"].iloc[-1]
    assert report_local.scored == report_dask.scored == {name: 72 for name in SCORERS}
    assert "--executor dask --scheduler tcp://127.0.0.1:" in command
    scores_local, evidence_local = _contents(local)
    scores_dask, evidence_dask = _contents(dask)
    pd.testing.assert_frame_equal(scores_local, scores_dask, check_exact=False, rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(evidence_local, evidence_dask)
    assert len(scores_local) > 1000 and evidence_local["article_id"].nunique() == 72


def test_the_cli_scores_on_a_scheduler_and_then_finds_nothing_left(tmp_path: Path, scheduler: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = build_sample_store(tmp_path / "cli.db", score=False)
    assert main(["run", "--db", str(db), "--scheduler", scheduler, "--scorer", "tone_vader"]) == 0
    assert "tone_vader: 36 articles scored" in capsys.readouterr().out
    assert main(["run", "--db", str(db), "--executor", "dask", "--scheduler", scheduler,
                 "--scorer", "tone_vader"]) == 0
    assert "tone_vader: 0 articles scored" in capsys.readouterr().out


def test_a_local_cluster_of_processes_is_started_when_no_scheduler_is_named(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]
                                                                           ) -> None:
    db = build_sample_store(tmp_path / "procs.db", score=False)
    assert main(["run", "--db", str(db), "--executor", "dask", "--scorer", "quotes"]) == 0
    assert "quotes: 36 articles scored" in capsys.readouterr().out
    with Store.open(db, readonly=True) as store:
        assert store.scores(scorer="quotes")["article_id"].nunique() == 36


def test_a_scheduler_nobody_answers_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    db = build_sample_store(tmp_path / "none.db", score=False)
    assert main(["run", "--db", str(db), "--scheduler", "tcp://127.0.0.1:9", "--scorer", "tone_vader"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered" in err and len(err.splitlines()) == 1
    with Store.open(db, readonly=True) as store:
        assert store.scores().empty  # nothing written, nothing lost
