"""The command-line contracts, run as an analyst runs them (subprocesses on a store of the sample corpus)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.fixtures import corpus
from tests.helpers import run_cli


def test_import_run_report_on_the_sample(tmp_path: Path) -> None:
    articles = corpus.write_jsonl(tmp_path / "sample.jsonl")
    db = str(tmp_path / "x.db")
    imported = run_cli("scrapers", "import", str(articles), "--db", db)
    assert imported.returncode == 0, imported.stderr
    assert "36 articles from 6 outlets in 3 stories (2026-03-02 .. 2026-03-09)" in imported.stdout
    assert "rejected lines: 0" in imported.stdout and "warnings: 1 missing date" in imported.stdout
    scored = run_cli("analysis", "run", "--db", db)
    assert scored.returncode == 0, scored.stderr
    assert "tone_vader: 36 articles scored" in scored.stdout
    assert "tone: news model (tone_news)" in scored.stdout  # 36 <= news_tone_max_articles
    assert "tone_news: 36 articles scored" in scored.stdout
    again = run_cli("analysis", "run", "--db", db)
    assert "tone_vader: 0 articles scored" in again.stdout  # nothing scored twice
    out = run_cli("analysis", "report", "--db", db, "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = {r["outlet"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert sorted(rows) == sorted(corpus.OUTLETS)
    assert all(-1 <= float(r["tone_mean"]) <= 1 for r in rows.values())
    # an interval from 5 articles on (compare.MIN_ARTICLES); Coastline Post (4) and Riverside Bulletin (3): the mean
    assert {o for o, r in rows.items() if r["tone_low"] and r["tone_high"]} == {
        o for o, r in rows.items() if int(r["articles"]) >= 5}
    assert rows["Harbor Ledger"]["articles"] == "9" and float(rows["Northgate Tribune"]["tone_high"]) < 0
    as_json = json.loads(run_cli("analysis", "report", "--db", db, "--format", "json",
                                 "--outlet", "Metro Daily").stdout)
    assert [(r["outlet"], r["articles"]) for r in as_json] == [("Metro Daily", 5)]
    table = run_cli("analysis", "report", "--db", db, "--format", "table").stdout
    assert "Riverside Bulletin" in table and "tone_mean" in table


def test_env_var_selects_the_store(tmp_path: Path) -> None:
    articles = corpus.write_jsonl(tmp_path / "sample.jsonl")
    db = str(tmp_path / "env.db")
    done = run_cli("scrapers", "import", str(articles), env={"PRESSLENS_DB": db})
    assert done.returncode == 0 and Path(db).is_file()
    assert f"store: {db}" in done.stdout


def test_bad_input_gives_one_clean_line_and_nonzero_exit(tmp_path: Path) -> None:
    db = str(tmp_path / "e.db")
    missing = run_cli("scrapers", "import", str(tmp_path / "nope.jsonl"), "--db", db)
    assert missing.returncode == 1 and "nope.jsonl: no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    no_store = run_cli("analysis", "report", "--db", str(tmp_path / "none.db"))
    assert no_store.returncode == 2 and "no store at" in no_store.stderr and "Traceback" not in no_store.stderr
    typo = run_cli("analysis", "run", "--db", db, "--scorer", "vadr")
    assert typo.returncode == 2 and "unknown scorer 'vadr'; valid:" in typo.stderr
    bad_setting = run_cli("analysis", "run", "--db", db, env={"PRESSLENS_BATCH_SIZE": "lots"})
    assert bad_setting.returncode == 2 and "batch_size" in bad_setting.stderr
    bad_lines = tmp_path / "bad.jsonl"
    bad_lines.write_text('{"id": "1", "outlet": "X", "title": "t", "text": "ok."}\n{oops\n', encoding="utf-8")
    partial = run_cli("scrapers", "import", str(bad_lines), "--db", db)
    assert partial.returncode == 0
    assert f"{bad_lines}:2: invalid JSON" in partial.stderr
    assert "rejected lines: 1 (1 invalid json)" in partial.stdout


def test_empty_store_says_how_to_fill_it(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    done = run_cli("analysis", "run", "--db", db)
    assert done.returncode == 0 and "python -m scrapers import" in done.stdout


def test_dashboard_bench_prints_page_timings_and_p95(sample_db: Path) -> None:
    done = run_cli("dashboard", "bench", "--db", str(sample_db), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    for page in ("overview", "compare", "tone", "framing", "emphasis", "story", "articles", "methodology"):
        assert any(line.startswith(f"app_pages/{page}.py") and "median" in line for line in lines), page
    last = lines[-1]
    assert last.startswith("p95_ms=") and last.endswith("pages=8")
    assert int(last.split()[0].split("=")[1]) > 0


def test_extract_cli_writes_one_line_per_page(tmp_path: Path) -> None:
    import gzip

    pages = tmp_path / "pages"
    pages.mkdir()
    body = " ".join(f"Sentence number {i} of a story we wrote for this test about export licences." for i in range(30))
    html = (f"<html lang='en'><head><title>Licences and talks</title>"
            f"<meta property='article:published_time' content='2025-06-10T09:00:00Z'></head>"
            f"<body><nav>Home | World</nav><article><h1>Licences and talks</h1><p>{body}</p><p>{body}</p>"
            f"</article></body></html>")
    (pages / "one.html").write_text(html, encoding="utf-8")
    (pages / "two.html.gz").write_bytes(gzip.compress(html.encode()))
    (pages / "bad.html").write_bytes(b"\x00\x01\x02 binary")
    url_map = tmp_path / "map.json"
    url_map.write_text(json.dumps({"one": "https://news.example/one"}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = run_cli("scrapers", "extract", str(pages), "--url-map", str(url_map), "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"one", "two", "bad"}
    assert rows["one"]["published"].startswith("2025-06-10") and "export licences" in rows["one"]["text"]
    assert "Home | World" not in rows["one"]["text"]
    assert {"id", "title", "text", "published", "modified", "authors", "language", "method"} <= set(rows["two"])
    assert "error" in rows["bad"] and "bad" in done.stderr
    assert "3 pages read, 2 extracted, 1 failed" in done.stdout
    missing = run_cli("scrapers", "extract", str(tmp_path / "nope"), "--out", str(out))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_analysis_help_lists_brief_and_the_report_options() -> None:
    done = run_cli("analysis", "--help")
    assert done.returncode == 0 and "brief" in done.stdout and "python -m analysis brief --story ID" in done.stdout
    report = run_cli("analysis", "report", "--help")
    assert "--metrics" in report.stdout
    assert "{outlet,country,region,language,type,ownership,bias,bias3}" in report.stdout
    brief = run_cli("analysis", "brief")
    assert brief.returncode == 2 and "--story" in brief.stderr  # the story is required


def test_the_analysis_command_line_starts_without_scikit_learn() -> None:
    # scikit-learn costs over a second to import; only story grouping and digests need it
    done = subprocess.run([sys.executable, "-c", "import sys, analysis.__main__; print('sklearn' in sys.modules)"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
