"""The store: migrations, idempotent upserts, scores, and a reader beside a writer process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from core.errors import StoreError
from core.migrations import steps
from core.schema import STORY_FROM_DATA, STORY_FROM_GROUPING, Article, article_id
from core.store import BULK_CACHE_KIB, BULK_WAL_PAGES, FTS_AUTOMERGE, MIGRATIONS, ArticleFilter, ScoreBatch, Store
from tests.conftest import REPO_ROOT


def make(n: int, **over: object) -> Article:
    fields = {"id": article_id(f"https://example.com/{n}", None), "outlet": f"Outlet {n % 3}",
              "url": f"https://example.com/{n}", "canonical_url": f"https://example.com/{n}",
              "title": f"Headline {n}", "text": f"Body of article {n}. It has two sentences.",
              "published": f"2024-01-{n % 28 + 1:02d}"}
    fields.update(over)
    return Article(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "s.db") as opened:
        yield opened


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with Store.open(db) as first:
        assert first.schema_version() == MIGRATIONS[-1][0]
    with Store.open(db) as again:
        assert again.migrate() == []
        rows = again._db.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]


@pytest.mark.sqlite_only(reason="WAL is the SQLite file's journal mode")
def test_wal_mode(store: Store) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_upsert_is_idempotent(store: Store) -> None:
    batch = [make(i) for i in range(10)]
    first = store.upsert_articles(batch)
    again = store.upsert_articles(batch)
    assert (first.inserted, first.updated, first.unchanged) == (10, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)
    assert store.count("articles") == 10


def test_changed_text_updates_and_keeps_stored_at(store: Store) -> None:
    store.upsert_articles([make(1)])
    before = store.articles(with_text=True).iloc[0]
    counts = store.upsert_articles([make(1, text="A corrected body.")])
    after = store.articles(with_text=True).iloc[0]
    assert counts.updated == 1
    assert after["text"] == "A corrected body."
    assert after["content_hash"] != before["content_hash"]
    assert after["stored_at"] == before["stored_at"]


def test_story_from_data_is_never_overwritten(store: Store) -> None:
    store.upsert_articles([make(1, story_id="given", story_origin=STORY_FROM_DATA)])
    store.upsert_articles([make(1, story_id="grouped-7", story_origin=STORY_FROM_GROUPING)])
    row = store.articles().iloc[0]
    assert (row["story_id"], row["story_origin"]) == ("given", STORY_FROM_DATA)


def test_filter_by_outlet_story_and_dates(store: Store) -> None:
    store.upsert_articles([make(i, story_id="s1" if i < 4 else None) for i in range(12)])
    assert len(store.articles(ArticleFilter(story_id="s1"))) == 4
    assert set(store.articles(ArticleFilter(outlets=("Outlet 1",)))["outlet"]) == {"Outlet 1"}
    dated = store.articles(ArticleFilter(since="2024-01-03", until="2024-01-05"))
    assert sorted(dated["published"]) == ["2024-01-03", "2024-01-04", "2024-01-05"]


def test_scores_replace_and_mark_scored(store: Store) -> None:
    store.upsert_articles([make(1), make(2)])
    ids = list(store.articles()["id"])
    hashes = dict(zip(store.articles()["id"], store.articles()["content_hash"]))
    assert sorted(store.unscored("t", "1")) == sorted(ids)
    scores = pd.DataFrame({"article_id": ids, "metric": "tone", "value": [0.5, -0.25]})
    evidence = pd.DataFrame({"article_id": [ids[0]], "metric": ["tone"], "part": ["text"],
                             "sentence_index": [0], "start": [0], "end": [10], "value": [0.5]})
    store.write_scores(ScoreBatch("t", "1", hashes, scores, evidence))
    store.write_scores(ScoreBatch("t", "1", hashes, scores, evidence))  # again: replaces, no duplicates
    assert store.unscored("t", "1") == []
    assert store.unscored("t", "2") == sorted(ids)  # a new version rescoring everything
    assert len(store.scores(scorer="t")) == 2
    assert store.evidence(ids[0]).iloc[0]["end"] == 10
    store.upsert_articles([make(1, text="Changed.")])
    assert store.unscored("t", "1") == [article_id("https://example.com/1", None)]


def test_data_version_grows_with_writes(store: Store) -> None:
    before = store.data_version()
    store.upsert_articles([make(1)])
    assert store.data_version() > before


def test_readonly_store_refuses_writes_and_missing_file(tmp_path: Path, store: Store) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store.open(tmp_path / "missing.db", readonly=True)
    with Store.open(store.path, readonly=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            reader.upsert_articles([make(1)])


def test_failures_and_runs_are_rows(store: Store) -> None:
    store.log_failure("https://x.example/a", "timeout", "read timed out after 20 s", outlet="X")
    run = store.start_run("test", {"a": 1}, {"s": "1"})
    store.finish_run(run, {"n": 3})
    assert store.failures().iloc[0]["kind"] == "timeout"
    assert store.runs().iloc[0]["status"] == "done"


def test_pages_keep_raw_html(store: Store) -> None:
    store.save_page("https://x.example/a", b"<html><body>Hi</body></html>", status=200)
    assert store.page_html("https://x.example/a") == b"<html><body>Hi</body></html>"


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from core.schema import Article
    from core.store import Store
    with Store.open({db!r}) as store:
        for round in range(60):
            batch = [Article(id=f"s-{{round}}-{{i}}", outlet="W", title="t", text="x " * 200)
                     for i in range(50)]
            store.upsert_articles(batch)
    print("writer done")
    """
)


