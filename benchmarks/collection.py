"""Collection speed end to end: articles per second from the loopback test web, --delay 0.

The loopback web of tests/scrapers/sites.py serves the 112 real pages of
../shared/bench/extraction as four outlets with feeds and sitemaps (read at run
time, nothing copied). Each run collects the whole web into a new store with
``python -m scrapers collect``'s library call: discovery, fetching, saving pages,
extraction, storing, syndication. Printed: the median of the runs' articles per
second, and the share of the time spent in extraction.

    OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.collection [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from core.settings import Settings
from core.store import Store
from scrapers.discover.sources import Query, Story, StoryOutlet
from scrapers.fetch import FetchPolicy
from scrapers.pipeline import collect
from tests.scrapers.sites import SITES, start_sites

SHARED = Path(os.environ.get("PRESSLENS_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))


def one_run(folder: Path, number: int) -> tuple[int, float, float]:
    """Collect the loopback web into a new store; return (articles stored, seconds, extraction seconds)."""
    web = start_sites(SHARED)
    try:
        outlets = []
        for site in SITES:
            sources = web.sources_for(site, by_host=True)
            outlets.append(StoryOutlet(site.capitalize(), feeds=tuple(sources["feeds"]),
                                       sitemaps=tuple(sources["sitemaps"])))
        story = Story("bench", "Benchmark", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=()), tuple(outlets),
                      gdelt=False)
        policy = FetchPolicy(delay=0.0, allow_private_hosts=True)
        with Store.open(folder / f"run{number}.db") as store:
            started = time.perf_counter()
            report = collect(store, story, Settings(), policy=policy, outlets={}, resolver=web.resolve)
            seconds = time.perf_counter() - started
        return report.inserted, seconds, report.extract_seconds
    finally:
        web.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rates, shares = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.runs):
            stored, seconds, extracting = one_run(Path(tmp), number)
            rates.append(stored / seconds)
            shares.append(extracting / seconds)
            print(f"run {number + 1}: {stored} articles in {seconds:.1f} s = {stored / seconds:.1f} articles/s; "
                  f"extraction {extracting:.1f} s ({extracting / seconds:.0%})")
    print(f"median: {statistics.median(rates):.1f} articles/s end to end (--delay 0, 4 loopback outlets by host); "
          f"extraction {statistics.median(shares):.0%} of the time")


if __name__ == "__main__":
    main()
