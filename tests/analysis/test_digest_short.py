"""The short digest on a small store built here: themes, contrasts, blindspots, page furniture, the word budget."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.__main__ import add_digest_parser, cmd_digest
from analysis.digest.build import build_digest
from analysis.digest.contrasts import blindspots, find_contrasts, group_value
from analysis.digest.render import render_markdown
from analysis.digest.sections import sentence_table
from analysis.digest.short import MAX_PAPERS_WORDS, central_headline, markdown_words, section_words
from analysis.digest.themes import find_themes
from analysis.text.furniture import byline_names, furniture_flags, is_furniture, is_transcript, staff_names
from core.schema import Article
from core.settings import Settings
from core.store import Store

PLACES = ("Kerrville", "Hunt", "Ingram", "Comfort", "Center Point", "Junction", "Mason", "Llano", "Fredericksburg",
          "Boerne", "Bandera", "Medina")
LEFT = ("Alpha Daily", "Beta Post", "Gamma Times", "Delta Herald", "Epsilon News")
RIGHT = ("Zeta Wire", "Eta Journal", "Theta Courier", "Iota Record", "Kappa Observer")


def _text(outlet: str, lean: str, k: int) -> str:
    """An article: three shared sentences on the toll, then five on its side's theme, with a byline and a credit."""
    places = PLACES[k:] + PLACES[:k]
    shared = [f"The death toll from the floods in {places[0]} rose to {100 + k} on Monday, county officials said.",
              f"Rescue crews searched the river banks near {places[1]} for people still missing after the floods.",
              f"Heavy rain pushed the river over its banks near {places[2]} before dawn, flooding homes and camps."]
    if lean == "left":
        side = [f"Residents of {p} said the county alert system sent no warning text until hours after the water rose."
                for p in places[3:7]]
        side.append(f"Critics in {places[7]} asked why the county never installed flood sirens along the river.")
    else:
        side = [f"The president promised federal disaster aid to {p} and praised the state emergency crews."
                for p in places[3:7]]
        side.append(f"Federal disaster aid for {places[7]} will cover rebuilding costs, the president said.")
    byline = f"By Jane Roe and John Doe\n\nCredit...Mary Major/{outlet}\n\n"
    return byline + " ".join(shared[:1]) + "\n\n" + " ".join(shared[1:] + side)


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    db = tmp_path / "small.db"
    articles = []
    for k, outlet in enumerate(LEFT + RIGHT):
        lean = "left" if outlet in LEFT else "right"
        title = ("Floods kill more than 100 as search for the missing goes on" if k % 3 else
                 f"Why did no warning reach {PLACES[k]}?" if lean == "left" else "President pledges aid after floods")
        articles.append(Article(id=f"a{k:02d}", outlet=outlet, title=title, text=_text(outlet, lean, k),
                                url=f"https://example{k}.com/floods", published=f"2025-07-0{5 + k % 4}",
                                story_id="floods"))
    articles.append(Article(id="z99", outlet="Lambda Centre", title="Budget passes", url="https://lambda.example/b",
                            text="The council passed the budget on Monday after a long debate about parks and roads.",
                            published="2025-07-01", story_id="budget"))
    with Store.open(db) as store:
        store.upsert_outlets([{"name": o, "bias": "left" if o in LEFT else "right"} for o in LEFT + RIGHT]
                             + [{"name": "Lambda Centre", "bias": "center"}])
        store.upsert_articles(articles)
    return db


def _settings(db: Path) -> Settings:
    return Settings.load({"db": str(db)}, environ={})


# ------------------------------------------------------------------------------------------ page furniture
def test_furniture_is_caption_credit_byline_or_stamp() -> None:
    for line in ("Credit...Keith Bradsher/The New York Times", "hide caption", "Shoppers in a mall. (Image: Bloomberg)",
                 "By GEIR MOULSON and KIRSTEN GRIESHABER", "Jan 7, 2025 - 21:00",
                 "A helicopter flies over the river, Friday, July 4, 2025, in Kerrville, Texas.",
                 "Trucks lie tilted in a park on Sunday. Patricia Lim/KUT"):
        assert is_furniture(line), line
    for line in ("China controls about 90% of rare earth refining.", "The ratio was 50/50 in the end.",
                 "By the end of the week, crews had contained the fire."):
        assert not is_furniture(line), line


