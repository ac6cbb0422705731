"""The dashboard's speed as an analyst meets it: a real browser (Debian's chromium, driven by Playwright).

Starts ``python -m dashboard`` on the store, opens every page and times:

* **cold start**: from launching the server to the first page fully drawn;
* **first render** of each page: from navigating to it until Streamlit's script run is over
  (the app root's ``data-test-script-state`` back to ``notRunning``, no status widget);
* **after a filter change**: a search typed into the shared sidebar, from pressing Enter (the change)
  until that rerun is drawn; and, as ``typed_``, from the moment typing starts. The two differ by the
  browser's own first-interaction work: after a page is opened, focusing the search box the first time
  evaluates a lazily loaded part of Streamlit's frontend (0.4-1.1 s on a slow machine; a
  ``v8.evaluateModule`` task in chromium's trace, the same on a 28k-article store), which an analyst's
  typing overlaps;
* **the Story page's digest** of the store's largest story (most outlets, then articles): opened by its
  link (``/story?digest=ID``) the first time (the digest is built) and again after another page (cached).

"Drawn" is checked in the page on every animation frame (``wait_done``): the script run is over, no
status widget, a heading, and every Plotly chart has its SVG. (Playwright's own ``expect`` polls at
widening intervals, up to 500 ms apart, which added up to half a second to each figure.)

Prints one line per page (median and max in ms) and a last line
``cold_start_ms=N first_render_p95_ms=N filter_change_p95_ms=N typed_filter_change_p95_ms=N story_first_ms=N
story_cached_ms=N pages=N``.

    OMP_NUM_THREADS=1 python benchmarks/dashboard_browser.py --db /tmp/all.db --changes 4

Quote medians and p95s from one run; absolute times on a shared machine move with its load.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PAGES = ("overview", "compare", "tone", "framing", "emphasis", "story", "articles", "methodology")
# Searches an analyst types: common words, so every page still has rows to draw.
SEARCHES = ("government", "economy", "election", "police", "president", "court")
TIMEOUT_MS = 600_000
SEARCH_BOX = 'input[aria-label="Search titles and texts"]'
# True once the page is drawn: script run over, no status widget, a heading, every Plotly chart rendered.
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]') || !document.querySelector('h1')) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'));
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_done(page: object) -> None:
    """Wait until the script run is over and the page is drawn (checked on every animation frame)."""
    page.wait_for_function(DRAWN, polling="raf", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def largest_story(db: str) -> str | None:
    """Return the story with the most outlets (then articles, then the smallest id), or None."""
    sys.path.insert(0, str(REPO))
    from core.store import Store

    with Store.open(db, readonly=True) as store:
        stories = store.stories()
    if stories.empty:
        return None
    return str(stories.sort_values(["n_outlets", "n_articles", "story"], ascending=[False, False, True])
               .iloc[0]["story"])


def open_page(page: object, url: str) -> float:
    """Open a page by its address; return the ms until it is drawn."""
    began = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    wait_done(page)
    return (time.perf_counter() - began) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store to serve")
    parser.add_argument("--changes", type=int, default=3, help="filter changes timed per page")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=PAGES)
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"{args.db}: no such store", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    story = largest_story(args.db)
    port = free_port()
    env = {**os.environ, "PRESSLENS_DB": str(Path(args.db).resolve())}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", args.db, "--port", str(port)], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)  # its own process group: the Streamlit child stops with it
    first: dict[str, float] = {}
    changes: dict[str, list[float]] = {}
    typed: dict[str, list[float]] = {}
    digest: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            while True:  # the server is up when the page answers
                try:
                    page.goto(f"http://127.0.0.1:{port}/{args.pages[0]}", timeout=5_000)
                    break
                except Exception:
                    if server.poll() is not None:
                        raise SystemExit(f"the dashboard exited: {server.stderr.read().decode()[-2000:]}") from None
                    time.sleep(0.2)
            wait_done(page)
            cold = (time.perf_counter() - started) * 1000
            for name in args.pages:
                first[name] = open_page(page, f"http://127.0.0.1:{port}/{name}")
                changes[name], typed[name] = [], []
                for term in SEARCHES[:args.changes]:
                    box = page.locator(SEARCH_BOX)
                    typing = time.perf_counter()
                    box.fill(term)
                    t0 = time.perf_counter()
                    box.press("Enter")
                    page.wait_for_url(f"**q={term}**", timeout=TIMEOUT_MS)
                    wait_done(page)
                    done = time.perf_counter()
                    changes[name].append((done - t0) * 1000)
                    typed[name].append((done - typing) * 1000)
                box = page.locator(SEARCH_BOX)
                box.fill("")
                box.press("Enter")
                wait_done(page)
                print(f"{name:12s} first {first[name]:7.0f} ms  after a filter change: median "
                      f"{statistics.median(changes[name]):7.0f} ms, max {max(changes[name]):7.0f} ms (typing "
                      f"included: median {statistics.median(typed[name]):7.0f} ms, max {max(typed[name]):7.0f} ms)",
                      flush=True)
            if story is not None and "story" in args.pages:
                digest.append(open_page(page, f"http://127.0.0.1:{port}/story?digest={story}"))  # built
                open_page(page, f"http://127.0.0.1:{port}/{args.pages[0]}")
                digest.append(open_page(page, f"http://127.0.0.1:{port}/story?digest={story}"))  # cached
                print(f"{'story digest':12s} of {story}: first {digest[0]:7.0f} ms, cached {digest[1]:7.0f} ms",
                      flush=True)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    every_change = [v for values in changes.values() for v in values]
    every_typed = [v for values in typed.values() for v in values]
    story_figures = f"story_first_ms={digest[0]:.0f} story_cached_ms={digest[1]:.0f} " if digest else ""
    print(f"cold_start_ms={cold:.0f} first_render_p95_ms={p95(list(first.values())):.0f} "
          f"filter_change_p95_ms={p95(every_change):.0f} typed_filter_change_p95_ms={p95(every_typed):.0f} "
          f"{story_figures}pages={len(first)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
