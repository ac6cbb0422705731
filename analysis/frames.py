"""Frames: which angles a story is told from, per article, with the sentences behind them.

The public face of three modules, re-exported here so ``from analysis.frames import X`` keeps
working:

* :mod:`analysis.frame_lexicon`: frame sets (``data/frames/*.toml``), cue matching and the
  registered scorers ``frames_generic`` and ``frames_policy``;
* :mod:`analysis.frame_model`: classifiers trained on labelled texts (``train``/``predict``),
  prevalence-matched thresholds, and per-group ``frame_shares`` with intervals;
* :mod:`analysis.frames_cli`: ``python -m analysis frames train|predict``.

>>> lexicon_predict([{"id": "a", "text": "Critics attacked the plan. It will cost billions."}],
...                 load_frameset("generic"))[0]["labels"]
['conflict', 'economic', 'responsibility']
"""

from __future__ import annotations

from analysis.frame_lexicon import (
    BUILTIN_SETS,
    DEFAULT_CUE_SHARE,
    FALLBACK_KEY,
    FRAMES_DIR,
    GENERIC_KEYS,
    POLICY_KEYS,
    REPO_ROOT,
    CueIndex,
    CueResult,
    Frame,
    FramesError,
    FrameSet,
    GenericFrames,
    PolicyFrames,
    _span_cache,
    cue_matches,
    decide_lexicon,
    lexicon_predict,
    load_frameset,
)
from analysis.frame_model import (
    ENCODERS,
    LR_C,
    MIN_DF,
    MIN_POSITIVES,
    MODEL_FILE,
    MODEL_FORMAT,
    MODELS_DIR,
    SHARE_COLUMNS,
    THRESHOLD_FOLDS,
    WEIGHTS_FILE,
    FrameModel,
    _embed_cache,
    embed,
    fold_of,
    frame_shares,
    load_model,
    macro_f1,
    micro_f1,
    ngrams,
    predict,
    prevalence_thresholds,
    read_examples,
    read_jsonl,
    save_model,
    train,
)
from analysis.frames_cli import add_frames_parser, cmd_frames, frames_predict_cli, frames_train_cli

__all__ = [
    "BUILTIN_SETS", "DEFAULT_CUE_SHARE", "ENCODERS", "FALLBACK_KEY", "FRAMES_DIR", "GENERIC_KEYS", "LR_C",
    "MIN_DF", "MIN_POSITIVES", "MODELS_DIR", "MODEL_FILE", "MODEL_FORMAT", "POLICY_KEYS", "REPO_ROOT",
    "SHARE_COLUMNS", "THRESHOLD_FOLDS", "WEIGHTS_FILE", "CueIndex", "CueResult", "Frame", "FrameModel",
    "FrameSet", "FramesError", "GenericFrames", "PolicyFrames", "_embed_cache", "_span_cache",
    "add_frames_parser", "cmd_frames", "cue_matches", "decide_lexicon", "embed", "fold_of", "frame_shares",
    "frames_predict_cli", "frames_train_cli", "lexicon_predict", "load_frameset", "load_model", "macro_f1",
    "micro_f1", "ngrams", "predict", "prevalence_thresholds", "read_examples", "read_jsonl", "save_model",
    "train",
]
