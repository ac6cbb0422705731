"""Benchmark the frame lexicons and the trainable frame classifier on ../shared/bench/framing dev files.

    OMP_NUM_THREADS=2 python -m benchmarks.framing --shared ../shared [--preds DIR] [--quick] [--dataset gvfc]
    python -m benchmarks.framing --shared ../shared --calibrate-lexicon   # thresholds for generic.toml

Every figure is cross-validated on the dev files: 5 folds by SHA-256 of the de-duplication text
(nfc_climate: the first 200 characters; gvfc: the headline), the benchmark's own grouping rule, so
duplicates never straddle a fold. In each fold the classifier is trained by ``analysis.frames.train``
exactly as the CLI trains it (its thresholds come from an inner cross-validation on the training
folds only) and the lexicon's thresholds are prevalence-matched on the training folds only.

"TF-IDF + MiniLM + LR" is what ``python -m analysis frames train`` fits by default: a logistic
regression on TF-IDF + the whole-text MiniLM embedding and one on the embedding alone, their
log-odds averaged (``analysis.frames.model``).

Prints per system: micro/macro-F1, primary-frame accuracy (gvfc), ``share_mae`` (mean absolute
error of per-group frame shares in percentage points, groups of >= 10 items: ``mbfc_bias`` for
nfc_climate, ``outlet_key`` for gvfc, as ``score.py --group-by`` computes it) and seconds per
1,000 texts to predict (embeddings not cached). ``--preds DIR`` writes the out-of-fold predictions
as JSONL that ``score.py`` reads.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis.frames import lexicon as frame_lexicon
from analysis.frames import model as frame_model

FOLDS = 5
MIN_GROUP = 10
Predictor = Callable[[list[dict[str, Any]], list[dict[str, Any]]], list[dict[str, Any]]]


def read(path: Path) -> list[dict[str, Any]]:
    """Return the rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def share_mae(gold: Sequence[set[str]], pred: Sequence[set[str]], groups: Sequence[str], labels: Sequence[str],
              min_group: int = MIN_GROUP) -> float:
    """Return the mean absolute per-(group, label) share error in percentage points (score.py's share_mae)."""
    cells = []
    for group in set(groups):
        idx = [i for i, g in enumerate(groups) if g == group]
        if len(idx) < min_group:
            continue
        for label in labels:
            g = sum(label in gold[i] for i in idx) / len(idx)
            p = sum(label in pred[i] for i in idx) / len(idx)
            cells.append(abs(g - p) * 100)
    return float(np.mean(cells)) if cells else float("nan")


def evaluate(rows: list[dict[str, Any]], preds: list[dict[str, Any]], labels: Sequence[str],
             group_col: str) -> dict[str, float]:
    """Return micro/macro-F1, primary accuracy and share_mae of predictions against gold rows."""
    by_id = {p["id"]: p for p in preds}
    gold = [set(r["labels"]) for r in rows]
    pred = [set(by_id[r["id"]]["labels"]) for r in rows]
    y = np.array([[label in s for label in labels] for s in gold], dtype=bool)
    p = np.array([[label in s for label in labels] for s in pred], dtype=bool)
    out = {"micro": frame_model.micro_f1(y, p), "macro": frame_model.macro_f1(y, p),
           "share_mae": share_mae(gold, pred, [str(r.get(group_col)) for r in rows], labels)}
    if all("primary" in r for r in rows):
        out["primary_acc"] = float(np.mean([by_id[r["id"]]["primary"] == r["primary"] for r in rows]))
    return out


def cross_validate(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str],
                   predictor: Predictor) -> list[dict[str, Any]]:
    """Return out-of-fold predictions: each fold predicted by a system fitted on the other folds."""
    fold = [frame_model.fold_of(key(r), FOLDS) for r in rows]
    out: list[dict[str, Any]] = []
    for f in range(FOLDS):
        train = [r for r, k in zip(rows, fold) if k != f]
        test = [r for r, k in zip(rows, fold) if k == f]
        out += predictor(train, test)
    return out


def model_predictor(field: str, encoder: str) -> Predictor:
    """Return a predictor that trains ``analysis.frames.train`` on the training rows' ``field``."""
    def run(train: list[dict[str, Any]], test: list[dict[str, Any]]) -> list[dict[str, Any]]:
        model = frame_model.train([{"text": r[field], "labels": r["labels"]} for r in train], encoder=encoder)
        return frame_model.predict([{"id": r["id"], "text": r[field]} for r in test], model)
    return run


def lexicon_thresholds(rows: list[dict[str, Any]], frameset: frame_lexicon.FrameSet) -> dict[str, float]:
    """Return per-frame cue-share thresholds that match labelled prevalence on ``rows``."""
    shares = np.array([[frame_lexicon.cue_matches("", r["text"], frameset).shares[k] for k in frameset.keys]
                       for r in rows])
    y = np.array([[k in r["labels"] for k in frameset.keys] for r in rows], dtype=bool)
    return dict(zip(frameset.keys, frame_model.prevalence_thresholds(y, shares).tolist()))


def with_thresholds(frameset: frame_lexicon.FrameSet, thresholds: dict[str, float]) -> frame_lexicon.FrameSet:
    """Return a copy of a frame set with new thresholds."""
    new = tuple(frame_lexicon.Frame(key=f.key, label=f.label, definition=f.definition, cues=f.cues, aliases=f.aliases,
                             threshold=min(thresholds[f.key], 1.0)) for f in frameset.frames)
    return frame_lexicon.FrameSet(name=frameset.name, title=frameset.title, description=frameset.description,
                           version=frameset.version, frames=new, source=frameset.source, index=frameset.index)


