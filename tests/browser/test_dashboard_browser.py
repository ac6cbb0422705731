"""The dashboard in a real browser: Debian's chromium driven by Playwright.

Opens the app on the sample store (tests/fixtures/corpus.py), changes a filter, downloads a CSV and a PNG and
checks what is inside, and saves screenshots to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard.__main__ import streamlit_command
from tests.conftest import REPO_ROOT
from tests.fixtures import corpus

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts"
READY_SECONDS = 90
RERUN_MS = 120_000  # a rerun takes a second or two; generous for a loaded machine
COUNT = re.compile(r"^([\d,]+) articles from \d+ outlets")  # the compare page's caption
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _need_browser() -> None:
    missing = [] if Path(CHROMIUM).exists() else [CHROMIUM]
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        message = f"needs {', '.join(missing)} (make test installs both)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(server: subprocess.Popen[str], port: int) -> None:
    """Wait until a Streamlit server started with stdout=PIPE prints its address on ``port``; fail with its output."""
    ready = threading.Event()
    lines: list[str] = []

    def watch() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.append(line)
            if "You can now view your Streamlit app" in line or f":{port}" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    began = time.monotonic()
    assert ready.wait(READY_SECONDS), "streamlit did not start:\n" + "".join(lines)
    # `python -m dashboard` prints its address before Streamlit listens: wait for the port itself
    while time.monotonic() - began < READY_SECONDS:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)  # polling a subprocess's port, not Streamlit's own state
    raise AssertionError("streamlit never listened:\n" + "".join(lines))


@pytest.fixture(scope="module")
def app_url(sample_db: Path) -> Iterator[str]:
    _need_browser()
    port = _free_port()
    env = {**os.environ, "PRESSLENS_DB": str(sample_db)}
    server = subprocess.Popen(  # the server python -m dashboard starts (dashboard.serve)
        streamlit_command("127.0.0.1", port),
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_until_listening(server, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_rerun(page: object) -> None:
    """Wait until Streamlit's script run is over, so every widget (download buttons too) holds this run's data.

    Streamlit marks its app root ``data-test-script-state="running"`` while the script runs and shows the
    "Running..." status widget; a download button clicked before then serves the previous run's bytes.
    """
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(  # type: ignore[attr-defined]
        "data-test-script-state", "notRunning", timeout=RERUN_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=RERUN_MS)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_filter_download_csv_and_png(app_url: str, browser: object, tmp_path: Path, sample_db: Path) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}/compare")
    page.get_by_text("Compare outlets", exact=True).first.wait_for()
    page.get_by_text("Download outlets (CSV)").wait_for()
    _wait_for_rerun(page)
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text=COUNT).first
    unfiltered = caption.inner_text()
    assert unfiltered.startswith("36 articles from 6 outlets"), unfiltered
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)

    search = page.get_by_role("textbox", name="Search titles and texts")
    search.fill("Ruiz")
    search.press("Enter")
    page.wait_for_url("**q=Ruiz**")  # the filtered run has started: it mirrors the filter into the URL
    expect(caption).not_to_have_text(unfiltered, timeout=RERUN_MS)  # the filtered run has drawn its caption
    _wait_for_rerun(page)  # ... and has finished: the download buttons now hold the filtered rows
    match = COUNT.match(caption.inner_text())
    assert match, caption.inner_text()
    filtered = int(match.group(1).replace(",", ""))
    page.screenshot(path=str(ARTIFACTS / "compare-filtered.png"), full_page=True)

    with page.expect_download() as csv_download:
        page.get_by_text("Download outlets (CSV)").click()
    csv_path = tmp_path / "outlets.csv"
    csv_download.value.save_as(csv_path)
    table = pd.read_csv(csv_path)
    naming = [r for r in corpus.articles() if "Ruiz" in r["title"] + r["text"]]  # the mayor: 9 articles, 5 outlets
    assert sorted(table["outlet"]) == sorted({r["outlet"] for r in naming})
    assert table["tone_mean"].between(-1, 1).all()
    assert filtered == len(naming) == 9
    assert table["articles"].sum() == filtered  # the download holds what the page shows: the filtered rows

    with page.expect_download(timeout=120_000) as png_download:
        page.get_by_role("button", name="Chart as PNG").first.click()
    png_path = tmp_path / "chart.png"
    png_download.value.save_as(png_path)
    data = png_path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.width >= 1600 and image.height >= 500  # 2x scale of a 1000 px wide figure
    pixels = list(image.convert("L").tobytes())
    white = sum(1 for p in pixels if p > 240) / len(pixels)
    assert white > 0.5, f"the exported chart is not on a light background ({white:.0%} white)"
    shutil.copy(png_path, ARTIFACTS / "downloaded-chart.png")

    with page.expect_download(timeout=180_000) as zip_download:
        page.get_by_role("button", name="Download bundle (zip)").click()
    zip_path = tmp_path / "bundle.zip"
    zip_download.value.save_as(zip_path)
    import json
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        assert {"tables/outlets.csv", "tables/articles.csv", "methodology.json", "charts/tone-by-outlet.png",
                "charts/tone-by-outlet.svg", "charts/tone-by-outlet.html"} <= names
        methodology = json.loads(archive.read("methodology.json"))
        bundled = pd.read_csv(io.BytesIO(archive.read("tables/outlets.csv")))
    assert methodology["query"]["search"] == "Ruiz"
    assert len(methodology["articles"]) == table["articles"].sum()
    assert all(a["url"] and a["content_hash"] for a in methodology["articles"])
    pd.testing.assert_frame_equal(bundled, table)

    for path, title in (("", "Overview"), ("tone", "Tone"), ("framing", "Framing"), ("emphasis", "Emphasis"),
                        ("articles", "Articles"), ("methodology", "Methodology")):
        page.goto(f"{app_url}/{path}?outlet=Harbor+Ledger&outlet=Northgate+Tribune")
        page.get_by_role("heading", name=title, exact=True).wait_for()
        page.get_by_text("Download", exact=False).first.wait_for()
        if path in ("", "tone", "framing", "emphasis"):  # the page's own chart, not only the sidebar's button
            page.get_by_role("button", name="Chart as PNG").first.wait_for(timeout=120_000)
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("Traceback").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}.png"), full_page=True)

    from core.store import Store

    with Store.open(sample_db, readonly=True) as store:
        story = str(store.stories()["story"].iloc[0])
    page.goto(f"{app_url}/story?story={story}")
    page.get_by_role("heading", name="Story digest", exact=True).wait_for()
    page.get_by_role("heading", name="Cited articles", exact=True).wait_for(timeout=120_000)
    page.get_by_text("Download digest-articles (CSV)").wait_for()
    assert page.get_by_text("Traceback").count() == 0
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)
    context.close()


def test_every_download_of_every_page(app_url: str, browser: object, tmp_path: Path, sample_db: Path) -> None:
    """Click every download button of every page and view (benchmarks/dashboard_downloads.py) and check each file."""
    from benchmarks import dashboard_downloads as downloads
    from core.store import ArticleFilter, Store
    from dashboard import exports

    with Store.open(sample_db, readonly=True) as store:
        scorers = set(store.scorers_present())
        story = str(store.stories()["story"].iloc[0])
    outlets = ("Harbor Ledger", "Northgate Tribune")
    token = exports.file_stem("x", ArticleFilter(outlets=outlets))[2:]
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(120_000)
    views = [v for v in downloads.views(story, "Ruiz") if v.name != "story"]  # the digest: below, its story selected
    rows = list(downloads.walk(page, app_url, [("outlet", o) for o in outlets], views, token, scorers, tmp_path))
    story_token = exports.file_stem("x", ArticleFilter(story_id=story))[2:]
    rows += downloads.walk(page, app_url, [("story", story)], [v for v in downloads.views(story, "Ruiz")
                                                              if v.name == "story"], story_token, scorers, tmp_path)
    context.close()
    failed = [row for row in rows if row[4] != "ok"]
    assert not failed, failed
    kinds = {name.rsplit(".", 1)[1] for _, _, name, _, _ in rows}
    assert kinds == {"csv", "png", "svg", "html", "zip", "md", "json"}, kinds
    pages = {view.split("-")[0] for view, *_ in rows}
    assert pages == {"overview", "compare", "tone", "framing", "emphasis", "story", "articles", "outlets",
                     "methodology"}, pages
    assert len(rows) >= 50, len(rows)  # every table, every chart in three formats, the bundle, brief and digest
