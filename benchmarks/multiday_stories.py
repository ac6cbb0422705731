"""Benchmark events and multi-day stories (analysis/stories/linking.py) on the corpora of ../shared/corpora.

    OMP_NUM_THREADS=1 python benchmarks/multiday_stories.py [--shared ../shared] [--skip-allsides]
                                                            [--set threshold=0.3 ...] [--curve]
                                                            [--block-articles 5000]

Prints, the grouping never seeing a story id:

* ``multiday_stories``: story-level pairwise precision, recall, F1 and BCubed F1 (the
  ``story`` column), and the event-level pairwise F1 for contrast;
* the same with every story moved to start on the same day (``overlapped``): only the
  text can keep the stories apart, a harder test than the real calendar;
* ``--curve``: story-level F1 by link threshold on both, and a leave-one-story-out choice
  of the threshold (chosen on the other six stories, scored on the pairs of the left-out one);
* ``allsides_abp``: event-level pairwise F1 of the ``report`` half (benchmarks/stories.py's
  split), story-level F1 for contrast, wall time and the process's peak memory for grouping
  the 28k dev articles into events and stories;
* ``basil`` and ``groundnews_stories``: event- and story-level pairwise F1.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.stories.blocks import group_frame_in_blocks  # noqa: E402
from analysis.stories.files import pairwise_scores, read_articles_jsonl  # noqa: E402
from analysis.stories.linking import LinkParams, group_articles  # noqa: E402
from benchmarks.stories import split_of  # noqa: E402

CURVE = (0.05, 0.07, 0.09, 0.11, 0.13)


def bcubed_f1(gold: Sequence[str | None], predicted: Sequence[str]) -> float:
    """Return BCubed F1 over the articles with a gold story (Bagga & Baldwin; Amigo et al. 2009).

    >>> round(bcubed_f1(["a", "a", "b"], ["x", "x", "x"]), 3)
    0.714
    """
    pairs = [(g, p) for g, p in zip(gold, predicted) if g is not None]
    both = Counter(pairs)
    in_gold = Counter(g for g, _ in pairs)
    in_pred = Counter(p for _, p in pairs)
    precision = sum(both[(g, p)] / in_pred[p] for g, p in pairs) / len(pairs)
    recall = sum(both[(g, p)] / in_gold[g] for g, p in pairs) / len(pairs)
    return 2 * precision * recall / (precision + recall)


def load(path: Path) -> tuple[pd.DataFrame, list[str | None]]:
    articles = read_articles_jsonl(path)
    gold = [s if isinstance(s, str) else None for s in articles["story_id"].tolist()]
    return articles.drop(columns=["story_id"]), gold


def overlapped(articles: pd.DataFrame, gold: Sequence[str | None]) -> pd.DataFrame:
    """Return the articles with each gold story's dates shifted to start on 2025-01-07."""
    days = pd.to_datetime(articles["published"])
    start = days.groupby(pd.Series(list(gold), index=articles.index)).transform("min")
    shifted = pd.Timestamp("2025-01-07") + (days - start)
    return articles.assign(published=shifted.dt.strftime("%Y-%m-%d"))


def line(name: str, scores: dict[str, float], bcubed: float | None = None) -> str:
    extra = f"  BCubed F1 {bcubed:.3f}" if bcubed is not None else ""
    return (f"{name:<34} P {scores['precision']:.3f}  R {scores['recall']:.3f}  F1 {scores['f1']:.3f}{extra}  "
            f"(gold pairs {scores['gold_pairs']:,}, predicted {scores['predicted_pairs']:,.0f})")


BLOCK_ARTICLES = 0  # --block-articles: 0 groups all at once


def grouped(articles: pd.DataFrame, links: LinkParams) -> pd.DataFrame:
    """Return ``id, story, event`` per article: all at once, or in blocks as ``analysis stories --db`` groups."""
    if BLOCK_ARTICLES > 0:
        return group_frame_in_blocks(articles, BLOCK_ARTICLES, links=links)[0]
    return group_articles(articles, links=links).articles


