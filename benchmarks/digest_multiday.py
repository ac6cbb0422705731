"""How many of a human digest's ten facts the default digest carries, and how long it is.

The facts per story are benchmarks/digest_facts.toml (written before the digest was run on the
stories). A fact is carried when every regex of its ``all`` list matches the digest's Markdown
(link targets removed, lower-cased, curly quotes folded). Reports per story: facts carried, the
page's words, and *What the papers say*'s words (analysis.digest.short.markdown_words).

    python -m scrapers import ../shared/corpora/multiday_stories/articles.jsonl --db /tmp/md.db
    python -m analysis run --db /tmp/md.db
    OMP_NUM_THREADS=1 python benchmarks/digest_multiday.py --db /tmp/md.db [--show-missed]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.digest.build import build_digest  # noqa: E402  (after the path insert)
from analysis.digest.render import render_markdown
from analysis.digest.short import markdown_words, section_words  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.store import Store  # noqa: E402

FACTS = Path(__file__).with_name("digest_facts.toml")
_LINK_TARGET = re.compile(r"\]\(<[^>]*>\)|\]\([^)]*\)")


def plain(markdown: str) -> str:
    """Return the page as the fact check reads it: no link targets, lower case, straight quotes."""
    text = _LINK_TARGET.sub("]", markdown).lower()
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("\\", "")


def carried(page: str, fact: dict[str, object]) -> bool:
    """Return True when every regex of the fact matches the page."""
    return all(re.search(str(pattern), page) for pattern in fact["all"])  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a store holding the multi-day stories")
    parser.add_argument("--facts", type=Path, default=FACTS)
    parser.add_argument("--detail", default="short", choices=("short", "full"))
    parser.add_argument("--show-missed", action="store_true", help="list the facts each digest misses")
    args = parser.parse_args(argv)
    stories = tomllib.loads(args.facts.read_text(encoding="utf-8"))["story"]
    settings = Settings.load({"db": args.db}, environ={})
    total = 0
    print("| story | facts carried | words | What the papers say words | seconds |")
    print("|---|---|---|---|---|")
    with Store.open(args.db, readonly=True) as store:
        for story in stories:
            started = time.perf_counter()
            digest = build_digest(store, story["id"], settings, detail=args.detail)
            seconds = time.perf_counter() - started
            markdown = render_markdown(digest)
            page = plain(markdown)
            hits = [carried(page, fact) for fact in story["fact"]]
            total += sum(hits)
            papers = section_words(digest, "papers", render_markdown)
            print(f"| {story['id']} | {sum(hits)}/{len(hits)} | {markdown_words(markdown)} | {papers} | "
                  f"{seconds:.1f} |")
            if args.show_missed:
                for fact, hit in zip(story["fact"], hits):
                    if not hit:
                        print(f"|   missed: {fact['fact']} | | | | |")
    print(f"\ntotal: {total} of {sum(len(s['fact']) for s in stories)} facts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
