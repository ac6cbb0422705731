"""Entity salience on basil: recall of each article's annotated main entities in its top-k entities.

basil's ``labels.main_entities`` name the main entities of each article ("Joe Sestak", "Obama
administration"). A gold entity counts as found when one of the article's top-k entities by
position-weighted salience shares a content word with it (case-insensitive; "Democratic
Lawmakers" is found by "Democrats" through the shared stem "democrat"), so "Sestak" finds
"Joe Sestak". Read at run time from ../shared; nothing is copied.

    .venv/bin/python -m benchmarks.entities [--backend rules|spacy] [--k 3 5] [--weights 3 2 1]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import pandas as pd

from analysis import emphasis

SHARED = Path(os.environ.get("PRESSLENS_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
_GENERIC = frozenset("the of and a an administration lawmakers leaders campaign party house senate court "
                     "supreme".split())


def _stems(name: str) -> set[str]:
    words = re.findall(r"[a-z]+", name.lower())
    return {w[:7] for w in words if w not in _GENERIC and len(w) > 2}


def matches(gold: str, predicted: str) -> bool:
    """Return whether a predicted entity names the gold one (a shared content-word stem)."""
    return bool(_stems(gold) & _stems(predicted))


def recall(articles: pd.DataFrame, table: pd.DataFrame, k: int) -> tuple[int, int]:
    """Return (found, total) gold main entities among each article's top-k entities."""
    top = {aid: list(g.sort_values("salience", ascending=False, kind="mergesort")["entity"].head(k))
           for aid, g in table.groupby("article_id")}
    found = total = 0
    for aid, labels in zip(articles["id"], articles["labels"]):
        for gold in labels.get("main_entities") or []:
            if not _stems(gold):
                continue
            total += 1
            found += any(matches(gold, p) for p in top.get(aid, []))
    return found, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("rules", "spacy"), default="rules")
    parser.add_argument("--k", type=int, nargs="+", default=[3, 5])
    parser.add_argument("--weights", type=float, nargs=3, metavar=("HEADLINE", "LEDE", "BODY"))
    args = parser.parse_args(argv)
    if args.weights:
        emphasis.WEIGHT_HEADLINE, emphasis.WEIGHT_LEDE, emphasis.WEIGHT_BODY = args.weights
    articles = pd.read_json(SHARED / "corpora" / "basil" / "articles.jsonl", lines=True)
    started = time.perf_counter()
    table = emphasis.article_entities(articles, backend=args.backend)
    seconds = time.perf_counter() - started
    for k in args.k:
        found, total = recall(articles, table, k)
        print(f"{args.backend} top-{k}: {found}/{total} = {found / total:.3f}")
    print(f"{len(articles)} articles in {seconds:.1f} s = {len(articles) / seconds:.0f} articles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
