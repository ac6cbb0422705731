"""Frames: which angles a story is told from, per article, with the sentences behind them.

Two built-in frame sets, each a TOML file in ``data/frames`` with a definition and a cue lexicon
per frame: ``generic`` (the five news frames of Semetko & Valkenburg 2000) and ``policy`` (the
fifteen dimensions of Boydstun et al.'s Policy Frames Codebook, 2014). The registered scorers
``frames_generic`` and ``frames_policy`` score every frame by the share of an article's sentences
that hold one of its cues, keep every cue sentence as evidence, mark the frames whose share passes
the frame's threshold as present and name a primary frame.

Analysts can also teach PressLens their own frames: :func:`train` fits a classifier on a few
hundred labelled texts (TF-IDF word n-grams, optionally MiniLM sentence embeddings, one logistic
regression per frame) and :func:`predict` applies it. Thresholds are set by *prevalence matching*
on cross-validated probabilities, so that predicted frame shares equal labelled shares: thresholds
tuned for per-article F1 over-predict frames and put per-outlet shares 15-20 points off.
:func:`frame_shares` turns predictions into per-outlet shares with bootstrap intervals.

>>> fs = load_frameset("generic")
>>> [f.key for f in fs.frames]
['conflict', 'human_interest', 'economic', 'morality', 'responsibility']
>>> lexicon_predict([{"id": "a", "text": "Critics attacked the plan. It will cost billions."}], fs)[0]["labels"]
['conflict', 'economic', 'responsibility']
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import logging
import re
import time
import tomllib
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from analysis import sentences
from analysis.base import EVIDENCE_COLUMNS, PART_TEXT, PART_TITLE, SCORE_COLUMNS, Scorer, Scores
from analysis.registry import register
from analysis.stats import bootstrap_mean_ci, stable_seed
from core.errors import InputError, PressLensError, UnknownNameError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
FRAMES_DIR = REPO_ROOT / "data" / "frames"
MODELS_DIR = Path(__file__).resolve().parent / "models" / "frames"
BUILTIN_SETS = ("generic", "policy")

# The frame keys each built-in set must define: the scorers declare their metrics from these, so
# the store's columns do not move when someone edits cues. A new frame belongs in a new set file.
GENERIC_KEYS = ("conflict", "human_interest", "economic", "morality", "responsibility")
POLICY_KEYS = (
    "economic", "capacity_resources", "morality", "fairness_equality",
    "legality_constitutionality_jurisprudence", "policy_prescription_evaluation", "crime_punishment",
    "security_defense", "health_safety", "quality_of_life", "cultural_identity", "public_opinion",
    "political", "external_regulation_reputation", "other",
)
# A frame is present when at least this share of an article's sentences (headline included) holds
# one of its cues, unless its TOML entry carries a calibrated `threshold`. 0.10 is the lowest of
# the five generic thresholds calibrated on nfc_climate dev by prevalence matching (0.10-0.39);
# the policy set has no labelled corpus to calibrate on, so its frames use this value.
DEFAULT_CUE_SHARE = 0.10
# The fallback frame of a set: present when no other frame is (the policy set's "other").
FALLBACK_KEY = "other"

_SET_KEYS = frozenset({"name", "title", "description", "version", "frames"})
_FRAME_KEYS = frozenset({"label", "definition", "cues", "aliases", "threshold"})


class FramesError(PressLensError):
    """A frame set or a trained frame model cannot be used; the message says which file and why."""


# ------------------------------------------------------------------------------- frame sets
@dataclass(frozen=True)
class Frame:
    """One frame of a set: its key, label, definition, cue words and presence threshold."""

    key: str
    label: str
    definition: str
    cues: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    threshold: float | None = None

    @property
    def cutoff(self) -> float:
        """Return the cue share above which the frame is present."""
        return DEFAULT_CUE_SHARE if self.threshold is None else self.threshold


@dataclass(frozen=True)
class FrameSet:
    """A named set of frames loaded from a TOML file."""

    name: str
    title: str
    description: str
    version: str
    frames: tuple[Frame, ...]
    source: str = ""
    index: CueIndex | None = field(default=None, repr=False, compare=False)

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the frame keys in file order."""
        return tuple(f.key for f in self.frames)

    def canonical(self, label: str) -> str | None:
        """Return the frame key a label or alias names, or None (``resolution`` -> ``responsibility``)."""
        for frame in self.frames:
            if label == frame.key or label in frame.aliases:
                return frame.key
        return None


