"""Outlet groups with missing values: every grouping through the report, rows adding up to the selection."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from analysis.compare.groups import GROUP_BY, UNKNOWN, group_of, group_summary
from analysis.compare.report import metrics_report, outlet_report
from core.outlet_profiles import outlet_listing, store_outlet_groups
from core.schema import Article, article_id
from core.settings import Settings
from core.store import ArticleFilter, ScoreBatch, Store
from tests.helpers import run_cli

# (outlet as stored, URL, title, text): listed outlets, an alias, inferable and unknowable ones.
ARTICLES = [
    ("Reuters", "https://finance.yahoo.com/news/a1", "China curbs rare earth exports",
     "China said on Thursday that the export of rare earth magnets will need a licence from the ministry."),
    ("Reuters", "https://www.reuters.com/world/a2", "US answers China's rare earth curbs",
     "The White House said that the United States would answer the curbs with measures of its own."),
    ("Fox Online News", "https://www.foxnews.com/world/a3", "Rare earths are the new oil",
     "The administration has said that the curbs are a threat and that the country will not accept them."),
    ("Daily Times (Pakistan)", "https://dailytimes.com.pk/a4", "China imposes curbs",
     "The ministry said that the curbs would apply from the first of the month and that they were legal."),
    ("Mystery Site", "https://mystery-site.com/a5", "Rare earth war",
     "This is a war that the people have been told about for years and the curbs are only the start."),
    ("Nachrichten Blog", "https://nachrichten.substack.com/p/a6", "Seltene Erden",
     "Die Regierung in Peking hat am Donnerstag mitgeteilt, dass die Ausfuhr von Magneten nicht mehr ohne "
     "Genehmigung erlaubt ist und dass die Regeln auch für andere Länder gelten."),
    ("Old Store Outlet", "https://old-store.example/a7", "Tariffs",
     "The tariffs were said to be the highest in a century and they have been criticised by economists."),
]
N = len(ARTICLES)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    db = Store.open(tmp_path / "groups.db")
    articles = [Article(id=article_id(url, None), outlet=outlet, title=title, text=text, url=url,
                        published=f"2025-10-0{i + 1}", story_id="s")
                for i, (outlet, url, title, text) in enumerate(ARTICLES)]
    db.upsert_articles(articles)
    # What older stores hold: a NaN-prone country column, a non-ISO 'UK', a corpus's bias label.
    db.upsert_outlets([{"name": "Old Store Outlet", "country": "UK", "bias": "lean right"},
                       {"name": "Mystery Site", "country": None, "bias": None}])
    ids = [a.id for a in articles]
    tone = pd.DataFrame({"article_id": ids * 2, "metric": ["tone"] * N + ["headline_tone"] * N,
                         "value": [0.1 * i for i in range(N)] + [-0.1 * i for i in range(N)]})
    db.write_scores(ScoreBatch("tone_vader", "1", {a.id: a.content_hash for a in articles}, tone))
    # A metric only some articles have: groups without a value keep their row (n = 0).
    partial = pd.DataFrame({"article_id": ids[:2], "metric": ["quote_share"] * 2, "value": [0.5, 0.7]})
    db.write_scores(ScoreBatch("quotes", "1", {i: "h" for i in ids[:2]}, partial))
    yield db
    db.close()


def settings() -> Settings:
    return Settings.load({"bootstrap_samples": "200"}, environ={})


def test_store_groups_know_list_and_infer(store: Store) -> None:
    groups = store_outlet_groups(store).set_index("outlet")
    assert groups.loc["Reuters", ["country", "type", "region"]].tolist() == ["GB", "wire", "europe"]
    assert groups.loc["Fox Online News", "bias3"] == "right"  # found by its alias
    assert groups.loc["Daily Times (Pakistan)", "country"] == "PK"  # listed in the table
    assert groups.loc["Mystery Site", ["country", "type", "language"]].tolist() == [UNKNOWN, UNKNOWN, "en"]
    assert groups.loc["Mystery Site", "inferred"] == "language"
    assert groups.loc["Nachrichten Blog", ["type", "language", "inferred"]].tolist() == \
        ["blog_newsletter", "de", "language,type"]
    assert groups.loc["Old Store Outlet", ["country", "bias", "bias3"]].tolist() == ["GB", "lean right", "right"]
    assert groups.isna().sum().sum() == 0


@pytest.mark.parametrize("by", GROUP_BY)
def test_every_grouping_accounts_for_every_article(store: Store, by: str) -> None:
    table = outlet_report(store, ArticleFilter(), settings(), by=by)
    assert table["articles"].sum() == N
    assert table[by].map(lambda v: isinstance(v, str) and v != "").all()
    metrics = metrics_report(store, ArticleFilter(), settings(), by=by)
    per_metric = metrics.groupby(["scorer", "metric"])["articles"].sum()
    assert (per_metric == N).all() and len(per_metric) == 3
    quote = metrics[metrics["metric"] == "quote_share"]
    assert quote["n"].sum() == 2 and quote["articles"].sum() == N
    if by != "outlet":
        assert table["outlets"].sum() >= table[by].nunique() and list(table.columns[:3]) == [by, "outlets",
                                                                                              "inferred"]


def test_country_report_has_unknown_as_a_group_and_counts_inferred(store: Store) -> None:
    table = outlet_report(store, ArticleFilter(), settings(), by="country").set_index("country")
    assert table["articles"].to_dict() == {"GB": 3, "PK": 1, "US": 1, UNKNOWN: 2}
    assert table.loc[UNKNOWN, "outlets"] == 2 and table["inferred"].sum() == 0
    by_language = outlet_report(store, ArticleFilter(), settings(), by="language").set_index("language")
    assert by_language["articles"].to_dict() == {"de": 1, "en": 6}
    assert by_language.loc["de", "inferred"] == 1  # detected from its text


def test_group_of_and_summary_never_drop_a_missing_value() -> None:
    arts = pd.DataFrame({"outlet": ["A", "B", "C", "D"], "language": ["fr", None, float("nan"), ""]})
    groups = pd.DataFrame({"outlet": ["A", "B", "C"], "country": ["FR", float("nan"), None],
                           "language": ["en", "en", None], "inferred": ["", "", ""]})
    assert group_of(arts, groups, "country").tolist() == ["FR", UNKNOWN, UNKNOWN, UNKNOWN]
    assert group_of(arts, groups, "language").tolist() == ["fr", "en", UNKNOWN, UNKNOWN]  # the article's own first
    summary = group_summary(arts, groups, "country")
    assert summary.values.tolist() == [["FR", 1, 0, 1], [UNKNOWN, 3, 0, 3]]


def test_outlet_listing_puts_gaps_first(store: Store) -> None:
    listing = outlet_listing(store)
    assert listing["articles"].sum() == N and len(listing) == 6
    # Most gaps first (country and type unknown), then one gap, then complete rows by article count.
    assert listing["outlet"].tolist() == ["Mystery Site", "Nachrichten Blog", "Old Store Outlet", "Reuters",
                                          "Daily Times (Pakistan)", "Fox Online News"]
    gaps = outlet_listing(store, unknown_only=True)
    assert set(gaps["outlet"]) == {"Mystery Site", "Nachrichten Blog", "Old Store Outlet"}


def test_clis_group_and_list_outlets_with_missing_values(store: Store) -> None:
    db = store.path
    for args in (("--by", "country", "--metrics", "all"), ("--by", "country"), ("--by", "type", "--metrics", "all")):
        done = run_cli("analysis", "report", "--db", db, "--format", "csv", *args)
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        assert UNKNOWN in {r[args[1]] for r in rows}
    done = run_cli("scrapers", "outlets", "--db", db, "--unknown", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["outlet"] for r in rows][0] == "Mystery Site" and rows[0]["country"] == UNKNOWN
    bad = run_cli("analysis", "report", "--db", db, "--by", "continent")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_listing_shows_where_each_publisher_was_read(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as db:
        db.upsert_articles([
            Article(id="s-1", outlet="Reuters", title="T", text="B.", url="https://finance.yahoo.com/a",
                    host="Yahoo Finance", attribution="dateline: (Reuters) -"),
            Article(id="s-2", outlet="Reuters", title="T", text="B.", url="https://www.msn.com/b", host="MSN",
                    attribution="file"),
            Article(id="s-3", outlet="Reuters", title="T", text="B.", url="https://www.reuters.com/c", host="Reuters",
                    attribution="host")])
        row = outlet_listing(db).iloc[0]
    assert (row["articles"], row["read_elsewhere"], row["hosts"]) == (3, 2, "MSN (1), Yahoo Finance (1)")
