"""Time the store's two score access paths and evidence reads (median of --repeat runs, seconds).

    PYTHONPATH=. python benchmarks/store_reads.py --db /tmp/all.db

1. one metric over many articles, aggregated by outlet: SQL on the ``scores`` view (or table, before
   migration 7) joined to ``articles``, and ``Store.scores(scorer=..., metrics=...)``;
2. all scores of some articles: ``Store.scores(ArticleFilter(outlets=(the largest outlet,)))``;
3. ``Store.score_matrix([scorer])`` and ``Store.score_matrix()``;
4. ``Store.evidence_of`` of 500 articles, and ``Store.evidence`` of one.

The same script runs against an older PressLens (PYTHONPATH=/path/to/it) to compare side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.store import ArticleFilter, Store

BY_OUTLET = ("SELECT a.outlet, COUNT(*), AVG(s.value) FROM scores s JOIN articles a ON a.id = s.article_id "
             "WHERE s.scorer = ? AND s.metric = ? GROUP BY a.outlet")


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the median seconds of ``repeat`` calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scorer", default="tone_vader")
    parser.add_argument("--metric", default="tone")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"--db {args.db}: no such file", file=sys.stderr)
        return 2
    with Store.open(args.db, readonly=True) as store:
        outlets = store.articles(columns=["outlet"])["outlet"].value_counts()
        outlet = str(outlets.index[0])
        ids = store.articles(ArticleFilter(outlets=(outlet,)), columns=["outlet"])["id"].tolist()[:500]
        cases: list[tuple[str, Callable[[], Any]]] = [
            ("one metric by outlet (SQL on scores)",
             lambda: store._db.execute(BY_OUTLET, (args.scorer, args.metric)).fetchall()),
            ("Store.scores(scorer, metrics)", lambda: store.scores(scorer=args.scorer, metrics=(args.metric,))),
            (f"all scores of one outlet ({outlets.iloc[0]} articles)",
             lambda: store.scores(ArticleFilter(outlets=(outlet,)))),
            ("score_matrix([scorer])", lambda: store.score_matrix([args.scorer])),
            ("score_matrix() (every score)", lambda: store.score_matrix()),
            (f"evidence_of({len(ids)} articles)", lambda: store.evidence_of(ids)),
            ("evidence(one article)", lambda: store.evidence(ids[0])),
        ]
        print(f"{'read':<45} {'median s':>9} {'rows':>10}")
        for name, action in cases:
            seconds, result = timed(action, args.repeat)
            print(f"{name:<45} {seconds:>9.3f} {len(result):>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
