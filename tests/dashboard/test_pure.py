"""The dashboard's pure layer (no streamlit): queries, charts, exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from core.settings import Settings
from core.store import ArticleFilter, Store
from dashboard import charts, exports, queries

SETTINGS = Settings.load(environ={})


@pytest.fixture(scope="module")
def catalogue(basil_db: Path) -> pd.DataFrame:
    return queries.catalogue(str(basil_db), SETTINGS, lazy=())


def test_catalogue_and_options_on_basil(catalogue: pd.DataFrame) -> None:
    options = queries.filter_options(catalogue)
    assert options.outlets == ("Fox News", "HuffPost", "The New York Times")
    assert len(options.stories) == 76 and options.articles == 228
    assert all("outlets" in options.story_labels[s] for s in options.stories)
    assert catalogue["tone_vader.tone"].notna().all()


def test_in_memory_filter_matches_the_store(basil_db: Path, catalogue: pd.DataFrame) -> None:
    flt = ArticleFilter(outlets=("Fox News", "HuffPost"), since="2012-01-01", until="2016-12-31")
    with Store.open(basil_db, readonly=True) as store:
        expected = set(store.articles(flt)["id"])
    assert set(queries.apply_filter(catalogue, flt)["id"]) == expected
    matching = queries.search_ids(str(basil_db), "Obama", SETTINGS)
    searched = queries.apply_filter(catalogue, ArticleFilter(search="Obama"), matching)
    assert 0 < len(searched) < len(catalogue)


def test_outlet_view_equals_the_cli_report(basil_db: Path, catalogue: pd.DataFrame) -> None:
    from analysis.compare.report import outlet_report

    with Store.open(basil_db, readonly=True) as store:
        report = outlet_report(store, ArticleFilter(), SETTINGS)
    view = queries.outlet_view(catalogue, SETTINGS)
    pd.testing.assert_frame_equal(view.reset_index(drop=True), report.reset_index(drop=True), check_dtype=False)


def test_volume_stories_and_ledger(basil_db: Path, catalogue: pd.DataFrame) -> None:
    volume = queries.volume(catalogue)
    assert volume["articles"].sum() == catalogue["day"].notna().sum()
    assert queries.period_for(catalogue) == "M"  # basil spans nine years
    stories = queries.stories(catalogue)
    assert len(stories) == 76 and stories["outlets"].max() == 3
    ledger = queries.quality_ledger(str(basil_db), catalogue, SETTINGS)
    assert set(ledger["outlet"]) <= {"Fox News", "HuffPost", "The New York Times"}


def test_target_tone_cites_sentences_that_mention_the_target(basil_db: Path, catalogue: pd.DataFrame) -> None:
    summary, evidence = queries.target_tone(str(basil_db), catalogue, "Trump", SETTINGS)
    assert len(summary) == 3 and (summary["sentences"] >= summary["articles"]).all()
    assert evidence["sentence"].str.contains("trump", case=False).all()
    assert evidence["tone"].between(-1, 1).all()


def test_target_tone_with_the_news_model_scores_the_same_mentions(basil_db: Path, catalogue: pd.DataFrame) -> None:
    vader, vader_evidence = queries.target_tone(str(basil_db), catalogue, "Trump", SETTINGS)
    news, news_evidence = queries.target_tone(str(basil_db), catalogue, "Trump", SETTINGS, scorer="news")
    cap = queries.NEWS_TARGET_MAX_MENTIONS
    assert len(news_evidence) == min(len(vader_evidence), cap) and set(news["scorer"]) == {"news"}
    assert news_evidence["tone"].between(-1, 1).all() and news_evidence["tone"].nunique() > 5
    # a different model: the two disagree on some sentences
    merged = vader_evidence.merge(news_evidence, on=["article_id", "sentence_index"], suffixes=("_v", "_n"))
    assert (merged["tone_v"] - merged["tone_n"]).abs().max() > 0.2


def test_article_sentences_carry_their_scores(basil_db: Path, catalogue: pd.DataFrame) -> None:
    article_id = catalogue["id"].iloc[0]
    article, sentences = queries.article_sentences(str(basil_db), article_id, SETTINGS)
    assert len(sentences) == catalogue.set_index("id").loc[article_id, "tone_vader.sentences"]
    assert sentences["tone_vader.tone"].mean() == pytest.approx(catalogue.set_index("id").loc[article_id,
                                                                                              "tone_vader.tone"])
    assert all(s in article["text"] for s in sentences["sentence"])


def test_chart_has_one_point_per_outlet_and_a_light_template(catalogue: pd.DataFrame) -> None:
    table = queries.outlet_view(catalogue, SETTINGS)
    figure = charts.tone_interval_chart(table)
    assert sorted(figure.data[0].y) == sorted(f"{o} (n={n})" for o, n in zip(table["outlet"], table["articles"]))
    assert list(figure.data[0].x) == sorted(table["tone_mean"])
    assert figure.layout.template.layout.paper_bgcolor == "white"
    for fig in (charts.volume_chart(queries.volume(catalogue)), charts.tone_distribution_chart(catalogue)):
        assert fig.layout.template.layout.paper_bgcolor == "white"


def test_csv_download_is_the_table_on_screen(catalogue: pd.DataFrame) -> None:
    table = queries.outlet_view(catalogue, SETTINGS)
    parsed = pd.read_csv(io.BytesIO(exports.csv_bytes(table)))
    pd.testing.assert_frame_equal(parsed, table.astype(parsed.dtypes.to_dict()), check_exact=False)
    assert exports.file_stem("outlets", ArticleFilter(story_id="a/b c", since="2019-01-01")) == \
        "outlets_a-b-c_2019-01-01"


def test_bundle_holds_tables_charts_and_methodology(catalogue: pd.DataFrame) -> None:
    table = queries.outlet_view(catalogue, SETTINGS)
    figure = charts.tone_interval_chart(table)
    meta = exports.methodology_json(ArticleFilter(outlets=("HuffPost",)), catalogue.head(5), queries.methodology())
    data = exports.bundle({"outlets": table}, {"tone": figure}, meta, images=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == {"tables/outlets.csv", "charts/tone.html", "methodology.json"}
        methodology = json.loads(archive.read("methodology.json"))
        assert b"plotly" in archive.read("charts/tone.html")[:5000].lower()
    assert methodology["query"]["outlets"] == ["HuffPost"]
    assert len(methodology["articles"]) == 5 and methodology["articles"][0]["content_hash"]
    assert "tone_vader" in {s["scorer"] for s in methodology["scorers"]}


def test_tone_cell_style() -> None:
    assert charts.tone_cell_style(0.01) == "" and charts.tone_cell_style(None) == ""
    assert charts.tone_cell_style(-0.8).startswith("background-color: rgba(214")
    assert charts.tone_cell_style(0.8).startswith("background-color: rgba(67")


def test_empty_store_help_names_the_commands() -> None:
    text = queries.empty_store_help("data/x.db")
    assert "python -m scrapers import" in text and "python -m analysis run --db data/x.db" in text
