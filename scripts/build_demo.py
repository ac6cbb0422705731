"""Build data/demo/articles.jsonl (the demo store's articles) from data/demo/sources.toml.

    python -m scripts.build_demo [--sources FILE] [--out FILE.jsonl]

Each entry of the sources file is checked (a licence that allows republishing, its evidence page,
an http(s) address, a date, a text) and written with its attribution in ``labels``; see
data/demo/README.md for the sources and their licences.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import InputError
from scrapers.demo import DEMO_ARTICLES, DEMO_SOURCES, build_demo_articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_demo", description=__doc__)
    parser.add_argument("--sources", type=Path, default=DEMO_SOURCES, metavar="FILE")
    parser.add_argument("--out", type=Path, default=DEMO_ARTICLES, metavar="FILE.jsonl")
    args = parser.parse_args(argv)
    try:
        count = build_demo_articles(args.sources, args.out)
    except InputError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    print(f"{count} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