def lexicon_predictor(frameset: frame_lexicon.FrameSet) -> Predictor:
    """Return a predictor using the lexicon with thresholds calibrated on the training rows."""
    def run(train: list[dict[str, Any]], test: list[dict[str, Any]]) -> list[dict[str, Any]]:
        calibrated = with_thresholds(frameset, lexicon_thresholds(train, frameset))
        return frame_lexicon.lexicon_predict([{"id": r["id"], "text": r["text"]} for r in test], calibrated)
    return run


def seconds_per_1000(predict: Callable[[], Any], n: int) -> float:
    """Return the seconds per 1,000 texts of one prediction run over ``n`` texts (caches cleared)."""
    frame_model._embed_cache.clear()
    frame_lexicon._span_cache.clear()
    began = time.perf_counter()
    predict()
    return (time.perf_counter() - began) / n * 1000


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per (dataset, system)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--preds", type=Path, help="write out-of-fold predictions here (JSONL per system)")
    parser.add_argument("--quick", action="store_true", help="TF-IDF systems and the lexicon only (no MiniLM)")
    parser.add_argument("--dataset", choices=("nfc_climate", "gvfc"), help="run one dataset only")
    parser.add_argument("--calibrate-lexicon", action="store_true",
                        help="print generic.toml thresholds calibrated on all of nfc_climate dev, then stop")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    bench = args.shared / "bench" / "framing"
    generic = frame_lexicon.load_frameset("generic")

    # nfc_climate gold labels in the generic set's keys ("resolution" is its "responsibility").
    nfc = read(bench / "nfc_climate" / "dev.jsonl")
    for r in nfc:
        r["labels"] = [generic.canonical(x) or x for x in r["labels"]]
    if args.calibrate_lexicon:
        for key, value in lexicon_thresholds(nfc, generic).items():
            print(f"[frames.{key}] threshold = {value:.3f}")
        return 0
    gvfc = read(bench / "gvfc" / "dev.jsonl")
    gvfc_labels = json.loads((bench / "gvfc" / "labels.json").read_text(encoding="utf-8"))["labels"]

    encoders = ["none"] if args.quick else ["none", "minilm"]
    name_of = {"none": "TF-IDF + LR", "minilm": "TF-IDF + MiniLM + LR"}
    runs: list[tuple[str, str, list[dict[str, Any]], Callable[[dict[str, Any]], str], Predictor, str, Any]] = []
    nfc_key: Callable[[dict[str, Any]], str] = lambda r: r["text"][:200]  # noqa: E731 - the split rule's key
    gvfc_key: Callable[[dict[str, Any]], str] = lambda r: r["headline"]  # noqa: E731
    runs.append(("nfc_climate", "lexicon (generic.toml)", nfc, nfc_key, lexicon_predictor(generic), "mbfc_bias",
                 list(generic.keys)))
    for enc in encoders:
        runs.append(("nfc_climate", name_of[enc], nfc, nfc_key, model_predictor("text", enc), "mbfc_bias",
                     list(generic.keys)))
    for field, unit in (("headline", "gvfc headline"), ("text", "gvfc headline+lead")):
        for enc in encoders:
            runs.append((unit, name_of[enc], gvfc, gvfc_key, model_predictor(field, enc), "outlet_key", gvfc_labels))

    print(f"{'dataset':20s} {'system':24s} {'micro':>6s} {'macro':>6s} {'prim':>6s} {'share':>6s} "
          f"{'s/1k':>7s} {'cv s':>6s}")
    if args.dataset:
        runs = [run for run in runs if run[0].split()[0] == args.dataset]
    for dataset, system, rows, key, predictor, group_col, labels in runs:
        began = time.perf_counter()
        preds = cross_validate(rows, key, predictor)
        cv_seconds = time.perf_counter() - began
        scores = evaluate(rows, preds, labels, group_col)
        # Speed: one model (or calibrated lexicon) predicting every dev text once.
        field = "headline" if dataset == "gvfc headline" else "text"
        test = [{"id": r["id"], "text": r[field]} for r in rows]
        if "lexicon" in system:
            speed = seconds_per_1000(lambda rows=rows, test=test, run=predictor: run(rows, test), len(rows))
        else:
            speed = _model_speed(rows, field, system, name_of)
        prim = scores.get("primary_acc")
        print(f"{dataset:20s} {system:24s} {scores['micro']:6.3f} {scores['macro']:6.3f} "
              f"{'-' if prim is None else f'{prim:.3f}':>6s} {scores['share_mae']:6.1f} {speed:7.2f} {cv_seconds:6.0f}",
              flush=True)
        if args.preds:
            args.preds.mkdir(parents=True, exist_ok=True)
            stem = f"{dataset.replace(' ', '_').replace('+', '_')}-{system.split(' (')[0].replace(' ', '')}"
            out = args.preds / f"{stem}.jsonl"
            with out.open("w", encoding="utf-8") as handle:
                for p in preds:
                    labels_out = ["resolution" if x == "responsibility" and dataset == "nfc_climate" else x
                                  for x in p["labels"]]
                    handle.write(json.dumps({**p, "labels": labels_out}) + "\n")
    print("share: share_mae in percentage points (nfc by mbfc_bias, gvfc by outlet_key; groups >= 10 items); "
          "s/1k: seconds per 1,000 texts to predict, one process, caches cleared")
    return 0


def _model_speed(rows: list[dict[str, Any]], field: str, system: str, name_of: dict[str, str]) -> float:
    encoder = next(k for k, v in name_of.items() if v == system)
    model = frame_model.train([{"text": r[field], "labels": r["labels"]} for r in rows], encoder=encoder, folds=2)
    records = [{"id": r["id"], "text": r[field]} for r in rows]
    return seconds_per_1000(lambda: frame_model.predict(records, model), len(rows))


if __name__ == "__main__":
    raise SystemExit(main())
