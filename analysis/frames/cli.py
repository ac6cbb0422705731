"""``python -m analysis frames train|predict``: parse, call :mod:`analysis.frames.model`, print one line."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from analysis.frames.lexicon import load_frameset
from analysis.frames.model import ENCODERS, load_model, predict, read_examples, read_jsonl, train
from core.cli import add_verbose
from core.errors import InputError


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
