"""The dashboard's speed as an analyst meets it: a real browser (Debian's chromium, driven by Playwright).

Starts ``python -m dashboard`` on the store, opens every page and times:

* **cold start**: from launching the server to the first page fully drawn;
* **first render** of each page: from navigating to it until Streamlit's script run is over
  (the app root's ``data-test-script-state`` back to ``notRunning``, no status widget);
* **after a filter change**: a search typed into the shared sidebar, until that rerun is over.

Prints one line per page (medians and p95 in ms) and a last line
``cold_start_ms=N first_render_p95_ms=N filter_change_p95_ms=N pages=N``.

    OMP_NUM_THREADS=1 python benchmarks/dashboard_browser.py --db /tmp/all.db --changes 4

Quote medians and p95s from one run; absolute times on a shared machine move with its load.
"""

from __future__ import annotations

import argparse
import os
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_done(page: object) -> None:
    """Wait until the script run is over and nothing is drawing."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute(  # type: ignore[attr-defined]
        "data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


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

    port = free_port()
    env = {**os.environ, "PRESSLENS_DB": str(Path(args.db).resolve())}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", args.db, "--port", str(port)], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first: dict[str, float] = {}
    changes: dict[str, list[float]] = {}
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
            page.get_by_role("heading").first.wait_for(timeout=TIMEOUT_MS)
            wait_done(page)
            cold = (time.perf_counter() - started) * 1000
            for name in args.pages:
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{name}", timeout=TIMEOUT_MS)
                page.get_by_role("heading").first.wait_for(timeout=TIMEOUT_MS)
                wait_done(page)
                first[name] = (time.perf_counter() - t0) * 1000
                changes[name] = []
                for term in SEARCHES[:args.changes]:
                    box = page.get_by_role("textbox", name="Search titles and texts")
                    t0 = time.perf_counter()
                    box.fill(term)
                    box.press("Enter")
                    page.wait_for_url(f"**q={term}**", timeout=TIMEOUT_MS)
                    wait_done(page)
                    changes[name].append((time.perf_counter() - t0) * 1000)
                box = page.get_by_role("textbox", name="Search titles and texts")
                box.fill("")
                box.press("Enter")
                wait_done(page)
                print(f"{name:12s} first {first[name]:7.0f} ms  after a filter change: median "
                      f"{statistics.median(changes[name]):7.0f} ms, max {max(changes[name]):7.0f} ms", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    every_change = [v for values in changes.values() for v in values]
    print(f"cold_start_ms={cold:.0f} first_render_p95_ms={p95(list(first.values())):.0f} "
          f"filter_change_p95_ms={p95(every_change):.0f} pages={len(first)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
