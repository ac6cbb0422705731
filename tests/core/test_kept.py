"""The commands that write a large store keep the dashboard's parts beside it for its next start (``core.kept``)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.__main__ import main as analysis_main
from core import kept as kept_parts
from core.settings import Settings
from core.store import Store
from scrapers.__main__ import main as scrapers_main
from tests.fixtures import corpus

SMALL = Settings.load(environ={}).with_values({"dashboard_catalogue_max": 10})  # the 36-article corpus is large
PARTS = ["columns.npz", "groups.npz", *sorted(f"{kept_parts.metric_part(s, m)}.npz" for s in kept_parts.TONE_SCORERS
                                              for m in kept_parts.TONE_METRICS)]


def _read_without_the_store(db: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[kept_parts.Columns, np.ndarray]:
    """Read the columns, groups and VADER tone as the dashboard's next start does, failing if any is computed."""
    with Store.open(db, readonly=True) as store, monkeypatch.context() as patched:
        for name in ("load", "load_groups", "metric"):
            patched.setattr(kept_parts, name, lambda *_a, name=name: pytest.fail(f"{name} was read from the store"))
        columns = kept_parts.load_kept(store, kept_parts.kept_directory(str(db), store))
        groups = kept_parts.kept_groups(store, columns)
        tone = kept_parts.kept_metric(store, columns, "tone_vader", "tone")
    assert len(groups) == columns.facets["outlet"].nunique()
    return columns, tone


@pytest.mark.sqlite_only(reason="the parts are kept beside an SQLite store only; a PostgreSQL store keeps none")
def test_import_and_run_keep_the_parts_the_next_dashboard_start_reads(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    jsonl = corpus.write_jsonl(tmp_path / "articles.jsonl")
    db = tmp_path / "s.db"
    monkeypatch.setenv("PRESSLENS_DASHBOARD_CATALOGUE_MAX", "10")
    monkeypatch.setenv("PRESSLENS_WORKERS", "1")
    assert scrapers_main(["import", str(jsonl), "--db", str(db)]) == 0
    assert sorted(p.name for p in (tmp_path / "s.db.dashboard").iterdir()) == PARTS
    columns, tone = _read_without_the_store(db, monkeypatch)
    assert columns.articles == 36 and np.isnan(tone).all()  # imported, not yet scored

    assert analysis_main(["run", "--db", str(db), "--scorer", "tone_vader"]) == 0
    columns, tone = _read_without_the_store(db, monkeypatch)  # the parts of the scored store, not the imported one
    with Store.open(db, readonly=True) as store:
        fresh = kept_parts.load(store)
        assert np.array_equal(tone, kept_parts.metric(store, fresh, "tone_vader", "tone"), equal_nan=True)
    assert np.array_equal(columns.keys, fresh.keys) and np.isfinite(tone).sum() > 30


def test_a_small_a_read_only_or_an_unkeepable_store_keeps_nothing(sample_db: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(sample_db, db)
    kept = tmp_path / "copy.db.dashboard"
    with Store.open(db) as store:
        assert not kept_parts.keep_after_write(store, Settings.load(environ={}))  # 36 articles: served whole
    with Store.open(db, readonly=True) as store:
        assert not kept_parts.keep_after_write(store, SMALL)  # nothing was written
    assert not kept.exists()
    with Store.open(db) as store, monkeypatch.context() as patched, caplog.at_level(logging.WARNING):
        sqlite = store.dialect == "sqlite"  # a PostgreSQL store keeps nothing: nothing is read, nothing logged
        patched.setattr(kept_parts, "load", lambda _store: (_ for _ in ()).throw(OSError("disk gone")))
        assert not kept_parts.keep_after_write(store, SMALL)  # logged; the command that wrote goes on
        patched.setattr(kept_parts, "load", lambda _store: (_ for _ in ()).throw(KeyboardInterrupt()))
        assert not kept_parts.keep_after_write(store, SMALL)  # Ctrl-C: the command still reports its work
    assert ("could not keep the dashboard's parts" in caplog.text and "(interrupted)" in caplog.text) == sqlite
    with Store.open(db) as store:
        assert kept_parts.keep_after_write(store, SMALL) == sqlite
    assert (sorted(p.name for p in kept.iterdir()) if kept.is_dir() else []) == (PARTS if sqlite else [])


@pytest.mark.sqlite_only(reason="the parts are kept beside an SQLite store only")
def test_a_store_opened_through_a_symlink_keeps_its_parts_where_the_dashboard_looks(sample_db: Path,
                                                                                   tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    shutil.copy(sample_db, real)
    (tmp_path / "link.db").symlink_to(real)
    with Store.open(tmp_path / "link.db") as store:
        assert kept_parts.keep_after_write(store, SMALL)
        through, direct = (kept_parts.kept_directory(str(path), store) for path in (tmp_path / "link.db", real))
        assert through == direct
    assert (tmp_path / "real.db.dashboard" / "columns.npz").is_file() and not (tmp_path / "link.db.dashboard").exists()
