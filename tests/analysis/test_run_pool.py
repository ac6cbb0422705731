"""Scoring in a pool of worker processes writes exactly what scoring in one process writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import run as runner
from core.settings import Settings
from core.store import Store
from tests.fixtures.sample_store import build_sample_store

SCORERS = ("tone_vader", "quotes", "frames_generic")


def _scored(db: Path, workers: int) -> tuple[pd.DataFrame, pd.DataFrame, runner.RunReport]:
    settings = Settings(db=str(db), batch_size=10, workers=workers)
    with Store.open(db) as store:
        report = runner.run(store, settings, SCORERS)
        scores = store.scores().sort_values(["article_id", "scorer", "metric"]).reset_index(drop=True)
        ids = store.articles()["id"].tolist()
        evidence = pd.concat([store.evidence(i) for i in ids], ignore_index=True)
    return scores, evidence.sort_values(list(evidence.columns[:5])).reset_index(drop=True), report


def test_a_pool_of_workers_writes_what_one_process_writes(tmp_path: Path) -> None:
    one = build_sample_store(tmp_path / "one.db", score=False, copies=2)  # 72 articles: 8 batches of 10
    two = build_sample_store(tmp_path / "two.db", score=False, copies=2)
    scores_1, evidence_1, report_1 = _scored(one, workers=1)
    scores_2, evidence_2, report_2 = _scored(two, workers=2)
    assert report_1.scored == report_2.scored == {name: 72 for name in SCORERS}
    pd.testing.assert_frame_equal(scores_1.drop(columns=["published"]), scores_2.drop(columns=["published"]))
    pd.testing.assert_frame_equal(evidence_1, evidence_2)
    assert len(evidence_1) > 1000 and evidence_1["article_id"].nunique() == 72
    again = _scored(two, workers=2)[2]  # nothing left to do
    assert again.scored == {name: 0 for name in SCORERS}


def test_worker_count_follows_the_setting_and_the_work() -> None:
    assert runner.worker_count(Settings(workers=1), 50) == 1
    assert runner.worker_count(Settings(workers=4), 2) == 2
    assert runner.worker_count(Settings(workers=0), 1) == 1
    assert 1 <= runner.worker_count(Settings(workers=0), 50) <= runner.MAX_AUTO_WORKERS


def test_articles_in_a_language_no_scorer_reads_are_left_unscored_and_counted(tmp_path) -> None:
    import json

    from analysis import run as runner
    from core.settings import Settings
    from core.store import Store
    from dashboard import queries
    from scrapers.importer import import_files

    rows = [{"id": "en1", "outlet": "Daily A", "title": "Talks", "language": "en", "published": "2025-01-02",
             "text": "The talks went well. Officials were pleased with the result."},
            {"id": "de1", "outlet": "Zeitung B", "title": "Gespräche", "language": "de", "published": "2025-01-02",
             "text": "Die Gespräche verliefen gut. Die Beamten waren mit dem Ergebnis zufrieden."},
            {"id": "xx1", "outlet": "Daily A", "title": "Talks", "published": "2025-01-03",
             "text": "The talks went badly. Officials were angry about the result."}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.db"
    settings = Settings.load({"db": str(db), "workers": 1})
    with Store.open(str(db)) as store:
        import_files([corpus], store, known={})
        report = runner.run(store, settings, ["tone_vader"])
        scored = set(store.scores(scorer="tone_vader")["article_id"])
        ids = dict(zip(store.articles(columns=["outlet", "language"])["language"].fillna("none"),
                       store.articles(columns=["outlet", "language"])["id"]))
    assert report.scored["tone_vader"] == 2 and ids["de"] not in scored and ids["en"] in scored
    assert "left unscored: 1 articles in languages no scorer reads (de 1)" in report.summary()
    ledger = queries.quality_ledger(str(db), queries.catalogue(str(db), settings), settings)
    row = ledger[ledger["issue"].str.startswith("left unscored")]
    assert row[["issue", "outlet", "count"]].values.tolist() == [
        ["left unscored: written in de (no scorer reads it)", "Zeitung B", 1]]
