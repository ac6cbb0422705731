"""How big a store is against the text it holds: bytes per table and index, text bytes, the ratio.

    python benchmarks/store_footprint.py --db /tmp/all.db

Bytes per table and index come from SQLite's dbstat (pages x page size, free space inside pages
included); free pages of the file are listed as ``(free pages)``. The text is the UTF-8 bytes of
every article's headline and body: ``SUM(LENGTH(CAST(title AS BLOB)) + LENGTH(CAST(text AS BLOB)))``.
The ratio is the file's size (pages in use plus free pages, without the WAL) over those bytes;
docs/store.md states the goal (at most 3).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

GOAL = 3.0  # issue 24: the store at most 3x its text


def footprint(db: Path) -> tuple[list[tuple[str, int]], int, int]:
    """Return ([(table or index, bytes)], text bytes, file bytes) of the store at ``db`` (read-only)."""
    with sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True) as con:
        sizes = [(str(n), int(b)) for n, b in con.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC, 1")]
        page = int(con.execute("PRAGMA page_size").fetchone()[0])
        free = int(con.execute("PRAGMA freelist_count").fetchone()[0]) * page
        pages = int(con.execute("PRAGMA page_count").fetchone()[0]) * page
        text = int(con.execute(
            "SELECT COALESCE(SUM(LENGTH(CAST(title AS BLOB)) + LENGTH(CAST(text AS BLOB))), 0) FROM articles"
        ).fetchone()[0])
    con.close()
    if free:
        sizes.append(("(free pages)", free))
    return sizes, text, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="the store to measure (opened read-only)")
    parser.add_argument("--top", type=int, default=25, help="tables and indexes listed (largest first)")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"--db {args.db}: no such file", file=sys.stderr)
        return 2
    try:
        sizes, text, total = footprint(args.db)
    except sqlite3.Error as exc:
        print(f"--db {args.db}: not a readable PressLens store ({exc})", file=sys.stderr)
        return 2
    print(f"{'table or index':<40} {'MB':>10} {'x text':>7}")
    for name, size in sizes[:args.top]:
        print(f"{name:<40} {size / 1e6:>10.1f} {size / max(text, 1):>7.2f}")
    rest = sum(size for _name, size in sizes[args.top:])
    if rest:
        print(f"{'(the other ' + str(len(sizes) - args.top) + ')':<40} {rest / 1e6:>10.1f} {rest / max(text, 1):>7.2f}")
    ratio = total / max(text, 1)
    print(f"\nstore {total / 1e6:.1f} MB, text {text / 1e6:.1f} MB (UTF-8 bytes of titles and texts): "
          f"{ratio:.2f}x the text (goal <= {GOAL:g}x: {'met' if ratio <= GOAL else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
