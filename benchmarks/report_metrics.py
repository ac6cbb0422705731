"""Time and peak memory of ``python -m analysis report --metrics all`` on a large store.

    OMP_NUM_THREADS=1 python benchmarks/report_metrics.py --db STORE [--by outlet|bias3 ...]
    OMP_NUM_THREADS=1 python benchmarks/report_metrics.py --synthetic [--shared ../shared]

``--db`` runs the real command (in this process, through ``analysis.__main__.main``) on a store, e.g.
allsides_abp imported and scored with tone only::

    python -m scrapers import ../shared/corpora/allsides_abp/articles.jsonl.gz --db /tmp/allsides.db
    python -m analysis run --scorer tone_vader --db /tmp/allsides.db

``--synthetic`` times :func:`analysis.compare.outlet_metrics` on frames of the same shape without a
store: allsides_abp's outlets with their real article counts (28,184 articles, 431 outlets), five
tone-like metrics drawn at random. It prints one line per run: seconds, peak memory (the process's
peak resident set, ru_maxrss) and the budget (60 s, 500 MB).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.__main__ import main as analysis_main  # noqa: E402
from analysis.compare.outlets import outlet_metrics  # noqa: E402
from core.settings import Settings  # noqa: E402

TIME_BUDGET_S = 60.0
MEMORY_BUDGET_MB = 500.0
METRICS = ("tone", "headline_tone", "sentences", "tone_pos_share", "tone_neg_share")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def synthetic_frames(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (articles, scores) with allsides_abp's outlets and article counts and random tone metrics."""
    corpus = shared / "corpora" / "allsides_abp" / "articles.jsonl.gz"
    outlets = []
    with gzip.open(corpus, "rb") as handle:
        for line in io.BufferedReader(handle):  # type: ignore[arg-type]
            outlets.append(json.loads(line).get("outlet") or "(unknown outlet)")
    rng = np.random.default_rng(1)
    ids = [f"a-{n:06d}" for n in range(len(outlets))]
    articles = pd.DataFrame({"id": ids, "outlet": outlets})
    scores = pd.concat([pd.DataFrame({"article_id": ids, "scorer": "tone_vader", "metric": metric,
                                      "value": rng.normal(0, 0.3, len(ids))}) for metric in METRICS],
                       ignore_index=True)
    return articles, scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a store to run `analysis report --metrics all` on")
    parser.add_argument("--synthetic", action="store_true", help="allsides_abp-shaped frames, no store")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    parser.add_argument("--by", action="append", default=[], help="groupings to time (default: outlet)")
    args = parser.parse_args()
    ok = True
    for by in args.by or ["outlet"]:
        began = time.perf_counter()
        if args.db:
            sink = io.StringIO()
            with redirect_stdout(sink):
                status = analysis_main(["report", "--metrics", "all", "--by", by, "--format", "csv", "--db", args.db])
            rows = max(0, sink.getvalue().count("\n") - 1)
            if status != 0:
                return status
            what = f"report --metrics all --by {by} on {args.db}"
        else:
            articles, scores = synthetic_frames(args.shared)
            settings = Settings()
            began = time.perf_counter()
            table = outlet_metrics(articles, scores, samples=settings.bootstrap_samples,
                                   confidence=settings.confidence, seed=settings.bootstrap_seed)
            rows = len(table)
            what = f"outlet_metrics on {len(articles):,} articles, {articles['outlet'].nunique()} outlets (synthetic)"
        seconds = time.perf_counter() - began
        within = seconds < TIME_BUDGET_S and peak_mb() < MEMORY_BUDGET_MB
        ok &= within
        print(f"{what}: {rows} rows in {seconds:.1f} s, peak {peak_mb():.0f} MB "
              f"(budget {TIME_BUDGET_S:.0f} s, {MEMORY_BUDGET_MB:.0f} MB: {'ok' if within else 'OVER'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