def multiday(articles: pd.DataFrame, gold: list[str | None], links: LinkParams, name: str,
             summary: dict[str, float]) -> None:
    result = grouped(articles, links)
    story = pairwise_scores(gold, result["story"].tolist())
    print(line(f"{name} stories", story, bcubed_f1(gold, result["story"].tolist())))
    print(line(f"{name} events", pairwise_scores(gold, result["event"].tolist())))
    summary[f"{name}_story_f1"] = story["f1"]


def curve(articles: pd.DataFrame, gold: list[str | None], links: LinkParams, name: str) -> None:
    """Print story-level F1 by threshold and the leave-one-story-out choice."""
    predicted = {t: grouped(articles, replace(links, threshold=t))["story"].tolist()
                 for t in CURVE}
    print(f"  {name} F1 by threshold: " + "  ".join(f"{t:.2f} -> {pairwise_scores(gold, p)['f1']:.3f}"
                                                     for t, p in predicted.items()))
    stories = sorted({g for g in gold if g})
    chosen = []
    for out in stories:
        inside = [g != out for g in gold]
        best = max(CURVE, key=lambda t: (pairwise_scores(gold, predicted[t], focus=inside)["f1"], -abs(t - 0.09)))
        held = pairwise_scores(gold, predicted[best], focus=[g == out for g in gold])
        chosen.append((out, best, held))
    print(f"  {name} leave-one-story-out: " + "; ".join(
        f"{o[:18]} t={t:.2f} P {s['precision']:.2f} R {s['recall']:.2f}" for o, t, s in chosen))


def main(argv: list[str] | None = None) -> int:
    """Print every figure and a summary line; return 0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--skip-allsides", action="store_true", help="skip the 28k-article allsides run")
    parser.add_argument("--curve", action="store_true", help="F1 by link threshold, leave-one-story-out")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a LinkParams field, e.g. --set threshold=0.35")
    parser.add_argument("--block-articles", type=int, default=0, metavar="N",
                        help="group in date-ordered blocks of N articles as `analysis stories --db` does "
                             "(analysis/stories/blocks.py); 0: all at once")
    args = parser.parse_args(argv)
    global BLOCK_ARTICLES
    BLOCK_ARTICLES = args.block_articles
    links = LinkParams(**{k: json.loads(v) for k, _, v in (s.partition("=") for s in args.set)})
    corpora = args.shared / "corpora"
    summary: dict[str, float] = {}

    articles, gold = load(corpora / "multiday_stories" / "articles.jsonl")
    multiday(articles, gold, links, "multiday", summary)
    shifted = overlapped(articles, gold)
    multiday(shifted, gold, links, "multiday overlapped", summary)
    if args.curve:
        curve(articles, gold, links, "multiday")
        curve(shifted, gold, links, "overlapped")

    for name, file in (("basil", "basil/articles.jsonl"), ("groundnews", "groundnews_stories/articles.jsonl")):
        articles, gold = load(corpora / file)
        result = grouped(articles, links)
        event = pairwise_scores(gold, result["event"].tolist())
        story = pairwise_scores(gold, result["story"].tolist())
        print(line(f"{name} events", event))
        print(line(f"{name} stories", story))
        summary[f"{name}_event_f1"] = event["f1"]
        summary[f"{name}_story_f1"] = story["f1"]

    if not args.skip_allsides:
        articles, gold = load(corpora / "allsides_abp" / "articles.jsonl.gz")
        start, cpu = time.perf_counter(), time.process_time()
        result = grouped(articles, links)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report = [g is not None and split_of(g) == "report" for g in gold]
        event = pairwise_scores(gold, result["event"].tolist(), focus=report)
        story = pairwise_scores(gold, result["story"].tolist(), focus=report)
        print(line("allsides report half events", event))
        print(line("allsides report half stories", story))
        print(f"  {len(articles):,} articles -> {result['event'].nunique():,} events, "
              f"{result['story'].nunique():,} stories in {wall:.1f} s wall, {cpu:.1f} s CPU "
              "(budget 120 s; single-threaded, "
              f"so on an idle machine wall is about CPU); peak memory of the process "
              f"{peak_mb:,.0f} MB (the corpus read included)")
        summary["allsides_report_event_f1"] = event["f1"]
        summary["allsides_seconds"] = wall
        summary["allsides_cpu_seconds"] = cpu
        summary["peak_mb"] = peak_mb
    print("SUMMARY " + " ".join(f"{k}={v:.3f}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
