"""Frame classifiers an analyst trains on labelled texts, and per-group frame shares.

:func:`train` fits a classifier on a few hundred labelled texts (TF-IDF word n-grams, optionally
MiniLM sentence embeddings pooled over the whole text, one logistic regression per frame, plus
one on the embedding alone whose log-odds are averaged in) and :func:`predict` applies it (or
a built-in frame set's lexicon). Thresholds are set by *prevalence matching* on cross-validated
probabilities, so that predicted frame shares equal labelled shares: thresholds tuned for
per-article F1 over-predict frames and put per-outlet shares 15-20 points off.
:func:`frame_shares` turns predictions into per-outlet shares with bootstrap intervals.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.compare.stats import bootstrap_share_ci, stable_seed
from analysis.frames.lexicon import FramesError, lexicon_predict, load_frameset
from analysis.text import sentences
from core.errors import InputError, UnknownNameError
from core.jsonl import read_objects

logger = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models" / "frames"

# ------------------------------------------------------------------------------- examples and records
def read_jsonl(path: str | Path, *, need: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Read a JSONL file of objects; a bad line raises InputError naming the file and line.

    ``need`` lists fields every line must carry. Blank lines are skipped. Each row gets ``_line``.
    """
    rows: list[dict[str, Any]] = []
    for number, row in read_objects(path, need=need):
        row["_line"] = number
        rows.append(row)
    return rows


def read_examples(path: str | Path) -> list[dict[str, Any]]:
    """Read training examples: JSONL lines with ``text`` and ``labels`` (a list of frame names).

    >>> read_examples("no/such/file.jsonl")
    Traceback (most recent call last):
    ...
    core.errors.InputError: no/such/file.jsonl: no such file
    """
    rows = read_jsonl(path, need=("text", "labels"))
    for row in rows:
        where = {"source": str(path), "line": row["_line"]}
        if not isinstance(row["text"], str) or not row["text"].strip():
            raise InputError("'text' must be a non-empty string", **where)
        labels = row["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
            raise InputError("'labels' must be a list of frame names (an empty list means no frame)", **where)
    return rows


# ------------------------------------------------------------------------------- trained classifier
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
# Format 2: whole-text (sentence-pooled) embeddings and the embedding-only head.
MODEL_FORMAT = 2
ENCODERS = ("none", "minilm")
# Inverse L2 penalty of each frame's logistic regression. 5-fold CV on both dev sets: C 4-16
# within 0.01 micro-F1 of one another (gvfc headlines TF-IDF+MiniLM 0.827-0.830; nfc TF-IDF
# 0.658-0.667), C 1 lower by 0.01-0.02.
LR_C = 8.0
# Word 1-2-grams seen in fewer training texts than this are dropped: on gvfc min_df 2 beat 1
# (0.835 vs 0.827 micro-F1), and it keeps one-off names and strings out of the model files.
MIN_DF = 2
# Folds of the cross-validation whose out-of-fold probabilities set the thresholds.
THRESHOLD_FOLDS = 5
# A frame needs at least this many positive examples to be learned (fewer cannot be
# cross-validated into a threshold).
MIN_POSITIVES = 3
_WORD = re.compile(r"\w+(?:['’]\w+)*")
EMBED_DIM = 384  # all-MiniLM-L6-v2
# Texts up to this many words (~200 word pieces, inside the encoder's 256) are embedded whole,
# as the encoder was trained to read them; longer ones sentence by sentence. Reading short texts
# whole rather than pooling their sentences: gvfc headline + lead (~80 words) 0.748 -> 0.755
# micro-F1, headlines 0.826 -> 0.830 (5-fold CV on dev; within noise, and as before format 2).
WHOLE_TEXT_WORDS = 150
# Embeddings of recently seen texts, by content hash (texts are re-embedded across folds otherwise).
_EMBED_CACHE_SIZE = 50_000
_embed_cache: OrderedDict[bytes, np.ndarray] = OrderedDict()


def ngrams(text: str) -> list[str]:
    """Return the lower-cased word 1- and 2-grams of a text (the TF-IDF analyzer).

    >>> ngrams("Gun laws, again")
    ['gun', 'laws', 'again', 'gun laws', 'laws again']
    """
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def embed_sentences(texts: Sequence[str]) -> np.ndarray:
    """Return L2-normalised all-MiniLM-L6-v2 embeddings [n, 384], one per text (its first 256 word pieces).

    Uses the sentence encoder of :mod:`analysis.tone.model` (int8 ONNX on the CPU, nothing
    downloaded); embeddings are cached by text hash.
    """
    try:
        from analysis.tone import model as tone_model
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise FramesError(f"the MiniLM encoder is not available: {exc}") from exc
    keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in _embed_cache}.items())
    if missing:
        try:
            encoded = tone_model.default_model().encoder.encode([t for _, t in missing])
        except tone_model.ToneModelError as exc:
            raise FramesError(str(exc)) from exc
        for (key, _), enc in zip(missing, encoded):
            _embed_cache[key] = tone_model.sentence_embedding(enc).astype(np.float32)
        while len(_embed_cache) > _EMBED_CACHE_SIZE:
            _embed_cache.popitem(last=False)
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    return np.vstack([_embed_cache[k] for k in keys])


