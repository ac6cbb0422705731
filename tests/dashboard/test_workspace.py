"""The dashboard as an analyst's workspace: comparison sets, n everywhere, honest small-n, readable time.

Runs on a store built here from articles we write: one story from 26 outlets, most with one or two
articles (as real coverage is), two wires with six each, one stray article a year early.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import run as runner
from core.settings import Settings
from core.store import ArticleFilter, Store
from dashboard import charts, exports, framing, queries, sets
from scrapers.importer import import_files
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")
START = date(2025, 6, 2)
GOOD = "Officials praised the agreement as a strong and welcome success for both sides."
BAD = "Critics warned the deal was a disastrous failure that would hurt workers and cause anger."
PLAIN = "The two delegations met in London on {day} to discuss export licences for rare earth magnets."


def _articles() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    outlets = [("Wire One", 6, GOOD), ("Wire Two", 6, BAD)] + [(f"Paper {i:02d}", 1 + i % 2, PLAIN) for i in range(24)]
    for outlet, count, tone in outlets:
        for k in range(count):
            day = START + timedelta(days=(k * 3 + len(outlet)) % 14)
            body = " ".join([PLAIN.format(day=day.isoformat()), tone, tone, PLAIN.format(day="Monday")])
            rows.append({"id": f"{outlet}-{k}".replace(" ", "-").lower(), "outlet": outlet,
                         "url": f"https://{outlet.replace(' ', '').lower()}.example/{k}",
                         "title": f"{outlet} report {k} on the rare earth talks", "published": day.isoformat(),
                         "story_id": "talks", "text": body})
    rows.append({"id": "stray", "outlet": "Paper 00", "url": "https://paper00.example/old", "title": "An old piece",
                 "published": "2024-05-01", "story_id": "talks", "text": PLAIN.format(day="2024-05-01") + " " + BAD})
    return rows


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workspace")
    corpus = folder / "articles.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in _articles()), encoding="utf-8")
    db = folder / "store.db"
    settings = Settings.load({"db": str(db), "workers": 1})
    with Store.open(str(db)) as store:
        import_files([corpus], store, known={})
        runner.run(store, settings)
    return db


@pytest.fixture(scope="module")
def catalogue(store_db: Path) -> pd.DataFrame:
    return queries.catalogue(str(store_db), Settings.load({"db": str(store_db)}))


def test_the_comparison_set_says_what_it_left_out(catalogue: pd.DataFrame) -> None:
    table = queries.outlet_view(catalogue, Settings.load())
    cut = sets.comparison_set(table, top=5)
    assert cut.shown["outlet"].tolist()[:2] == ["Wire One", "Wire Two"]  # 6 articles each, ties by name
    assert len(cut.shown) == 5 and cut.total == 26
    assert cut.note.endswith("left out: 21 outlets with 1-2 articles each.")
    assert len(sets.comparison_set(table, show_all=True).shown) == 26
    assert sets.comparison_set(table, min_articles=3, show_all=True).shown["outlet"].tolist() == ["Wire One",
                                                                                               "Wire Two"]


def test_no_interval_below_five_articles_and_n_on_every_label(catalogue: pd.DataFrame) -> None:
    table = sets.hide_small_intervals(queries.outlet_view(catalogue, Settings.load()))
    small = table[table["articles"] < sets.MIN_ARTICLES_FOR_INTERVAL]
    assert len(small) == 24 and small[["tone_low", "tone_high"]].isna().all().all()
    big = table[table["articles"] >= sets.MIN_ARTICLES_FOR_INTERVAL]
    assert big[["tone_low", "tone_high"]].notna().all().all()
    figure = charts.tone_interval_chart(table)
    labels = [y for trace in figure.data for y in trace.y]
    assert "Wire One (n=6)" in labels and "Paper 01 (n=2)" in labels
    hollow = [t for t in figure.data if t.marker.symbol == "circle-open"]
    assert hollow and not hollow[0].error_x.visible  # small-n rows: no whisker
    # the wire that reads positive is right of the one that reads negative
    means = dict(zip(table["outlet"], table["tone_mean"]))
    assert means["Wire One"] > 0 > means["Wire Two"]


def test_group_view_adds_up_with_unknown_as_a_group(catalogue: pd.DataFrame) -> None:
    frame = catalogue.assign(country=catalogue["outlet"].map({"Wire One": "GB", "Wire Two": "US"}))
    table = queries.group_view(frame, Settings.load(), "country")
    assert table["articles"].sum() == len(frame)
    assert dict(zip(table["country"], table["outlets"])) == {"GB": 1, "US": 1, "unknown": 24}


@pytest.mark.parametrize("by", ["outlet", "country"])
def test_group_counts_rank_as_group_view_and_only_computes_the_shown_rows(catalogue: pd.DataFrame, by: str) -> None:
    frame = catalogue.assign(country=catalogue["outlet"].map({"Wire One": "GB", "Wire Two": "US"}))
    tone = [c for c in ("tone_vader.tone", "tone_news.tone") if c in frame]
    frame.loc[frame.index[:2], tone] = np.nan  # two articles not scored for tone
    settings = Settings.load()
    full = queries.group_view(frame, settings, by)
    counts = queries.group_counts(frame, by)
    pd.testing.assert_frame_equal(counts, full[[by, "articles", "scored"]].reset_index(drop=True))
    assert counts["scored"].sum() == len(frame) - 2
    shown = sets.comparison_set(counts, top=2, name=by).shown[by].tolist()
    part = queries.group_view(frame, settings, by, only=shown)
    assert part[by].tolist() == sorted(shown)
    pd.testing.assert_frame_equal(part.reset_index(drop=True),
                                  full[full[by].isin(shown)].reset_index(drop=True))


def test_time_axes_are_whole_periods_without_the_stray_article(catalogue: pd.DataFrame) -> None:
    assert sets.trim_stray(catalogue["day"]) == ("2025-06-02", 1)
    volume = queries.volume(catalogue)
    assert volume["period"].min() == "2025-06-02" and volume["articles"].sum() == len(catalogue) - 1
    days = sorted(volume["period"].unique())
    assert days == sets.all_periods(days[0], days[-1], "D")  # no day missing, empty ones zero
    figure = charts.volume_chart(volume, "D")
    assert figure.layout.xaxis.type == "category" and figure.data[0].x[0] == "Jun 2, 2025"
    over = queries.tone_over_time(catalogue, [queries.ALL_SELECTED, "Wire One"])
    wire = over[over["outlet"] == "Wire One"]
    assert wire["tone"].isna().all()  # never 3 Wire One articles on one day: no dot
    pooled = over[over["outlet"] == queries.ALL_SELECTED]
    assert (pooled.loc[pooled["articles"] >= 3, "tone"].notna()).all()


def test_frame_table_names_ties_and_never_shows_share_zero() -> None:
    cat = pd.DataFrame({"outlet": ["A", "A", "B"], "frames_generic.primary_conflict": [1.0, 0.0, 0.0],
                        "frames_generic.primary_economic": [0.0, 1.0, 0.0]})
    table = framing.primary_frames(cat).set_index("outlet")
    assert table.at["A", "primary_frame"] == "conflict = economic (tie)"
    assert pd.isna(table.at["B", "primary_frame"]) and pd.isna(table.at["B", "share"])


def test_downloads_carry_the_selection(catalogue: pd.DataFrame) -> None:
    flt = ArticleFilter(story_id="talks", outlets=("Wire One", "Wire Two", "Paper 01"))
    assert exports.file_stem("tone", flt) == "tone_talks_Wire-One-Wire-Two-1more"
    scorers = queries.methodology()
    meta = exports.methodology_json(flt, catalogue[["id", "outlet", "tone_vader.tone"]], scorers)
    assert [s["scorer"] for s in meta["scorers"]] == ["tone_vader"]  # only what produced the numbers
    stories = queries.stories(catalogue)
    assert "Wire One" in stories.iloc[0]["outlet_names"]


def test_home_opens_the_overview_and_compare_opens_on_a_set(store_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSLENS_DB", str(store_db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["story"] = "talks"
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]  # "/" hands over to /overview, parameters kept
    assert at.query_params["story"] in ("talks", ["talks"])
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    at.radio(key="compare_by")  # the outlets-or-groups choice is on the page
    caption = " ".join(c.value for c in at.caption)
    assert "The 15 outlets with the most articles (ties broken by name) of 26; left out: 11 outlets with 1 " \
           "article each." in caption


def test_the_catalogue_leaves_the_frame_sets_to_the_pages_that_show_them(store_db: Path,
                                                                        catalogue: pd.DataFrame) -> None:
    settings = Settings.load({"db": str(store_db)})
    assert not [c for c in catalogue.columns if c.startswith("frames_")]
    assert "tone_vader.tone" in catalogue.columns
    frames = queries.scorer_columns(str(store_db), settings, "frames_generic")
    joined = queries.with_scorers(catalogue, [frames])
    full = queries.catalogue(str(store_db), settings, lazy=())
    column = "frames_generic.frames_present"
    assert joined.set_index("id")[column].equals(full.set_index("id")[column].loc[joined["id"]])


def test_a_story_shows_its_events_as_a_timeline_and_filters_by_event(store_db: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from tests.helpers import run_cli

    db = tmp_path / "grouped.db"
    shutil.copy(store_db, db)
    grouped = run_cli("analysis", "stories", "--db", str(db))
    assert grouped.returncode == 0, grouped.stderr
    catalogue = queries.catalogue(str(db), Settings.load({"db": str(db)}))
    timeline = queries.story_events(catalogue, "talks")
    assert len(timeline) >= 2 and timeline["first_day"].is_monotonic_increasing
    assert timeline["articles"].sum() == (catalogue["story_id"] == "talks").sum()
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["story"] = "talks"
    at.run()
    event = timeline["event_id"].iloc[-1]
    at.selectbox(key="event_talks").set_value(event).run()
    assert not at.exception and at.query_params["event"] in (event, [event])
    caption = next(c.value for c in at.caption if " articles from " in c.value)
    assert caption.startswith(f"{int(timeline['articles'].iloc[-1])} articles from ")
    at.switch_page("app_pages/story.py").run()
    assert not at.exception and "Timeline" in [h.value for h in at.subheader]


def test_compare_by_outlet_type_and_country_from_the_outlets_table(tmp_path: Path) -> None:
    rows = [{"id": f"r{k}", "outlet": "Reuters", "url": f"https://www.reuters.com/world/{k}", "title": f"Talks {k}",
             "published": "2025-06-10", "text": PLAIN.format(day="Tuesday") + " " + GOOD} for k in range(3)]
    rows += [{"id": f"x{k}", "outlet": "Xinhua", "url": f"https://english.news.cn/{k}", "title": f"Talks {k}",
              "published": "2025-06-10", "text": PLAIN.format(day="Tuesday") + " " + BAD} for k in range(2)]
    rows += [{"id": "s1", "outlet": "Some Blog", "url": "https://someblog.example/1", "title": "Talks",
              "published": "2025-06-11", "text": PLAIN.format(day="Wednesday")}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "t.db"
    settings = Settings.load({"db": str(db), "workers": 1})
    with Store.open(str(db)) as store:
        import_files([corpus], store)  # the shipped outlets table
        runner.run(store, settings)
    catalogue = queries.catalogue(str(db), settings)
    assert {"type", "country", "region"} <= set(queries.group_fields(catalogue))
    by_type = queries.group_view(catalogue, settings, "type").set_index("type")
    assert by_type["articles"].to_dict() == {"state_affiliated": 2, "unknown": 1, "wire": 3}
    assert by_type.loc["wire", "tone_mean"] > 0 > by_type.loc["state_affiliated", "tone_mean"]
    by_country = queries.group_view(catalogue, settings, "country")
    assert by_country["articles"].sum() == len(rows) and "unknown" in set(by_country["country"])


def test_the_outlets_page_lists_gaps_first_and_a_correction_reaches_every_group(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.outlets import save_override
    from dashboard import outlet_edits

    rows = [{"id": f"r{k}", "outlet": "Reuters", "url": f"https://www.reuters.com/world/{k}", "title": f"Talks {k}",
             "published": "2025-06-10", "text": PLAIN.format(day="Tuesday")} for k in range(2)]
    rows += [{"id": "s1", "outlet": "Some Blog", "url": "https://someblog.example/1", "title": "Talks",
              "published": "2025-06-11", "text": PLAIN.format(day="Wednesday")}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "t.db"
    local = tmp_path / "outlets.local.toml"
    monkeypatch.setenv("PRESSLENS_OUTLETS_LOCAL", str(local))
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    with Store.open(str(db)) as store:
        import_files([corpus], store)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/outlets.py").run()
    assert not at.exception
    listing = at.dataframe[0].value
    assert listing["outlet"].tolist() == ["Some Blog", "Reuters"]  # the outlet with gaps first
    edited = listing.assign(country=["KE", "GB"], type=["blog_newsletter", "wire"])
    (name, change), = outlet_edits.changes(listing, edited)
    assert (name, change) == ("Some Blog", {"country": "KE", "type": "blog_newsletter"})
    save_override(local, name, change)
    catalogue = queries.catalogue(str(db), Settings.load({"db": str(db)}))
    assert catalogue.set_index("outlet").loc["Some Blog", "country"] == "KE"
    assert catalogue.set_index("outlet").loc["Some Blog", "region"] == "africa"


def test_tone_comes_from_one_labelled_measure_and_sign_disagreements_are_marked(catalogue: pd.DataFrame) -> None:
    assert queries.tone_measure(catalogue) == ("tone_news", "tone (news model)")  # it scored the whole store
    table = queries.outlet_view(catalogue, Settings.load())
    assert set(table["measure"]) == {"tone (news model)"}
    means = catalogue.groupby("outlet")["tone_news.tone"].mean()
    assert table.set_index("outlet")["tone_mean"].to_dict() == pytest.approx(means.round(4).to_dict(), abs=1e-4)
    vader_only = catalogue.drop(columns=[c for c in catalogue.columns if c.startswith("tone_news.")])
    assert set(queries.outlet_view(vader_only, Settings.load())["measure"]) == {"tone (VADER)"}
    split = queries.disagreements(catalogue)
    assert len(split) == 26 and split["signs_disagree"].dtype == bool
    flipped = catalogue.assign(**{"tone_vader.tone": -catalogue["tone_news.tone"]})
    marked = queries.disagreements(flipped).set_index("outlet")
    assert marked.loc["Wire One", "signs_disagree"] and marked.loc["Wire Two", "signs_disagree"]
    assert queries.disagreements(vader_only).empty


def test_the_ledger_counts_articles_read_off_their_publishers_site(tmp_path: Path) -> None:
    rows = [{"id": "r1", "outlet": "Reuters", "url": "https://www.reuters.com/world/1", "title": "Talks",
             "published": "2025-06-10", "text": PLAIN.format(day="Tuesday")},
            {"id": "r2", "outlet": "Reuters", "url": "https://www.msn.com/en-us/news/2", "title": "Talks",
             "published": "2025-06-10", "text": PLAIN.format(day="Tuesday")},
            {"id": "b1", "outlet": "Coastline Post", "url": "https://coastlinepost.example/1", "title": "Talks",
             "published": "2025-06-10", "text": PLAIN.format(day="Tuesday")}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "t.db"
    settings = Settings.load({"db": str(db)})
    with Store.open(str(db)) as store:
        import_files([corpus], store)
    ledger = queries.quality_ledger(str(db), queries.catalogue(str(db), settings), settings)
    away = ledger[ledger["issue"].str.startswith("read on another site")]
    assert away[["outlet", "count"]].values.tolist() == [["Reuters", 1]]
    assert "MSN" in away["issue"].iloc[0] or "msn" in away["issue"].iloc[0]
    from core.outlet_profiles import outlet_listing

    with Store.open(str(db), readonly=True) as store:
        listing = outlet_listing(store).set_index("outlet")["read_elsewhere"].to_dict()
    assert listing == {"Coastline Post": 0, "Reuters": 1}  # its own domain is no re-post


def test_a_publishers_story_reposted_by_many_hosts_counts_once(tmp_path: Path) -> None:
    """Reuters' story read on three sites is one Reuters article in every comparison; the ledger counts copies."""
    from analysis.compare.report import outlet_report

    rows = [{"id": f"r{k}", "outlet": "Reuters", "url": f"https://site{k}.example/reuters-story",
             "title": "Talks end", "published": "2025-06-10", "text": PLAIN.format(day="Tuesday") + " " + BAD}
            for k in range(3)]
    rows += [{"id": "r9", "outlet": "Reuters", "url": "https://www.reuters.com/other", "title": "Other",
              "published": "2025-06-11", "text": PLAIN.format(day="Wednesday") + " " + GOOD}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "t.db"
    settings = Settings.load({"db": str(db), "workers": 1})
    with Store.open(str(db)) as store:
        import_files([corpus], store)
        runner.run(store, settings, ["tone_vader"])
        ids = store.articles(columns=["outlet", "title"]).set_index("id")
        copies = [i for i, title in ids["title"].items() if title == "Talks end"]
        store.write_syndication(pd.DataFrame({
            "id": copies, "group_id": "g1", "group_size": 3, "n_outlets": 1, "is_original": [True, False, False],
            "similarity": 1.0, "wire": "Reuters", "agency": "Reuters"}))
        report = outlet_report(store, ArticleFilter(), settings)
    assert report.set_index("outlet").at["Reuters", "articles"] == 2  # the story once, and the other one
    catalogue = queries.catalogue(str(db), settings)
    assert int(catalogue["repost_copy"].sum()) == 2
    view = queries.outlet_view(catalogue, settings).set_index("outlet")
    assert view.at["Reuters", "articles"] == 2
    ledger = queries.quality_ledger(str(db), catalogue, settings)
    counted = ledger[ledger["issue"].str.startswith("re-posted copy")]
    assert counted[["outlet", "count"]].values.tolist() == [["Reuters", 2]]
