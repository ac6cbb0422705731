"""The million-article benchmark: import, footprint, report and dashboard at scale; scorers and grouping on a sample.

    OMP_NUM_THREADS=1 python -m benchmarks.scale --shared ../shared --articles 1000000 [--sample 50000]
        [--scores-from /tmp/all.db] [--work /tmp/presslens-scale] [--keep]

1. Corpus: ``corpora/allsides_abp/articles.jsonl.gz`` replayed (``benchmarks.replay``) up to
   ``--articles``: real texts, fresh ids and URLs, dates a week later per copy, streamed to
   ``WORK/scale.jsonl.gz`` (never held in memory, never in the repository).
2. Import: ``python -m scrapers import FILE --db DB`` (the real CLI, a child process): articles/s,
   wall time, peak RSS.
3. Scores: scoring a million articles takes hours, so the scores are replayed too: every scorer's
   article-level scores of the source article in ``--scores-from`` (a scored store of the same corpus,
   opened read-only) are written for each copy through ``Store.write_scores`` (evidence is not
   replayed). Report and dashboard then read realistic score volumes. Then the dashboard's parts are kept
   beside the store (``core.kept.keep_after_write``), as ``analysis run`` does when it has written scores.
4. Footprint: the store's bytes (database, WAL and shared-memory files) after import and after the
   scores, against the UTF-8 bytes of the titles and texts.
5. ``python -m analysis report --db DB --metrics all`` (child process): wall time and peak RSS.
6. ``python -m dashboard bench --db DB`` (the non-browser benchmark): its figures as it prints them.
7. Sample (``--sample``, the first articles of the replayed corpus; 0 skips): the bulk scorers one by one in
   this process (articles/s per core = articles / CPU seconds, as ``benchmarks.scorers_speed``), and
   ``python -m analysis stories --db SAMPLE`` (child): wall time and peak RSS. Both extrapolated linearly
   to ``--articles``, stated as such: replayed texts collapse in deduplication and grouping, so the
   quality of grouping stays measured on real corpora (``benchmarks/stories.py``).

Goals (issue 24): import >= 2,000 articles/s; ``report --metrics all`` under 2 minutes; the bulk
scorers >= 45 articles/s per core. Figures move with the load of other jobs on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import registry
from benchmarks.replay import SHIFT_DAYS, replay_records, write_replay
from core.errors import StoreError
from core.kept import keep_after_write
from core.schema import article_id
from core.settings import Settings
from core.store import ScoreBatch, Store

GOAL_IMPORT = 2000.0  # articles/s at 1M (issue 24)
GOAL_REPORT_SECONDS = 120.0
GOAL_PER_CORE = 45.0
BULK_SCORERS = ("tone_vader", "frames_generic", "frames_policy", "quotes", "length", "facets")
SCORE_BLOCK = 2000  # replayed articles per ScoreBatch (one transaction each)


@dataclass
class ChildRun:
    """A finished child process: wall seconds, CPU seconds, peak resident memory, output."""

    seconds: float
    cpu: float
    peak_mb: float
    returncode: int
    stdout: str


def run_child(args: list[str], cwd: Path | None = None) -> ChildRun:
    """Run a command, wait for it with ``os.wait4`` and return its own wall time, CPU time and peak RSS."""
    began = time.perf_counter()
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"presslens-scale-child-{os.getpid()}.out"
    with open(out_path, "w", encoding="utf-8") as out:
        child = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - began
    text = out_path.read_text(encoding="utf-8", errors="replace")
    out_path.unlink()
    return ChildRun(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode, text)


def store_bytes(db: Path) -> int:
    """Return the bytes of a store's files (database, WAL, shared memory; a stories index beside it apart)."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def text_bytes(source: Path, articles: int) -> int:
    """Return the UTF-8 bytes of the replayed titles and texts (what the store must keep)."""
    return sum(len((r.get("title") or "").encode()) + len((r.get("text") or "").encode())
               for _copy, _src, r in replay_records(source, articles))


def _pairs(source: Path, articles: int) -> Iterator[tuple[str, str]]:
    """Yield (source article id, replayed article id) as the importer computes ids."""
    for _copy, original, replayed in replay_records(source, articles):
        yield (article_id(original.get("url"), original.get("id")),
               article_id(replayed.get("url"), replayed.get("id")))


def replay_scores(source: Path, articles: int, scored: Path, db: Path) -> tuple[int, int]:
    """Write each replayed article its source article's scores (from the read-only ``scored`` store).

    Returns (articles given scores, score rows written). Memory: the source store's scores
    (source articles x metrics, in long form once), not the copies'.
    """
    with _open_source(scored, db.parent) as src:
        names = src.scorers_present()
        hashes = src.articles(columns=("content_hash",)).set_index("id")["content_hash"].to_dict()
        tables = {name: SourceScores.of(src.score_matrix([name])) for name in names}
    versions = {name: _version(name) for name in names}
    done = rows = 0
    with Store.open(db) as store:
        block: list[tuple[str, str]] = []
        for pair in _pairs(source, articles):
            if pair[0] in hashes:
                block.append(pair)
            if len(block) >= SCORE_BLOCK:
                rows += _write_block(store, block, tables, hashes, versions)
                done += len(block)
                block = []
        if block:
            rows += _write_block(store, block, tables, hashes, versions)
            done += len(block)
    return done, rows


