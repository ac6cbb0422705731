"""Tone toward a named target: finding the sentences that mention it, and scoring the mention."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analysis.tone import target as tt
from core.errors import InputError, UnknownNameError
from tests.conftest import require_shared

TEXT = ("Beijing hosted the talks. The US praised China's restraint, while critics blasted the "
        "Chinese navy. Tell us more.\n\nRare  earths prices fell. China, China, China.")


def own_articles() -> pd.DataFrame:
    return pd.DataFrame([{"id": "a", "outlet": "X", "title": "Talks", "text": TEXT, "url": "http://x/a"},
                         {"id": "b", "outlet": "Y", "title": "Other", "text": "Nothing relevant. Chinaware sold."},
                         {"id": "c", "outlet": "Y", "title": "Empty", "text": None, "url": None}])


def test_mentions_whole_words_one_row_per_sentence() -> None:
    found = tt.target_mentions(own_articles(), "china", keep=["url"])
    assert list(found.columns) == [*tt.MENTION_COLUMNS, "url"]
    assert found["sentence_index"].tolist() == [1, 4]  # not "Chinese", not "Chinaware"
    assert found["mention"].tolist() == ["China's", "China"]
    for row in found.itertuples():
        assert TEXT[row.start:row.end] == row.sentence
        assert row.sentence[row.mention_start:row.mention_end] == row.mention
    assert found["url"].tolist() == ["http://x/a"] * 2


def test_aliases_acronyms_and_multi_word_targets() -> None:
    articles = own_articles()
    with_aliases = tt.target_mentions(articles, "China", aliases=["Chinese", "Beijing"])
    assert with_aliases["sentence_index"].tolist() == [0, 1, 4]
    us = tt.target_mentions(articles, "US")
    assert us["sentence"].tolist() == ["The US praised China's restraint, while critics blasted the Chinese navy."]
    rare = tt.target_mentions(articles, "rare earth")
    assert rare["mention"].tolist() == ["Rare  earths"]
    assert tt.target_mentions(articles, "Taiwan").empty
    with pytest.raises(InputError, match="target is empty"):
        tt.target_mentions(articles, "  ")


def test_news_scorer_reads_the_tone_toward_each_target() -> None:
    text = "Voters praised the mayor for her courage, while the governor was blasted as a liar and a coward."
    articles = pd.DataFrame([{"id": "a", "outlet": "X", "text": text}])
    mayor = tt.score_target_tone(tt.target_mentions(articles, "mayor"), "news")
    governor = tt.score_target_tone(tt.target_mentions(articles, "governor"), "news")
    assert mayor["label"].tolist() == ["pos"] and governor["label"].tolist() == ["neg"]
    assert mayor["tone"].iloc[0] - governor["tone"].iloc[0] > 0.5
    vader = tt.score_target_tone(tt.target_mentions(articles, "governor"), "vader")
    assert vader["tone"].between(-1, 1).all() and list(vader.columns) == [*tt.MENTION_COLUMNS, "tone", "label"]


def test_empty_mentions_and_unknown_scorer() -> None:
    empty = tt.target_mentions(own_articles(), "Taiwan")
    scored = tt.score_target_tone(empty, "news")
    assert scored.empty and {"tone", "label"} <= set(scored.columns)
    with pytest.raises(UnknownNameError, match="valid: news, vader"):
        tt.score_target_tone(empty, "bert")


def test_real_articles_target_tone() -> None:
    path = require_shared("corpora", "basil", "articles.jsonl")
    rows = [json.loads(line) for _, line in zip(range(60), path.open(encoding="utf-8"))]
    articles = pd.DataFrame(rows)
    found = tt.target_mentions(articles, "Trump")
    expected = {a for a, text in zip(articles["id"], articles["text"]) if re.search(r"\bTrump", text)}
    assert len(expected) >= 3 and set(found["article_id"]) == expected
    assert len(found) >= 20 and found["sentence"].str.contains("Trump").all()
    scored = tt.score_target_tone(found.head(40), "news")
    assert scored["tone"].between(-1, 1).all() and scored["label"].isin(["neg", "neu", "pos"]).all()
    assert scored["label"].nunique() >= 2  # not a constant
