"""Command line of the collectors.

``python -m scrapers import FILE...`` stores JSON Lines or CSV articles;
``python -m scrapers extract PATH... [--url-map FILE.json] --out OUT.jsonl`` extracts saved pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from core.cli import add_common_arguments, run_cli, settings_from
from core.errors import InputError
from core.store import Store
from scrapers import extract, importer

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
    ext.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    return parser


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    status = 0
    with Store.open(settings.db, busy_timeout_ms=settings.busy_timeout_ms) as store:
        run_id = store.start_run("scrapers import " + " ".join(map(str, args.files)),
                                 settings.as_dict(), {"importer": "1"})
        report = importer.ImportReport()
        for path in args.files:
            try:
                one = importer.import_files([path], store, run_id=run_id)
            except InputError as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 1
                report.rejected.append((str(path), exc.line or 0, "unreadable file", str(exc)))
                continue
            _merge(report, one)
        store.finish_run(run_id, report.as_counts(), "done" if status == 0 else "partial")
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


def _merge(total: importer.ImportReport, one: importer.ImportReport) -> None:
    total.files += one.files
    total.lines += one.lines
    total.counts.add(one.counts)
    total.rejected += one.rejected
    total.warnings.update(one.warnings)
    total.outlets |= one.outlets
    total.stories |= one.stories
    for day in (one.first, one.last):
        if day:
            total.first = min(total.first or day, day)
            total.last = max(total.last or day, day)


def main(argv: Sequence[str] | None = None) -> int:
    commands = {"import": cmd_import, "extract": cmd_extract}
    return run_cli(build_parser(), argv, lambda args: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
