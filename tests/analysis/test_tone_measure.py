"""Which tone measure a view shows, where the two measures disagree, and what analysis run picks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import run as runner
from analysis.tone.measure import (
    mark_disagreements,
    order_conflict,
    preferred_tone_metric,
    sign_disagreement,
    tone_label,
    tone_sign,
)
from core.errors import SettingsError
from core.settings import Settings
from core.store import Store
from scrapers import importer


def test_preferred_measure_is_the_news_model_where_it_exists() -> None:
    assert preferred_tone_metric(["tone_news", "tone_vader"]) == ("tone_news", "tone (news model)")
    assert preferred_tone_metric(["tone_vader.tone", "tone_vader.headline_tone"]) == ("tone_vader", "tone (VADER)")
    assert preferred_tone_metric(["tone_news.headline_tone", "length.words"]) == ("tone_news", "tone (news model)")
    assert preferred_tone_metric([]) == ("tone_vader", "tone (VADER)")  # the fallback names VADER
    assert tone_label("tone_news") == "tone (news model)"
    with pytest.raises(ValueError, match="tone measures: tone_news, tone_vader"):
        tone_label("quotes")


def test_preferred_measure_never_mixes_within_a_selection() -> None:
    # Counts per scorer: the news model only when it covers every article of the selection.
    assert preferred_tone_metric({"tone_vader": 40, "tone_news": 40}, articles=40)[0] == "tone_news"
    assert preferred_tone_metric({"tone_vader": 40, "tone_news": 39}, articles=40)[0] == "tone_vader"
    # A score matrix: news must be present wherever VADER is (an empty article has neither).
    full = pd.DataFrame({"tone_vader.tone": [0.1, None, -0.2], "tone_news.tone": [0.0, None, -0.1]})
    part = pd.DataFrame({"tone_vader.tone": [0.1, 0.3, -0.2], "tone_news.tone": [0.0, None, -0.1]})
    assert preferred_tone_metric(full)[0] == "tone_news"
    assert preferred_tone_metric(part)[0] == "tone_vader"
    assert preferred_tone_metric(pd.DataFrame({"tone_vader.tone": [0.2]}))[0] == "tone_vader"


def test_sign_with_a_neutral_tolerance() -> None:
    assert [tone_sign(v) for v in (0.2, 0.05, 0.049, 0.0, -0.049, -0.05, None, float("nan"))] == [
        1, 1, 0, 0, 0, -1, 0, 0]
    assert tone_sign(0.03, tolerance=0.02) == 1
    assert sign_disagreement(-0.23, 0.09)  # Global Times toward China in the issue
    assert not sign_disagreement(-0.23, 0.04)  # VADER near zero: no sign, no disagreement
    assert not sign_disagreement(-0.3, -0.1) and not sign_disagreement(None, 0.4)
    assert sign_disagreement(0.06, -0.06) and not sign_disagreement(0.06, -0.06, tolerance=0.1)


def test_mark_disagreements_on_outlet_cells() -> None:
    cells = pd.DataFrame({"outlet": ["A", "B", "C", "D"], "news": [-0.23, 0.12, -0.02, 0.2],
                          "vader": [0.09, 0.15, 0.3, None]})
    marked = mark_disagreements(cells, news="news", vader="vader")
    assert marked["signs_disagree"].tolist() == [True, False, False, False]
    assert marked["news_sign"].tolist() == [-1, 1, 0, 1] and marked["vader_sign"].tolist() == [1, 1, 1, 0]
    assert list(cells.columns) == ["outlet", "news", "vader"]  # the input is left as it was
    with pytest.raises(KeyError, match="tone_news"):
        mark_disagreements(cells)
    with pytest.raises(ValueError, match="tolerance"):
        mark_disagreements(cells, news="news", vader="vader", tolerance=-1)


def test_order_conflict_blocks_more_negative_than() -> None:
    # news: A (-0.20) is more negative than B (-0.05); VADER: A (+0.05) is more positive than B (-0.02).
    assert order_conflict((-0.20, 0.05), (-0.05, -0.02))
    assert not order_conflict((-0.20, -0.10), (-0.05, -0.02))  # both say A is more negative
    assert not order_conflict((-0.20, 0.00), (-0.05, -0.02))  # VADER's gap 0.02 is no order
    assert order_conflict((-0.05, -0.02), (-0.20, 0.05))  # symmetric


def test_default_scorers_follow_the_store_size() -> None:
    small, why = runner.default_scorers(2000, Settings(news_tone_max_articles=5000))
    assert "tone_news" in small and "tone_vader" in small and "quotes" in small
    assert why.startswith("tone: news model (tone_news): the store holds 2000 articles")
    large, why = runner.default_scorers(5001, Settings(news_tone_max_articles=5000))
    assert "tone_news" not in large and "tone_vader" in large
    assert why.startswith("tone: VADER (tone_vader) only: the store holds 5001 articles")
    assert "tone_news" not in runner.default_scorers(10, Settings(news_tone_max_articles=0))[0]
    assert Settings.load(environ={"PRESSLENS_NEWS_TONE_MAX_ARTICLES": "300"}).news_tone_max_articles == 300
    with pytest.raises(SettingsError, match="news_tone_max_articles"):
        Settings(news_tone_max_articles=-1).validate()


def _store(tmp_path: Path, n: int) -> Path:
    lines = [{"id": f"t{i}", "outlet": "Daily Test", "title": f"Storm number {i} floods the town",
              "url": f"https://example.org/{i}", "text": "Floods destroyed homes. Volunteers helped families."}
             for i in range(n)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        importer.import_files([source], store)
    return db


def test_run_scores_news_tone_on_a_small_store_and_says_so(tmp_path: Path) -> None:
    db = _store(tmp_path, 3)
    with Store.open(db) as store:
        report = runner.run(store, Settings(db=str(db), workers=1, news_tone_max_articles=3))
        scored = store.scores()
    assert report.scored["tone_news"] == 3 and report.scored["tone_vader"] == 3
    assert report.summary().splitlines()[0].startswith("tone: news model (tone_news)")
    assert preferred_tone_metric(scored.groupby("scorer")["article_id"].nunique().to_dict(), articles=3)[0] == (
        "tone_news")


def test_run_keeps_vader_only_beyond_the_setting(tmp_path: Path) -> None:
    db = _store(tmp_path, 3)
    with Store.open(db) as store:
        report = runner.run(store, Settings(db=str(db), workers=1, news_tone_max_articles=2))
    assert "tone_news" not in report.scored and report.scored["tone_vader"] == 3
    assert "tone: VADER (tone_vader) only: the store holds 3 articles" in report.summary()
