"""Syndication and near-duplicate grouping: synthetic cases we write, then the real corpora."""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict

import pandas as pd
import pytest

from scrapers import dedup
from scrapers.dedup import detect_agency, drop_duplicate_urls, group_summary, normalised_text, syndication_groups
from tests.conftest import require_shared

WORDS = ("trade minister tariff export control magnet factory shipment negotiator framework beijing london "
         "official statement agreement market supply chain licence approval delay industry demand price "
         "week monday tuesday talks delegation senior deputy premier secretary commerce treasury").split()


def prose(seed: int, sentences: int = 30) -> str:
    """Return reproducible invented prose (never text from a corpus)."""
    rng = random.Random(seed)
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 20))).capitalize() + "."
                    for _ in range(sentences))


def frame(rows: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "outlet", "published", "text"])


def by_id(groups: pd.DataFrame) -> dict[str, dict]:
    return groups.set_index("id").to_dict("index")


def test_wire_copy_with_edits_and_trims_is_one_group_with_the_agency_first() -> None:
    wire = "LONDON (AP) — " + prose(1)
    sentences = wire.split(". ")
    edited = ". ".join(s.replace("week", "weekend") if i % 5 == 0 else s for i, s in enumerate(sentences))
    trimmed = ". ".join(sentences[:18]) + "."
    extended = wire + " " + prose(2, 10)
    groups = by_id(syndication_groups(frame([
        ("daily", "Daily Paper", "2025-06-10T09:00:00", edited),
        ("ap", "Associated Press", "2025-06-10", wire),
        ("trim", "Local Times", "2025-06-11", trimmed),
        ("ext", "Herald", "2025-06-10T12:00:00", extended),
        ("other", "Herald", "2025-06-10", prose(3)),
    ])))
    assert len({groups[k]["group_id"] for k in ("daily", "ap", "trim", "ext")}) == 1
    assert groups["ap"]["is_original"]  # same day: the agency's own copy is the original
    assert not groups["daily"]["is_original"]
    assert groups["ap"]["group_size"] == 4 and groups["ap"]["n_outlets"] == 4
    assert {groups[k]["agency"] for k in ("daily", "ap", "trim", "ext")} == {"AP"}
    assert groups["other"]["group_size"] == 1 and groups["other"]["agency"] is None
    assert 0.6 <= groups["daily"]["similarity"] <= 1.0


def test_quotation_and_background_reuse_are_not_copies() -> None:
    source = prose(10)
    # An article with its own opening that quotes most of another's text further down.
    quoting = prose(11, 12) + " " + " ".join(source.split()[150:])
    groups = by_id(syndication_groups(frame([("src", "A", "2025-06-10", source),
                                              ("quote", "B", "2025-06-10", quoting)])))
    assert groups["src"]["group_id"] != groups["quote"]["group_id"]


def test_copies_far_apart_in_time_are_not_grouped_but_unknown_dates_are() -> None:
    text = prose(20)
    edited = " ".join(text.split()[:300]) + " " + prose(21, 12)  # a partial copy, not an identical one
    apart = by_id(syndication_groups(frame([("a", "A", "2025-01-01", text), ("b", "B", "2025-03-01", edited)])))
    assert apart["a"]["group_id"] != apart["b"]["group_id"]
    undated = by_id(syndication_groups(frame([("a", "A", "2025-01-01", text), ("c", "C", None, text + " y")])))
    assert undated["a"]["group_id"] == undated["c"]["group_id"] and undated["a"]["is_original"]
    rerun = by_id(syndication_groups(frame([("a", "A", "2025-01-01", text), ("r", "B", "2025-09-01", text)])))
    assert rerun["a"]["group_id"] == rerun["r"]["group_id"]  # identical text: a duplicate whatever the dates


def test_one_outlets_boilerplate_does_not_chain_its_articles() -> None:
    footer = prose(30, 25)  # a long standing paragraph the outlet appends to everything
    rows = [(f"n{i}", "Chain News", "2025-06-10", prose(100 + i, 8) + " " + footer) for i in range(6)]
    groups = syndication_groups(frame(rows))
    assert groups.group_size.max() == 1


def test_short_exact_duplicates_and_same_url_are_grouped() -> None:
    df = pd.DataFrame({
        "id": ["s1", "s2", "u1", "u2"], "outlet": ["A", "B", "C", "C"],
        "published": ["2025-06-10"] * 4,
        "text": ["Brief: talks resume.", "BRIEF — talks resume!", "One text.", "Another text entirely."],
        "url": [None, None, "https://c.com/x?utm_source=feed", "https://amp.c.com/x/amp"],
    })
    groups = by_id(syndication_groups(df))
    assert groups["s1"]["group_id"] == groups["s2"]["group_id"]
    assert groups["u1"]["group_id"] == groups["u2"]["group_id"]
    assert groups["s1"]["similarity"] == 1.0


def test_group_ids_do_not_depend_on_row_order() -> None:
    text = prose(40)
    rows = [("a", "A", "2025-06-10", text), ("b", "B", "2025-06-11", text + " more"), ("c", "C", None, prose(41))]
    first = syndication_groups(frame(rows)).set_index("id").sort_index()
    second = syndication_groups(frame(rows[::-1])).set_index("id").sort_index()
    assert first.equals(second)


