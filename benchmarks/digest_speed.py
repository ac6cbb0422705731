"""How long the Story page waits for a digest: the first build on a store (per-store counts included) and the next.

Imports (pandas, scikit-learn, scipy) are loaded before the clock starts, as in the running dashboard; the
first build then pays for what is counted once per store version (the store's term counts, outlet groups),
the next ones only for their own story.

    OMP_NUM_THREADS=1 python benchmarks/digest_speed.py --db /tmp/all.db [--stories 3] [--detail short]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scipy.stats  # noqa: E402,F401
import sklearn.cluster  # noqa: E402,F401
import sklearn.feature_extraction.text  # noqa: E402,F401

import analysis.stories.linking  # noqa: E402,F401  (loaded up front, as the dashboard has it)
from analysis.digest.build import build_digest  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.store import Store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the store to read (read-only)")
    parser.add_argument("--stories", type=int, default=3, help="how many of the largest stories to build")
    parser.add_argument("--detail", default="short", choices=("short", "full"))
    args = parser.parse_args(argv)
    settings = Settings.load({"db": args.db}, environ={})
    with Store.open(args.db, readonly=True) as store:
        stories = store.stories()
        ids = [str(s) for s in stories.sort_values(["n_articles", "story"], ascending=[False, True])["story"]
               if str(s)][: args.stories]
        seconds = []
        for story_id in ids:
            started = time.perf_counter()
            build_digest(store, story_id, settings, detail=args.detail)
            seconds.append(time.perf_counter() - started)
            print(f"{story_id}: {seconds[-1]:.2f} s", flush=True)
    print(f"first build {seconds[0]:.2f} s; later builds median {statistics.median(seconds[1:] or [0]):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
