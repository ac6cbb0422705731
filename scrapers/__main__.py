"""Command line of the collectors.

``python -m scrapers import FILE...`` stores JSON Lines or CSV articles;
``python -m scrapers extract PATH... [--url-map FILE.json] --out OUT.jsonl`` extracts saved pages;
``python -m scrapers collect --story data/stories/NAME.toml`` (or ``--feed URL``, ``--sitemap URL``,
``--gdelt QUERY --since D --until D``, ``--urls FILE``) collects a story's coverage from the web;
``python -m scrapers collect --latest [--hours N] [--outlets FILE]`` collects what the default outlets
published since the last ``--latest`` run;
``python -m scrapers first-run`` is ``make run``'s collection step: the latest news, or the demo store
when nothing could be reached and the store is empty (prints the store to open on stdout);
``python -m scrapers outlets [--unknown] [--story ID]`` lists the store's outlets with what is known
about each (country, region, language, type, ownership, bias), which values were inferred, and
their article counts, outlets with gaps first.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from core.cli import add_common_arguments, add_verbose, run_cli, settings_from
from core.errors import InputError
from core.kept import keep_after_write
from core.outlet_profiles import outlet_listing
from core.settings import Settings
from core.store import ArticleFilter, Store
from core.tabular import to_csv, to_json, to_table
from scrapers import demo, importer, latest, pipeline
from scrapers.collect_report import CollectReport, NetworkUnavailable
from scrapers.discover.sources import GDELT_API, load_story
from scrapers.extract import cascade as extract
from scrapers.fetch import FetchPolicy

MAX_REJECTIONS_SHOWN = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scrapers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import JSON Lines (.jsonl, .jsonl.gz) or CSV files")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_common_arguments(imp)

    ext = commands.add_parser("extract", help="extract saved pages (.html, .html.gz or folders) to JSON Lines")
    ext.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ext.add_argument("--url-map", type=Path, metavar="FILE.json", help="JSON object: page id -> URL")
    ext.add_argument("--out", type=Path, required=True, metavar="OUT.jsonl")
    add_verbose(ext)

    col = commands.add_parser("collect", help="collect a story's articles from the web (discover, fetch, "
                                              "extract, store)")
    col.add_argument("--story", type=Path, metavar="FILE", help="story file (data/stories/NAME.toml)")
    col.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS or Atom feed (repeatable)")
    col.add_argument("--sitemap", action="append", default=[], metavar="URL", help="a sitemap (repeatable)")
    col.add_argument("--gdelt", metavar="QUERY", help="a GDELT DOC 2.0 query (needs --since and --until)")
    col.add_argument("--gdelt-api", default=GDELT_API, metavar="URL", help="GDELT DOC 2.0 endpoint (mirrors, tests)")
    col.add_argument("--urls", action="append", default=[], type=Path, metavar="FILE",
                     help="a file of article URLs, one a line (repeatable)")
    col.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="first day (inclusive)")
    col.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="last day (inclusive)")
    col.add_argument("--delay", type=float, metavar="S", help="seconds between two requests to one host "
                                                                "(default: the fetch_delay setting)")
    col.add_argument("--allow-private-hosts", nargs="*", metavar="HOST",
                     help="bare: fetch loopback addresses too (a local mirror, tests); with HOSTs: only these "
                          "names or addresses may be private. Link-local and cloud metadata addresses are "
                          "never fetched")
    col.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    col.add_argument("--if-empty", action="store_true",
                     help="collect only when the store holds no article yet")
    col.add_argument("--latest", action="store_true",
                     help="collect what the default outlets published since the last --latest run "
                          "(the last --hours the first time)")
    _latest_arguments(col)
    add_common_arguments(col)

    first = commands.add_parser("first-run", help="what `make run` collects: the latest news, or the bundled demo "
                                                  "store when nothing could be reached and the store is empty; "
                                                  "prints the store to open")
    _latest_arguments(first)
    first.add_argument("--demo-db", type=Path, default=demo.DEMO_DB, metavar="PATH",
                       help=f"where the demo store is built (default: {demo.DEMO_DB.name} in data/)")
    first.add_argument("--gdelt-api", default=GDELT_API, metavar="URL", help="GDELT DOC 2.0 endpoint (mirrors, tests)")
    first.add_argument("--delay", type=float, metavar="S", help="seconds between two requests to one host")
    first.add_argument("--allow-private-hosts", nargs="*", metavar="HOST",
                       help="bare: fetch loopback addresses too (a local mirror, tests); with HOSTs: only these "
                            "names or addresses may be private")
    first.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_common_arguments(first)
    out = commands.add_parser("outlets", help="list the store's outlets: country, region, language, type, "
                                              "ownership, bias, what was inferred, article counts")
    out.add_argument("--unknown", action="store_true", help="only outlets whose country, type or language is unknown")
    out.add_argument("--story", help="only the outlets of this story id")
    out.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_common_arguments(out)
    return parser


def _latest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=int, metavar="N",
                        help="hours to reach back on the first --latest run (default: the latest_hours setting, 48)")
    parser.add_argument("--outlets", type=Path, default=latest.LATEST_OUTLETS, metavar="FILE",
                        help="outlets file of --latest (default: data/latest_outlets.toml)")


def cmd_outlets(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with Store.open_with(settings, readonly=True) as store:
        table = outlet_listing(store, ArticleFilter(story_id=args.story), unknown_only=args.unknown)
    render = {"csv": to_csv, "json": lambda t: to_json(t) + "\n", "table": lambda t: to_table(t) + "\n"}
    sys.stdout.write(render[args.format](table))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    status = 0
    with Store.open_with(settings) as store:
        run_id = store.start_run("scrapers import " + " ".join(map(str, args.files)),
                                 settings.as_dict(), {"importer": "1"})
        report = importer.ImportReport()
        ended = "failed"  # a crash ends the run failed, Ctrl-C interrupted: never `running` forever
        try:
            for path in args.files:
                try:
                    one = importer.import_files([path], store, run_id=run_id, settings=settings)
                except InputError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    status = 1
                    report.rejected.append((str(path), exc.line or 0, "unreadable file", str(exc)))
                    continue
                for broken in one.truncated:
                    print(f"warning: {broken}", file=sys.stderr)
                    status = 1
                _merge(report, one)
            ended = "done" if status == 0 else "partial"
        except KeyboardInterrupt:
            ended = "interrupted"
            raise
        finally:
            store.finish_run(run_id, report.as_counts(), ended)
        keep_after_write(store, settings)  # the next dashboard start reads the large store's parts kept
    for file, line, _kind, message in report.rejected[:MAX_REJECTIONS_SHOWN]:
        if message.startswith(file):
            continue  # an unreadable file was already reported above
        print(f"{file}:{line}: {message}", file=sys.stderr)
    if len(report.rejected) > MAX_REJECTIONS_SHOWN:
        print(f"... and {len(report.rejected) - MAX_REJECTIONS_SHOWN} more rejected lines", file=sys.stderr)
    print(report.summary())
    print(f"store: {settings.db}")
    return status


def cmd_extract(args: argparse.Namespace) -> int:
    url_map: dict[str, str] | None = None
    if args.url_map:
        try:
            url_map = json.loads(args.url_map.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read the URL map: {exc}", source=str(args.url_map)) from None
        if not isinstance(url_map, dict):
            raise InputError("the URL map must be a JSON object of id -> URL", source=str(args.url_map))
    for path in args.paths:
        if not path.exists():
            raise InputError("no such file or folder", source=str(path))
    pages = failed = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for row in extract.extract_paths(list(args.paths), url_map):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            pages += 1
            if "error" in row:
                failed += 1
                print(f"{row['id']}: {row['error']}", file=sys.stderr)
    print(f"{pages} pages read, {pages - failed} extracted, {failed} failed -> {args.out}")
    return 0


class ProgressBar:
    """A one-line progress bar on a terminal's stderr (redrawn at most ten times a second)."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int, url: str) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < 0.1:
            return
        self.shown = now
        filled = self.WIDTH * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {url[-60:]}"
        self.stream.write("\r" + line[:110].ljust(110))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _check_latest(args: argparse.Namespace) -> None:
    if args.hours is not None and args.hours < 1:
        raise InputError(f"--hours must be at least 1, got {args.hours}")
    if not args.outlets.is_file():
        raise InputError("no such outlets file", source=str(args.outlets))