def embed(texts: Sequence[str]) -> np.ndarray:
    """Return whole-text embeddings [n, 384]: a short text's own, a long text's pooled over its sentences.

    A text of at most :data:`WHOLE_TEXT_WORDS` words fits the encoder's window and is embedded
    at once; a longer one gets the L2-normalised mean of its sentence embeddings, so a whole
    article counts, not only its first 256 word pieces. On nfc_climate (articles of ~630 words)
    an LR on the pooled embedding reached 0.676 micro-F1 against 0.621 on the first 256 pieces
    and 0.651 on the mean of 250-piece chunks (5-fold CV on dev); max-pooling added to the mean
    did not help (0.669).
    """
    spans = [[(0, len(t))] if len(t.split()) <= WHOLE_TEXT_WORDS else sentences.split_spans(t) or [(0, len(t))]
             for t in texts]
    flat = [t[s:e] for t, parts in zip(texts, spans) for s, e in parts]
    vectors = embed_sentences(flat)
    out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
    start = 0
    for row, parts in enumerate(spans):
        mean = vectors[start:start + len(parts)].mean(axis=0)
        out[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        start += len(parts)
    return out


@dataclass(frozen=True)
class FrameModel:
    """A trained frame classifier: TF-IDF (and optional MiniLM) features, one logistic regression per frame.

    With the MiniLM encoder a second logistic regression per frame reads the embedding alone
    (``emb_coef``, ``emb_intercept``) and the two log-odds are averaged.
    """

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # [labels, features]
    intercept: np.ndarray  # [labels]
    thresholds: np.ndarray  # [labels]
    encoder: str = "none"
    force_top1: bool = False
    max_labels: int = 0  # 0: no cap
    meta: dict[str, Any] = field(default_factory=dict)
    emb_coef: np.ndarray | None = None  # [labels, 384]: the embedding-only head (encoder "minilm")
    emb_intercept: np.ndarray | None = None  # [labels]

    def features(self, texts: Sequence[str], emb: np.ndarray | None = None) -> np.ndarray:
        """Return the feature matrix [n, features] of texts (``emb``: their embeddings, if already computed)."""
        width = len(self.vocabulary)
        out = np.zeros((len(texts), self.coef.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(i for g in ngrams(text) if (i := self.vocabulary.get(g)) is not None)
            if counts:
                idx = np.fromiter(counts.keys(), dtype=np.int64)
                vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[idx]
                out[row, idx] = vals / np.linalg.norm(vals)
        if self.encoder == "minilm":
            out[:, width:] = embed(texts) if emb is None else emb
        return out

    def probabilities(self, texts: Sequence[str], emb: np.ndarray | None = None) -> np.ndarray:
        """Return P(frame) [n, labels] for each text."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        if self.encoder == "minilm" and emb is None:
            emb = embed(texts)
        z = self.features(texts, emb) @ self.coef.T + self.intercept
        if self.emb_coef is not None and self.emb_intercept is not None and emb is not None:
            z = (z + emb @ self.emb_coef.T + self.emb_intercept) / 2
        return 1.0 / (1.0 + np.exp(-z))

    def decide(self, prob: np.ndarray) -> list[tuple[list[str], str | None]]:
        """Return (labels, primary) per row of probabilities, by the model's thresholds and rules."""
        return [_decide_row(p, self.thresholds, self.labels, self.force_top1, self.max_labels) for p in prob]


def _decide_row(p: np.ndarray, thresholds: np.ndarray, labels: Sequence[str], force_top1: bool,
                max_labels: int) -> tuple[list[str], str | None]:
    chosen = [j for j in np.argsort(-p, kind="stable") if p[j] >= thresholds[j]]
    top = int(np.argmax(p)) if len(p) else None
    if force_top1 and top is not None and top not in chosen:
        chosen.insert(0, top)
    if max_labels:
        chosen = chosen[:max_labels]
    primary = labels[chosen[0]] if chosen else None
    return [labels[j] for j in sorted(chosen)], primary


def prevalence_thresholds(y: np.ndarray, prob: np.ndarray, force_top1: bool = False) -> np.ndarray:
    """Return per-label thresholds under which predicted prevalence equals labelled prevalence.

    With ``force_top1`` every item keeps its most probable label, and the threshold only decides
    the extra labels. ``prob`` must be out-of-sample (cross-validated) probabilities.

    >>> y = np.array([[1], [0], [0], [1]]); p = np.array([[0.9], [0.2], [0.6], [0.7]])
    >>> prevalence_thresholds(y, p).tolist()
    [0.7]
    """
    n, width = y.shape
    thresholds = np.ones(width)
    top = prob.argmax(axis=1)
    for j in range(width):
        target = int(y[:, j].sum())
        rest = prob[top != j, j] if force_top1 else prob[:, j]
        need = target - (int((top == j).sum()) if force_top1 else 0)
        if need <= 0 or rest.size == 0:
            thresholds[j] = 1.0 + 1e-9  # nothing beyond the forced labels
        else:
            thresholds[j] = float(np.sort(rest)[::-1][min(need, rest.size) - 1])
    return thresholds


def fold_of(text: str, folds: int) -> int:
    """Return a stable fold number of a text (SHA-256 of its collapsed lower-cased form), so duplicates share a fold.

    >>> fold_of("A  headline", 5) == fold_of("a headline", 5)
    True
    """
    key = " ".join(text.lower().split())
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % folds


def _fit(texts: Sequence[str], y: np.ndarray, labels: Sequence[str], encoder: str, c: float,
         emb: np.ndarray | None) -> FrameModel:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise FramesError("training frames needs scikit-learn (pip install scikit-learn)") from exc
    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=MIN_DF, dtype=np.float64)
    x = vectorizer.fit_transform(texts)
    if emb is not None:
        from scipy.sparse import csr_matrix, hstack

        x = hstack([x, csr_matrix(emb)]).tocsr()
    coef, intercept = _fit_heads(x, y, c)
    # A second head reads the embedding alone and its log-odds are averaged with the joint head's:
    # in the joint regression the thousands of TF-IDF columns outweigh the 384 embedding ones.
    # 5-fold CV on dev, micro-F1: nfc TF-IDF alone 0.659, joint head alone 0.667, both heads
    # 0.668-0.671 (over three other fold assignments: TF-IDF 0.647, both heads 0.669); gvfc
    # headlines joint head 0.827, both 0.830. A TF-IDF-only head in place of the joint one
    # matched it on nfc (0.666 over those assignments) but lost 0.014 on gvfc headlines.
    emb_coef, emb_intercept = _fit_heads(emb, y, c) if emb is not None else (None, None)
    vocab = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    return FrameModel(labels=tuple(labels), vocabulary=vocab, idf=vectorizer.idf_.astype(np.float64),
                      coef=coef, intercept=intercept, thresholds=np.full(len(labels), 0.5), encoder=encoder,
                      emb_coef=emb_coef, emb_intercept=emb_intercept)


def _fit_heads(x: Any, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (coef [labels, features], intercept [labels]) of one balanced logistic regression per label."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((y.shape[1], x.shape[1]))
    intercept = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        if y[:, j].all() or not y[:, j].any():  # a constant label: a constant probability
            intercept[j] = 20.0 if y[:, j].all() else -20.0
            continue
        # The dual problem is ~25x faster when features outnumber examples (the usual case here).
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear",
                                dual=x.shape[1] > x.shape[0])
        lr.fit(x, y[:, j])
        coef[j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    return coef.astype(np.float32), intercept.astype(np.float32)


def train(examples: Sequence[Mapping[str, Any]], model_dir: str | Path | None = None, *,
          encoder: str = "minilm", c: float = LR_C, folds: int = THRESHOLD_FOLDS,
          source: str = "examples") -> FrameModel:
    """Train a frame classifier on labelled examples and (optionally) save it to ``model_dir``.

    Thresholds are set by prevalence matching on out-of-fold probabilities. If every example
    has a frame, every prediction keeps its most probable frame; predictions carry at most as
    many frames as the most-labelled example.

    >>> model = train([{"text": f"tax cut {i}", "labels": ["economic"]} for i in range(4)]
    ...               + [{"text": f"court ruling {i}", "labels": ["legal"]} for i in range(4)],
    ...               encoder="none", folds=2)  # doctest: +SKIP
    """
    if encoder not in ENCODERS:
        raise UnknownNameError("encoder", encoder, list(ENCODERS))
    if not examples:
        raise InputError("no examples to train on", source=source)
    texts = [str(e["text"]) for e in examples]
    counts = Counter(label for e in examples for label in set(e["labels"]))
    labels = sorted(counts)
    if len(labels) < 1:
        raise InputError("no example carries a label: nothing to learn", source=source)
    rare = [f"{label} ({n})" for label, n in sorted(counts.items()) if n < MIN_POSITIVES]
    if rare:
        raise InputError(f"each frame needs at least {MIN_POSITIVES} examples; too few for: {', '.join(rare)}",
                         source=source)
    y = np.array([[label in e["labels"] for label in labels] for e in examples], dtype=bool)
    force_top1 = bool(y.any(axis=1).all())
    max_labels = int(y.sum(axis=1).max())
    emb = embed(texts) if encoder == "minilm" else None
    began = time.perf_counter()
    # 1. Out-of-fold probabilities (folds by text hash: duplicates stay together).
    fold = np.array([fold_of(t, folds) for t in texts])
    prob = np.zeros(y.shape)
    for f in range(folds):
        test = fold == f
        if not test.any() or test.all():
            continue
        part = _fit([t for t, m in zip(texts, ~test) if m], y[~test], labels, encoder, c,
                    None if emb is None else emb[~test])
        prob[test] = part.probabilities([t for t, m in zip(texts, test) if m], None if emb is None else emb[test])
    # 2. Thresholds: predicted prevalence = labelled prevalence on those probabilities.
    thresholds = prevalence_thresholds(y, prob, force_top1)
    decided = [_decide_row(p, thresholds, labels, force_top1, max_labels) for p in prob]
    pred = np.array([[label in d[0] for label in labels] for d in decided], dtype=bool)
    # 3. The final model on every example.
    final = _fit(texts, y, labels, encoder, c, emb)
    meta = {
        "format": MODEL_FORMAT, "examples": len(examples), "label_counts": dict(sorted(counts.items())),
        "encoder": encoder, "C": c, "min_df": MIN_DF, "threshold_folds": folds,
        "cv_micro_f1": round(micro_f1(y, pred), 4), "cv_macro_f1": round(macro_f1(y, pred), 4),
        "train_seconds": round(time.perf_counter() - began, 1), "versions": _versions(),
    }
    model = FrameModel(labels=tuple(labels), vocabulary=final.vocabulary, idf=final.idf, coef=final.coef,
                       intercept=final.intercept, thresholds=thresholds, encoder=encoder,
                       force_top1=force_top1, max_labels=max_labels, meta=meta, emb_coef=final.emb_coef,
                       emb_intercept=final.emb_intercept)
    logger.info("trained %d frames on %d examples: CV micro-F1 %.3f", len(labels), len(examples),
                meta["cv_micro_f1"])
    if model_dir is not None:
        save_model(model, model_dir)
    return model


def _versions() -> dict[str, str]:
    import sklearn

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__}


def micro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """Return multi-label micro-F1 (pooled over item x label), as score.py computes it.

    >>> micro_f1(np.array([[1, 0], [1, 1]], bool), np.array([[1, 1], [0, 1]], bool))
    0.666...
    """
    tp = int((y & pred).sum())
    denominator = 2 * tp + int((~y & pred).sum()) + int((y & ~pred).sum())
    return 2 * tp / denominator if denominator else 0.0


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """Return the mean per-label F1 over labels with any gold or predicted instance."""
    scores = [micro_f1(y[:, j:j + 1], pred[:, j:j + 1]) for j in range(y.shape[1]) if (y[:, j] | pred[:, j]).any()]
    return float(np.mean(scores)) if scores else 0.0


def save_model(model: FrameModel, model_dir: str | Path) -> None:
    """Write ``model.json`` and ``weights.npz`` into ``model_dir`` (created if needed)."""
    directory = Path(model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    vocabulary = [""] * len(model.vocabulary)
    for gram, index in model.vocabulary.items():
        vocabulary[index] = gram
    spec = {"format": MODEL_FORMAT, "labels": list(model.labels), "thresholds": [float(t) for t in model.thresholds],
            "encoder": model.encoder, "force_top1": model.force_top1, "max_labels": model.max_labels,
            "meta": model.meta, "vocabulary": vocabulary}
    (directory / MODEL_FILE).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    heads = {} if model.emb_coef is None else {"emb_coef": model.emb_coef, "emb_intercept": model.emb_intercept}
    np.savez_compressed(directory / WEIGHTS_FILE, idf=model.idf, coef=model.coef, intercept=model.intercept, **heads)


def load_model(model_dir: str | Path) -> FrameModel:
    """Read a model saved by :func:`train`; a missing or foreign directory raises FramesError."""
    directory = Path(model_dir)
    try:
        spec = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        arrays = np.load(directory / WEIGHTS_FILE)
    except (OSError, json.JSONDecodeError) as exc:
        raise FramesError(f"{directory}: not a frame model directory ({MODEL_FILE} + {WEIGHTS_FILE} written by "
                          f"'python -m analysis frames train'): {exc}") from exc
    if spec.get("format") != MODEL_FORMAT:
        raise FramesError(f"{directory}: model format {spec.get('format')!r}, expected {MODEL_FORMAT}: retrain it")
    return FrameModel(labels=tuple(spec["labels"]), vocabulary={g: i for i, g in enumerate(spec["vocabulary"])},
                      idf=arrays["idf"], coef=arrays["coef"], intercept=arrays["intercept"],
                      thresholds=np.asarray(spec["thresholds"], dtype=float), encoder=spec["encoder"],
                      force_top1=bool(spec["force_top1"]), max_labels=int(spec["max_labels"]), meta=spec["meta"],
                      emb_coef=arrays["emb_coef"] if "emb_coef" in arrays else None,
                      emb_intercept=arrays["emb_intercept"] if "emb_intercept" in arrays else None)


def predict(records: Sequence[Mapping[str, Any]], model_dir: str | Path | FrameModel | None = None, *,
            frameset: str | Path | None = None, text_field: str = "text") -> list[dict[str, Any]]:
    """Predict frames of records with a trained model or a built-in frame set's lexicon.

    Each output is ``{"id", "labels", "primary", "scores"}``; scores are probabilities (a model)
    or cue-sentence shares (a frame set).

    >>> predict([{"id": "x", "text": "Police arrested two suspects."}], frameset="policy")[0]["labels"]
    ['crime_punishment']
    """
    if (model_dir is None) == (frameset is None):
        raise FramesError("give exactly one of a model directory and a frame set")
    if frameset is not None:
        return lexicon_predict([{**r, "text": r.get(text_field)} for r in records], load_frameset(frameset))
    model = model_dir if isinstance(model_dir, FrameModel) else load_model(model_dir)  # type: ignore[arg-type]
    texts = [str(r.get(text_field) or "") for r in records]
    prob = model.probabilities(texts)
    out = []
    for record, p, (labels, primary) in zip(records, prob, model.decide(prob)):
        out.append({"id": record.get("id"), "labels": labels, "primary": primary,
                    "scores": {label: round(float(v), 4) for label, v in zip(model.labels, p)}})
    return out


# ------------------------------------------------------------------------------- shares
SHARE_COLUMNS = ("group", "frame", "n", "share", "low", "high")


def frame_shares(predictions: pd.DataFrame, group_col: str, *, frames: Sequence[str] | None = None,
                 samples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Return, per group and frame, the share of items carrying the frame with a 95 % bootstrap interval.

    ``predictions`` has a ``labels`` column (lists of frames) and ``group_col``.

    >>> preds = pd.DataFrame({"outlet": ["A", "A", "B"], "labels": [["conflict"], [], ["conflict"]]})
    >>> frame_shares(preds, "outlet")[["group", "frame", "n", "share"]].values.tolist()
    [['A', 'conflict', 2, 0.5], ['B', 'conflict', 1, 1.0]]
    """
    if "labels" not in predictions or group_col not in predictions:
        raise FramesError(f"frame_shares needs columns 'labels' and {group_col!r}")
    label_sets = [set(v) if isinstance(v, (list, tuple, set)) else set() for v in predictions["labels"]]
    keys = list(frames) if frames is not None else sorted(set().union(*label_sets)) if label_sets else []
    groups = predictions[group_col].astype(str).to_numpy()
    rows = []
    for group in sorted(set(groups)):
        mask = groups == group
        members = [s for s, m in zip(label_sets, mask) if m]
        counts = np.array([sum(frame in s for s in members) for frame in keys], dtype=float)
        n = np.full(len(keys), len(members), dtype=float)
        low, high = bootstrap_share_ci(counts, n, samples=samples, confidence=0.95, seed=stable_seed(seed, group))
        for k, frame in enumerate(keys):
            rows.append({"group": group, "frame": frame, "n": len(members), "share": counts[k] / len(members),
                         "low": float(low[k]), "high": float(high[k])})
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))
