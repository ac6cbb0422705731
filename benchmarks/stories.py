"""Benchmark the story grouping of analysis/stories/grouping.py on the corpora of ../shared/corpora.

    OMP_NUM_THREADS=1 python benchmarks/stories.py [--shared ../shared] [--repeats 3] [--set name=value ...]
                                                   [--errors 20] [--block-articles 5000]

The grouping never sees a story id: it groups every article of a corpus (in
``allsides_abp`` the 2,540 articles of AllSides' roundups among 28,184, the rest being
distractors), then pairwise precision, recall and F1 are counted over the pairs of
articles that have a story id (a predicted pair is right when both share their gold id).

``allsides_abp``'s dev stories are split in two by a hash of the story id: thresholds
were tuned on ``tune`` and ``report`` is the honest figure. A false merge of a tune story
with a report story counts half against each half's precision, so the halves add up to the
whole dev set. ``basil`` (3 outlets, 100 events) and ``groundnews_stories`` (few
large stories) are other distributions, reported with the same parameters.
Wall time is the grouping of the whole allsides_abp dev file (reading excluded), the
median of ``--repeats`` runs. ``--errors N`` lists N missed pairs and N false merges of
the tune half (outlets, dates, headlines) for error analysis; look at the tune half only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.stories.blocks import group_frame_in_blocks  # noqa: E402
from analysis.stories.files import pairwise_scores, read_articles_jsonl  # noqa: E402
from analysis.stories.grouping import StoryParams, group_stories  # noqa: E402

# Budget from the issue: the whole 28k-article corpus in under 2 minutes.
TIME_BUDGET_S = 120.0


def split_of(story_id: str) -> str:
    """Return ``tune`` or ``report``: half of the stories each, by a hash of the story id."""
    return "tune" if int(hashlib.sha256(f"split:{story_id}".encode()).hexdigest()[:8], 16) % 2 == 0 else "report"


def load(path: Path) -> tuple[pd.DataFrame, list[str | None]]:
    """Return the articles without their story ids, and the hidden gold ids in the same order."""
    articles = read_articles_jsonl(path)
    gold = [s if isinstance(s, str) else None for s in articles["story_id"].tolist()]
    return articles.drop(columns=["story_id"]), gold


def line(name: str, scores: dict[str, float]) -> str:
    return (f"{name:<22} P {scores['precision']:.3f}  R {scores['recall']:.3f}  F1 {scores['f1']:.3f}  "
            f"(gold pairs {scores['gold_pairs']:,}, predicted {scores['predicted_pairs']:,.0f})")


def show_errors(articles: pd.DataFrame, gold: list[str | None], predicted: list[str], limit: int) -> None:
    """Print up to ``limit`` missed same-story pairs and false merges among the tune half's articles."""
    rows = [i for i, g in enumerate(gold) if g is not None and split_of(g) == "tune"]
    missed, merged = [], []
    for x, a in enumerate(rows):
        for b in rows[x + 1:]:
            if gold[a] == gold[b] and predicted[a] != predicted[b]:
                missed.append((a, b))
            elif gold[a] != gold[b] and predicted[a] == predicted[b]:
                merged.append((a, b))
    for name, pairs in (("missed (same story, apart)", missed), ("false merges (other stories, together)", merged)):
        print(f"  tune {name}: {len(pairs)}")
        for a, b in pairs[:limit]:
            for i in (a, b):
                row = articles.iloc[i]
                print(f"    {str(row.outlet)[:24]:<24} {str(row.published)[:10]:<10} {str(row.title)[:90]}")
            print()


def main(argv: list[str] | None = None) -> int:
    """Print every figure and a summary line; return 0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--repeats", type=int, default=1, help="timed runs of the allsides grouping (median)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a StoryParams field (for tuning), e.g. --set threshold=0.12")
    parser.add_argument("--block-articles", type=int, default=0, metavar="N",
                        help="group in date-ordered blocks of N articles as `analysis stories --db` does "
                             "(analysis/stories/blocks.py; the events are scored); 0: all at once")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="list N missed pairs and N false merges of the tune half")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = json.loads(value)
    params = StoryParams(**overrides)

    def events_of(frame: pd.DataFrame) -> list[str]:
        if args.block_articles > 0:
            return group_frame_in_blocks(frame, args.block_articles, params=params)[0]["event"].tolist()
        return group_stories(frame, params=params).articles["story"].tolist()

    corpora = args.shared / "corpora"
    summary: dict[str, float] = {}

    articles, gold = load(corpora / "allsides_abp" / "articles.jsonl.gz")
    times = []
    for _ in range(max(1, args.repeats)):
        start = time.perf_counter()
        predicted = events_of(articles)
        times.append(time.perf_counter() - start)
    print(f"allsides_abp: {len(articles):,} articles, {sum(g is not None for g in gold):,} with a story id, "
          f"{len(set(g for g in gold if g)):,} stories; grouped into {len(set(predicted)):,} stories")
    for part in ("tune", "report"):
        mask = [g is not None and split_of(g) == part for g in gold]
        scores = pairwise_scores(gold, predicted, focus=mask)
        print(line(f"  allsides {part}", scores))
        summary[f"allsides_{part}_f1"] = scores["f1"]
    scores = pairwise_scores(gold, predicted)
    print(line("  allsides all dev", scores))
    if args.errors:
        show_errors(articles, gold, predicted, args.errors)
    wall = statistics.median(times)
    print(f"  wall time (grouping {len(articles):,} articles): median {wall:.1f} s of {len(times)} "
          f"(budget {TIME_BUDGET_S:.0f} s)")

    for name, file in (("basil", "basil/articles.jsonl"), ("groundnews", "groundnews_stories/articles.jsonl")):
        articles, gold = load(corpora / file)
        scores = pairwise_scores(gold, events_of(articles))
        print(line(name, scores))
        summary[f"{name}_f1"] = scores["f1"]

    print("SUMMARY " + " ".join(f"{k}={v:.3f}" for k, v in summary.items()) + f" allsides_seconds={wall:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