def _policy(args: argparse.Namespace, settings: Settings) -> FetchPolicy:
    overrides: dict[str, object] = private_hosts(args.allow_private_hosts)
    if args.delay is not None:
        overrides["delay"] = args.delay
    return FetchPolicy.from_settings(settings, **overrides)


def _print_report(report: pipeline.CollectReport, stream: TextIO) -> None:
    for url, kind, message, _outlet in report.source_failures[:MAX_REJECTIONS_SHOWN]:
        print(f"source failed ({kind}): {url}: {message}", file=sys.stderr)
    if len(report.source_failures) > MAX_REJECTIONS_SHOWN:
        print(f"... and {len(report.source_failures) - MAX_REJECTIONS_SHOWN} more failed sources (all in the "
              "store's fetch_log)", file=sys.stderr)
    print(report.summary(), file=stream)


def cmd_latest(args: argparse.Namespace) -> int:
    named = [flag for flag, on in (("--story", args.story), ("--feed", args.feed), ("--sitemap", args.sitemap),
                                   ("--gdelt", args.gdelt), ("--urls", args.urls), ("--since", args.since),
                                   ("--until", args.until), ("--if-empty", args.if_empty)) if on]
    if named:
        raise InputError(f"--latest collects the default outlets' latest news: drop {', '.join(named)}")
    _check_latest(args)
    settings = settings_from(args)
    with Store.open_with(settings) as store:
        status = _collect_and_report(args, settings, lambda bar: latest.collect_latest(
            store, settings, hours=args.hours, outlets_file=args.outlets, policy=_policy(args, settings),
            progress=bar, gdelt_api=args.gdelt_api), offline_hint="the same window is asked again")
        keep_after_write(store, settings)
    return status


