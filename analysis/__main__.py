"""Command line of the analysis layer.

``python -m analysis run`` scores what is not scored yet; ``python -m analysis
report`` prints one row per outlet (``--metrics all``: every metric with intervals, the
difference to the other outlets and a corrected significance flag; ``--by bias``: per
outlet group); ``python -m analysis brief --story ID`` prints what each outlet's coverage
stands out for, quoting its own sentences; ``python -m analysis stories`` groups articles
into stories (a JSONL file or the store); ``python -m analysis digest --story ID`` prints the
story digest; ``python -m analysis scorers`` lists scorers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from analysis import registry
from analysis import run as runner
from analysis.brief.build import build_brief
from analysis.brief.render import brief_markdown
from analysis.compare.report import ALL_METRICS, FORMATS, GROUP_BY, metrics_report, outlet_report, render
from analysis.digest import build as digest
from analysis.frames import cli as frames_cli
from analysis.stories import cli as story_cli
from analysis.tone import sentiment
from analysis.tone import train as train_tone
from core.cli import add_common_arguments, add_verbose, run_cli, settings_from
from core.errors import InputError, UnknownNameError
from core.jsonl import JsonlLimits, read_objects
from core.settings import Settings
from core.store import ArticleFilter, Store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="score every article not yet scored by the current scorers")
    run.add_argument("--scorer", action="append", default=[], metavar="NAME",
                     help="scorer to apply (repeatable; default: the default scorers)")
    add_common_arguments(run)

    report = commands.add_parser("report", help="one row per outlet: articles, tone with 95%% interval, dates")
    report.add_argument("--story", help="only this story id (a multi-day story: python -m analysis stories)")
    report.add_argument("--event", help="only this event id (one day or two of a story)")
    report.add_argument("--topic", help="only this topic")
    report.add_argument("--outlet", action="append", default=[], metavar="NAME", help="only these outlets")
    report.add_argument("--since", help="published on or after YYYY-MM-DD")
    report.add_argument("--until", help="published on or before YYYY-MM-DD")
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("--metrics", metavar="all|NAME,...",
                        help=f"'{ALL_METRICS}' or comma-separated metric names: one row per outlet and metric with "
                             "95%% interval, difference to the other outlets, p-value and a significance flag "
                             "(Benjamini-Hochberg, q = 0.05); default: the tone table")
    report.add_argument("--by", choices=GROUP_BY, default="outlet",
                        help="compare outlets or outlet groups (country, region, language, type, ownership, "
                             "bias, bias3: from data/outlets.toml, the store and inference; 'unknown' is a group "
                             "of its own, so the rows add up to the selection)")
    add_common_arguments(report)

    brief = commands.add_parser("brief", help="what each outlet's coverage of a story stands out for, "
                                              "quoting its own sentences")
    brief.add_argument("--story", required=True, help="story id (see the dashboard or python -m analysis report)")
    brief.add_argument("--event", help="only this event of the story (one day or two)")
    brief.add_argument("--format", choices=("md", "json"), default="md")
    brief.add_argument("--target", action="append", default=[], metavar="NAME",
                       help="report each outlet's tone in sentences naming NAME (repeatable)")
    add_common_arguments(brief)

    scorers = commands.add_parser("scorers", help="list the registered scorers")
    add_common_arguments(scorers)

    senti = commands.add_parser("sentiment", help="tone of texts, or toward a target span, from JSON Lines")
    senti.add_argument("--in", dest="input", type=Path, required=True, metavar="IN.jsonl",
                       help='lines {"id", "text", optional "target": {"start", "end"}}')
    senti.add_argument("--out", type=Path, required=True, metavar="OUT.jsonl")
    senti.add_argument("--scorer", default=sentiment.DEFAULT_SCORER, help=f"one of: {', '.join(sentiment.SCORERS)}")
    add_verbose(senti)

    frames_cli.add_frames_parser(commands)
    story_cli.add_stories_parser(commands)
    digest.add_digest_parser(commands)

    train = commands.add_parser("train-tone", add_help=False,
                                help="train the news tone model's heads (python -m analysis.tone.train; "
                                     "its own options follow: --shared, --out, --vocab)")
    train.add_argument("options", nargs=argparse.REMAINDER)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    for name in args.scorer:
        registry.scorer_class(name)  # fail on a typo before opening the store
    with Store.open_with(settings) as store:
        report = runner.run(store, settings, args.scorer)
        total = store.count("articles")
    print(report.summary())
    if total == 0:
        print(f"the store {settings.db} has no articles: import some first "
              f"(python -m scrapers import FILE --db {settings.db})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    flt = ArticleFilter(story_id=args.story, event_id=args.event, topic=args.topic, outlets=tuple(args.outlet),
                        since=args.since, until=args.until)
    with Store.open_with(settings, readonly=True) as store:
        if args.metrics is not None:
            table = metrics_report(store, flt, settings, metrics=args.metrics, by=args.by)
        else:
            table = outlet_report(store, flt, settings, by=args.by)
    sys.stdout.write(render(table, args.format))
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    targets = [t.strip() for t in args.target if t.strip()]
    with Store.open_with(settings, readonly=True) as store:
        brief = build_brief(store, ArticleFilter(story_id=args.story, event_id=args.event), settings,
                            targets=targets)
    if args.format == "json":
        sys.stdout.write(json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(brief_markdown(brief))
    return 0


def cmd_scorers(args: argparse.Namespace) -> int:
    for name in registry.names():
        cls = registry.scorer_class(name)
        flag = " (default)" if cls.default else ""
        print(f"{name} v{cls.version}{flag}: {', '.join(cls.metrics)}")
    return 0


def _jsonl(path: Path) -> Iterator[Any]:
    limits = JsonlLimits.from_settings(Settings.load())
    for _number, record in read_objects(path, limits=limits, allow_empty=True):
        yield record


def cmd_sentiment(args: argparse.Namespace) -> int:
    if args.scorer not in sentiment.SCORERS:
        raise UnknownNameError("sentiment scorer", args.scorer, list(sentiment.SCORERS))
    rows = []
    try:
        for row in sentiment.score_records(_jsonl(args.input), args.scorer):
            rows.append(json.dumps(row, ensure_ascii=False))
    except ValueError as exc:
        raise InputError(str(exc), source=str(args.input)) from None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} lines scored with {args.scorer} -> {args.out}")
    return 0


COMMANDS = {"run": cmd_run, "report": cmd_report, "scorers": cmd_scorers, "sentiment": cmd_sentiment,
            "frames": frames_cli.cmd_frames, "brief": cmd_brief,
            "stories": story_cli.cmd_stories, "digest": digest.cmd_digest,
            "train-tone": lambda args: train_tone.main(args.options)}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["train-tone"]:  # its own parser reads every option, --help included
        return train_tone.main(args[1:])
    return run_cli(build_parser(), argv, lambda args: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
