"""Store files that are not ours: not SQLite, empty, foreign SQLite, a newer or altered schema; and runs
that never finished. Each is refused with one line naming the file and the version, before anything is
written; runs whose process is gone end as `interrupted`."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.__main__ import main as analysis_main
from core.migrations import MIGRATIONS
from core.store import Store, process_started
from scrapers.__main__ import main as scrapers_main
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")
NEWEST = MIGRATIONS[-1][0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _articles(tmp_path: Path) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": f"r-{n}", "outlet": "X", "title": "T", "text": "A calm text.",
                                        "story_id": "s"}) + "\n" for n in range(3)), encoding="utf-8")
    return path


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {"not sqlite": tmp_path / "junk.db", "text": tmp_path / "text.db", "empty": tmp_path / "empty.db",
             "foreign": tmp_path / "foreign.db", "newer": tmp_path / "newer.db", "renamed": tmp_path / "renamed.db"}
    files["not sqlite"].write_bytes(bytes(range(256)) * 20)
    files["text"].write_text("id,title\n1,hello\n", encoding="utf-8")
    files["empty"].write_bytes(b"")
    with sqlite3.connect(files["foreign"]) as con:
        con.execute("CREATE TABLE people (name TEXT)")
        con.execute("INSERT INTO people VALUES ('Ada')")
    con.close()
    for name in ("newer", "renamed"):
        with Store.open(files[name]) as store:
            store.upsert_articles([])
    with sqlite3.connect(files["newer"]) as con:
        con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', '2030-01-01')", (NEWEST + 1,))
    con.close()
    with sqlite3.connect(files["renamed"]) as con:
        con.execute("ALTER TABLE articles RENAME COLUMN title TO headline")
    con.close()
    return files


EXPECTED = {"not sqlite": "not an SQLite database", "text": "not an SQLite database", "empty": "no schema",
            "foreign": "not a PressLens store (no schema_migrations table; its tables: people)",
            "newer": f"schema version {NEWEST + 1}", "renamed": "articles column(s) title missing"}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_read_commands_refuse_a_bad_store_in_one_line(tmp_path: Path, kind: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = _bad_files(tmp_path)[kind]
    before = _digest(db)
    for argv in (["report"], ["digest", "--story", "s"], ["brief", "--story", "s"]):
        assert analysis_main([*argv, "--db", str(db)]) == 2, argv
        err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(err) == 1 and str(db) in err[0] and EXPECTED[kind] in err[0], err
    assert _digest(db) == before


@pytest.mark.parametrize("kind", sorted(set(EXPECTED) - {"empty"}))
def test_write_commands_refuse_a_bad_store_before_writing(tmp_path: Path, kind: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = _bad_files(tmp_path)[kind]
    before = _digest(db)
    assert analysis_main(["run", "--db", str(db)]) == 2
    assert scrapers_main(["import", str(_articles(tmp_path)), "--db", str(db)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 2 and all(str(db) in e and EXPECTED[kind] in e for e in err), err
    assert _digest(db) == before  # nothing written: no schema_migrations added to a foreign file
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_an_empty_file_becomes_a_store_when_written(tmp_path: Path) -> None:
    db = _bad_files(tmp_path)["empty"]
    assert scrapers_main(["import", str(_articles(tmp_path)), "--db", str(db)]) == 0
    with Store.open(db, readonly=True) as store:
        assert store.count("articles") == 3


@pytest.mark.parametrize("kind", ["not sqlite", "empty", "foreign", "newer"])
def test_dashboard_shows_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    db = _bad_files(tmp_path)[kind]
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and str(db) in at.error[0].value and EXPECTED[kind] in at.error[0].value


# ------------------------------------------------------------------ runs that never finished
def test_a_killed_command_leaves_its_run_interrupted_for_the_next_one(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Store.open(db):
        pass
    code = ("import sys, time; from core.store import Store\n"
            f"s = Store.open({str(db)!r}); s.start_run('sleeper', {{}}, {{}}); print('started', flush=True)\n"
            "time.sleep(120)\n")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "started"
        with Store.open(db) as store:
            assert store.mark_interrupted_runs() == []  # alive: left running
            row = store.runs().iloc[-1]
            assert (row["status"], row["pid"], row["host"]) == ("running", child.pid, os.uname().nodename)
            assert row["process_started"] == pytest.approx(process_started(child.pid))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with Store.open(db) as store:
        later = store.start_run("later", {}, {})
        runs = store.runs().set_index("id")
    assert runs.loc[later, "status"] == "running"
    assert runs.loc[runs["command"] == "sleeper", "status"].tolist() == ["interrupted"]


def test_a_reused_process_id_does_not_keep_a_run_alive(tmp_path: Path) -> None:
    with Store.open(tmp_path / "r.db") as store:
        mine = store.start_run("mine", {}, {})
        stale = store.start_run("stale", {}, {})
        # the stale run's process id is now a different (this) process, started at another time
        store._db.execute("UPDATE runs SET process_started = process_started - 1000 WHERE id = ?", (stale,))
        assert store.mark_interrupted_runs() == [stale]
        statuses = store.runs().set_index("id")["status"]
    assert statuses[mine] == "running" and statuses[stale] == "interrupted"


def test_a_command_that_fails_ends_its_run_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapers import importer

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "import_files", boom)
    db = tmp_path / "f.db"
    with pytest.raises(RuntimeError):
        scrapers_main(["import", str(_articles(tmp_path)), "--db", str(db)])
    with Store.open(db, readonly=True) as store:
        assert store.runs()["status"].tolist() == ["failed"]


def test_story_page_on_a_story_without_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 (10): every capitalised word starts a sentence; the Story page showed KeyError: 'entity'."""
    path = tmp_path / "k.jsonl"
    text = "Tactical moves were made. Critics said it was late. Officials agreed. Nobody knew why."
    path.write_text("".join(json.dumps({"id": f"k-{n}", "outlet": ["X", "Y"][n % 2], "title": "Plans change",
                                        "story_id": "k", "published": "2024-05-02", "text": text}) + "\n"
                            for n in range(4)), encoding="utf-8")
    db = tmp_path / "k.db"
    assert scrapers_main(["import", str(path), "--db", str(db)]) == 0
    assert analysis_main(["run", "--scorer", "tone_vader", "--db", str(db)]) == 0
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/story.py").run()
    at.selectbox(key="digest_story").select("k").run()
    assert not at.exception, at.exception
    assert any(b.label == "Digest as MD" for b in at.get("download_button"))
