"""The dashboard's pure layer (no streamlit): queries, charts, exports, on the sample store we wrote."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from core.settings import Settings
from core.store import ArticleFilter, Store
from core.urls import url_host
from dashboard import charts, exports, framing, queries
from tests.fixtures import corpus

SETTINGS = Settings.load(environ={})
ROWS = corpus.articles()
OUTLETS = tuple(sorted(corpus.OUTLETS))


def corpus_ids(keep: object) -> set[str]:
    """Return the stored ids of the corpus articles ``keep(row)`` accepts."""
    return {corpus.stored_id(r["id"]) for r in ROWS if keep(r)}  # type: ignore[operator]


@pytest.fixture(scope="module")
def catalogue(sample_db: Path) -> pd.DataFrame:
    return queries.catalogue(str(sample_db), SETTINGS, lazy=())


def test_catalogue_and_options(catalogue: pd.DataFrame) -> None:
    options = queries.filter_options(catalogue)
    assert options.outlets == OUTLETS
    assert sorted(options.stories) == sorted(corpus.STORIES) and options.articles == len(ROWS) == 36
    assert all(" · 6 outlets · 2026-03-0" in options.story_labels[s] for s in options.stories)  # outlets, dates
    assert options.story_labels["sample-bridge"].startswith("Linden Street Bridge collapses")  # the first article
    assert catalogue["tone_vader.tone"].notna().all()
    assert catalogue.groupby("outlet").size().to_dict() == {"Coastline Post": 4, "Harbor Ledger": 9, "Metro Daily": 5,
                                                            "Northgate Tribune": 8, "Riverside Bulletin": 3,
                                                            "Valley Courier": 7}


def test_the_grim_article_scores_negative_and_the_glad_one_positive(catalogue: pd.DataFrame) -> None:
    tone = catalogue.set_index("id")["tone_vader.tone"]
    grim, glad = corpus.stored_id(corpus.NEGATIVE_ARTICLE), corpus.stored_id(corpus.POSITIVE_ARTICLE)
    assert tone[grim] < -0.3 and tone.idxmin() == grim  # "Four killed, eleven injured as neglected bridge collapses"
    assert tone[glad] > 0.3 and tone.idxmax() == glad  # "Residents celebrate as council approves ... park"


def test_in_memory_filter_matches_the_store(sample_db: Path, catalogue: pd.DataFrame) -> None:
    flt = ArticleFilter(outlets=("Harbor Ledger", "Northgate Tribune"), since="2026-03-04", until="2026-03-06")
    with Store.open(sample_db, readonly=True) as store:
        expected = set(store.articles(flt)["id"])
    in_memory = set(queries.apply_filter(catalogue, flt)["id"])
    assert in_memory == expected == corpus_ids(
        lambda r: r["outlet"] in flt.outlets and "2026-03-04" <= (r["published"] or "")[:10] <= "2026-03-06")
    assert len(in_memory) == 9
    matching = queries.search_ids(str(sample_db), "Ruiz", SETTINGS)
    searched = queries.apply_filter(catalogue, ArticleFilter(search="Ruiz"), matching)
    assert set(searched["id"]) == corpus_ids(lambda r: "Ruiz" in r["title"] + r["text"])
    assert len(searched) == 9


def test_outlet_view_equals_the_cli_report(sample_db: Path, catalogue: pd.DataFrame) -> None:
    from analysis.compare.report import outlet_report

    with Store.open(sample_db, readonly=True) as store:
        report = outlet_report(store, ArticleFilter(), SETTINGS)
    view = queries.outlet_view(catalogue, SETTINGS)
    pd.testing.assert_frame_equal(view.reset_index(drop=True), report.reset_index(drop=True), check_dtype=False)
    by_outlet = view.set_index("outlet")
    assert by_outlet.at["Northgate Tribune", "tone_high"] < 0  # the outlet that wrote every story grimly
    assert by_outlet.at["Harbor Ledger", "tone_low"] > 0 > by_outlet.at["Northgate Tribune", "tone_mean"]
    assert by_outlet.at["Harbor Ledger", "first_published"] == "2026-03-02T21:40:00"


def test_volume_stories_and_ledger(sample_db: Path, catalogue: pd.DataFrame) -> None:
    volume = queries.volume(catalogue)
    assert volume["articles"].sum() == catalogue["day"].notna().sum() == 35  # one article is undated
    assert queries.period_for(catalogue) == "D"  # the corpus spans eight days
    assert volume["period"].min() == corpus.FIRST_DAY and volume["period"].max() == corpus.LAST_DAY
    stories = queries.stories(catalogue).set_index("story_id")
    assert stories["articles"].to_dict() == {"sample-bridge": 13, "sample-strike": 12, "sample-park": 11}
    assert (stories["outlets"] == 6).all() and set(stories["first_outlet"]) == {"Harbor Ledger"}
    assert stories.at["sample-bridge", "first_day"] == "2026-03-02" and stories.at["sample-strike", "last_day"] == \
        "2026-03-09"
    ledger = queries.quality_ledger(str(sample_db), catalogue, SETTINGS)
    assert ledger.to_dict("records") == [
        {"issue": "missing publication date", "outlet": corpus.NO_METADATA_OUTLET, "count": 1}]


def test_the_stories_table_shows_each_story_under_its_one_label(catalogue: pd.DataFrame) -> None:
    labelled = catalogue.assign(story_label=catalogue["story_id"].map({"sample-bridge": "Bridge closes for repairs"}))
    headlines = queries.stories(labelled).set_index("story_id")["headline"]
    assert headlines["sample-bridge"] == "Bridge closes for repairs"  # the grouping's label, as the sidebar offers it
    earliest = catalogue[catalogue["story_id"] == "sample-strike"].sort_values(["published", "outlet"])["title"]
    assert headlines["sample-strike"] == earliest.iloc[0]  # no label: the earliest headline


def test_target_tone_cites_sentences_that_mention_the_target(sample_db: Path, catalogue: pd.DataFrame) -> None:
    summary, evidence = queries.target_tone(str(sample_db), catalogue, "Ruiz", SETTINGS)
    mentions = pd.Series([r["outlet"] for r in ROWS if "Ruiz" in r["text"]]).value_counts()
    assert summary.set_index("outlet")["articles"].to_dict() == mentions.to_dict()  # Harbor Ledger: 5
    assert (summary["sentences"] >= summary["articles"]).all()
    assert evidence["sentence"].str.contains("ruiz", case=False).all()
    assert evidence["tone"].between(-1, 1).all()


def test_target_tone_with_the_news_model_scores_the_same_mentions(sample_db: Path, catalogue: pd.DataFrame) -> None:
    vader, vader_evidence = queries.target_tone(str(sample_db), catalogue, "Ruiz", SETTINGS)
    news, news_evidence = queries.target_tone(str(sample_db), catalogue, "Ruiz", SETTINGS, scorer="news")
    cap = queries.NEWS_TARGET_MAX_MENTIONS
    assert len(news_evidence) == min(len(vader_evidence), cap) and set(news["scorer"]) == {"news"}
    assert news_evidence["tone"].between(-1, 1).all() and news_evidence["tone"].nunique() > 5
    # a different model: the two disagree on some sentences
    merged = vader_evidence.merge(news_evidence, on=["article_id", "sentence_index"], suffixes=("_v", "_n"))
    assert (merged["tone_v"] - merged["tone_n"]).abs().max() > 0.2


def test_article_sentences_carry_their_scores(sample_db: Path, catalogue: pd.DataFrame) -> None:
    article_id = corpus.stored_id(corpus.NEGATIVE_ARTICLE)
    article, sentences = queries.article_sentences(str(sample_db), article_id, SETTINGS)
    row = catalogue.set_index("id").loc[article_id]
    assert len(sentences) == row["tone_vader.sentences"] == 10
    assert sentences["tone_vader.tone"].mean() == pytest.approx(row["tone_vader.tone"])
    assert all(s in article["text"] for s in sentences["sentence"])
    assert sentences["sentence"].iloc[0].startswith("Four people were killed")


def test_chart_has_one_point_per_outlet_and_a_light_template(catalogue: pd.DataFrame) -> None:
    table = queries.outlet_view(catalogue, SETTINGS)
    figure = charts.tone_interval_chart(table)
    traces = {trace.name: trace for trace in figure.data}
    big = table["articles"] >= 5
    assert sorted(traces["95% interval"].y) == sorted(f"{o} (n={n})" for o, n in
                                                      zip(table.loc[big, "outlet"], table.loc[big, "articles"]))
    assert list(traces["95% interval"].x) == sorted(table.loc[big, "tone_mean"])
    small = traces["too few articles for an interval"]  # a hollow dot, no whisker
    assert sorted(small.y) == ["Coastline Post (n=4)", "Riverside Bulletin (n=3)"] and not small.error_x.visible
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


def test_article_meta_is_the_catalogue_without_scores_and_groups(sample_db: Path, catalogue: pd.DataFrame) -> None:
    meta = queries.article_meta(str(sample_db), SETTINGS)
    scores = [c for c in catalogue.columns if "." in c]
    groups = [*(f for f in queries.GROUP_FIELDS if f != "language"), "outlet_language", "inferred_fields"]
    assert scores and list(meta.columns) == [c for c in catalogue.columns if c not in {*scores, *groups}]
    pd.testing.assert_frame_equal(meta, catalogue[meta.columns])
    assert queries.filter_options(meta) == queries.filter_options(catalogue)  # the sidebar needs no scores
    # the catalogue built on the cached metadata is the one built from scratch, column for column
    pd.testing.assert_frame_equal(queries.catalogue(str(sample_db), SETTINGS, lazy=(), meta=meta), catalogue)


def test_the_filter_and_the_ledger_read_the_same_rows_as_before(catalogue: pd.DataFrame) -> None:
    ids = set(catalogue["id"].iloc[::3])
    assert set(queries.apply_filter(catalogue, ArticleFilter(), frozenset(ids))["id"]) == ids
    assert queries.members(catalogue["id"], ids).sum() == len(ids) == 12
    urls = catalogue["url"].dropna()
    cut = queries.host_urls(urls)
    assert len(urls) > 30 and (cut.str.count("/") == 2).all()
    assert [url_host(u) for u in cut] == [url_host(u) for u in urls]  # outlet groups infer from the same hosts


def test_heatmap_rows_carry_their_n_with_the_largest_on_top() -> None:
    shares = pd.DataFrame({"outlet": ["Beta", "Beta", "Alpha", "Alpha", "Gamma", "Gamma"],
                           "label": ["Conflict", "Economic"] * 3, "share": [0.5, 0.25, 1.0, 0.0, 0.2, 0.4],
                           "articles": [4, 4, 1, 1, 4, 4]})
    figure = charts.heatmap(shares, row="outlet", column="label", value="share", title="t")
    assert list(figure.data[0].y) == ["Alpha (n=1)", "Gamma (n=4)", "Beta (n=4)"]  # drawn bottom-up: Beta on top
    assert figure.data[0].z[2].tolist() == [0.5, 0.25]


def test_compare_reads_the_same_numbers_from_the_tone_only_catalogue(sample_db: Path) -> None:
    full = queries.catalogue(str(sample_db), SETTINGS)
    with Store.open(sample_db, readonly=True) as store:
        others = [s for s in store.scorers_present() if s not in ("tone_news", "tone_vader")]
    assert others  # the sample store has other scorers, left out below
    tone = queries.catalogue(str(sample_db), SETTINGS, lazy=others)
    assert not [c for c in tone.columns if c.split(".")[0] in others]
    assert len(tone.columns) < len(full.columns) and "country" in tone.columns
    for by in ("outlet", "country"):
        pd.testing.assert_frame_equal(queries.group_view(tone, SETTINGS, by), queries.group_view(full, SETTINGS, by))
        pd.testing.assert_frame_equal(queries.group_counts(tone, by), queries.group_counts(full, by))
    frames = queries.scorer_columns(str(sample_db), SETTINGS, "frames_generic")
    shares = framing.frame_shares(queries.with_scorers(tone, [frames]), "frames_generic", SETTINGS)
    assert len(shares) and shares["share"].notna().any()
    pd.testing.assert_frame_equal(shares, framing.frame_shares(queries.with_scorers(full, [frames]), "frames_generic",
                                                               SETTINGS))