# A token: a word (inner apostrophes kept: "god's", "i'm") or a currency sign before a number.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[$£€](?=\s?\d)")
_Cue = tuple[tuple[str, bool], ...]  # words of a cue, each with "is a prefix" (a trailing *)


@dataclass(frozen=True)
class CueIndex:
    """Cue words of every frame of a set, indexed by first word for one pass over the tokens.

    >>> index = CueIndex.build([["econom*", "per cent", "$"], ["lash* out"]])
    >>> text = "Economists lashed out: 5 per  cent, $3 bn"
    >>> [(frame, text[s:e]) for frame, s, e in index.find(text)]
    [(0, 'Economists'), (1, 'lashed out'), (0, 'per  cent'), (0, '$')]
    """

    exact: dict[str, tuple[tuple[int, _Cue], ...]]
    prefix: dict[int, dict[str, tuple[tuple[int, _Cue], ...]]]

    @classmethod
    def build(cls, cue_lists: Sequence[Sequence[str]]) -> CueIndex:
        """Index the cue lists of frames 0..n-1."""
        exact: dict[str, list[tuple[int, _Cue]]] = {}
        prefix: dict[int, dict[str, list[tuple[int, _Cue]]]] = {}
        for frame, cues in enumerate(cue_lists):
            for cue in cues:
                words = [w.lower() for w in _TOKEN.findall(cue.strip().lower())] or (
                    [cue.strip()] if cue.strip() in ("$", "£", "€") else [])
                if not words:
                    continue
                parts = list(words)
                starred = [False] * len(parts)
                for i, raw in enumerate(cue.strip().split()):
                    if raw.endswith("*") and i < len(parts):
                        starred[i] = True
                key: _Cue = tuple(zip(parts, starred))
                head, is_prefix = key[0]
                if is_prefix:
                    prefix.setdefault(len(head), {}).setdefault(head, []).append((frame, key))
                else:
                    exact.setdefault(head, []).append((frame, key))
        return cls(exact={k: tuple(v) for k, v in exact.items()},
                   prefix={n: {k: tuple(v) for k, v in d.items()} for n, d in sorted(prefix.items())})

    def find(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Yield (frame index, start, end) of every cue occurrence; a frame counts once per position."""
        tokens = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        words = [t for t, _, _ in tokens]
        for i, (word, start, _) in enumerate(tokens):
            candidates: list[tuple[int, _Cue]] = list(self.exact.get(word, ()))
            for length, table in self.prefix.items():
                if length > len(word):
                    break
                candidates.extend(table.get(word[:length], ()))
            if not candidates:
                continue
            seen: set[int] = set()
            for frame, cue in candidates:
                if frame in seen or i + len(cue) > len(words):
                    continue
                if all(words[i + k].startswith(w) if star else words[i + k] == w
                       for k, (w, star) in enumerate(cue[1:], 1)):
                    seen.add(frame)
                    yield frame, start, tokens[i + len(cue) - 1][2]


def _frameset_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if text in BUILTIN_SETS:
        return FRAMES_DIR / f"{text}.toml"
    path = Path(text)
    if path.suffix == ".toml":
        return path
    raise UnknownNameError("frame set", text, list(BUILTIN_SETS) + ["PATH.toml"])


def load_frameset(name_or_path: str | Path) -> FrameSet:
    """Load a frame set by built-in name (``generic``, ``policy``) or from a TOML path.

    >>> load_frameset("policy").frames[-1].key
    'other'
    """
    path = _frameset_path(name_or_path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise FramesError(f"{path}: cannot read the frame set ({exc.strerror})") from exc
    return _load_frameset(str(path.resolve()), stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _load_frameset(path_text: str, mtime_ns: int) -> FrameSet:
    path = Path(path_text)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FramesError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _SET_KEYS)
    if unknown:
        raise FramesError(f"{path}: unknown key(s) {unknown}; valid: {sorted(_SET_KEYS)}")
    raw_frames = data.get("frames")
    if not isinstance(raw_frames, dict) or not raw_frames:
        raise FramesError(f"{path}: needs at least one [frames.KEY] table")
    frames = []
    for key, entry in raw_frames.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise FramesError(f"{path}: frame key {key!r} must be lower-case letters, digits and _")
        if not isinstance(entry, dict):
            raise FramesError(f"{path}: [frames.{key}] must be a table")
        unknown = sorted(set(entry) - _FRAME_KEYS)
        if unknown:
            raise FramesError(f"{path}: [frames.{key}] has unknown key(s) {unknown}; valid: {sorted(_FRAME_KEYS)}")
        cues = entry.get("cues", [])
        aliases = entry.get("aliases", [])
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise FramesError(f"{path}: [frames.{key}] cues must be a list of strings")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise FramesError(f"{path}: [frames.{key}] aliases must be a list of strings")
        threshold = entry.get("threshold")
        if threshold is not None and (not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1):
            raise FramesError(f"{path}: [frames.{key}] threshold must be a number in [0, 1]")
        if not cues and key != FALLBACK_KEY:
            raise FramesError(f"{path}: [frames.{key}] has no cues (only {FALLBACK_KEY!r} may have none)")
        frames.append(Frame(key=key, label=str(entry.get("label", key)), definition=str(entry.get("definition", "")),
                            cues=tuple(cues), aliases=tuple(aliases),
                            threshold=None if threshold is None else float(threshold)))
    name = str(data.get("name", path.stem))
    expected = {"generic": GENERIC_KEYS, "policy": POLICY_KEYS}.get(name)
    builtin = path.parent.resolve() == FRAMES_DIR.resolve()
    if expected is not None and builtin and tuple(f.key for f in frames) != expected:
        raise FramesError(f"{path}: the built-in set {name!r} must define exactly the frames {list(expected)} in "
                          f"this order (edit cues and definitions freely; put new frames in a new set file)")
    return FrameSet(name=name, title=str(data.get("title", name)), description=str(data.get("description", "")),
                    version=str(data.get("version", "1")), frames=tuple(frames), source=str(path),
                    index=CueIndex.build([f.cues for f in frames]))


# ------------------------------------------------------------------------------- lexicon scoring
# Sentence spans are kept for this many recent texts, so the generic and the policy scorer split
# each article once between them (a split costs about as much as matching one frame set).
_SPAN_CACHE_SIZE = 4096
_span_cache: OrderedDict[bytes, list[tuple[int, int]]] = OrderedDict()


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    spans = _span_cache.get(key)
    if spans is None:
        spans = sentences.split_spans(text)
        _span_cache[key] = spans
        if len(_span_cache) > _SPAN_CACHE_SIZE:
            _span_cache.popitem(last=False)
    else:
        _span_cache.move_to_end(key)
    return spans


@dataclass(frozen=True)
class CueResult:
    """Cue matches of one article: per-frame sentence shares and the evidence sentences."""

    shares: dict[str, float]
    counts: dict[str, int]
    sentences: int
    # (frame key, part, sentence index, start, end, cue hits in the sentence)
    evidence: list[tuple[str, str, int, int, int, int]]


def cue_matches(title: str, text: str, frameset: FrameSet) -> CueResult:
    """Find every frame's cues in the headline and in each sentence of the body.

    >>> r = cue_matches("Rivals clash", "The budget grew. Nothing else.", load_frameset("generic"))
    >>> r.shares["conflict"], r.shares["economic"], r.sentences
    (0.333..., 0.333..., 3)
    """
    title = title or ""
    text = text or ""
    index = frameset.index or CueIndex.build([f.cues for f in frameset.frames])
    spans = _sentence_spans(text)
    starts = [s for s, _ in spans]
    has_title = bool(title.strip())
    units = len(spans) + (1 if has_title else 0)
    keys = frameset.keys
    title_hits: Counter[int] = Counter(frame for frame, _, _ in index.find(title)) if has_title else Counter()
    body_hits: dict[int, Counter[int]] = {}
    for frame, start, _ in index.find(text):
        position = bisect.bisect_right(starts, start) - 1
        if position >= 0 and start < spans[position][1]:
            body_hits.setdefault(frame, Counter())[position] += 1
    shares: dict[str, float] = {}
    counts: dict[str, int] = {}
    evidence: list[tuple[str, str, int, int, int, int]] = []
    for i, key in enumerate(keys):
        per_sentence = body_hits.get(i, Counter())
        if title_hits[i]:
            evidence.append((key, PART_TITLE, 0, 0, len(title), title_hits[i]))
        for position in sorted(per_sentence):
            start, end = spans[position]
            evidence.append((key, PART_TEXT, position, start, end, per_sentence[position]))
        hit_units = len(per_sentence) + (1 if title_hits[i] else 0)
        shares[key] = hit_units / units if units else 0.0
        counts[key] = sum(per_sentence.values()) + title_hits[i]
    return CueResult(shares=shares, counts=counts, sentences=units, evidence=evidence)


def decide_lexicon(shares: Mapping[str, float], frameset: FrameSet) -> tuple[list[str], str | None]:
    """Return (frames present, primary frame) from cue shares and the set's thresholds.

    The primary frame is the present frame whose share most exceeds its threshold (as a ratio);
    the fallback frame ``other`` is present, and primary, when no other frame is.
    """
    present = [f.key for f in frameset.frames
               if f.key != FALLBACK_KEY and f.cues and shares.get(f.key, 0.0) >= max(f.cutoff, 1e-12)]
    if present:
        primary = max(present, key=lambda k: shares[k] / max(_frame(frameset, k).cutoff, 1e-9))
        return present, primary
    if FALLBACK_KEY in frameset.keys:
        return [FALLBACK_KEY], FALLBACK_KEY
    return [], None


def _frame(frameset: FrameSet, key: str) -> Frame:
    return frameset.frames[frameset.keys.index(key)]


def lexicon_predict(records: Iterable[Mapping[str, Any]], frameset: FrameSet) -> list[dict[str, Any]]:
    """Predict frames of records (``id``, ``text``, optional ``title``/``headline``) from cue words.

    >>> lexicon_predict([{"id": "a", "text": "Police arrested the suspect."}], load_frameset("policy"))[0]["primary"]
    'crime_punishment'
    """
    out = []
    for record in records:
        result = cue_matches(str(record.get("title") or ""), str(record.get("text") or ""), frameset)
        labels, primary = decide_lexicon(result.shares, frameset)
        out.append({"id": record.get("id"), "labels": labels, "primary": primary,
                    "scores": {k: round(v, 4) for k, v in result.shares.items()}})
    return out


# ------------------------------------------------------------------------------- scorers
def _frame_metrics(keys: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"frame_{k}" for k in keys) + tuple(f"present_{k}" for k in keys) + \
        tuple(f"primary_{k}" for k in keys) + ("frames_present",)


@dataclass(frozen=True)
class _LexiconFrames(Scorer):
    """Shared logic of the cue-lexicon frame scorers (not registered itself)."""

    frameset_name: ClassVar[str] = ""

    def score(self, articles: pd.DataFrame) -> Scores:
        frameset = load_frameset(self.frameset_name)
        rows: list[tuple[str, str, float]] = []
        evidence: list[tuple[str, str, str, int, int, int, float]] = []
        titles = articles["title"] if "title" in articles else [None] * len(articles)
        for article_id, title, text in zip(articles["id"], titles, articles["text"]):
            result = cue_matches(title or "", text or "", frameset)
            present, primary = decide_lexicon(result.shares, frameset)
            for key in frameset.keys:
                rows.append((article_id, f"frame_{key}", float(result.shares[key])))
                rows.append((article_id, f"present_{key}", float(key in present)))
                rows.append((article_id, f"primary_{key}", float(key == primary)))
            rows.append((article_id, "frames_present", float(len(present))))
            for key, part, index, start, end, hits in result.evidence:
                evidence.append((article_id, f"frame_{key}", part, index, start, end, float(hits)))
        return Scores(articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
                      evidence=pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS)))


@register
@dataclass(frozen=True)
class GenericFrames(_LexiconFrames):
    """Generic news frames (Semetko & Valkenburg; cue words, sentence by sentence).

    Five frames that fit any story: **conflict**, **human interest**, **economic consequences**,
    **morality** and **responsibility** (who caused a problem or should solve it). Each frame has
    a definition and a list of cue words in ``data/frames/generic.toml``. **frame_<frame>** is the
    share of the article's sentences (headline included) holding at least one of the frame's cues;
    the frame is **present** when that share reaches the frame's threshold, calibrated so that on
    260 human-coded climate-change articles each frame is found in as many articles as the coders
    found it in. The **primary** frame is the present frame furthest above its threshold. Every cue
    sentence is kept as evidence. Cue words are transparent but blunt: on those articles they agree
    with the coders at micro-F1 about 0.61 (a classifier trained on the articles: about 0.67).
    """

    name: ClassVar[str] = "frames_generic"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = _frame_metrics(GENERIC_KEYS)
    default: ClassVar[bool] = True
    frameset_name: ClassVar[str] = "generic"


@register
@dataclass(frozen=True)
class PolicyFrames(_LexiconFrames):
    """Policy frames (Boydstun et al.'s Policy Frames Codebook; cue words, sentence by sentence).

    Fifteen dimensions along which any policy issue is argued: economic; capacity and resources;
    morality; fairness and equality; legality, constitutionality and jurisprudence; policy
    prescription and evaluation; crime and punishment; security and defense; health and safety;
    quality of life; cultural identity; public opinion; political; external regulation and
    reputation; and other. Definitions and cue words are in ``data/frames/policy.toml``.
    **frame_<frame>** is the share of the article's sentences holding one of the frame's cues; a
    frame is **present** at 10 % of sentences or more (no labelled policy-frame corpus was at hand
    to calibrate per-frame thresholds, so compare outlets with one another rather than reading the
    shares as absolute); **other** is present when nothing else is. Every cue sentence is evidence.
    """

    name: ClassVar[str] = "frames_policy"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = _frame_metrics(POLICY_KEYS)
    default: ClassVar[bool] = True
    frameset_name: ClassVar[str] = "policy"


# ------------------------------------------------------------------------------- examples and records
def read_jsonl(path: str | Path, *, need: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Read a JSONL file; a bad line raises InputError naming the file and line.

    ``need`` lists fields every line must carry. Blank lines are skipped.
    """
    path = Path(path)
    rows: list[dict[str, Any]] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", source=str(path)) from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg})", source=str(path), line=number) from exc
            if not isinstance(row, dict):
                raise InputError("each line must be a JSON object", source=str(path), line=number)
            for name in need:
                if name not in row:
                    raise InputError(f"missing field {name!r}", source=str(path), line=number)
            row["_line"] = number
            rows.append(row)
    if not rows:
        raise InputError("no records (the file is empty)", source=str(path))
    return rows


def read_examples(path: str | Path) -> list[dict[str, Any]]:
    """Read training examples: JSONL lines with ``text`` and ``labels`` (a list of frame names).

    >>> read_examples("no/such/file.jsonl")
    Traceback (most recent call last):
    ...
    core.errors.InputError: no/such/file.jsonl: cannot read (No such file or directory)
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
MODEL_FORMAT = 1
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


def embed(texts: Sequence[str]) -> np.ndarray:
    """Return L2-normalised all-MiniLM-L6-v2 embeddings [n, 384] (the first 256 word pieces of each text).

    Uses the sentence encoder of :mod:`analysis.tone_model` (int8 ONNX on the CPU, nothing downloaded).
    """
    try:
        from analysis import tone_model
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
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack([_embed_cache[k] for k in keys])


@dataclass(frozen=True)
class FrameModel:
    """A trained frame classifier: TF-IDF (and optional MiniLM) features, one logistic regression per frame."""

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
        z = self.features(texts, emb) @ self.coef.T + self.intercept
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
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise FramesError("training frames needs scikit-learn (pip install scikit-learn)") from exc
    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=MIN_DF, dtype=np.float64)
    x = vectorizer.fit_transform(texts)
    if emb is not None:
        from scipy.sparse import csr_matrix, hstack

        x = hstack([x, csr_matrix(emb)]).tocsr()
    coef = np.zeros((len(labels), x.shape[1]))
    intercept = np.zeros(len(labels))
    for j in range(len(labels)):
        if y[:, j].all() or not y[:, j].any():  # a constant label: a constant probability
            intercept[j] = 20.0 if y[:, j].all() else -20.0
            continue
        # The dual problem is ~25x faster when features outnumber examples (the usual case here).
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear",
                                dual=x.shape[1] > x.shape[0])
        lr.fit(x, y[:, j])
        coef[j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    vocab = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    return FrameModel(labels=tuple(labels), vocabulary=vocab, idf=vectorizer.idf_.astype(np.float64),
                      coef=coef.astype(np.float32), intercept=intercept.astype(np.float32),
                      thresholds=np.full(len(labels), 0.5), encoder=encoder)


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
                       force_top1=force_top1, max_labels=max_labels, meta=meta)
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
    np.savez_compressed(directory / WEIGHTS_FILE, idf=model.idf, coef=model.coef, intercept=model.intercept)


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
                      force_top1=bool(spec["force_top1"]), max_labels=int(spec["max_labels"]), meta=spec["meta"])


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
        for frame in keys:
            values = np.array([frame in s for s in members], dtype=float)
            mean, low, high = bootstrap_mean_ci(values, samples=samples, seed=stable_seed(seed, f"{group}|{frame}"))
            rows.append({"group": group, "frame": frame, "n": int(values.size), "share": mean,
                         "low": low, "high": high})
    return pd.DataFrame(rows, columns=list(SHARE_COLUMNS))


# ------------------------------------------------------------------------------- command line
def add_frames_parser(commands: Any) -> argparse.ArgumentParser:
    """Add ``frames train`` and ``frames predict`` to a CLI's sub-parsers; return the ``frames`` parser."""
    parser = commands.add_parser("frames", help="train a frame classifier on labelled examples, or predict frames")
    sub = parser.add_subparsers(dest="frames_command", required=True)
    t = sub.add_parser("train", help="train on JSONL lines {'text': ..., 'labels': [...]}")
    t.add_argument("--examples", required=True, type=Path, help="JSONL file of labelled examples")
    t.add_argument("--model-dir", required=True, type=Path, help="directory to write the model into")
    t.add_argument("--encoder", choices=ENCODERS, default="minilm",
                   help="add MiniLM sentence embeddings to the TF-IDF features (default) or not ('none': faster)")
    t.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    p = sub.add_parser("predict", help="predict frames of JSONL lines {'id': ..., 'text': ...}")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-dir", type=Path, help="a model written by 'frames train'")
    source.add_argument("--frameset", help="a built-in frame set (generic, policy) or a frame-set TOML file")
    p.add_argument("--in", dest="input", required=True, type=Path, help="JSONL file with 'id' and the text field")
    p.add_argument("--out", required=True, type=Path, help="JSONL file to write {'id', 'labels', 'primary', 'scores'}")
    p.add_argument("--text-field", default="text", help="field holding the text (default: text; e.g. headline)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
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
