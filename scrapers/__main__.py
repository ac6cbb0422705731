"""Command line of the collectors: ``python -m scrapers import FILE...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from core.cli import add_common_arguments, run_cli, settings_from
from core.errors import InputError
from core.store import Store
from scrapers import importer

MAX_REJECTIONS_SHOWN = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scrapers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import JSON Lines (.jsonl, .jsonl.gz) or CSV files")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_common_arguments(imp)
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
    return run_cli(build_parser(), argv, lambda args: {"import": cmd_import}[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
