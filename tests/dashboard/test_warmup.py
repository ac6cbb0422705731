"""The warm-up process: it hands over exactly the tables the server would compute, once, and cleans up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.settings import Settings
from dashboard import framing, queries, warmup


def test_the_warm_up_process_writes_the_tables_the_pages_open_on(sample_db: Path) -> None:
    settings = Settings.load()
    version = queries.data_version(str(sample_db), settings)
    started = warmup.Warmup.start(str(sample_db), version)
    try:
        assert all(started.wait(name) for name in warmup.TABLES)
        tables = {name: started.result(name) for name in warmup.TABLES}
        catalogue = queries.catalogue(str(sample_db), settings)
        frames = queries.scorer_columns(str(sample_db), settings, "frames_generic")
        assert len(catalogue) == 36 and len(tables["compare"]) == 6  # six outlets
        pd.testing.assert_frame_equal(tables["catalogue"], catalogue)
        pd.testing.assert_frame_equal(tables["compare"], queries.group_view(catalogue, settings, "outlet"))
        pd.testing.assert_frame_equal(tables["frames_generic"], frames)
        shares = framing.frame_shares(queries.with_scorers(catalogue, [frames]), "frames_generic", settings)
        pd.testing.assert_frame_equal(tables["framing"], shares)
        assert started.result("catalogue") is None  # handed over once: the server caches it
        assert not started.directory.exists()  # every table taken: the directory is gone
    finally:
        started.close()


def test_a_stale_version_writes_nothing(sample_db: Path, tmp_path: Path) -> None:
    settings = Settings.load()
    version = queries.data_version(str(sample_db), settings)
    warmup.write(str(sample_db), version + 1, tmp_path)  # the store is no longer at that version
    assert list(tmp_path.iterdir()) == []
    started = warmup.Warmup.start(str(tmp_path / "missing.db"), version)  # a process that fails
    assert not started.wait("catalogue") and started.result("catalogue") is None
    started.close()
    assert not started.directory.exists()