def test_empty_input_and_missing_columns() -> None:
    assert syndication_groups(frame([])).empty
    with pytest.raises(ValueError, match="text"):
        syndication_groups(pd.DataFrame({"id": ["a"], "outlet": ["A"], "published": [None]}))


@pytest.mark.parametrize(("text", "authors", "agency"), [
    ("BEIJING (Reuters) - China said", None, "Reuters"),
    ("WASHINGTON (AP) — The talks", None, "AP"),
    ("PARIS (AFP) - Talks", None, "AFP"),
    ("Body text.\n\nReporting by Jane Doe in London; Editing by John Roe", None, "Reuters"),
    ("Body text. Copyright 2025 The Associated Press. All rights reserved.", None, "AP"),
    ("Own reporting.", '["Associated Press"]', "AP"),
    ("Own reporting.", "Jane Doe, Reuters", "Reuters"),
    ("Own reporting, citing (Reuters) once in the tenth paragraph." + " filler" * 80, None, None),
    ("Own reporting.", ["Jane Doe"], None),
])
def test_detect_agency(text: str, authors: object, agency: str | None) -> None:
    assert detect_agency(text, authors) == agency


def test_drop_duplicate_urls_and_summary() -> None:
    kept, dropped = drop_duplicate_urls(pd.DataFrame({"url": ["https://a.com/x", "https://m.a.com/x?fbclid=1",
                                                              "https://www.a.com/x",
                                                              None, None]}))
    assert (len(kept), dropped) == (4, 1)  # m.a.com is www.a.com; a.com is another host
    text = prose(50)
    articles = frame([("a", "A", "2025-06-10", text), ("b", "B", "2025-06-11", text)])
    summary = group_summary(syndication_groups(articles), articles)
    assert summary.loc[0, "outlets"] == ["A", "B"] and summary.loc[0, "original_outlet"] == "A"


# --- real data: the expectation is built at run time from the corpus itself ----------------------

def load_jsonl(path: object) -> pd.DataFrame:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        rows = [json.loads(line) for line in handle]
    return pd.DataFrame([{"id": r["id"], "outlet": r["outlet"], "published": r["published"], "text": r["text"],
                          "title": r["title"], "url": r["url"], "authors": r["labels"].get("authors")}
                         for r in rows])


def test_groundnews_wire_copies_are_grouped() -> None:
    """Articles opening with the same 40 words (>= 150 words long) are one group."""
    articles = load_jsonl(require_shared("corpora", "groundnews_stories", "articles.jsonl"))
    groups = syndication_groups(articles).set_index("id")
    openings: dict[str, set[str]] = defaultdict(set)
    for row in articles.itertuples():
        words = normalised_text(row.text).split()
        if len(words) >= 150:
            openings[" ".join(words[:40])].add(row.id)
    expected = [ids for ids in openings.values() if len(ids) >= 2]
    assert len(expected) >= 5  # the corpus has AP copies of several stories
    grouped = [ids for ids in expected if groups.loc[sorted(ids), "group_id"].nunique() == 1]
    # Measured 10 of 12 sets: the two misses are edited copies (containment 0.58; openings 38 %
    # shared) below the thresholds chosen for precision on allsides_abp.
    assert len(grouped) / len(expected) >= 0.75
    biggest = groups[groups.group_size > 1].drop_duplicates("group_id")
    assert (biggest.n_outlets >= 5).sum() >= 2  # AP's China COVID copy ran in 7+ outlets
    assert "AP" in set(biggest.agency.dropna())


@pytest.fixture(scope="module")
def allsides() -> pd.DataFrame:
    return load_jsonl(require_shared("corpora", "allsides_abp", "articles.jsonl.gz"))


def test_allsides_groups_wire_copies(allsides: pd.DataFrame) -> None:
    # Its speed is a benchmark's figure (benchmarks/collection.py), not a gate: a timed test fails on a busy machine.
    groups = syndication_groups(allsides)
    merged = groups[groups.group_size > 1].merge(allsides[["id", "outlet", "text"]], on="id")
    cross = merged[merged.n_outlets > 1]
    # Measured: 21 groups, 12 across outlets (hand-checked precision ~0.8). Bounds catch a
    # threshold regression in either direction without pinning the exact count.
    assert 8 <= cross.group_id.nunique() <= 40
    assert merged.group_size.max() <= 10  # no boilerplate chains
    # Groups holding an agency's own article and another outlet's copy of it, found at run time:
    agency_groups = {gid for gid, grp in cross.groupby("group_id")
                     if grp.outlet.isin(["Associated Press", "Reuters"]).any()}
    assert len(agency_groups) >= 3
    # Every member of a cross-outlet group shares a 12-word run with its group's original.
    for gid, grp in cross.groupby("group_id"):
        original = normalised_text(grp[grp.is_original].text.iloc[0])
        for text in grp[~grp.is_original].text:
            words = normalised_text(text).split()
            runs = {" ".join(words[i:i + 12]) for i in range(0, max(1, len(words) - 12), 6)}
            assert any(run in original for run in runs), gid


def test_fingerprints_are_stable_constants() -> None:
    # Fingerprints come from fixed seeds: two runs give the same pairs (content-derived, idempotent).
    texts = [prose(60), prose(60) + " tail", prose(61)]
    first, second = dedup.candidate_pairs(texts), dedup.candidate_pairs(texts)
    assert first.left.tolist() == second.left.tolist() == [0]
    assert first.containment.tolist() == second.containment.tolist()
