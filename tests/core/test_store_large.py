"""The store's reads for a store too large to load whole: its index as columns, key sets, rows by key, labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core import kept as kept_parts
from core.schema import Article
from core.store import ARROW_FACETS_SQL, ArticleFilter, Store


def test_migration_8_indexes_what_the_large_reads_need(sample_db: Path) -> None:
    with Store.open(sample_db, readonly=True) as store:
        if store.dialect != "sqlite":
            return  # query plans are SQLite's; PostgreSQL runs the same reads in the tests below
        indexes = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"articles_facets", "articles_repaired"} <= indexes and "articles_outlet" not in indexes
        plan = " ".join(str(tuple(r)) for r in store._db.execute(
            "EXPLAIN QUERY PLAN SELECT key, substr(published, 1, 10), topic, story_id FROM articles ORDER BY outlet"))
        assert "COVERING INDEX articles_facets" in plan
        plan = " ".join(str(tuple(r)) for r in store._db.execute(f"EXPLAIN QUERY PLAN {ARROW_FACETS_SQL}"))
        assert "COVERING INDEX articles_facets" in plan and "TEMP B-TREE" not in plan
        plan = " ".join(str(tuple(r)) for r in store._db.execute(
            "EXPLAIN QUERY PLAN SELECT id, outlet FROM articles "
            "WHERE json_extract(labels, '$.mojibake_original') IS NOT NULL"))
        assert "articles_repaired" in plan


def test_repaired_articles_are_read_by_key_and_by_id(tmp_path: Path) -> None:
    articles = [Article(id=f"r-{i}", outlet=f"Outlet {i % 2}", title=f"Title {i}", text=f"Text {i}.",
                        published=f"2025-01-0{i + 1}", labels={"mojibake_original": "x"} if i in (1, 3) else {})
                for i in range(5)]
    with Store.open(tmp_path / "repaired.db") as store:
        store.upsert_articles(articles)
        keys = dict(zip(*[store.articles(columns=["key"])[c] for c in ("id", "key")]))
        assert store.keys_with_label("mojibake_original").tolist() == sorted([keys["r-1"], keys["r-3"]])
        assert sorted(store.with_label("mojibake_original")["id"]) == ["r-1", "r-3"]
        cols = kept_parts.load(store)
    assert sorted(cols.keys[cols.repaired]) == sorted([keys["r-1"], keys["r-3"]])


def test_facet_columns_hold_every_article_in_key_order(sample_db: Path) -> None:
    with Store.open(sample_db, readonly=True) as store:
        keys, facets = store.facet_columns()
        rows = store.articles(columns=["key", "outlet", "published", "topic", "story_id"]).sort_values("key")
    assert keys.tolist() == rows["key"].tolist() == sorted(keys.tolist()) and len(keys) == 36
    assert facets["outlet"].astype(str).tolist() == rows["outlet"].tolist()
    def days(values: list[object]) -> list[object]:
        return [v if isinstance(v, str) else None for v in values]

    assert days(facets["day"].tolist()) == days(rows["published"].str.slice(0, 10).tolist())
    assert facets["day"].isna().sum() == rows["published"].isna().sum() > 0  # undated articles are kept, dayless
    assert facets["story"].astype(str).tolist() == rows["story_id"].astype(str).tolist()
    assert list(facets["day"].cat.categories) == sorted(facets["day"].cat.categories)  # days compare as codes


def test_keys_newest_labels_and_first_outlets(sample_db: Path) -> None:
    with Store.open(sample_db, readonly=True) as store:
        everything = store.articles(columns=["key", "outlet", "published", "title", "story_id"])
        story = everything["story_id"].dropna().iloc[0]
        keys = store.keys_where(ArticleFilter(story_id=story))
        assert keys.tolist() == sorted(everything.loc[everything["story_id"] == story, "key"].tolist())
        assert store.keys_of(everything["id"].tolist()[:3] + ["no such id"]).tolist() == sorted(
            everything["key"].tolist()[:3])
        picked = store.articles(columns=["outlet"], keys=keys)
        assert sorted(picked["id"]) == sorted(everything.loc[everything["story_id"] == story, "id"])
        stories = store.stories()
        assert store.story_labels(stories["story"].tolist()) == dict(zip(stories["story"], stories["label"]))
        members = store.story_members([story])
        assert sorted(members["key"]) == keys.tolist()
        assert set(members["outlet"]) == set(everything.loc[everything["story_id"] == story, "outlet"])
        search = store.keys_where(ArticleFilter(search="Ruiz"))  # the full-text index alone
        assert search.tolist() == sorted(store.articles(ArticleFilter(search="Ruiz"), columns=["key"])["key"])
        assert len(search) and len(store.keys_where(ArticleFilter(search="Ruiz", outlets=("Harbor Ledger",)))) < len(
            search)
        matrix = store.score_matrix(["tone_vader"], keys=keys)
        assert len(matrix) == len(keys) and np.isfinite(matrix["tone_vader.tone"]).all()


def test_facets_read_through_arrow_equal_the_rows(tmp_path: Path) -> None:
    """ADBC's read gives what sqlite3's rows give: gaps (a first block of undated articles, whose type ADBC
    would guess from its first rows), empty strings kept apart from gaps, outlets and values beyond ASCII in
    code point order."""
    outlets = ["Zeit", "Élysée Post", "ábc", "Ärzte Blatt", "abc"]
    articles = [Article(id=f"a-{i}", outlet=outlets[i % 5], title=f"T{i}", text=f"Text {i}.",
                        published=None if i < 1500 else f"2025-0{1 + i % 9}-1{i % 10}",
                        topic=[None, "", "économie", "Economy", "zoo"][i % 5] if i % 7 else None,
                        story_id=None if i % 3 else ["s-ü", "s-a", "S-b", ""][i % 4])
                for i in range(2100)]
    with Store.open(tmp_path / "facets.db") as store:
        store.upsert_articles(articles)
        keys, facets = store._arrow_facets() if store.dialect == "sqlite" else store.facet_columns()
        row_keys, row_facets = store._row_facets()
        assert np.array_equal(store.facet_columns()[0], keys)
    assert np.array_equal(keys, row_keys)
    pd.testing.assert_frame_equal(facets, row_facets)
    assert facets["day"].isna().sum() == 1500 and list(facets["outlet"].cat.categories) == sorted(outlets)
    assert "" in facets["topic"].cat.categories and facets["topic"].isna().any()
    assert "" in facets["story"].cat.categories and facets["story"].isna().sum() == 1400


def test_a_failing_arrow_read_falls_back_to_the_rows(sample_db: Path, monkeypatch) -> None:
    with Store.open(sample_db, readonly=True) as store:
        keys, facets = store.facet_columns()
        values = store.metric_values(ArticleFilter(), "tone_vader", "tone")

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("no driver")

        monkeypatch.setattr(store, "_arrow_query", broken)
        again_keys, again = store.facet_columns()
        again_values = store.metric_values(ArticleFilter(), "tone_vader", "tone")
    assert np.array_equal(keys, again_keys) and len(keys) == 36
    pd.testing.assert_frame_equal(facets, again)
    assert all(np.array_equal(a, b) for a, b in zip(values, again_values)) and len(values[0]) > 30