def test_reader_process_reads_while_writer_process_writes(tmp_path: Path) -> None:
    db = str(tmp_path / "rw.db")
    Store.open(db).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(REPO_ROOT), db=db)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reads = 0
    seen = []
    try:
        while writer.poll() is None or reads < 5:
            with Store.open(db, readonly=True, busy_timeout_ms=2000) as reader:
                seen.append(reader.count("articles"))
                reader.articles(ArticleFilter(outlets=("W",)))
            reads += 1
    finally:
        out, err = writer.communicate(timeout=120)
    # one read after the writer is gone: the last read in the loop can start just before the
    # writer's last commit (it was still running when the loop checked)
    with Store.open(db, readonly=True) as reader:
        seen.append(reader.count("articles"))
    assert writer.returncode == 0, err
    assert "writer done" in out
    assert seen == sorted(seen)  # readers only ever see whole committed batches, growing
    assert all(n % 50 == 0 for n in seen)
    assert seen[-1] == 3000
    assert reads >= 5


def test_full_text_search_follows_updates(store: Store) -> None:
    store.upsert_articles([make(1, text="Rare earth exports were curbed."), make(2, text="Tariffs rose again."),
                           make(3, title="Export controls", text="Nothing here.")])
    found = lambda q: sorted(store.articles(ArticleFilter(search=q))["title"])  # noqa: E731
    assert found("rare earth") == ["Headline 1"]
    assert found('"export controls" OR tariffs') == ["Export controls", "Headline 2"]
    assert found('unbalanced "quote') == []  # odd input is taken literally, never an SQL error
    store.upsert_articles([make(1, text="Now about tariffs instead.")])
    assert found("rare earth") == []
    assert found("tariffs") == ["Headline 1", "Headline 2"]


def _fts_instances(store: Store) -> list[tuple[object, ...]]:
    """Every (term, article key, column, offset) the full-text index holds."""
    store._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances USING fts5vocab(main, 'articles_fts', "
                      "'instance')")
    return [tuple(r) for r in store._db.execute("SELECT term, doc, col, offset FROM fts_instances "
                                                "ORDER BY term, doc, col, offset")]


@pytest.mark.sqlite_only(reason="reads the FTS5 index of the SQLite file")
def test_a_batch_stored_many_rows_a_statement_equals_one_row_at_a_time(tmp_path: Path) -> None:
    # More rows than one statement takes, an id twice in the batch (the later one wins), an update and rows
    # already stored: the rows and every term of the full-text index are those of one upsert per article.
    texts = ["Café prices rose — again, said the mayor.", "Tariffs on steel; the mayor's café closed.",
             "Ünïcode dïacritics fold: naïve résumé."]
    batch = [make(i, text=texts[i % 3] + f" Item {i}.") for i in range(1100)]
    batch.insert(700, make(5, text="A corrected body for five."))
    first = [make(i) for i in range(1090, 1110)]
    with Store.open(tmp_path / "bulk.db") as bulk, Store.open(tmp_path / "one.db") as one:
        bulk.upsert_articles(first)
        counts = bulk.upsert_articles(batch)
        for article in first + batch:
            one.upsert_articles([article])
        assert (counts.inserted, counts.updated, counts.unchanged) == (1090, 11, 0)
        columns = [c for c in bulk.articles(with_text=True).columns if c != "stored_at"]
        rows = bulk.articles(with_text=True)[columns].sort_values("id").reset_index(drop=True)
        assert rows.equals(one.articles(with_text=True)[columns].sort_values("id").reset_index(drop=True))
        assert rows.set_index("id").loc[make(5).id, "text"] == "A corrected body for five."
        keys = lambda s: list(s._db.execute("SELECT id, key FROM articles ORDER BY key"))  # noqa: E731
        assert [tuple(r) for r in keys(bulk)] == [tuple(r) for r in keys(one)]
        instances = _fts_instances(bulk)
        assert len(instances) > 10_000
        assert instances == _fts_instances(one)
        bulk._db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")  # from the rows themselves
        assert _fts_instances(bulk) == instances
        found = sorted(bulk.articles(ArticleFilter(search="cafe mayor"))["id"])
        assert found == sorted(one.articles(ArticleFilter(search="cafe mayor"))["id"])
        assert len(found) == 2 * 1100 // 3 + 1


