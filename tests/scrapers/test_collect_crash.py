"""Kill real collection processes and start them again; read the store while a collection writes.

``python -m scrapers collect`` runs in a subprocess against the loopback test web
(tests/scrapers/sites.py). Kill moments are chosen by what the server has seen
(after discovery, after the first article page, at a third and at two thirds of
the pages), never by the clock. The result must equal an uninterrupted run's:
the same article ids with the same content hashes, none twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.errors import StoreError
from core.store import Store
from tests.conftest import REPO_ROOT, require_shared
from tests.scrapers.sites import SiteServer, start_sites

# Seconds to wait for a collection (about 100 pages on one host; ~20 s on an idle 2-core machine).
RUN_TIMEOUT = 600
POLL = 0.02  # seconds between two looks at the server's request log
# Pages a killed run may have fetched but not saved: the one being fetched, plus the results queue
# of scrapers.fetch (2 per worker; one worker, as every page is on 127.0.0.1), plus one in hand.
IN_FLIGHT = 4


def story_file(web: SiteServer, folder: Path) -> Path:
    blocks = []
    for site in ("alpha", "bravo", "charlie", "delta"):
        sources = web.sources_for(site)
        blocks.append(f'[[outlets]]\nname = "{site.capitalize()}"\nfeeds = {sources["feeds"]!r}\n'
                      f'sitemaps = {sources["sitemaps"]!r}\n'.replace("'", '"'))
    path = folder / "loopback.toml"
    path.write_text('title = "Loopback"\nstart = 2025-06-01\nend = 2025-06-30\n[query]\nall_of = [["news"]]\n'
                    "[gdelt]\nenabled = false\n\n" + "\n".join(blocks), encoding="utf-8")
    return path


def collect_command(story: Path, db: Path, delay: float) -> list[str]:
    return [sys.executable, "-m", "scrapers", "collect", "--story", str(story), "--db", str(db), "--delay", str(delay),
            "--allow-private-hosts", "--no-progress"]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PRESSLENS_DB"}
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    return env


def page_requests(web: SiteServer) -> int:
    with web._lock:
        return sum(1 for r in web.log if "/news/" in r.path)


def feeds_served(web: SiteServer, after: int) -> int:
    with web._lock:
        return sum(1 for r in web.log[after:] if r.path.endswith((".xml", ".xml.gz")))


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> bool:
    """Wait until ``condition`` holds (True) or the process ended (False)."""
    pause = threading.Event()
    while not condition():
        if process.poll() is not None:
            return False
        pause.wait(POLL)
    return True


def contents(db: Path) -> list[tuple[str, str]]:
    with Store.open(db, readonly=True) as store:
        frame = store.articles(columns=["content_hash"])
    return sorted(zip(frame["id"], frame["content_hash"]))


@pytest.fixture(scope="module")
def web() -> Iterator[SiteServer]:
    server = start_sites(require_shared())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def baseline(web: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]], int]:
    """An uninterrupted run: its articles and how many article pages it fetched."""
    folder = tmp_path_factory.mktemp("baseline")
    story = story_file(web, folder)
    before = page_requests(web)
    done = subprocess.run(collect_command(story, folder / "b.db", 0.0), cwd=REPO_ROOT, env=environment(),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "candidates" in done.stdout and "stored" in done.stdout
    return story, contents(folder / "b.db"), page_requests(web) - before


def test_sigkill_at_several_moments_then_resume_equals_one_run(
        web: SiteServer, baseline: tuple[Path, list[tuple[str, str]], int], tmp_path: Path) -> None:
    story, expected, pages = baseline
    assert len(expected) > 60 and pages >= len(expected)
    db = tmp_path / "killed.db"
    start = page_requests(web)
    seen = len(web.requests())
    # kill during discovery (a feed served), after the first page, at a third, at two thirds of the pages
    moments = [lambda: feeds_served(web, seen) > 0,
               lambda: page_requests(web) >= start + 1,
               lambda: page_requests(web) >= start + pages // 3,
               lambda: page_requests(web) >= start + 2 * pages // 3]
    kills = 0
    for moment in moments:
        process = subprocess.Popen(collect_command(story, db, 0.01), cwd=REPO_ROOT, env=environment(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            if wait_until(moment, process):
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert kills >= 3  # a run may finish before a late moment on a fast machine, never before the early ones
    done = subprocess.run(collect_command(story, db, 0.0), cwd=REPO_ROOT, env=environment(), capture_output=True,
                          text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    got = contents(db)
    assert got == expected
    with Store.open(db, readonly=True) as store:  # either backend (docs/store.md)
        canonical = store.articles(columns=["canonical_url"])["canonical_url"]
        assert canonical.nunique() == store.count("articles") == len(got)
        statuses = store.runs()["status"].tolist()
    # a killed run never finishes its record; the next run marks it interrupted (its process is gone)
    assert statuses[-1] == "done" and statuses.count("interrupted") == kills and "running" not in statuses
    refetched = page_requests(web) - start - pages
    assert refetched <= kills * IN_FLIGHT, refetched


def test_reports_read_while_a_collection_writes(
        web: SiteServer, baseline: tuple[Path, list[tuple[str, str]], int], tmp_path: Path) -> None:
    story, expected, _pages = baseline
    db = tmp_path / "busy.db"
    writer = subprocess.Popen(collect_command(story, db, 0.02), cwd=REPO_ROOT, env=environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    reads = 0
    in_process_reads = 0
    try:
        assert wait_until(lambda: db.exists() and _has_articles(db), writer), writer.communicate()[1]
        while writer.poll() is None:
            report = subprocess.run([sys.executable, "-m", "analysis", "report", "--db", str(db)], cwd=REPO_ROOT,
                                    env=environment(), capture_output=True, text=True, timeout=RUN_TIMEOUT)
            reads += 1
            if report.returncode != 0 or "locked" in report.stderr.lower():
                errors.append(report.stderr)
            with Store.open(db, readonly=True) as store:  # what the dashboard does: short read-only connections
                store.summary()
                store.articles()
                in_process_reads += 1
        out, err = writer.communicate(timeout=RUN_TIMEOUT)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, err
    assert reads >= 2 and in_process_reads >= 2, (reads, out)
    assert errors == []
    assert contents(db) == expected


def _has_articles(db: Path) -> bool:
    try:
        with Store.open(db, readonly=True, busy_timeout_ms=5000) as store:
            return store.count("articles") > 0
    except (StoreError, sqlite3.Error):  # not yet a store, or locked
        return False


def test_offline_discovery_names_the_step_and_exits_1(tmp_path: Path) -> None:
    """Nothing listens on port 1: the one line names the step and the URL; no traceback."""
    feed = "http://127.0.0.1:1/rss.xml"
    done = subprocess.run([sys.executable, "-m", "scrapers", "collect", "--feed", feed, "--db", str(tmp_path / "o.db"),
                           "--allow-private-hosts", "--no-progress"], cwd=REPO_ROOT, env=environment(),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"discovery: cannot reach {feed}: "), done.stderr
    assert "Traceback" not in done.stderr


def test_offline_fetching_names_the_step_and_exits_1(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:1/news/a.html\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scrapers", "collect", "--urls", str(urls), "--db",
                           str(tmp_path / "o.db"), "--allow-private-hosts", "--no-progress"], cwd=REPO_ROOT,
                          env=environment(), capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.startswith("fetching: cannot reach http://127.0.0.1:1/news/a.html: "), done.stderr
    assert "Traceback" not in done.stderr


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scrapers", "collect", "--gdelt", "china", "--db",
                           str(tmp_path / "o.db")], cwd=REPO_ROOT, env=environment(), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert done.returncode == 2 and "--gdelt needs --since and --until" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_if_empty_leaves_a_filled_store_alone(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    with Store.open(db) as store:
        from core.schema import Article

        store.upsert_articles([Article(id="s-1", outlet="Example", title="T", text="Body.")])
    done = subprocess.run([sys.executable, "-m", "scrapers", "collect", "--feed", "http://127.0.0.1:1/rss.xml",
                           "--db", str(db), "--if-empty", "--no-progress"], cwd=REPO_ROOT, env=environment(),
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0 and "already holds 1 articles" in done.stdout, done.stderr
