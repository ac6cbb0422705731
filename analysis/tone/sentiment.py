"""Tone of texts and tone toward a named target: the logic behind ``python -m analysis sentiment``.

Each input record is ``{"id", "text", "target"?: {"start", "end"}}``; each output
record is ``{"id", "score", "label"}`` with ``score`` in [-1, 1] and ``label`` one
of ``neg``/``neu``/``pos``.

* No target: the tone of the text. A text of several sentences is scored sentence
  by sentence and averaged (VADER's compound saturates over long texts).
* With a target (character offsets of one mention): the tone toward that target,
  read from the sentence that holds the mention and the words around it.

Scorers (``SCORERS``; ``news`` is the default):

* ``vader``: VADER 3.3.2, fast (about 10,000 sentences/s). With a target it scores
  the +/-8-word window around the mention. Neutral band +/-0.05 (VADER's own).
* ``news`` (default): the news-trained model of :mod:`analysis.tone.model` (MiniLM + trained
  heads, about 250 sentences/s on one core). Sentence tone is a regression on NYT
  human ratings; its neutral band (in ``analysis/models/tone/meta.json``) was chosen
  by cross-validated macro-F1 on NYT. Tone toward a target is a 3-class classifier
  trained on NewsMTSC; its label is the most probable class and its score
  P(pos) - P(neg).

>>> list(score_records([{"id": "a", "text": "A wonderful, generous gift."}], "vader"))
[{'id': 'a', 'score': 0.872, 'label': 'pos'}]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.text import sentences
from analysis.tone import model as tone_model

logger = logging.getLogger(__name__)

# VADER's own neutral band (Hutto & Gilbert 2014); FINDINGS.md: a +/-0.5 band is much worse on news.
VADER_BAND = 0.05
# Records handed to the encoder at once: large enough to batch, small enough to stream.
CHUNK = 256
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Item:
    """One validated input record."""

    id: Any
    text: str
    target: tuple[int, int] | None


def _label(score: float, band: float) -> str:
    if score >= band:
        return "pos"
    if score <= -band:
        return "neg"
    return "neu"


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = sentences.split_spans(text)
    return spans or [(0, len(text))]


def _target_context(item: Item) -> tuple[str, int, int]:
    """Return the sentence that holds the target and the target's offsets within it."""
    assert item.target is not None
    start, end = item.target
    for s, e in _sentence_spans(item.text):
        if s <= start < e:
            return item.text[s:max(e, end)], start - s, end - s
    return item.text, start, end


# ------------------------------------------------------------------- scorers
def _vader_texts(items: list[Item]) -> list[tuple[float, str]]:
    out = []
    for item in items:
        if item.target is None:
            values = [tone_model.vader_features(item.text[s:e])[0] for s, e in _sentence_spans(item.text)]
            score = float(np.mean(values)) if item.text.strip() else 0.0
        else:
            text, start, end = _target_context(item)
            w_start, w_end = tone_model.window_span(text, start, end)
            score = float(tone_model.vader_features(text[w_start:w_end])[0])
        out.append((round(score, 4), _label(score, VADER_BAND)))
    return out


def _news_texts(items: list[Item]) -> list[tuple[float, str]]:
    model = tone_model.default_model()
    out: list[tuple[float, str] | None] = [None] * len(items)
    # Sentence tone for the records without a target, all their sentences in one batch.
    plain = [(k, item) for k, item in enumerate(items) if item.target is None]
    pieces: list[str] = []
    owners: list[int] = []
    for k, item in plain:
        for s, e in _sentence_spans(item.text):
            if item.text[s:e].strip():
                pieces.append(item.text[s:e])
                owners.append(k)
    scores = model.predict_sentences(pieces)
    sums = np.bincount(owners, weights=scores, minlength=len(items)) if pieces else np.zeros(len(items))
    counts = np.bincount(owners, minlength=len(items)) if pieces else np.zeros(len(items))
    for k, _item in plain:
        score = float(sums[k] / counts[k]) if counts[k] else 0.0
        out[k] = (round(score, 4), _label(score, model.neutral_band))
    # Tone toward a target for the others.
    targeted = [(k, _target_context(item)) for k, item in enumerate(items) if item.target is not None]
    if targeted:
        t_scores, t_labels = model.predict_targets([context for _, context in targeted])
        for (k, _), score, label in zip(targeted, t_scores, t_labels):
            out[k] = (round(float(score), 4), label)
    return [o for o in out if o is not None]


SCORERS: dict[str, Callable[[list[Item]], list[tuple[float, str]]]] = {
    "vader": _vader_texts,
    "news": _news_texts,
}
# The news model is the default: it agrees with people far better (held-out NYT r 0.63 against
# VADER's 0.49; NewsMTSC macro-F1 0.73 / 0.70 against 0.53 / 0.54). ``--scorer vader`` stays.
DEFAULT_SCORER = "news"


# ---------------------------------------------------------------- validation
def _bad(line: int, record_id: Any, message: str) -> ValueError:
    where = f"line {line}" + (f" (id {record_id!r})" if record_id is not None else "")
    return ValueError(f"{where}: {message}")


def parse_record(record: Any, line: int) -> Item:
    """Validate one input record; raise ValueError naming the line, the id and the problem.

    >>> parse_record({"id": 1, "text": "Hi.", "target": {"start": 0, "end": 2}}, 1)
    Item(id=1, text='Hi.', target=(0, 2))
    """
    if not isinstance(record, dict):
        raise _bad(line, None, f"expected a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if record_id is None or isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
        raise _bad(line, None, 'missing "id" (a string or an integer)')
    text = record.get("text")
    if not isinstance(text, str):
        raise _bad(line, record_id, '"text" must be a string')
    target = record.get("target")
    if target is None:
        return Item(record_id, text, None)
    if not isinstance(target, dict):
        raise _bad(line, record_id, '"target" must be an object {"start": int, "end": int}')
    start, end = target.get("start"), target.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise _bad(line, record_id, '"target" needs integer "start" and "end" character offsets')
    if not 0 <= start < end <= len(text):  # type: ignore[operator]
        raise _bad(line, record_id, f"target ({start}, {end}) is not a non-empty span of the "
                                    f"{len(text)}-character text")
    return Item(record_id, text, (start, end))  # type: ignore[arg-type]


def score_records(records: Iterable[Any], scorer: str = DEFAULT_SCORER) -> Iterator[dict[str, Any]]:
    """Yield ``{"id", "score", "label"}`` for each input record, in order.

    Records are numbered from 1 in error messages (the line of a JSON Lines file when
    the caller passes one record per line). An unknown scorer raises ValueError listing
    the valid names.

    >>> next(score_records([{"id": 7, "text": "Awful, tragic news."}]))["label"]
    'neg'
    """
    if scorer not in SCORERS:
        raise ValueError(f"unknown scorer {scorer!r}; valid scorers: {', '.join(sorted(SCORERS))}")
    run = SCORERS[scorer]
    chunk: list[Item] = []
    for line, record in enumerate(records, 1):
        chunk.append(parse_record(record, line))
        if len(chunk) >= CHUNK:
            yield from _emit(chunk, run)
            chunk = []
    if chunk:
        yield from _emit(chunk, run)


def _emit(chunk: list[Item], run: Callable[[list[Item]], list[tuple[float, str]]]) -> Iterator[dict[str, Any]]:
    for item, (score, label) in zip(chunk, run(chunk)):
        yield {"id": item.id, "score": score, "label": label}
