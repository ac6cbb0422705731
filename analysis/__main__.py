"""Command line of the analysis layer: its one CLI module (parse, call the library, print).

``python -m analysis run`` scores what is not scored yet; ``python -m analysis
report`` prints one row per outlet (``--metrics all``: every metric with intervals, the
difference to the other outlets and a corrected significance flag; ``--by bias``: per
outlet group); ``python -m analysis brief --story ID`` prints what each outlet's coverage
stands out for, quoting its own sentences; ``python -m analysis stories`` groups articles
into stories (a JSONL file or the store); ``python -m analysis digest --story ID`` prints the
story digest; ``python -m analysis scorers`` lists scorers; ``python -m analysis sentiment`` scores
texts from JSON Lines; ``python -m analysis frames train|predict`` trains or applies a frame
classifier; ``python -m analysis train-tone`` trains the news tone model's heads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from analysis import cluster, registry
from analysis import run as runner
from analysis.brief.build import build_brief
from analysis.brief.render import brief_markdown
from analysis.compare.report import ALL_METRICS, FORMATS, GROUP_BY, metrics_report, outlet_report, render
from analysis.digest.build import DETAILS, build_digest
from analysis.digest.build import FORMATS as DIGEST_FORMATS
from analysis.digest.build import render as render_digest
from analysis.frames.lexicon import load_frameset
from analysis.frames.model import ENCODERS, load_model, predict, read_examples, read_jsonl, train
from analysis.stories.store import INDEX_SUFFIX, MIN_KEEP_DAYS, group_store
from analysis.tone import sentiment
from analysis.tone import train as train_tone
from core.cli import add_common_arguments, add_verbose, run_cli, settings_from
from core.errors import InputError, UnknownNameError
from core.jsonl import JsonlLimits, read_objects
from core.kept import keep_after_write
from core.settings import Settings
from core.store import ArticleFilter, Store, store_sidecar


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="score every article not yet scored by the current scorers")
    run.add_argument("--scorer", action="append", default=[], metavar="NAME",
                     help="scorer to apply (repeatable; default: the default scorers)")
    run.add_argument("--executor", choices=cluster.EXECUTORS, default="local",
                     help="where batches are scored: local (this machine's process pool, setting workers) or dask "
                          "(a Dask cluster; this process stays the only writer)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask; without it, "
                          "--executor dask starts a local cluster of `workers` processes)")
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

    add_frames_parser(commands)
    add_stories_parser(commands)
    add_digest_parser(commands)

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
        if args.executor == "dask" or args.scheduler:
            with cluster.dask_cluster(args.scheduler, runner.wanted_workers(settings)) as where:
                report = runner.run(store, settings, args.scorer, where)
        else:
            report = runner.run(store, settings, args.scorer)
        total = store.count("articles")
        keep_after_write(store, settings)  # the next dashboard start reads the large store's parts kept
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



# ---------------------------------------------------------------------------------------- stories
def add_stories_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``stories`` subcommand to the analysis command line."""
    parser = commands.add_parser(
        "stories", help="group articles from different outlets into stories (JSON Lines or the store)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in", dest="input", type=Path, metavar="FILE.jsonl",
                        help='lines {"id", "outlet", "url", "title", "published", "text"}')
    parser.add_argument("--out", type=Path, metavar="OUT.jsonl",
                        help='lines {"id", "story", "event", ...}, one per input line')
    parser.add_argument("--index", type=Path, metavar="FILE.npz",
                        help="story index for incremental grouping (default with --db: DB.stories.npz)")
    parser.add_argument("--rebuild", action="store_true", help="with --db: ignore the saved index and regroup all")
    parser.add_argument("--block-articles", type=int, metavar="N",
                        help="with --db: articles read and grouped at a time, in date order "
                             "(default: the setting story_block_articles)")
    parser.add_argument("--keep-days", type=float, metavar="D",
                        help="with --db: days a story stays in the index after its last article "
                             "(default 14, at least 5)")
    add_common_arguments(parser)


def cmd_stories(args: argparse.Namespace) -> int:
    """Run the ``stories`` subcommand."""
    if args.input is not None or args.out is not None:
        if args.input is None or args.out is None:
            raise InputError("--in and --out go together (or use --db alone)")
        if not args.input.exists():
            raise InputError("no such file", source=str(args.input))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        from analysis.stories.files import stories_jsonl

        result = stories_jsonl(args.input, args.out, index_path=args.index)
        print(f"{result.summary()} -> {args.out}")
        return 0
    settings = settings_from(args)
    index_path = args.index or store_sidecar(settings.db, INDEX_SUFFIX)
    block = settings.story_block_articles if args.block_articles is None else args.block_articles
    if block < 1:
        raise InputError(f"--block-articles must be at least 1, not {block}")
    if args.keep_days is not None and not args.keep_days >= MIN_KEEP_DAYS:
        raise InputError(f"--keep-days must be at least {MIN_KEEP_DAYS:g} (a story's longest silence), "
                         f"not {args.keep_days:g}")
    with Store.open_with(settings) as store:
        print(group_store(store, index_path, rebuild=args.rebuild, block_articles=block, keep_days=args.keep_days))
        keep_after_write(store, settings)
    return 0


