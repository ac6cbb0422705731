"""The dashboard as Streamlit runs it (AppTest): every page, every filter, on the sample store we wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.fixtures import corpus
from tests.fixtures.sample_store import build_sample_store

APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = sorted(p.relative_to(REPO_ROOT / "dashboard").as_posix()
               for p in (REPO_ROOT / "dashboard" / "app_pages").glob("*.py") if p.name != "__init__.py")
OUTLETS = sorted(corpus.OUTLETS)
TWO = ["Harbor Ledger", "Northgate Tribune"]


def param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def start(db: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None, **params: object) -> AppTest:
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def frame_with(at: AppTest, column: str):
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(sample_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = start(sample_db, monkeypatch, page)
    assert at.title[0].value
    assert not at.get("error")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_every_filter(sample_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = start(sample_db, monkeypatch, page)
    at.multiselect(key="outlets").set_value(TWO).run()
    assert not at.exception
    if any(m.key == "groups" for m in at.multiselect):  # outlet groups exist once outlets carry ratings
        at.multiselect(key="groups").set_value([at.multiselect(key="groups").options[0]]).run()
        assert not at.exception
    at.text_input(key="search").set_value("Ruiz").run()
    assert not at.exception
    at.radio(key="scope").set_value("Story").run()
    assert not at.exception
    at.selectbox(key="story").set_value(at.selectbox(key="story").options[-1]).run()
    assert not at.exception
    assert param(at, "outlet") == TWO and param(at, "q") == ["Ruiz"] and param(at, "story")


def test_compare_table_shows_every_outlet_with_tone(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/compare.py")
    table = frame_with(at, "tone_mean")
    assert table["outlet"].tolist() == ["Harbor Ledger", "Northgate Tribune", "Valley Courier", "Metro Daily",
                                        "Coastline Post", "Riverside Bulletin"]  # largest first: 9, 8, 7, 5, 4, 3
    assert table["tone_mean"].notna().all()
    big = table["articles"] >= 5
    assert (table.loc[big, "tone_low"] < table.loc[big, "tone_high"]).all()
    assert table.loc[~big, ["tone_low", "tone_high"]].isna().all().all()  # no interval from 3 or 4 articles
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) >= 5  # table CSVs and the chart's PNG, SVG, HTML


def test_filters_change_the_table_and_the_url(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/compare.py")
    at.multiselect(key="outlets").set_value(["Harbor Ledger"]).run()
    assert frame_with(at, "tone_mean")["outlet"].tolist() == ["Harbor Ledger"]
    assert frame_with(at, "tone_mean")["articles"].sum() == 9
    assert param(at, "outlet") == ["Harbor Ledger"]
    at.radio(key="scope").set_value("Story").run()
    story = at.selectbox(key="story").options[1]
    at.selectbox(key="story").set_value(story).run()
    assert frame_with(at, "tone_mean")["articles"].sum() == 3  # Harbor Ledger told each story three times
    assert param(at, "story")


def test_url_reopens_the_view(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/compare.py", outlet=TWO, since="2026-03-05")
    table = frame_with(at, "tone_mean")
    assert table["outlet"].tolist() == TWO
    assert table["first_published"].min() >= "2026-03-05"
    assert table["articles"].tolist() == [5, 4]  # from 5 March on


def test_search_narrows_to_matching_articles(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/articles.py", q='"Linden Street"')
    listing = frame_with(at, "title")
    everything = start(sample_db, monkeypatch, "app_pages/articles.py")
    assert 0 < len(listing) < len(frame_with(everything, "title")) == 36
    assert listing["title"].str.contains("bridge", case=False).any()


def test_target_tone_shows_sentences(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/tone.py")
    at.text_input(key="target").set_value("Ruiz").run()
    assert not at.exception
    summary = frame_with(at, "target")
    assert set(summary["outlet"]) == set(OUTLETS) - {corpus.NO_METADATA_OUTLET}  # the Bulletin never names her
    evidence = frame_with(at, "sentence")
    assert evidence["sentence"].str.contains("Ruiz", case=False).all()
    at.radio(key="target_scorer").set_value(at.radio(key="target_scorer").options[1]).run()
    assert not at.exception
    assert set(frame_with(at, "target")["scorer"]) == {"news"}


def test_empty_store_explains_how_to_fill_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSLENS_DB", str(tmp_path / "empty.db"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "python -m scrapers import" in at.info[0].value
    assert not at.dataframe


def test_framing_heatmap_switches_sets_and_shows_evidence(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/framing.py")
    shares = frame_with(at, "with_frame")
    assert sorted(shares["outlet"].unique()) == OUTLETS and shares["frame"].nunique() == 5
    big = shares["articles"] >= 5
    assert (shares.loc[big, "low"] <= shares.loc[big, "high"]).all()
    assert shares.loc[~big, ["low", "high"]].isna().all().all()  # Coastline Post (4), Riverside Bulletin (3)
    # It opens on the largest outlet and its most common frame: Harbor Ledger's human-interest pieces (4 of 9).
    assert at.selectbox(key="frame_outlet").value == "Harbor Ledger"
    assert at.selectbox(key="frame_key").value == "human_interest"
    assert set(frame_with(at, "cue_hits")["outlet"]) == {"Harbor Ledger"}
    at.selectbox(key="frame_outlet").set_value("Coastline Post").run()
    at.selectbox(key="frame_key").set_value("conflict").run()
    assert not any("cue_hits" in d.value.columns for d in at.dataframe)  # its four pieces have no conflict frame
    assert any("No cue sentence" in i.value for i in at.info)
    at.selectbox(key="frame_outlet").set_value("Northgate Tribune").run()
    evidence = frame_with(at, "cue_hits")
    assert set(evidence["outlet"]) == {"Northgate Tribune"} and evidence["sentence"].all()
    at.radio(key="frame_set").set_value("frames_policy").run()
    assert frame_with(at, "with_frame")["frame"].nunique() == 15
    at.radio(key="frame_kind").set_value("primary").run()
    at.radio(key="frame_period").set_value("W").run()
    assert not at.exception
    weekly = frame_with(at, "period")
    assert weekly["articles"].groupby(weekly["period"]).first().sum() == 35  # every article but the undated one
    at.multiselect(key="outlets").set_value(["Harbor Ledger"]).run()
    assert frame_with(at, "with_frame")["outlet"].unique().tolist() == ["Harbor Ledger"]
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("view", ["terms", "entities", "facets", "timing"])
def test_emphasis_views(sample_db: Path, monkeypatch: pytest.MonkeyPatch, view: str) -> None:
    at = start(sample_db, monkeypatch, "app_pages/emphasis.py")
    at.radio(key="emphasis_view").set_value(view).run()
    assert not at.exception
    column = {"terms": "z", "entities": "salience_share", "facets": "facet_sentences", "timing": "first_rank"}[view]
    table = frame_with(at, column)
    assert sorted(table["outlet"].unique()) == OUTLETS
    if view != "timing":
        assert any("Computed on all 36 selected articles" in c.value for c in at.caption)
        at.multiselect(key="outlets").set_value(TWO).run()
        assert sorted(frame_with(at, column)["outlet"].unique()) == TWO
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("more", ["frames", "terms", "speakers", "brief"])
def test_compare_additions(sample_db: Path, monkeypatch: pytest.MonkeyPatch, more: str) -> None:
    at = start(sample_db, monkeypatch, "app_pages/compare.py")
    at.radio(key="scope").set_value("Story").run()
    at.radio(key="compare_more").set_value(more).run()
    assert not at.exception
    if more == "frames":
        primary = frame_with(at, "primary_frame")
        assert sorted(primary["outlet"]) == OUTLETS and primary["articles"].is_monotonic_decreasing
    elif more == "terms":
        assert set(frame_with(at, "top_terms")["outlet"]) <= set(OUTLETS)
    elif more == "speakers":
        assert set(frame_with(at, "speaker_type")["outlet"]) <= set(OUTLETS)
    else:
        statements = frame_with(at, "statement")
        assert set(statements["outlet"]) <= {*OUTLETS, "(differences)"} and len(statements) >= 3
        citations = frame_with(at, "sentence")
        assert citations["url"].dropna().str.startswith("https://").all()
        no_url = citations["outlet"] == corpus.NO_METADATA_OUTLET  # its articles came without a url
        assert citations.loc[no_url, "url"].isna().all() and citations.loc[~no_url, "url"].notna().all()
        assert {b.label for b in at.get("download_button")} >= {"Brief as Markdown", "Brief as JSON"}


def test_brief_asks_for_a_story_on_a_large_selection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_sample_store(tmp_path / "twice.db", score=False, copies=2)  # 72 articles: more than a brief reads
    at = start(db, monkeypatch, "app_pages/compare.py")
    at.radio(key="compare_more").set_value("brief").run()
    asked = [i.value for i in at.info if "pick a story" in i.value]  # (the other info: this store is unscored)
    assert len(asked) == 1 and "at most 60 articles (now 72)" in asked[0]


def test_story_page_shows_and_downloads_the_digest(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start(sample_db, monkeypatch, "app_pages/story.py")
    story = at.selectbox(key="digest_story").options[2]
    at.selectbox(key="digest_story").set_value(story).run()
    assert not at.exception and param(at, "digest")
    labels = {b.label for b in at.get("download_button")}
    assert {"Digest as MD", "Digest as HTML", "Digest as JSON"} <= labels
    cited = frame_with(at, "title")
    assert cited["url"].dropna().str.startswith("http").all()
    short = [e.label for e in at.expander]  # the short digest, one expandable section each (issue 20)
    assert short[:4] == ["What's happened", "Key insights", "The figures the outlets cite", "What the papers say"]
    at.toggle(key="digest_full").set_value(True).run()
    assert not at.exception and len(at.expander) == len(short)