def _open_source(scored: Path, work: Path) -> Store:
    """Open the scored source store read-only; one of an older schema is copied into ``work`` and migrated there."""
    try:
        return Store.open(scored, readonly=True)
    except StoreError as exc:
        if "schema version" not in str(exc):
            raise
    copy = work / "scores-source.db"
    print(f"{scored} has an older schema: copied to {copy} and migrated there (the source stays as it is)")
    shutil.copyfile(scored, copy)
    Store.open(copy).close()  # opening for writing applies the migrations
    return Store.open(copy, readonly=True)


def _version(name: str) -> str:
    try:
        return str(registry.get(name).version)
    except Exception:  # noqa: BLE001 - a scorer the registry no longer knows keeps a marked version
        return "replayed"


@dataclass(frozen=True)
class SourceScores:
    """One scorer's scores of the source articles in long form, each article's rows contiguous."""

    metric: np.ndarray
    value: np.ndarray
    spans: dict[str, tuple[int, int]]  # source article id -> (first row, end)

    @classmethod
    def of(cls, wide: pd.DataFrame) -> SourceScores:
        """Return the long form of ``Store.score_matrix``'s frame (``scorer.metric`` columns; NaN left out)."""
        metrics = np.array([c.split(".", 1)[1] for c in wide.columns], dtype=object)
        values = wide.to_numpy(dtype=float)
        present = ~np.isnan(values)
        counts = present.sum(axis=1)
        ends = np.cumsum(counts)
        spans = {str(aid): (int(e - c), int(e)) for aid, c, e in zip(wide.index, counts, ends)}
        rows, cols = np.nonzero(present)  # row-major: each article's values together, in column order
        return cls(metrics[cols], values[rows, cols], spans)

    def rows_for(self, pairs: list[tuple[str, str]]) -> pd.DataFrame:
        """Return (article_id, metric, value) rows of each (source id, replayed id) pair, under the replayed id."""
        found = [(self.spans[s], d) for s, d in pairs if s in self.spans]
        if not found:
            return pd.DataFrame(columns=["article_id", "metric", "value"])
        index = np.concatenate([np.arange(a, b) for (a, b), _ in found])
        ids = np.repeat(np.array([d for _, d in found], dtype=object), [b - a for (a, b), _ in found])
        return pd.DataFrame({"article_id": ids, "metric": self.metric[index], "value": self.value[index]})


def _write_block(store: Store, block: list[tuple[str, str]], tables: dict[str, SourceScores],
                 hashes: dict[str, str], versions: dict[str, str]) -> int:
    written = 0
    for name, table in tables.items():
        present = [(s, d) for s, d in block if s in table.spans]
        if not present:
            continue
        rows = table.rows_for(present)
        store.write_scores(ScoreBatch(scorer=name, version=versions[name],
                                      content_hashes={d: hashes[s] for s, d in present}, scores=rows))
        written += len(rows)
    return written


def sample_scorers(db: Path, names: tuple[str, ...], batch: int) -> list[tuple[str, float, float]]:
    """Return (scorer, articles/s wall, articles/s per core) of each scorer over the sample store's articles."""
    with Store.open(db, readonly=True) as store:
        articles = store.articles(with_text=True)
    out = []
    for name in names:
        scorer = registry.get(name)
        scorer.score(articles.head(20))  # warm: lazy imports, models, caches
        began, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(articles), batch):
            scorer.score(articles.iloc[start:start + batch])
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        out.append((name, len(articles) / max(wall, 1e-9), len(articles) / max(cpu, 1e-9)))
    return out


def _python() -> list[str]:
    return [sys.executable]


