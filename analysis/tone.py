"""Tone scorers: how positive or negative an article's sentences are.

VADER's compound score is a normalised sum, so over a whole article it saturates
near +/-1; scoring sentence by sentence and averaging keeps articles comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import sentences
from analysis.base import EVIDENCE_COLUMNS, PART_TEXT, PART_TITLE, SCORE_COLUMNS, Scorer, Scores
from analysis.registry import register

# VADER's own neutral band (Hutto & Gilbert 2014); a wider band measured worse on news.
NEUTRAL_BAND = 0.05


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def vader_compound(text: str) -> float:
    """Return VADER's compound score of one sentence, in [-1, 1]."""
    return float(_analyzer().polarity_scores(text)["compound"])


@register
@dataclass(frozen=True)
class VaderTone(Scorer):
    """Tone (VADER, sentence by sentence).

    Each sentence of the body gets VADER's compound score (-1 most negative,
    +1 most positive); the article's **tone** is the mean over its sentences, so
    long and short articles are comparable (VADER over a whole text saturates
    near +/-1). **headline_tone** scores the headline alone. **tone_pos_share**
    and **tone_neg_share** are the shares of sentences above +0.05 and below
    -0.05 (VADER's neutral band). Every sentence's score is kept as evidence.
    On New York Times editorial snippets VADER agrees with the mean of 20 human
    raters at Pearson r = 0.49: a fast, transparent yardstick, weak on irony,
    quotations and whom a sentence is about.
    """

    name: ClassVar[str] = "tone_vader"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = (
        "tone", "headline_tone", "sentences", "tone_pos_share", "tone_neg_share"
    )
    default: ClassVar[bool] = True

    def score(self, articles: pd.DataFrame) -> Scores:
        rows: list[tuple[str, str, float | None]] = []
        evidence: list[tuple[str, str, str, int, int, int, float]] = []
        for article_id, title, text in zip(articles["id"], articles["title"], articles["text"]):
            title = title or ""
            spans = sentences.split_spans(text or "")
            values = [vader_compound(text[s:e]) for s, e in spans]
            for index, ((start, end), value) in enumerate(zip(spans, values)):
                evidence.append((article_id, "tone", PART_TEXT, index, start, end, value))
            headline = vader_compound(title) if title.strip() else None
            if headline is not None:
                evidence.append((article_id, "headline_tone", PART_TITLE, 0, 0, len(title), headline))
            count = len(values)
            rows += [
                (article_id, "tone", sum(values) / count if count else None),
                (article_id, "headline_tone", headline),
                (article_id, "sentences", float(count)),
                (article_id, "tone_pos_share", sum(v > NEUTRAL_BAND for v in values) / count if count else None),
                (article_id, "tone_neg_share", sum(v < -NEUTRAL_BAND for v in values) / count if count else None),
            ]
        return Scores(
            articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
            evidence=pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS)),
        )