def _collect_and_report(args: argparse.Namespace, settings: Settings,
                        collect: Callable[[ProgressBar | None], CollectReport], *, offline_hint: str = "") -> int:
    """Run one collection with a progress bar on a terminal, print its report; 1 when the network is missing."""
    bar = None if args.no_progress or not sys.stderr.isatty() else ProgressBar(sys.stderr)
    try:
        report = collect(bar)
    except NetworkUnavailable as exc:
        hint = f": {offline_hint}" if offline_hint else ""
        print(f"{exc} (no network? run again when online{hint})", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    _print_report(report, sys.stdout)
    print(f"store: {settings.db}")
    return 0


def cmd_first_run(args: argparse.Namespace) -> int:
    _check_latest(args)
    settings = settings_from(args)
    if args.hours is not None:
        settings = settings.with_values({"latest_hours": args.hours})
    bar = None if args.no_progress or not sys.stderr.isatty() else ProgressBar(sys.stderr)
    try:
        chosen = latest.first_run(settings, demo_db=args.demo_db, outlets_file=args.outlets,
                                  policy=_policy(args, settings), progress=bar, gdelt_api=args.gdelt_api)
    finally:
        if bar is not None:
            bar.close()
    if chosen.report is not None:
        _print_report(chosen.report, sys.stderr)
    print(chosen.message, file=sys.stderr)
    print(chosen.store)
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    if args.latest:
        return cmd_latest(args)
    if not (args.story or args.feed or args.sitemap or args.gdelt or args.urls):
        raise InputError("name what to collect: --latest, --story FILE, --feed URL, --sitemap URL, --gdelt QUERY "
                         "or --urls FILE")
    if args.hours is not None or args.outlets != latest.LATEST_OUTLETS:
        raise InputError("--hours and --outlets go with --latest")
    if args.gdelt and not args.story and not (args.since and args.until):
        raise InputError("--gdelt needs --since and --until (GDELT's article lists are per time window)")
    if args.since and args.until and args.since > args.until:
        raise InputError(f"--until {args.until} is before --since {args.since}")
    for path in args.urls:
        if not path.is_file():
            raise InputError("no such file", source=str(path))
    settings = settings_from(args)
    base = load_story(args.story) if args.story else None
    story = pipeline.adhoc_story(feeds=args.feed, sitemaps=args.sitemap, gdelt=args.gdelt, since=args.since,
                                 until=args.until, url_files=args.urls, base=base)
    policy = _policy(args, settings)
    with Store.open_with(settings) as store:
        if args.if_empty and store.count("articles"):
            print(f"store {settings.db} already holds {store.count('articles')} articles: nothing collected "
                  "(--if-empty)")
            return 0
        status = _collect_and_report(args, settings, lambda bar: pipeline.collect(
            store, story, settings, policy=policy, progress=bar, gdelt_api=args.gdelt_api,
            command="scrapers collect " + _describe(args)))
        keep_after_write(store, settings)
    return status


def private_hosts(values: list[str] | None) -> dict[str, object]:
    """Return the fetch policy of ``--allow-private-hosts``: absent none, bare loopback only, HOSTs only those.

    >>> private_hosts(None)["allow_private_hosts"], private_hosts([])["allow_private_hosts"]
    (False, True)
    >>> sorted(private_hosts(["Mirror.Local", "[fd00::5]"])["trusted_hosts"])
    ['fd00::5', 'mirror.local']
    """
    named = frozenset(h.strip().lower().strip("[]") for h in values or () if h.strip())
    return {"allow_private_hosts": values == [], "trusted_hosts": named}


def _describe(args: argparse.Namespace) -> str:
    parts = [f"--story {args.story}"] if args.story else []
    parts += [f"--feed {u}" for u in args.feed] + [f"--sitemap {u}" for u in args.sitemap]
    parts += [f"--gdelt {args.gdelt!r}"] if args.gdelt else []
    parts += [f"--urls {p}" for p in args.urls]
    return " ".join(parts)


def _merge(total: importer.ImportReport, one: importer.ImportReport) -> None:
    total.files += one.files
    total.lines += one.lines
    total.counts.add(one.counts)
    total.rejected += one.rejected
    total.warnings.update(one.warnings)
    total.truncated += one.truncated
    total.outlets |= one.outlets
    total.stories |= one.stories
    for day in (one.first, one.last):
        if day:
            total.first = min(total.first or day, day)
            total.last = max(total.last or day, day)


def main(argv: Sequence[str] | None = None) -> int:
    commands = {"import": cmd_import, "extract": cmd_extract, "collect": cmd_collect, "first-run": cmd_first_run,
                "outlets": cmd_outlets}
    return run_cli(build_parser(), argv, lambda args: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