def main(argv: list[str] | None = None) -> int:
    """Print one line per figure; return 0 (goals are reported, not enforced)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000, help="articles for scorers and grouping (0: skip)")
    parser.add_argument("--scores-from", type=Path, default=Path("/tmp/all.db"),
                        help="a scored store of allsides_abp, read-only (missing: no scores replayed)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/presslens-scale"))
    parser.add_argument("--shift-days", type=int, default=SHIFT_DAYS)
    parser.add_argument("--batch", type=int, default=64, help="articles per scorer call on the sample")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["import", "scores", "report", "dashboard", "scorers", "grouping"],
                        help="leave a step out (repeatable); 'import' reuses WORK/scale.db")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and the stores in WORK")
    args = parser.parse_args(argv)
    source = args.shared / "corpora" / "allsides_abp" / "articles.jsonl.gz"
    if not source.is_file():
        print(f"error: {source}: no such file (the allsides_abp corpus)", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    corpus, db = args.work / "scale.jsonl.gz", args.work / "scale.db"
    n = args.articles
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    try:
        if "import" not in args.skip:
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                path.unlink(missing_ok=True)
            began = time.perf_counter()
            written = write_replay(source, corpus, n, args.shift_days)
            print(f"corpus: {written:,} replayed articles -> {corpus} ({corpus.stat().st_size / 1e9:.2f} GB gzip) "
                  f"in {time.perf_counter() - began:.0f} s")
            run = run_child([*_python(), "-m", "scrapers", "import", str(corpus), "--db", str(db)])
            print(f"import: {written / run.seconds:,.0f} articles/s ({run.seconds:.0f} s wall, {run.cpu:.0f} CPU-s, "
                  f"peak RSS {run.peak_mb:,.0f} MB, exit {run.returncode}; goal >= {GOAL_IMPORT:,.0f})"
                  f"  [python -m scrapers import {corpus} --db {db}]")
            if run.returncode != 0:
                print(run.stdout[-2000:])
        if not db.exists():
            if args.sample > 0:
                _sample(source, args, n)
            return 0
        text = text_bytes(source, n)
        after_import = store_bytes(db)
        print(f"footprint after import: store {after_import / 1e9:.2f} GB, text {text / 1e9:.2f} GB "
              f"(titles + bodies, UTF-8): {after_import / text:.2f}x the text")
        if "scores" not in args.skip and args.scores_from.is_file():
            began = time.perf_counter()
            done, rows = replay_scores(source, n, args.scores_from, db)
            seconds = time.perf_counter() - began
            total = store_bytes(db)
            print(f"scores replayed from {args.scores_from}: {rows:,} score rows for {done:,} articles in "
                  f"{seconds:.0f} s ({done / seconds:,.0f} articles/s; evidence not replayed)")
            print(f"footprint with scores: store {total / 1e9:.2f} GB = {total / text:.2f}x the text "
                  f"(scores {(total - after_import) / 1e9:.2f} GB)")
            began = time.perf_counter()
            with Store.open(db) as store:  # as ``analysis run`` does when it has written scores
                kept = keep_after_write(store, Settings())
            print(f"dashboard parts kept beside the store after the scores: {kept} in "
                  f"{time.perf_counter() - began:.1f} s (core.kept.keep_after_write)")
        if "report" not in args.skip:
            run = run_child([*_python(), "-m", "analysis", "report", "--db", str(db), "--metrics", "all",
                             "--format", "csv"])
            rows_out = max(run.stdout.count("\n") - 1, 0)
            print(f"report --metrics all: {run.seconds:.1f} s wall, {run.cpu:.1f} CPU-s, peak RSS "
                  f"{run.peak_mb:,.0f} MB, {rows_out:,} rows, exit {run.returncode} "
                  f"(goal < {GOAL_REPORT_SECONDS:.0f} s)"
                  f"  [python -m analysis report --db {db} --metrics all]")
            if run.returncode != 0:
                print(run.stdout[-2000:])
        if "dashboard" not in args.skip:
            run = run_child([*_python(), "-m", "dashboard", "bench", "--db", str(db)])
            print(f"dashboard bench: {run.seconds:.0f} s wall, peak RSS {run.peak_mb:,.0f} MB, exit {run.returncode}"
                  f"  [python -m dashboard bench --db {db}]")
            for line in run.stdout.strip().splitlines()[-20:]:
                print(f"  {line}")
        if args.sample > 0 and not {"scorers", "grouping"} <= set(args.skip):
            _sample(source, args, n)
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    return 0


def _sample(source: Path, args: argparse.Namespace, n: int) -> None:
    """Step 7: scorers and grouping on the sample, extrapolated to ``n`` articles."""
    sample, sample_db = args.work / "sample.jsonl.gz", args.work / "sample.db"
    for path in (sample_db, Path(f"{sample_db}-wal"), Path(f"{sample_db}-shm")):
        path.unlink(missing_ok=True)
    size = write_replay(source, sample, args.sample, args.shift_days)
    run = run_child([*_python(), "-m", "scrapers", "import", str(sample), "--db", str(sample_db)])
    print(f"sample: {size:,} articles (the first of the replayed corpus), imported in {run.seconds:.0f} s")
    if "scorers" not in args.skip:
        for name, wall, per_core in sample_scorers(sample_db, BULK_SCORERS, args.batch):
            verdict = "holds" if per_core >= GOAL_PER_CORE else "does NOT hold"
            print(f"scorer {name}: {per_core:.1f} articles/s per core ({wall:.1f} wall) on the {size:,}-article "
                  f"sample; goal >= {GOAL_PER_CORE:.0f} {verdict}; extrapolated to {n:,}: "
                  f"{n / per_core / 3600:.1f} core-hours")
    if "grouping" not in args.skip:
        run = run_child([*_python(), "-m", "analysis", "stories", "--db", str(sample_db), "--rebuild"])
        print(f"grouping (python -m analysis stories --db SAMPLE): {run.seconds:.0f} s wall, peak RSS "
              f"{run.peak_mb:,.0f} MB on {size:,} articles, exit {run.returncode}; extrapolated linearly to "
              f"{n:,}: {run.seconds * n / size / 60:.0f} min (replayed texts collapse in grouping: speed only)")
        if run.returncode != 0:
            print(run.stdout[-2000:])


if __name__ == "__main__":
    raise SystemExit(main())
