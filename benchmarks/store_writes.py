"""Time Store.write_scores alone: replay a scored store's scores and evidence into an unscored copy.

    PYTHONPATH=. python benchmarks/store_writes.py --scored /tmp/a-scored.db --into /tmp/a-imported.db

Reads every scorer's scores and evidence of the articles of ``--into`` (a store not scored) from
``--scored`` (a scored store holding them, such as the whole corpus; through the Store API), copies
``--into`` to a temporary file, and writes them there in batches of
``--batch`` articles, as ``analysis run`` does; prints the seconds and articles per second per scorer.
The same script runs against an older PressLens (PYTHONPATH=/path/to/it) to compare side by side.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from core.store import ScoreBatch, Store

EVIDENCE = ["article_id", "metric", "part", "sentence_index", "start", "end", "value"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scored", required=True, type=Path, help="a scored store (read-only)")
    parser.add_argument("--into", required=True, type=Path, help="the same articles, unscored (copied first)")
    parser.add_argument("--batch", type=int, default=100, help="articles per write (analysis run's batch size)")
    args = parser.parse_args(argv)
    for path in (args.scored, args.into):
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
    with Store.open(args.into, readonly=True) as into:
        wanted = set(into.articles(columns=["outlet"])["id"])
    with Store.open(args.scored, readonly=True) as source:
        articles = source.articles(columns=["content_hash"])
        articles = articles[articles["id"].isin(wanted)]
        hashes = dict(zip(articles["id"], articles["content_hash"]))
        ids = sorted(hashes)
        plan = []
        for scorer in source.scorers_present():
            scores = source.scores(scorer=scorer)
            scores = scores[scores["article_id"].isin(wanted)]
            evidence = source.evidence_of(ids, scorer)
            version = str(scores["version"].iloc[0]) if len(scores) else "1"
            plan.append((scorer, version, scores, evidence))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "into.db"
        shutil.copy(args.into, target)
        print(f"{'scorer':<16} {'seconds':>8} {'articles/s':>11} {'scores':>9} {'evidence':>9}")
        total = 0.0
        with Store.open(target) as store:
            for scorer, version, scores, evidence in plan:
                by_id_scores = dict(tuple(scores.groupby("article_id")))
                by_id_evidence = dict(tuple(evidence.groupby("article_id"))) if len(evidence) else {}
                empty = pd.DataFrame(columns=EVIDENCE)
                batches = []
                for start in range(0, len(ids), args.batch):
                    chunk = ids[start:start + args.batch]
                    got = [by_id_scores[i] for i in chunk if i in by_id_scores]
                    ev = [by_id_evidence[i] for i in chunk if i in by_id_evidence]
                    batches.append(ScoreBatch(
                        scorer, version, {i: hashes[i] for i in chunk},
                        pd.concat(got)[["article_id", "metric", "value"]] if got else
                        pd.DataFrame(columns=["article_id", "metric", "value"]),
                        pd.concat(ev)[EVIDENCE] if ev else empty))
                begin = time.perf_counter()
                for batch in batches:
                    store.write_scores(batch)
                seconds = time.perf_counter() - begin
                total += seconds
                print(f"{scorer:<16} {seconds:>8.2f} {len(ids) / seconds:>11.0f} {len(scores):>9} {len(evidence):>9}")
        print(f"{'all':<16} {total:>8.2f} {len(ids) / total:>11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
