"""Benchmark the tone scorers on the dev files of ../shared/bench/sentiment.

    OMP_NUM_THREADS=1 python -m benchmarks.sentiment --shared ../shared [--preds DIR] [--no-cv]

Prints, for ``vader`` and ``news``:
* NYT dev: Pearson r with the mean human rating and macro-F1. The news model's sentence
  head is trained on this very file, so its figure is cross-validated by article (5 folds,
  as in ``analysis.tone.train``); the shipped model's in-sample figure is shown for
  reference only.
* NewsMTSC dev_rw / dev_mt: macro-F1 of the tone toward each target (the news model is
  trained on train.jsonl only, so these are honest held-out figures), through
  ``analysis.tone.sentiment.score_records`` exactly as the CLI runs it, and again through
  ``analysis.tone.target.score_target_tone`` (what the dashboard, brief and digest call).
* Seconds per 1,000 sentences (median of 3 runs, same process, same sentences) for each
  scorer, and the ratio to VADER.
``--preds DIR`` also writes JSONL predictions that ``score.py`` reads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.tone import model as tone_model
from analysis.tone import sentiment
from analysis.tone import target as target_tone
from analysis.tone import train as tt

CLASSES = ("neg", "neu", "pos")
SPEED_SENTENCES = 500
SPEED_REPEATS = 3


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Return Pearson's r."""
    return float(np.corrcoef(a, b)[0, 1])


def nyt_records(path: Path) -> tuple[list[dict[str, object]], np.ndarray, np.ndarray]:
    """Return (score_records input, mean ratings, article groups) of the NYT file."""
    texts, means, groups, ids = tt.read_nyt(path)
    return [{"id": i, "text": t} for i, t in zip(ids, texts)], means, groups


def newsmtsc_records(path: Path) -> tuple[list[dict[str, object]], list[int]]:
    """Return (score_records input with targets, gold classes 0/1/2) of a NewsMTSC file."""
    sentences, targets, labels, _, ids = tt.read_newsmtsc(path)
    records = [{"id": gid, "text": sentences[i], "target": {"start": s, "end": e}}
               for gid, (i, s, e) in zip(ids, targets)]
    return records, [int(v) for v in labels]


def mention_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Return NewsMTSC targets as ``analysis.tone.target.target_mentions`` rows (one per target)."""
    rows = []
    for r in records:
        span = r["target"]
        assert isinstance(span, dict)
        rows.append({"article_id": r["id"], "outlet": None, "sentence_index": 0, "start": 0,
                     "end": len(str(r["text"])), "sentence": r["text"], "mention_start": span["start"],
                     "mention_end": span["end"]})
    return pd.DataFrame(rows)


def run(records: list[dict[str, object]], scorer: str, preds: Path | None, name: str) -> list[dict[str, object]]:
    """Score records and optionally write them as JSONL for score.py."""
    out = list(sentiment.score_records(records, scorer))
    if preds is not None:
        preds.mkdir(parents=True, exist_ok=True)
        with (preds / f"{name}_{scorer}.jsonl").open("w", encoding="utf-8") as fh:
            for row in out:
                fh.write(json.dumps(row) + "\n")
    return out


def timed(fn: Callable[[], object]) -> float:
    """Return the median wall time of SPEED_REPEATS calls."""
    times = []
    for _ in range(SPEED_REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print every figure; return 0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--preds", type=Path, help="write JSONL predictions here for score.py")
    parser.add_argument("--no-cv", action="store_true", help="skip the NYT cross-validation (needs scikit-learn)")
    args = parser.parse_args(argv)
    bench = args.shared / "bench" / "sentiment"
    rows: list[tuple[str, str, str]] = []

    # 1. NYT: sentence tone.
    records, means, groups = nyt_records(bench / "nyt" / "nyt_dev.tsv")
    gold = tt.band_classes(means / 4.0, 0.05)
    for scorer in ("vader", "news"):
        out = run(records, scorer, args.preds, "nyt")
        scores = np.array([r["score"] for r in out], dtype=float)
        labels = [CLASSES.index(str(r["label"])) for r in out]
        note = "" if scorer == "vader" else " (in-sample: trained on this file)"
        rows.append(("NYT dev r", scorer + note, f"{pearson(scores, means):.3f}"))
        rows.append(("NYT dev f1m", scorer + note, f"{tt.macro_f1(gold, labels):.3f}"))
    if not args.no_cv:
        model = tone_model.default_model()
        texts = [str(r["text"]) for r in records]
        X = tone_model.sentence_feature_matrix(texts, model.encoder.encode(texts))
        head = tt.train_sentence_head(X, means, groups)
        cv_r, band, cv_f1m = (float(head[k]) for k in ("cv_r", "band", "cv_f1m"))  # type: ignore[arg-type]
        rows.append(("NYT dev r", "news, 5-fold CV by article", f"{cv_r:.3f}"))
        rows.append(("NYT dev f1m", f"news, 5-fold CV by article (band {band:.2f})", f"{cv_f1m:.3f}"))

    # 2. NewsMTSC: tone toward a target.
    for name in ("dev_rw", "dev_mt"):
        records_t, gold_t = newsmtsc_records(bench / "newsmtsc" / f"{name}.jsonl")
        for scorer in ("vader", "news"):
            out = run(records_t, scorer, args.preds, name)
            labels = [CLASSES.index(str(r["label"])) for r in out]
            rows.append((f"NewsMTSC {name} f1m", scorer, f"{tt.macro_f1(gold_t, labels):.3f}"))
        plain = [{"id": r["id"], "text": r["text"]} for r in records_t]
        labels = [CLASSES.index(str(r["label"])) for r in sentiment.score_records(plain, "vader")]
        rows.append((f"NewsMTSC {name} f1m", "vader, whole sentence (target-blind)",
                     f"{tt.macro_f1(gold_t, labels):.3f}"))
        mentions = mention_frame(records_t)
        for scorer in target_tone.TARGET_SCORERS:
            scored = target_tone.score_target_tone(mentions, scorer)
            labels = [CLASSES.index(str(v)) for v in scored["label"]]
            rows.append((f"NewsMTSC {name} f1m", f"{scorer}, via target_tone.score_target_tone",
                         f"{tt.macro_f1(gold_t, labels):.3f}"))

    # 3. Speed: the same sentences through each scorer, the model warmed up first.
    sample = [{"id": r["id"], "text": r["text"]} for r in records[:SPEED_SENTENCES]]
    list(sentiment.score_records(sample[:8], "news"))
    per_k = {s: timed(lambda s=s: list(sentiment.score_records(sample, s))) * 1000 / len(sample)
             for s in ("vader", "news")}
    targets, _ = newsmtsc_records(bench / "newsmtsc" / "dev_rw.jsonl")
    per_k["news, with target"] = timed(lambda: list(sentiment.score_records(targets, "news"))) * 1000 / len(targets)
    for scorer, seconds in per_k.items():
        rows.append(("s per 1,000 sentences", scorer, f"{seconds:.2f} ({seconds / per_k['vader']:.0f}x VADER)"))

    width = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    for metric, scorer, value in rows:
        print(f"{metric:<{width[0]}}  {scorer:<{width[1]}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
