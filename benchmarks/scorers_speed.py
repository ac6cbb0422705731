"""Time the default scorers on a sample of allsides_abp, beside plain VADER over the same sentences.

    OMP_NUM_THREADS=1 python -m benchmarks.scorers_speed --shared ../shared [--n 2000] [--seed 7]

1. Import a fixed-seed sample of ``corpora/allsides_abp/articles.jsonl.gz`` into a temporary store
   with the real importer, and read it back as ``analysis run`` does.
2. Time each scorer a plain ``analysis run`` applies to a store of that size
   (``analysis.run.default_scorers``: ``tone_news`` included up to ``news_tone_max_articles``)
   over the articles in ``batch_size`` batches (median of ``--repeats``), and all of them together
   (sum of the medians): articles/s in wall time and **per core** (CPU time of this one-thread
   process, which other jobs' load does not inflate), and seconds per 1,000 sentences.
3. Time the yardstick: sentence splitting + plain VADER (``polarity_scores``) over the same sentences.
4. Time ``analysis run`` end to end (scoring + writing scores and evidence to SQLite) in the worker
   pool (``--one-process`` adds a one-process run beside it): wall time and CPU time of the run and
   its workers.

Goals: the default scorers on a 2,000-article story in under 5 minutes on this machine (issue #25);
>= 50 articles/s for the registry's cheap defaults together (issue #4). The machine has two cores
shared with other workers: wall figures move with load, so the output says what the load was.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
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

GOAL_ARTICLES_PER_S = 50.0  # the registry's cheap defaults together (issue #4)
GOAL_STORY_ARTICLES, GOAL_STORY_SECONDS = 2000, 300.0  # every default scorer, end to end (issue #25)


def sample_corpus(path: Path, n: int, seed: int) -> list[str]:
    """Return ``n`` lines of the gzipped JSONL corpus, drawn with a fixed seed (in file order)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    picked = sorted(random.Random(seed).sample(range(len(lines)), min(n, len(lines))))
    return [lines[i] for i in picked]


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Return the median wall time and the median CPU time of this process over ``repeats`` calls."""
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def cpu_with_children() -> float:
    """Return the CPU seconds of this process and of its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


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
    parser.add_argument("--one-process", action="store_true", help="also time 'analysis run' in one process")
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

        # 2. Each scorer a plain 'analysis run' applies to a store of this size, then all together.
        names, why = analysis_run.default_scorers(len(articles), settings)
        print(why)
        rows: list[tuple[str, float, float]] = []
        for name in names:
            scorer = registry.get(name)
            in_batches(scorer, articles.head(20), settings.batch_size)  # warm caches, lazy imports, the model
            rows.append((name, *median_time(lambda s=scorer: in_batches(s, articles, settings.batch_size),
                                            args.repeats)))
        cheap = [(w, c) for name, w, c in rows if name != analysis_run.NEWS_TONE]
        rows.append(("all defaults together", sum(r[1] for r in rows), sum(r[2] for r in rows)))
        if len(cheap) < len(names):
            rows.append(("  without tone_news", sum(w for w, _ in cheap), sum(c for _, c in cheap)))
        # 3. The yardstick.
        vader_wall, vader_cpu = median_time(lambda: vader_yardstick(texts), args.repeats)
        rows.append(("yardstick: split + plain VADER", vader_wall, vader_cpu))

        width = max(len(r[0]) for r in rows)
        print(f"\n{'scorer':<{width}}  {'articles/s':>10}  {'per core':>8}  {'CPU-s / 1k sentences':>20}  "
              f"{'x VADER':>7}")
        for name, wall, cpu in rows:
            rate = len(articles) / wall if wall > 0 else float("inf")
            per_core = len(articles) / cpu if cpu > 0 else float("inf")
            per_k = cpu * 1000 / max(n_sentences, 1)
            print(f"{name:<{width}}  {rate:>10.1f}  {per_core:>8.1f}  {per_k:>20.3f}  {cpu / vader_cpu:>7.1f}")
        cheap_cpu = sum(c for _, c in cheap)
        verdict = "holds" if len(articles) / cheap_cpu >= GOAL_ARTICLES_PER_S else "does NOT hold"
        print(f"\ngoal >= {GOAL_ARTICLES_PER_S:.0f} articles/s per core for the registry's cheap defaults: {verdict} "
              f"({len(articles) / cheap_cpu:.1f})")
        total_cpu = sum(r[2] for r in rows[:len(names)])
        cores = min(os.cpu_count() or 1, analysis_run.MAX_AUTO_WORKERS)
        projected = total_cpu * GOAL_STORY_ARTICLES / len(articles) / cores
        print(f"every default scorer on a {GOAL_STORY_ARTICLES:,}-article story: {projected:.0f} s of scoring on "
              f"{cores} idle cores (goal < {GOAL_STORY_SECONDS:.0f} s, writes not included: see the run below)")

        # 4. End to end: scoring plus writing every score and evidence row, in the worker pool
        #    (setting ``workers``; 0 = one per CPU) and, on request, in one process, each on a fresh copy.
        if not args.no_run:
            for workers in ((1, 0) if args.one_process else (0,)):
                copy = Path(tmp) / f"run-{workers}.db"
                with Store.open(copy) as store:
                    importer.import_files([sample], store)
                    began, cpu = time.perf_counter(), cpu_with_children()
                    result = analysis_run.run(store, settings.with_values({"workers": workers}))
                    seconds, cpu = time.perf_counter() - began, cpu_with_children() - cpu
                batches = -(-len(articles) // settings.batch_size)
                used = analysis_run.worker_count(settings.with_values({"workers": workers}), batches)
                label = "one process" if used == 1 else f"{used} workers"
                print(f"analysis run end to end (score + write), {label}: {len(articles) / seconds:.1f} "
                      f"articles/s ({seconds:.1f} s wall, {cpu:.1f} CPU-s: {cpu / max(used, 1):.0f} s "
                      f"on {used} idle cores)")
            print(result.summary())
    print(f"after: {load_line()} (other workers share these cores: figures move with load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
