"""Click every download of every page in a real browser (Debian's chromium, Playwright) and check each file.

Starts ``python -m dashboard`` on the store, opens every page with a selection in its address (a
story, or outlets), walks each page's views that offer their own downloads (Compare's "More
comparisons", Compare by an outlet group, a tone target, every Emphasis view, the Story page's digest),
clicks every download button once (the sidebar's bundle once) and checks the file:

* non-empty, and readable as what it says (CSV, PNG, SVG, HTML, zip, JSON, Markdown);
* a CSV whose rows are about outlets has an outlet or group column (``outlet``, ``outlets``,
  ``outlet_names`` or an outlet field such as ``country``); the tables that are not about outlets
  are named in ``NOT_ABOUT_OUTLETS``;
* the file name carries the selection (``exports.file_stem``: the story, or the first outlets);
* a PNG is slide-sized (at most ``MAX_PNG_HEIGHT`` pixels high: the 2x export of a figure of at
  most 1200 px);
* ``methodology.json`` (in the bundle) lists exactly the scorers with a number in the bundle's
  ``articles.csv``, each of them present in the store.

Prints one row per file and a last line ``files=N failed=N``; exits 1 when a check failed.

    OMP_NUM_THREADS=1 python benchmarks/dashboard_downloads.py --db /tmp/all7.db --outlets 3
    OMP_NUM_THREADS=1 python benchmarks/dashboard_downloads.py --db /tmp/dash-md.db --story largest
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.dashboard_browser import CHROMIUM, free_port, largest_story, wait_done  # noqa: E402

OUTLET_COLUMNS = {"outlet", "outlets", "outlet_names", "first_outlet", "country", "region", "language", "type",
                  "ownership", "bias", "bias3"}
# Tables whose rows are about something else than outlets (scorers, stories, events, data-quality kinds).
NOT_ABOUT_OUTLETS = {"scorers", "story-events", "story-threads"}
MAX_PNG_HEIGHT = 2400
DOWNLOAD_MS = 300_000
# A download button's widget key (Streamlit marks the element's container with ``st-key-<key>``).
WIDGET_KEY = """el => { const box = el.closest('[class*="st-key-"]');
  const found = box && box.className.match(/st-key-(\\S+)/); return found ? found[1] : null; }"""


@dataclass(frozen=True)
class View:
    """One state of one page: its address and what to do there before the downloads are read."""

    name: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    act: Callable[[object], None] | None = None


def pick(label: str) -> Callable[[object], None]:
    """Return an action that clicks one radio option by its label."""
    def act(page: object) -> None:
        page.get_by_test_id("stRadio").get_by_text(label, exact=True).click()  # type: ignore[attr-defined]
    return act


def type_target(target: str) -> Callable[[object], None]:
    def act(page: object) -> None:
        box = page.get_by_role("textbox", name="Target (a person, country, organisation or term)")  # type: ignore[attr-defined]
        box.fill(target)
        box.press("Enter")
    return act


def views(story: str | None, target: str) -> list[View]:
    """Every page, and every view of a page that brings downloads of its own."""
    found = [View("overview", "overview"), View("compare", "compare")]
    found += [View(f"compare-{key}", "compare", act=pick(label)) for key, label in
              (("frames", "Primary frames"), ("terms", "Distinctive terms"), ("speakers", "Most quoted speakers"),
               ("brief", "What the papers say"))]
    found += [View("compare-by-country", "compare", (("by", "country"),)),
              View("tone", "tone"), View("tone-target", "tone", act=type_target(target)),
              View("framing", "framing")]
    found += [View(f"emphasis-{key}", "emphasis", act=pick(label)) for key, label in
              (("terms", "Distinctive terms"), ("entities", "Entity salience"), ("facets", "Facet shares"),
               ("timing", "Volume and timing"))]
    if story:
        found.append(View("story", "story", (("digest", story),)))
    found += [View("articles", "articles"), View("outlets", "outlets"), View("methodology", "methodology")]
    return found


def check_csv(data: bytes, stem: str) -> tuple[str, list[str]]:
    import pandas as pd

    table = pd.read_csv(io.BytesIO(data))
    problems = []
    about = not any(stem.startswith(name + "_") or stem == name for name in NOT_ABOUT_OUTLETS)
    if about and not OUTLET_COLUMNS & set(table.columns):
        problems.append(f"no outlet or group column ({', '.join(map(str, table.columns[:6]))} ...)")
    if table.empty:
        problems.append("no rows")
    return f"{len(table)} rows x {len(table.columns)}", problems


def check_png(data: bytes) -> tuple[str, list[str]]:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    problems = [f"{image.height} px high: not slide-sized"] if image.height > MAX_PNG_HEIGHT else []
    return f"{image.width}x{image.height}", problems


def check_zip(data: bytes, store_scorers: set[str]) -> tuple[str, list[str]]:
    import pandas as pd

    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names:
            if name.endswith(".csv"):
                _, found = check_csv(archive.read(name), Path(name).stem)
                problems += [f"{name}: {p}" for p in found]
            elif name.endswith(".png"):
                _, found = check_png(archive.read(name))
                problems += [f"{name}: {p}" for p in found]
        methodology = json.loads(archive.read("methodology.json"))
        articles = pd.read_csv(io.BytesIO(archive.read("tables/articles.csv")))
    listed = {s["scorer"] for s in methodology["scorers"]}
    produced = {c.split(".", 1)[0] for c in articles.columns if "." in c and articles[c].notna().any()}
    if listed != produced:
        problems.append(f"methodology.json lists {sorted(listed)}, numbers come from {sorted(produced)}")
    if listed - store_scorers:
        problems.append(f"methodology.json lists scorers the store lacks: {sorted(listed - store_scorers)}")
    if len(methodology["articles"]) != len(articles):
        problems.append(f"methodology.json has {len(methodology['articles'])} articles, articles.csv {len(articles)}")
    return f"{len(names)} files; scorers {', '.join(sorted(listed))}", problems


def check(name: str, data: bytes, token: str, store_scorers: set[str]) -> tuple[str, list[str]]:
    """Return (what the file holds, problems) for one download."""
    if not data:
        return "empty", ["empty file"]
    stem, _, ext = name.rpartition(".")
    problems = [] if token in stem else [f"file name lacks the selection ({token})"]
    if ext == "csv":
        what, found = check_csv(data, stem)
    elif ext == "png":
        what, found = check_png(data)
    elif ext == "svg":
        what, found = f"{len(data):,} bytes", ([] if b"<svg" in data[:2000] else ["not an SVG"])
    elif ext == "html":
        what, found = f"{len(data):,} bytes", ([] if b"plotly" in data or b"<html" in data[:2000].lower()
                                               else ["not a chart page"])
    elif ext == "zip":
        what, found = check_zip(data, store_scorers)
    elif ext == "json":
        parsed = json.loads(data)
        what, found = f"{len(parsed)} keys", []
        if isinstance(parsed, dict) and "scorers" in parsed:
            listed = {s["scorer"] if isinstance(s, dict) else s for s in parsed["scorers"]}
            extra = sorted(listed - store_scorers)
            found = [f"lists scorers the store lacks: {extra}"] if extra else []
    elif ext == "md":
        what, found = f"{len(data.splitlines())} lines", []
    else:
        what, found = f"{len(data):,} bytes", [f"unexpected kind .{ext}"]
    return what, problems + found


Row = tuple[str, str, str, str, str]


def walk(page: object, base: str, params: list[tuple[str, str]], chosen: list[View], token: str,
         store_scorers: set[str], out: Path) -> Iterator[Row]:
    """Open every view, click each download once (the sidebar's bundle once), check every file.

    Yields (view, button, file name, what it holds, "ok" or "FAIL: ..."); screenshots go to ``out``.
    """
    clicked: set[tuple[str, str]] = set()
    for view in chosen:
        page.goto(f"{base}/{view.path}?" + urlencode([*params, *view.params]), timeout=600_000)  # type: ignore[attr-defined]
        # Every page has the sidebar's bundle button: once it is there, this page's run has drawn.
        page.get_by_role("button", name="Download bundle (zip)").wait_for(timeout=600_000)  # type: ignore[attr-defined]
        wait_done(page)
        if view.act is not None:
            view.act(page)
            time.sleep(0.3)  # the rerun starts
            wait_done(page)
        page.screenshot(path=str(out / f"{view.name}.png"), full_page=True)  # type: ignore[attr-defined]
        if page.get_by_text("Traceback").count() or page.get_by_test_id("stException").count():  # type: ignore[attr-defined]
            yield view.name, "(page)", "", "", "FAIL: the page shows an exception"
        buttons = page.get_by_test_id("stDownloadButton")  # type: ignore[attr-defined]
        for index in range(buttons.count()):
            button = buttons.nth(index).locator("button").first
            label = button.inner_text().strip()
            widget = buttons.nth(index).evaluate(WIDGET_KEY)  # the same button in another view: once
            place = (view.path if widget != "bundle" else "sidebar", f"{widget} {label}")
            if place in clicked:
                continue
            clicked.add(place)
            with page.expect_download(timeout=DOWNLOAD_MS) as download:  # type: ignore[attr-defined]
                button.click()
            name = download.value.suggested_filename
            path = out / name
            download.value.save_as(path)
            what, problems = check(name, path.read_bytes(), token, store_scorers)
            yield view.name, label, name, what, "ok" if not problems else "FAIL: " + "; ".join(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store to serve (opened read-only)")
    parser.add_argument("--story", help="select this story ('largest': the one with most outlets)")
    parser.add_argument("--outlets", type=int, default=0, help="select the N outlets with the most articles")
    parser.add_argument("--target", default="China", help="the tone target typed on the Tone page")
    parser.add_argument("--out", default="/tmp/dashboard-downloads", help="where files and screenshots go")
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"{args.db}: no such store", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from core.store import ArticleFilter, Store
    from dashboard import exports

    with Store.open(args.db, readonly=True) as store:
        store_scorers = set(store.scorers_present())
        counts = store.articles()["outlet"].value_counts() if args.outlets else None
    story = largest_story(args.db) if args.story == "largest" else args.story
    outlets = tuple(sorted(counts.index[:args.outlets], key=lambda o: (-counts[o], o))) if counts is not None else ()
    flt = ArticleFilter(story_id=story, outlets=outlets)
    token = exports.file_stem("x", flt)[2:]  # what every file name must carry
    params: list[tuple[str, str]] = ([("story", story)] if story else []) + [("outlet", o) for o in outlets]
    out = Path(args.out) / Path(args.db).stem
    out.mkdir(parents=True, exist_ok=True)

    port = free_port()
    env = {**os.environ, "PRESSLENS_DB": str(Path(args.db).resolve())}
    server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", args.db, "--port", str(port)], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    rows: list[Row] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}).new_page()
            base = f"http://127.0.0.1:{port}"
            for _attempt in range(3000):  # the server is up when the page answers
                try:
                    page.goto(base, timeout=600_000)
                    break
                except Exception:
                    if server.poll() is not None:
                        raise SystemExit(f"the dashboard exited: {server.stderr.read().decode()[-2000:]}") from None
                    time.sleep(0.2)
            for row in walk(page, base, params, views(story, args.target), token, store_scorers, out):
                rows.append(row)
                print(" | ".join(row), flush=True)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    failed = sum(1 for row in rows if row[4] != "ok")
    print(f"files={sum(1 for row in rows if row[2])} failed={failed} store={args.db} selection={token}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
