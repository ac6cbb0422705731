"""The warm-up process: it hands over exactly the tables the server would compute, once, and cleans up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from core.settings import Settings
from dashboard import framing, queries, warmup
from tests.conftest import REPO_ROOT


def test_the_warm_up_process_writes_the_tables_the_pages_open_on(sample_db: Path) -> None:
    settings = Settings.load()
    version = queries.data_version(str(sample_db), settings)
    started = warmup.Warmup.start(str(sample_db), version)
    try:
        assert all(started.wait(name) for name in warmup.TABLES)
        tables = {name: started.result(name) for name in warmup.TABLES}
        catalogue = queries.catalogue(str(sample_db), settings)
        frames = queries.scorer_columns(str(sample_db), settings, "frames_generic")
        assert len(catalogue) == 36
        pd.testing.assert_frame_equal(tables["catalogue"], catalogue)
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


def _in_own_session(code: str) -> str:
    """Run ``code`` in a new session (as ``Warmup.start`` runs the process); return what it printed."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                          start_new_session=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    return done.stdout


def test_the_process_lowers_its_sessions_autogroup_as_well_as_its_nice_value() -> None:
    if not warmup.AUTOGROUP.exists():
        pytest.skip("no /proc/self/autogroup: this kernel schedules without autogroups")
    printed = _in_own_session("import os; from dashboard.warmup import lowest_priority; lowest_priority(); "
                              "print(os.nice(0)); print(open('/proc/self/autogroup').read())")
    nice, group = printed.splitlines()[:2]
    assert nice == str(warmup.NICE)
    assert group.endswith(f"nice {warmup.NICE}"), group  # e.g. "/autogroup-731 nice 19"


def test_the_process_exits_when_the_server_has_gone() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads process states from /proc")
    # A middle process starts a child that watches it, prints the child's id and exits: the child must follow.
    child = ("import os, time; from dashboard.warmup import exit_with; exit_with(os.getppid(), 0.05); "
             "print(os.getpid(), flush=True); time.sleep(120)")
    middle = (f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {child!r}], "
              "stdout=subprocess.PIPE, text=True); print(p.stdout.readline().strip())")
    pid = int(_in_own_session(middle))
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), f"the child {pid} outlived its parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
