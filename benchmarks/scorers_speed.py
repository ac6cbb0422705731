"""Time the default scorers on a sample of allsides_abp, beside plain VADER over the same sentences.

    OMP_NUM_THREADS=1 python -m benchmarks.scorers_speed --shared ../shared [--n 2000] [--seed 7]

1. Import a fixed-seed sample of ``corpora/allsides_abp/articles.jsonl.gz`` into a temporary store
   with the real importer, and read it back as ``analysis run`` does.
2. Time each default scorer's ``score()`` over the articles in ``batch_size`` batches (median of
   ``--repeats``), and all of them together (sum of the medians): articles/s and seconds per
   1,000 sentences.
3. Time the yardstick: sentence splitting + plain VADER (``polarity_scores``) over the same sentences.
4. Time ``analysis run`` end to end (scoring + writing scores and evidence to SQLite), in one
   process and in the worker pool, side by side.
5. Time the opt-in ``tone_news`` on the first ``--news`` articles (0 skips it).

The goal (issue #4) is >= 50 articles/s for the default scorers together. The machine has two
cores shared with other workers: figures move with load, so the output says what the load was.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import registry
from analysis import run as analysis_run
from analysis.text import sentences
from core.settings import Settings
from core.store import Store
from scrapers import importer

GOAL_ARTICLES_PER_S = 50.0


def sample_corpus(path: Path, n: int, seed: int) -> list[str]:
    """Return ``n`` lines of the gzipped JSONL corpus, drawn with a fixed seed (in file order)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    picked = sorted(random.Random(seed).sample(range(len(lines)), min(n, len(lines))))
    return [lines[i] for i in picked]


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Return the median wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_batches(scorer: registry.Scorer, articles: pd.DataFrame, size: int) -> None:
    """Score the articles in batches of ``size``, as ``analysis run`` does."""
    for start in range(0, len(articles), size):
        scorer.score(articles.iloc[start:start + size])


def vader_yardstick(texts: list[str]) -> None:
    """Split each text into sentences and score each with plain VADER's ``polarity_scores`` (nothing else)."""
    analyzer = SentimentIntensityAnalyzer()
    for text in texts:
        for s, e in sentences.split_spans(text):
            analyzer.polarity_scores(text[s:e])


def load_line() -> str:
    """Return the 1-minute load average and the CPU count, for the record."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unavailable"
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    """Print the timings; return 0 (the goal is reported, not enforced)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--n", type=int, default=2000, help="articles in the sample (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--news", type=int, default=50, help="articles to time tone_news on (0: skip)")
    parser.add_argument("--no-run", action="store_true", help="skip the end-to-end 'analysis run'")
    args = parser.parse_args(argv)
    settings = Settings()
    print(f"before: {load_line()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")

    with tempfile.TemporaryDirectory(prefix="presslens-speed-") as tmp:
        # 1. The sample, through the real importer.
        sample = Path(tmp) / "sample.jsonl"
        sample.write_text("".join(sample_corpus(args.shared / "corpora" / "allsides_abp" / "articles.jsonl.gz",
                                                args.n, args.seed)), encoding="utf-8")
        db = Path(tmp) / "speed.db"
        with Store.open(db) as store:
            report = importer.import_files([sample], store)
            articles = store.articles(with_text=True)
        texts = [t or "" for t in articles["text"]]
        n_sentences = sum(len(sentences.split_spans(t)) for t in texts)
        print(f"sample: {len(articles)} articles (seed {args.seed}), {n_sentences} sentences "
              f"({n_sentences / max(len(articles), 1):.1f} per article); import: {report.summary()}")

        # 2. Each default scorer, then all together.
        rows: list[tuple[str, float]] = []
        for name in registry.default_names():
            scorer = registry.get(name)
            in_batches(scorer, articles.head(20), settings.batch_size)  # warm caches and lazy imports
            rows.append((name, median_time(lambda s=scorer: in_batches(s, articles, settings.batch_size),
                                           args.repeats)))
        together = sum(seconds for _, seconds in rows)
        rows.append(("all defaults together", together))
        # 3. The yardstick.
        vader_seconds = median_time(lambda: vader_yardstick(texts), args.repeats)
        rows.append(("yardstick: split + plain VADER", vader_seconds))
        # 5. The opt-in news scorer, on a few articles.
        if args.news:
            news = registry.get("tone_news")
            few = articles.head(args.news)
            news.score(few.head(2))
            seconds = median_time(lambda: news.score(few), 1) * len(articles) / len(few)
            rows.append((f"tone_news (opt-in; {len(few)} articles, scaled)", seconds))

        width = max(len(r[0]) for r in rows)
        print(f"\n{'scorer':<{width}}  {'articles/s':>10}  {'s / 1k sentences':>16}  {'x VADER':>7}")
        for name, seconds in rows:
            rate = len(articles) / seconds if seconds > 0 else float("inf")
            per_k = seconds * 1000 / max(n_sentences, 1)
            print(f"{name:<{width}}  {rate:>10.1f}  {per_k:>16.3f}  {seconds / vader_seconds:>7.1f}")
        rate = len(articles) / together
        verdict = "holds" if rate >= GOAL_ARTICLES_PER_S else "does NOT hold"
        print(f"\ngoal >= {GOAL_ARTICLES_PER_S:.0f} articles/s for the defaults together: {verdict} "
              f"({rate:.1f} articles/s)")

        # 4. End to end: scoring plus writing every score and evidence row, in one process and in
        #    the worker pool (setting ``workers``; 0 = one per CPU), each on its own fresh copy.
        if not args.no_run:
            for workers in (1, 0):
                copy = Path(tmp) / f"run-{workers}.db"
                with Store.open(copy) as store:
                    importer.import_files([sample], store)
                    began = time.perf_counter()
                    result = analysis_run.run(store, settings.with_values({"workers": workers}))
                    seconds = time.perf_counter() - began
                batches = -(-len(articles) // settings.batch_size)
                used = analysis_run.worker_count(settings.with_values({"workers": workers}), batches)
                label = "one process" if used == 1 else f"{used} workers"
                print(f"analysis run end to end (score + write), {label}: {len(articles) / seconds:.1f} "
                      f"articles/s ({seconds:.1f} s)")
            print(result.summary())
    print(f"after: {load_line()} (other workers share these cores: figures move with load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
