"""Tone scorers: how positive or negative an article's sentences are.

VADER's compound score is a normalised sum, so over a whole article it saturates
near +/-1; scoring sentence by sentence and averaging keeps articles comparable.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import pandas as pd
from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from analysis.base import EVIDENCE_COLUMNS, PART_TEXT, PART_TITLE, SCORE_COLUMNS, Scorer, Scores
from analysis.registry import register
from analysis.text import sentences
from analysis.text.sentences import as_text

# VADER's own neutral band (Hutto & Gilbert 2014); a wider band measured worse on news.
NEUTRAL_BAND = 0.05


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _emoji_chars() -> frozenset[str]:
    return frozenset(_analyzer().emojis)


def vader_compound(text: str) -> float:
    """Return VADER's compound score of one sentence, in [-1, 1].

    The same number as ``polarity_scores(text)["compound"]`` (identical on all 28,295 sentences of
    600 allsides_abp articles; the tests check basil's), about 1.25x faster: a text without emoji skips VADER's
    character-by-character emoji pass, and a text with no lexicon word is 0 without scoring
    (a third of news sentences).

    >>> vader_compound("A wonderful, generous gift."), vader_compound("The committee met on Tuesday.")
    (0.872, 0.0)
    """
    analyzer = _analyzer()
    if not _emoji_chars().isdisjoint(text):
        return float(analyzer.polarity_scores(text)["compound"])
    text = text.strip()
    lexicon = analyzer.lexicon
    if not any(w.lower() in lexicon or w.strip(string.punctuation).lower() in lexicon for w in text.split()):
        return 0.0  # every valence is 0, so VADER's sum and compound are 0
    # VADER 3.3.2's polarity_scores after its emoji pass, step for step.
    sentitext = SentiText(text)
    words = sentitext.words_and_emoticons
    sentiments: list[float] = []
    for i, item in enumerate(words):
        lower = item.lower()
        if lower in BOOSTER_DICT or (i < len(words) - 1 and lower == "kind" and words[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = analyzer._but_check(words, sentiments)
    return float(analyzer.score_valence(sentiments, text)["compound"])


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
            title, text = as_text(title), as_text(text)
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


# Body sentences per article the news model scores, spread evenly over the article (the first
# and the last included). Measured on 378 articles (basil's 228 and 150 of allsides_abp): the mean
# over 20 evenly spread sentences correlates with the mean over the first 60 at r 0.966 (the first
# 20 sentences: 0.941; 15 spread: 0.944; 25 spread: 0.982), at a third of the cost of 60.
NEWS_SENTENCES = 20


def spread_indices(total: int, k: int = NEWS_SENTENCES) -> list[int]:
    """Return the indices of ``k`` sentences spread evenly over ``total`` (all of them when fewer).

    >>> spread_indices(5), spread_indices(10, 4)
    ([0, 1, 2, 3, 4], [0, 3, 6, 9])
    """
    if total <= k:
        return list(range(total))
    if k == 1:
        return [0]
    return [round(i * (total - 1) / (k - 1)) for i in range(k)]


def _share(values: list[float], above: float | None = None, below: float | None = None) -> float | None:
    if not values:
        return None
    if above is not None:
        return sum(v > above for v in values) / len(values)
    assert below is not None
    return sum(v < below for v in values) / len(values)


@register
@dataclass(frozen=True)
class NewsTone(Scorer):
    """Tone (news-trained model, sentence by sentence).

    The same measures as tone_vader from a model trained on news: each sentence
    gets a score in [-1, 1] from a small MiniLM sentence encoder (int8, CPU) with a
    ridge head trained on New York Times editorial snippets rated by 20 people
    (Pearson r = 0.63 on held-out snippets against VADER's 0.49). **tone** is the
    mean over the scored sentences, **headline_tone** scores the headline alone,
    and **tone_pos_share** / **tone_neg_share** are the shares of sentences
    outside the model's neutral band (+/-0.05, chosen by cross-validation). To
    bound the cost, 20 sentences spread evenly over the body are scored (all of a
    shorter article; **sentences_scored** says how many, **sentences** counts them
    all): their mean follows the mean of the first 60 at r = 0.97. About 4 ms per
    sentence on one core. ``python -m analysis run`` scores it by default on stores
    of up to ``news_tone_max_articles`` articles and says so. Every scored sentence
    is kept as evidence.
    """

    name: ClassVar[str] = "tone_news"
    version: ClassVar[str] = "4"  # 4: near-dead encoder dimensions get weight 0 (max |w| 1e31 -> 1.5)
    metrics: ClassVar[tuple[str, ...]] = (
        "tone", "headline_tone", "sentences", "sentences_scored", "tone_pos_share", "tone_neg_share"
    )
    default: ClassVar[bool] = False

    def score(self, articles: pd.DataFrame) -> Scores:
        from analysis.tone import model as tone_model  # loads onnxruntime only when this scorer runs

        model = tone_model.default_model()
        # 1. Every sentence to score, of every article of the batch, in one list: the encoder sorts
        #    them by length into padding buckets, across articles.
        plan: list[tuple[str, str, list[int], list[tuple[int, int]], int, bool]] = []
        pieces: list[str] = []
        for article_id, title, text in zip(articles["id"], articles["title"], articles["text"]):
            title, text = as_text(title), as_text(text)
            spans = sentences.split_spans(text)
            chosen = spread_indices(len(spans))
            kept = [spans[i] for i in chosen]
            pieces += [text[s:e] for s, e in kept]
            has_title = bool(title.strip())
            if has_title:
                pieces.append(title)
            plan.append((article_id, title, chosen, kept, len(spans), has_title))
        values = model.predict_sentences(pieces).tolist() if pieces else []
        band = model.neutral_band
        # 2. Back to articles, in input order.
        rows: list[tuple[str, str, float | None]] = []
        evidence: list[tuple[str, str, str, int, int, int, float]] = []
        cursor = 0
        for article_id, title, chosen, kept, total, has_title in plan:
            own = [round(float(v), 4) for v in values[cursor:cursor + len(kept)]]
            cursor += len(kept)
            headline = round(float(values[cursor]), 4) if has_title else None
            cursor += int(has_title)
            for index, (start, end), value in zip(chosen, kept, own):  # index: the sentence's place in the body
                evidence.append((article_id, "tone", PART_TEXT, index, start, end, value))
            if headline is not None:
                evidence.append((article_id, "headline_tone", PART_TITLE, 0, 0, len(title), headline))
            rows += [
                (article_id, "tone", sum(own) / len(own) if own else None),
                (article_id, "headline_tone", headline),
                (article_id, "sentences", float(total)),
                (article_id, "sentences_scored", float(len(own))),
                (article_id, "tone_pos_share", _share(own, above=band)),
                (article_id, "tone_neg_share", _share(own, below=-band)),
            ]
        return Scores(
            articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
            evidence=pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS)),
        )
