"""Time the import's writer alone: articles read first, then stored in the importer's batches on one thread.

    OMP_NUM_THREADS=1 PYTHONPATH=. python -m benchmarks.import_writer FILE --db STORE [--defaults] [--copy-of SRC]

1. Read ``FILE`` (JSONL or JSONL.gz) with the importer's own steps (checks, outlet names), into memory:
   the reader's CPU seconds are printed apart.
2. Open ``--db`` (with ``--copy-of SRC``: first copied from SRC, e.g. a store already holding articles,
   to see the cost of a larger store; the copy is deleted afterwards), tune it as the import's writer
   does (``Store.tune_for_bulk_writes``; ``--defaults`` leaves SQLite's defaults), and store the articles
   in batches of ``scrapers.importer.BATCH`` through ``Store.upsert_articles``: wall seconds, user and
   system CPU seconds of the writing alone.

The same script runs against an older PressLens (PYTHONPATH=/path/to/it) to compare side by side; an
older Store without ``tune_for_bulk_writes`` is left at SQLite's defaults. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

from core.jsonl import JsonlLimits, LineError
from core.outlets import default_outlets
from core.schema import Article
from core.store import Store
from scrapers import importer


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def read_articles(path: Path) -> list[Article]:
    """Return the good articles of a file, as the importer makes them (duplicates kept)."""
    names = importer.OutletNames(default_outlets())
    articles = []
    for _number, record in importer.read_records(path, JsonlLimits()):
        if isinstance(record, LineError):
            continue
        try:
            article, _warnings = importer.record_to_article(record, source=f"import:{path.name}")
        except LineError:
            continue
        articles.append(names.with_host(names.with_known_outlet(article)))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a JSONL or JSONL.gz file of articles")
    parser.add_argument("--db", required=True, type=Path, help="the store to write (created if missing)")
    parser.add_argument("--copy-of", type=Path, help="copy this store to --db first, delete the copy after")
    parser.add_argument("--defaults", action="store_true", help="SQLite's defaults, not the writer's tuning")
    args = parser.parse_args(argv)
    for path in (args.file, args.copy_of):
        if path is not None and not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
    began, (user, system) = time.perf_counter(), _cpu()
    articles = read_articles(args.file)
    now, (user2, system2) = time.perf_counter(), _cpu()
    print(f"read {len(articles):,} articles: {now - began:.1f} s wall, {user2 - user + system2 - system:.1f} CPU-s")
    if args.copy_of is not None:
        if args.db.exists():
            print(f"{args.db}: exists; --copy-of writes a new copy there and deletes it after", file=sys.stderr)
            return 2
        shutil.copyfile(args.copy_of, args.db)
    try:
        with Store.open(args.db) as store:
            if not args.defaults and hasattr(store, "tune_for_bulk_writes"):
                store.tune_for_bulk_writes()
            began, (user, system) = time.perf_counter(), _cpu()
            for start in range(0, len(articles), importer.BATCH):
                store.upsert_articles(articles[start:start + importer.BATCH])
            now, (user2, system2) = time.perf_counter(), _cpu()
        tuning = "SQLite's defaults" if args.defaults else "tuned"
        print(f"stored ({tuning}): {now - began:.1f} s wall, {user2 - user:.1f} user + {system2 - system:.1f} "
              f"system = {user2 - user + system2 - system:.1f} CPU-s, "
              f"{len(articles) / max(now - began, 1e-9):,.0f} articles/s of wall time")
    finally:
        if args.copy_of is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