# ---------------------------------------------------------------------------------------- frames
def add_frames_parser(commands: Any) -> argparse.ArgumentParser:
    """Add ``frames train`` and ``frames predict`` to a CLI's sub-parsers; return the ``frames`` parser."""
    parser = commands.add_parser("frames", help="train a frame classifier on labelled examples, or predict frames")
    sub = parser.add_subparsers(dest="frames_command", required=True)
    t = sub.add_parser("train", help="train on JSONL lines {'text': ..., 'labels': [...]}")
    t.add_argument("--examples", required=True, type=Path, help="JSONL file of labelled examples")
    t.add_argument("--model-dir", required=True, type=Path, help="directory to write the model into")
    t.add_argument("--encoder", choices=ENCODERS, default="minilm",
                   help="add whole-text MiniLM embeddings (sentence-pooled for long texts) to the TF-IDF "
                        "features (default) or not ('none': faster)")
    add_verbose(t)
    p = sub.add_parser("predict", help="predict frames of JSONL lines {'id': ..., 'text': ...}")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-dir", type=Path, help="a model written by 'frames train'")
    source.add_argument("--frameset", help="a built-in frame set (generic, policy) or a frame-set TOML file")
    p.add_argument("--in", dest="input", required=True, type=Path, help="JSONL file with 'id' and the text field")
    p.add_argument("--out", required=True, type=Path, help="JSONL file to write {'id', 'labels', 'primary', 'scores'}")
    p.add_argument("--text-field", default="text", help="field holding the text (default: text; e.g. headline)")
    add_verbose(p)
    return parser


def frames_train_cli(args: argparse.Namespace) -> int:
    """Train from ``args.examples`` into ``args.model_dir`` and print a one-line summary; return 0."""
    examples = read_examples(args.examples)
    model = train(examples, args.model_dir, encoder=getattr(args, "encoder", "minilm"), source=str(args.examples))
    counts = ", ".join(f"{k} {v}" for k, v in model.meta["label_counts"].items())
    print(f"trained {len(model.labels)} frames on {len(examples)} examples ({counts}); "
          f"cross-validated micro-F1 {model.meta['cv_micro_f1']:.3f}, macro-F1 {model.meta['cv_macro_f1']:.3f}; "
          f"model in {args.model_dir}")
    return 0


def frames_predict_cli(args: argparse.Namespace) -> int:
    """Predict frames of ``args.input`` with ``args.model_dir`` or ``args.frameset`` into ``args.out``; return 0."""
    field_name = getattr(args, "text_field", "text")
    model = load_model(args.model_dir) if args.model_dir is not None else None
    known = set(model.labels) if model is not None else set(load_frameset(args.frameset).keys)
    records = read_jsonl(args.input, need=("id", field_name))
    for record in records:  # gold labels carried along must belong to the frames predicted
        unknown = sorted(set(record.get("labels") or []) - known)
        if unknown:
            raise InputError(f"label(s) {unknown} are not frames of this model; known: {sorted(known)}",
                             source=str(args.input), line=record["_line"])
    out = predict(records, model, text_field=field_name) if model is not None else \
        predict(records, frameset=args.frameset, text_field=field_name)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for row in out:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter(label for row in out for label in row["labels"])
    listed = ", ".join(f"{k} {v}" for k, v in counts.most_common()) or "none"
    print(f"{len(out)} texts -> {args.out}; frames: {listed}")
    return 0


def cmd_frames(args: argparse.Namespace) -> int:
    """Dispatch ``frames train`` / ``frames predict``."""
    return frames_train_cli(args) if args.frames_command == "train" else frames_predict_cli(args)


# ---------------------------------------------------------------------------------------- digest
def add_digest_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``digest`` subcommand to a subparsers object."""
    parser = commands.add_parser("digest", help="a cited news digest of one story (md, html or json)")
    parser.add_argument("--story", required=True, metavar="ID", help="the story id (see the dashboard or the store)")
    parser.add_argument("--format", choices=DIGEST_FORMATS, default="md", help="output format (default: md)")
    parser.add_argument("--target", action="append", default=[], metavar="NAME",
                        help="a name to describe and follow in every section (repeatable)")
    parser.add_argument("--detail", choices=DETAILS, default="short",
                        help="short: a page a person reads, at most ~1,200 words (default); full: every section")
    parser.add_argument("--outlet", action="append", default=[], metavar="NAME",
                        help="limit the digest to this outlet's articles (repeatable)")
    parser.add_argument("--group", action="append", default=[], metavar="VALUE",
                        help="limit the digest to outlets of this group: a bias rating or a country (repeatable)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    add_common_arguments(parser)
    return parser


def cmd_digest(args: argparse.Namespace) -> int:
    """Build the digest of ``--story`` and print or write it."""
    settings = settings_from(args)
    with Store.open_with(settings, readonly=True) as store:
        digest = build_digest(store, args.story, settings, targets=tuple(args.target), detail=args.detail,
                              outlets=tuple(args.outlet), groups=tuple(args.group))
    text = render_digest(digest, args.format)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"digest of {digest.story} ({digest.articles} articles, {digest.outlets} outlets) -> {args.out}")
    else:
        sys.stdout.write(text)
    return 0


COMMANDS = {"run": cmd_run, "report": cmd_report, "scorers": cmd_scorers, "sentiment": cmd_sentiment,
            "frames": cmd_frames, "brief": cmd_brief,
            "stories": cmd_stories, "digest": cmd_digest,
            "train-tone": lambda args: train_tone.main(args.options)}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["train-tone"]:  # its own parser reads every option, --help included
        return train_tone.main(args[1:])
    return run_cli(build_parser(), argv, lambda args: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