def test_a_caption_is_the_sentence_before_a_credit() -> None:
    assert furniture_flags(["Crews dig at the camp on Sunday.", "Jim Vondruska / Getty Images", "Rain fell."]) == [
        True, True, False]
    assert furniture_flags(["Crews dig on Sunday.", "Jim Vondruska", "/", "Getty Images", "Rain fell here."]) == [
        True, True, True, True, False]
    # a sign-off after a real sentence is not a credit line; a URL is not a credit piece
    assert furniture_flags(["Tariffs exclude phones.", "Reuters"]) == [False, False]
    assert furniture_flags(["Wiese said talks are open.", "https://p.dw.com/p/4r3TI", "Advertisement"])[0] is False


def test_byline_and_credit_names_are_staff() -> None:
    assert byline_names("By Chad Terhune and Jorge Garcia LOS ANGELES (Reuters) - Crews braced.") == {
        "Chad Terhune", "Jorge Garcia"}
    assert byline_names("Credit...Keith Bradsher/The New York Times") == {"Keith Bradsher"}
    assert "Bradsher" in staff_names(["Credit...Keith Bradsher/The New York Times"])
    assert is_transcript("BLITZER: Good evening.\nSMITH: Thanks.\nBLITZER: What next?\nSMITH: We wait.")
    assert not is_transcript("The minister said: we wait. Nothing else was said.")


def test_missing_group_values_are_unknown() -> None:
    assert [group_value(v) for v in (None, float("nan"), "", "nan", "left")] == [
        "unknown", "unknown", "unknown", "unknown", "left"]