@pytest.mark.sqlite_only(reason="reads the FTS5 segments of the SQLite file")
def test_a_batch_writes_one_full_text_segment_not_one_per_article(store: Store) -> None:
    # FTS5 writes its pending terms out at every statement savepoint, and the insert trigger gives each
    # statement one; one row a statement made a segment per article, and merging them cost a quarter of an import.
    store._db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 0)")
    store._db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 2000)")
    store.upsert_articles([make(i) for i in range(100)])
    assert store._db.execute("SELECT count(DISTINCT segid) FROM articles_fts_idx").fetchone()[0] == 1


def test_bulk_writes_tuning_changes_sqlite_connections_only(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.db") as store:
        store.tune_for_bulk_writes()
        if store.dialect == "sqlite":
            assert store._db.execute("PRAGMA cache_size").fetchone()[0] == -BULK_CACHE_KIB
            assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BULK_WAL_PAGES
            config = dict(store._db.execute("SELECT k, v FROM articles_fts_config").fetchall())
            assert config["automerge"] == FTS_AUTOMERGE
        store.upsert_articles([make(1)])
    with Store.open(tmp_path / "t.db", readonly=True) as reader:
        reader.tune_for_bulk_writes()  # a reader is left as it was
        if reader.dialect == "sqlite":
            assert reader._db.execute("PRAGMA cache_size").fetchone()[0] == -2000
        assert reader.count("articles") == 1


def test_outlet_groups_filter_by_bias_or_country(store: Store) -> None:
    store.upsert_outlets([{"name": "Outlet 0", "bias": "left"}, {"name": "Outlet 1", "bias": "right"},
                          {"name": "Outlet 2", "country": "CN"}])
    store.upsert_articles([make(i) for i in range(6)])
    assert set(store.articles(ArticleFilter(groups=("left", "CN")))["outlet"]) == {"Outlet 0", "Outlet 2"}


@pytest.mark.sqlite_only(reason="builds a schema-6 SQLite file by hand")
def test_readers_refuse_an_old_schema_with_the_fix(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as raw:  # a store as PressLens wrote it one migration ago
        raw.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at TEXT NOT NULL)")
        for number, name, body in MIGRATIONS[:-1]:
            for step in steps(body):
                if isinstance(step, str):
                    raw.executescript(step)
                else:
                    step(raw)
            raw.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01')", (number, name))
    raw.close()
    with pytest.raises(StoreError, match=r"schema version .* open it once for writing"):
        Store.open(db, readonly=True)
    with Store.open(db) as writer:  # a writer migrates it
        assert writer.schema_version() == MIGRATIONS[-1][0]


def test_grouped_stories_never_replace_the_data_and_labels_read_back(store: Store) -> None:
    store.upsert_articles([make(1, story_id="given", story_origin=STORY_FROM_DATA), make(2), make(3)])
    ids = store.articles()["id"].tolist()
    plan = pd.DataFrame({"id": [*ids, "u-not-stored"], "story": ["st-x"] * (len(ids) + 1)})
    assert store.assign_stories(plan) == 2  # the data's story and the unknown id are left alone
    assert store.assign_stories(plan) == 0  # nothing changes twice
    rows = store.articles().set_index("id")
    assert rows.loc[make(1).id, "story_id"] == "given"
    assert set(rows["story_origin"]) == {STORY_FROM_DATA, STORY_FROM_GROUPING}
    before = store.stories()
    assert before.set_index("story").loc["st-x", "label"] in {"Headline 2", "Headline 3"}
    store.write_stories(pd.DataFrame({"story": ["st-x"], "label": ["Grouped label"], "key_terms": [("a", "b")]}))
    after = store.stories(ArticleFilter(outlets=("Outlet 2",))).set_index("story")
    assert after.loc["st-x", "label"] == "Grouped label" and after.loc["st-x", "key_terms"] == ["a", "b"]
    assert after.loc["st-x", "n_articles"] == 1  # counted within the filter
    with pytest.raises(StoreError, match="story"):
        store.assign_stories(pd.DataFrame({"id": ["x"]}))


def test_events_and_merged_story_ids_read_back(store: Store) -> None:
    store.upsert_articles([make(1, story_id="given", story_origin=STORY_FROM_DATA), make(2), make(3)])
    one, two, three = make(1).id, make(2).id, make(3).id
    plan = pd.DataFrame({"id": [one, two, three], "story": [None, "st-a", "st-b"], "event": ["ev-1", "ev-2", "ev-3"]})
    assert store.assign_stories(plan) == 2
    rows = store.articles(columns=["story_id", "event_id"]).set_index("id")
    assert rows.loc[one, "event_id"] == "ev-1" and rows.loc[one, "story_id"] == "given"  # events inside data stories
    store.write_events(pd.DataFrame({"event": ["ev-2", "ev-3"], "story": ["st-a", "st-b"],
                                     "label": ["Event two", "Event three"]}))
    assert store.write_story_aliases({"st-b": "st-a"}) == 1
    assert store.story_aliases() == {"st-b": "st-a"}
    merged = store.articles(ArticleFilter(story_id="st-b"), columns=["story_id"])  # the old id finds the story
    assert set(merged["id"]) == {two, three} and set(merged["story_id"]) == {"st-a"}
    timeline = store.events(ArticleFilter(story_id="st-a"))
    assert timeline[["event", "story", "label"]].values.tolist() == [["ev-2", "st-a", "Event two"],
                                                                     ["ev-3", "st-a", "Event three"]]
    assert store.articles(ArticleFilter(event_id="ev-3"))["id"].tolist() == [three]
    store.write_story_aliases({"given": "st-a"})
    assert store.articles(columns=["story_id"]).set_index("id").loc[one, "story_id"] == "given"  # never replaced


def test_syndication_rows_upsert_by_article_and_follow_the_filter(store: Store) -> None:
    store.upsert_articles([make(1), make(2)])
    a, b = make(1).id, make(2).id
    groups = pd.DataFrame({"id": [a, b, "u-missing"], "group_id": ["g", "g", "h"], "group_size": [2, 2, 1],
                           "n_outlets": [2, 2, 1], "is_original": [True, False, True],
                           "similarity": [1.0, 0.93, 1.0], "wire": ["AP", None, None], "agency": ["AP", "AP", None]})
    assert store.write_syndication(groups) == 2
    store.write_syndication(groups.assign(similarity=[1.0, 0.95, 1.0]))
    rows = store.syndication()
    assert len(rows) == 2 and rows["is_original"].tolist() == [True, False]
    assert rows.set_index("article_id").loc[b, "similarity"] == pytest.approx(0.95)
    assert store.syndication(ArticleFilter(outlets=("Outlet 2",)))["article_id"].tolist() == [b]
    with pytest.raises(StoreError, match="group_id"):
        store.write_syndication(pd.DataFrame({"id": [a]}))


def test_score_matrix_has_one_column_per_scorer_metric(store: Store) -> None:
    store.upsert_articles([make(1), make(2)])
    a, b = make(1).id, make(2).id
    hashes = dict(zip(store.articles()["id"], store.articles()["content_hash"]))
    scores = pd.DataFrame({"article_id": [a, a, b], "metric": ["tone", "words", "tone"], "value": [0.5, None, -0.25]})
    store.write_scores(ScoreBatch(scorer="s", version="1", content_hashes=hashes, scores=scores,
                                  evidence=pd.DataFrame(columns=["article_id", "metric", "part", "sentence_index",
                                                                 "start", "end", "value"])))
    matrix = store.score_matrix()
    assert list(matrix.columns) == ["s.tone", "s.words"]
    assert matrix.loc[a, "s.tone"] == 0.5 and matrix.loc[b, "s.tone"] == -0.25
    assert pd.isna(matrix.loc[a, "s.words"]) and pd.isna(matrix.loc[b, "s.words"])


def test_first_urls_takes_the_earliest_dated_article(store: Store) -> None:
    """An undated article is not the story's earliest (SQLite sorts NULL first unless told)."""
    store.upsert_articles([make(1, story_id="s", published=None), make(2, story_id="s", published="2024-01-05"),
                           make(3, story_id="s", published="2024-01-09")])
    assert store.first_urls(["s"]) == {"s": "https://example.com/2"}


def test_a_snapshot_reads_one_state_while_another_connection_writes(tmp_path: Path) -> None:
    # What a move reads its tables in: rows written after the snapshot began are not seen until it ends.
    path = tmp_path / "s.db"
    with Store.open(path) as writer:
        writer.upsert_articles([make(1)])
        with Store.open(path, readonly=True) as reader:
            with reader._snapshot():
                before = reader.count("articles"), reader.data_version()
                writer.upsert_articles([make(2)])
                assert (reader.count("articles"), reader.data_version()) == before == (1, before[1])
            assert reader.count("articles") == 2
