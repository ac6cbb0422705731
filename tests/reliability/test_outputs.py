"""Outputs that cannot be written (a directory, /dev/full, a path under a file, stdout on a full disk):
one line naming the path and the OS error, exit 2, for every command that writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main as analysis_main
from core.store import Store
from scrapers.__main__ import main as scrapers_main
from scrapers.importer import import_files
from tests.conftest import REPO_ROOT

DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full on this system")
OUTLETS = ("Daily Example", "Morning Post")
TEXT = ("The council approved the new bridge on Monday. Mayor Ana Ruiz said the vote was a relief. "
        "Critics warned that costs could rise. The work starts in May.")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A six-article store of one story, an articles JSONL, a sentiment input and a saved page."""
    root = tmp_path_factory.mktemp("outputs")
    articles = root / "articles.jsonl"
    rows = [{"id": f"a-{n}", "outlet": OUTLETS[n % 2], "url": f"https://news{n % 2}.example/bridge-{n}",
             "title": f"Council backs bridge plan {n}", "published": f"2024-05-0{1 + n}", "story_id": "bridge",
             "text": TEXT} for n in range(6)]
    articles.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = root / "s.db"
    with Store.open(db) as store:
        import_files([articles], store)
    assert analysis_main(["run", "--db", str(db), "--scorer", "tone_vader", "--scorer", "length"]) == 0
    senti = root / "senti.jsonl"
    senti.write_text('{"id": "1", "text": "Good news today."}\n', encoding="utf-8")
    page = root / "page.html"
    page.write_text("<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1>"
                    + "".join(f"<p>{TEXT}</p>" for _ in range(4)) + "</article></body></html>", encoding="utf-8")
    a_file = root / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    return {"db": db, "articles": articles, "senti": senti, "page": page, "file": a_file, "root": root}


def _commands(small: dict[str, Path], out: Path) -> dict[str, tuple[str, list[str]]]:
    db = str(small["db"])
    return {
        "digest": ("analysis", ["digest", "--story", "bridge", "--db", db, "--out", str(out)]),
        "sentiment": ("analysis", ["sentiment", "--in", str(small["senti"]), "--out", str(out)]),
        "stories": ("analysis", ["stories", "--in", str(small["articles"]), "--out", str(out)]),
        "extract": ("scrapers", ["extract", str(small["page"]), "--out", str(out)]),
    }


STDOUT_COMMANDS = {
    "report": ["report", "--format", "csv"],
    "brief": ["brief", "--story", "bridge"],
    "digest": ["digest", "--story", "bridge"],
}


def _run(layer: str, argv: list[str]) -> int:
    return (analysis_main if layer == "analysis" else scrapers_main)(argv)


@pytest.mark.parametrize("where", ["directory", "under a file", pytest.param("dev full", marks=needs_dev_full)])
@pytest.mark.parametrize("command", ["digest", "sentiment", "stories", "extract"])
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(
        small: dict[str, Path], command: str, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = {"directory": small["root"], "under a file": small["file"] / "out.jsonl", "dev full": DEV_FULL}[where]
    layer, argv = _commands(small, out)[command]
    assert _run(layer, argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    assert str(out) in err[0] or str(small["file"]) in err[0], err
    assert any(words in err[0] for words in ("Is a directory", "Not a directory", "No space left", "File exists"))


@needs_dev_full
@pytest.mark.parametrize("command", sorted(STDOUT_COMMANDS))
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(small: dict[str, Path], command: str) -> None:
    with DEV_FULL.open("w") as full:
        done = subprocess.run([sys.executable, "-m", "analysis", *STDOUT_COMMANDS[command], "--db", str(small["db"])],
                              cwd=REPO_ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300,
                              env={**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})
    err = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert err == ["python -m analysis: error: standard output: No space left on device"], done.stderr
