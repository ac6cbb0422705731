"""Throughput of ``analysis run`` on a Dask cluster with 1, 2 and 4 workers, beside the local pool.

    OMP_NUM_THREADS=1 python -m benchmarks.cluster --shared ../shared [--n 2000] [--workers 1,2,4]

A fixed-seed sample of allsides_abp is imported once with the real importer; each run scores a fresh
copy of that store with the bulk scorers (``--scorer`` repeatable; default tone_vader, quotes,
frames_generic) through ``analysis.run.run``: the local process pool with ``workers`` processes, then a
Dask ``LocalCluster`` of the same number of single-thread worker processes (started before the clock,
as a standing cluster would be). Prints articles/s per run and a last line with the ratios.

This machine has two cores: beyond two workers the figures show the cost of oversubscription, not
what a cluster of machines would give. On a cluster the run process stays the only writer; its
share of the work (reading batches, writing scores and evidence) bounds the speed-up.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from analysis import cluster
from analysis import run as runner
from benchmarks.scorers_speed import sample_corpus
from core.settings import Settings
from core.store import Store
from scrapers import importer

DEFAULT_SCORERS = ("tone_vader", "quotes", "frames_generic")


def _timed_run(db: Path, settings: Settings, scorers: tuple[str, ...], where: cluster.Cluster | None) -> float:
    with Store.open(db) as store:
        began = time.perf_counter()
        report = runner.run(store, settings, scorers, where)
        seconds = time.perf_counter() - began
    assert all(n > 0 for n in report.scored.values()), report.scored
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--scorer", action="append", default=[])
    args = parser.parse_args(argv)
    scorers = tuple(args.scorer) or DEFAULT_SCORERS
    counts = [int(w) for w in args.workers.split(",")]
    corpus = Path(args.shared) / "corpora" / "allsides_abp" / "articles.jsonl.gz"
    with tempfile.TemporaryDirectory(prefix="presslens-cluster-") as tmp:
        sample = Path(tmp) / "sample.jsonl"
        sample.write_text("".join(sample_corpus(corpus, args.n, args.seed)), encoding="utf-8")
        base = Path(tmp) / "base.db"
        with Store.open(base) as store:
            importer.import_files([sample], store)
            articles = store.count("articles")
        print(f"sample: {articles} articles; scorers: {', '.join(scorers)}")
        rates: dict[tuple[str, int], float] = {}
        for workers in counts:
            settings = Settings(workers=workers)
            for executor in ("local", "dask"):
                db = Path(tmp) / f"{executor}-{workers}.db"
                shutil.copy(base, db)
                if executor == "local":
                    seconds = _timed_run(db, settings, scorers, None)
                else:
                    with cluster.dask_cluster(None, workers) as where:
                        seconds = _timed_run(db, settings, scorers, where)
                rates[executor, workers] = articles / seconds
                print(f"{executor} workers={workers}: {seconds:.1f} s, {articles / seconds:.1f} articles/s")
                db.unlink()
        ratios = " ".join(f"dask{w}/dask{counts[0]}={rates['dask', w] / rates['dask', counts[0]]:.2f}"
                          for w in counts[1:])
        same = " ".join(f"dask{w}/local{w}={rates['dask', w] / rates['local', w]:.2f}" for w in counts)
        print(f"ratios: {ratios} {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