# ------------------------------------------------------------------------------------------ themes and contrasts
def _frames(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store.open(db, readonly=True) as store:
        articles = store.articles(with_text=True)
    articles = articles[articles["story_id"] == "floods"].reset_index(drop=True)
    return articles, sentence_table(articles)


def test_themes_are_named_by_phrases_not_outlets_or_staff(small_store: Path) -> None:
    articles, table = _frames(small_store)
    names = [*articles["outlet"], *staff_names(articles["text"])]
    themes = find_themes(table, names=names)
    assert 2 <= len(themes) <= 6
    words = {w for t in themes for p in t.phrases for w in p.split()}
    assert not words & {"alpha", "daily", "zeta", "wire", "jane", "roe", "mary", "major", "credit"}
    labels = " | ".join(t.label for t in themes)
    assert any(w in labels for w in ("alert", "warning", "sirens")), labels
    assert any(w in labels for w in ("aid", "federal", "disaster")), labels
    for theme in themes:  # the statement is a stored sentence of the theme, never furniture
        assert theme.statement in theme.rows
        assert not is_furniture(table.at[theme.statement, "sentence"])


def test_group_contrast_is_tested_and_names_both_sides(small_store: Path) -> None:
    articles, table = _frames(small_store)
    themes = find_themes(table, names=list(articles["outlet"]))
    groups = pd.DataFrame({"outlet": list(LEFT + RIGHT), "bias3": ["left"] * 5 + ["right"] * 5})
    contrasts, n_tests = find_contrasts(table, themes, articles, groups)
    assert n_tests >= 2 * len(themes)  # bias3 left and right, each against the other, per theme
    tested = [c for c in contrasts if c.q is not None]
    assert tested, contrasts
    left = next(c for c in tested if c.a == "bias3: left")
    assert left.q is not None and left.q < 0.1 and left.a_n == 5 and left.b_n == 5
    assert any(w in themes[left.a_theme].label for w in ("alert", "warning", "sirens"))
    assert table.at[left.a_row, "outlet"] in LEFT and table.at[left.b_row, "outlet"] in RIGHT


def test_a_contrast_quotes_the_typical_sentence_that_adds_most(small_store: Path) -> None:
    from analysis.digest.contrasts import QUOTE_POOL
    from analysis.digest.themes import side_rows

    articles, table = _frames(small_store)
    themes = find_themes(table, names=list(articles["outlet"]))
    groups = pd.DataFrame({"outlet": list(LEFT + RIGHT), "bias3": ["left"] * 5 + ["right"] * 5})
    plain = next(c for c in find_contrasts(table, themes, articles, groups)[0] if c.a == "bias3: left")
    left_ids = {a for a, o in zip(articles["id"], articles["outlet"]) if o in LEFT}
    pool = side_rows(table, themes[plain.a_theme], left_ids, max_words=35)[:QUOTE_POOL]
    assert len(pool) > 1 and plain.a_row == pool[0]  # without a gain: the most typical sentence
    wanted = str(table.at[pool[-1], "sentence"])  # the least typical of the pool adds the most here

    contrasts, _ = find_contrasts(table, themes, articles, groups, gain=lambda s: float(s == wanted))
    left = next(c for c in contrasts if c.a == "bias3: left")
    assert left.a_theme == plain.a_theme and table.at[left.a_row, "sentence"] == wanted


def test_a_significant_group_contrast_leads_as_the_main_divide(small_store: Path) -> None:
    from analysis.digest.contrasts import contrasts_section, group_coverage
    from analysis.digest.sections import cite

    articles, table = _frames(small_store)
    themes = find_themes(table, names=list(articles["outlet"]))
    groups = pd.DataFrame({"outlet": list(LEFT + RIGHT), "bias3": ["left"] * 5 + ["right"] * 5})
    contrasts, n_tests = find_contrasts(table, themes, articles, groups)
    section = contrasts_section(table, themes, contrasts, [], cite, {o: 1 for o in LEFT + RIGHT}, n_tests,
                                coverage=group_coverage(articles, groups))
    assert section.items[0].heading == "Main divide"
    assert section.items[0].text.startswith("bias3: ") and "q = " in section.items[0].text
    assert sum(i.heading == "Main divide" for i in section.items) == 1
    assert not any(i.heading == "Outlet groups" for i in section.items)  # the divide says it; no empty line


def test_a_group_gap_that_is_not_significant_is_a_lead_with_its_q(small_store: Path) -> None:
    from analysis.digest.contrasts import contrasts_section, group_coverage
    from analysis.digest.sections import cite

    articles, table = _frames(small_store)
    themes = find_themes(table, names=list(articles["outlet"]))
    # every outlet has a group, but each group holds one outlet of the other kind: no significant difference
    groups = pd.DataFrame({"outlet": list(LEFT + RIGHT), "bias3": ["left"] * 4 + ["right", "left"] + ["right"] * 4})
    contrasts, n_tests = find_contrasts(table, themes, articles, groups)
    lead = contrasts[0]
    assert lead.a.startswith("bias3: ") and lead.q is not None and lead.q >= 0.1
    assert sum(c.q is not None for c in contrasts) == 1  # one lead, then outlets
    section = contrasts_section(table, themes, contrasts, [], cite, {o: 1 for o in LEFT + RIGHT}, n_tests,
                                coverage=group_coverage(articles, groups))
    assert section.items[0].heading == "Main divide, not significant"
    assert f"none of {n_tests} group tests reached q < 0.1" in section.items[0].text
    assert not any(i.heading == "Outlet groups" for i in section.items)  # said once, in the lead


def test_mostly_unknown_groups_are_one_line(small_store: Path) -> None:
    from analysis.digest.contrasts import contrasts_section, group_coverage, groups_mostly_unknown
    from analysis.digest.sections import cite

    articles, table = _frames(small_store)
    themes = find_themes(table, names=list(articles["outlet"]))
    groups = pd.DataFrame({"outlet": [*LEFT[:2], *RIGHT[:2]], "bias3": ["left", "left", "right", "right"]})
    assert group_coverage(articles, groups) == ("bias3", 4, 10) and groups_mostly_unknown(articles, groups)
    contrasts, n_tests = find_contrasts(table, themes, articles, groups)
    assert n_tests > 0 and all(c.q is None for c in contrasts)  # no untested group gap spends a line
    section = contrasts_section(table, themes, contrasts, [], cite, {o: 1 for o in LEFT + RIGHT}, n_tests,
                                coverage=group_coverage(articles, groups))
    lines = [i for i in section.items if i.heading == "Outlet groups"]
    assert len(lines) == 1 and lines[0].text.startswith("known for only 4 of 10 articles (bias3)")
    quoted = [c.sentence for i in section.items for c in i.citations]
    assert len(quoted) == len(set(quoted))  # a sentence is quoted once in the section


def test_single_outlets_are_described_not_tested() -> None:
    rows = []
    for k, outlet in enumerate(("Solo One", "Solo Two", "Solo Three")):
        text = " ".join(f"The river crest at gauge {p} reached record heights on the fourth day of the flood."
                        if k == 0 else f"Volunteers in {p} cooked meals for families who lost their homes in the flood."
                        for p in PLACES[:10])
        rows.append({"id": f"s{k}", "outlet": outlet, "url": None, "title": "Flood", "published": "2025-07-05",
                     "text": text})
    articles = pd.DataFrame(rows)
    table = sentence_table(articles)
    themes = find_themes(table)
    contrasts, n_tests = find_contrasts(table, themes, articles, pd.DataFrame({"outlet": []}))
    assert n_tests == 0 and all(c.q is None for c in contrasts)  # one article each: no test, no interval


def test_blindspots_are_groups_in_the_store_missing_from_the_story() -> None:
    store_groups = pd.DataFrame({"outlet": ["A", "B", "C"], "bias3": ["left", "right", "center"],
                                 "country": ["US", "US", None]})
    assert blindspots(["A", "B"], store_groups) == ["bias3: center"]
    assert blindspots(["A", "B", "C"], store_groups) == []
    more = pd.DataFrame({"outlet": list("ABCD"), "country": ["US", "RU", "CN", "FR"]})
    assert blindspots(["A"], more, {"A": 9, "B": 1, "C": 5, "D": 5}) == ["country: CN, FR, RU"]


def test_central_headline_is_the_one_most_like_the_others() -> None:
    articles = pd.DataFrame({"id": ["1", "2", "3", "4"], "outlet": list("ABCD"),
                             "title": ["Floods kill dozens in Texas Hill Country", "Texas floods kill dozens",
                                       "Auto sector reels from rain", "Dozens killed as floods hit Texas"],
                             "text": ["Floods killed dozens in Texas on Friday after heavy rain."] * 4,
                             "url": [None] * 4, "published": ["2025-07-05"] * 4})
    assert central_headline(articles, sentence_table(articles)) != "Auto sector reels from rain"


def test_markdown_words_leave_link_targets_out() -> None:
    assert markdown_words("- “Rain fell.” ([Reuters](<https://example.com/a very long path>))") == 3


# ------------------------------------------------------------------------------------------ the page
def test_short_digest_reads_in_a_page_and_cites_verbatim(small_store: Path) -> None:
    with Store.open(small_store, readonly=True) as store:
        digest = build_digest(store, "floods", _settings(small_store))
        again = build_digest(store, "floods", _settings(small_store))
        texts = {r["id"]: r for r in store.articles(with_text=True).to_dict("records")}
    assert digest.detail == "short" and again.to_json().encode() == digest.to_json().encode()
    page = render_markdown(digest)
    assert markdown_words(page) <= 1200
    assert section_words(digest, "papers", render_markdown) <= MAX_PAPERS_WORDS
    assert "10 articles from 10 outlets, 2025-07-05 to 2025-07-08" in page
    for citation in digest.citations():
        stored = texts[citation.article_id]["title" if citation.part == "title" else "text"]
        assert stored[citation.start:citation.end] == citation.sentence
        assert f"[{citation.outlet}](<{citation.url}>), “" not in page  # cited by outlet, not by headline
    insights = digest.section("key_insights").items
    assert 2 <= len(insights) <= 6 and all(i.quoted and "n=" in i.note for i in insights)
    assert "Blindspots" in page and "bias: center" in page  # the store's centre outlet has nothing on floods
    assert "Jane Roe" not in page and "Credit" not in page
    questions = digest.section("go_deeper").items
    assert questions and all(i.text.endswith("?") for i in questions)
    shown = [i.citations[0].sentence for s in digest.sections for i in s.items if i.quoted and i.citations]
    shown += [c.sentence for i in digest.section("papers").items for c in i.citations]
    assert len(shown) == len(set(shown)) > 10  # no sentence quoted twice on the page (a day never repeats a contrast)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    add_digest_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_detail_and_outlet_filter(small_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    args = _parser().parse_args(["digest", "--story", "floods", "--format", "json", "--out", str(out),
                                 "--outlet", "Alpha Daily", "--outlet", "Zeta Wire", "--db", str(small_store)])
    assert cmd_digest(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["outlets"] == 2 and data["selection"] == "outlets Alpha Daily, Zeta Wire"
    cited = {c["outlet"] for s in data["sections"] for i in s["items"] for c in i["citations"]}
    assert cited <= {"Alpha Daily", "Zeta Wire"}
    full = tmp_path / "full.md"
    args = _parser().parse_args(["digest", "--story", "floods", "--detail", "full", "--out", str(full),
                                 "--db", str(small_store)])
    assert cmd_digest(args) == 0
    assert "## What the papers say" in full.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        _parser().parse_args(["digest", "--story", "floods", "--detail", "medium"])


def test_store_outlets_are_counted_once_per_store_version(small_store: Path) -> None:
    from analysis.digest.build import _store_outlets

    with Store.open(small_store, readonly=True) as store:
        groups, per_outlet = _store_outlets(store)
        assert int(per_outlet["Alpha Daily"]) == 1 and "Nu Gazette" not in per_outlet
        assert _store_outlets(store)[1] is per_outlet  # the same store version: counted once
    with Store.open(small_store) as store:  # a write makes a new version: counted again
        store.upsert_articles([Article(id="n01", outlet="Nu Gazette", title="Floods recede",
                                       url="https://nu.example/f", text="The floods receded on Friday.",
                                       published="2025-07-09", story_id="floods")])
    with Store.open(small_store, readonly=True) as store:
        assert int(_store_outlets(store)[1]["Nu Gazette"]) == 1
