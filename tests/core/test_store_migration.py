"""Migration 7 (the compact store) converts a schema-6 store in place and loses nothing.

A schema-6 store is built here as PressLens 6 wrote it (its migrations, then its own SQL for
articles, scores, evidence and scored rows, taken from the sample store plus edge cases). The
frames the old Store methods read (their SQL, run before the migration) must equal what the new
methods read after it, exactly; and a VACUUM must change nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from core.errors import StoreError
from core.migrations import MIGRATIONS
from core.schema import ARTICLE_COLUMNS
from core.store import ArticleFilter, Store

OLD = 6
ARTICLE_SQL_COLUMNS = (*ARTICLE_COLUMNS, "event_id")

# The old Store methods' SQL (schema 6), to read "before" exactly as PressLens 6 read it.
OLD_SCORES = ("SELECT s.article_id, a.outlet, a.published, a.story_id, s.scorer, s.version, s.metric, s.value "
              "FROM scores s JOIN articles a ON a.id = s.article_id WHERE {where} "
              "ORDER BY s.article_id, s.scorer, s.metric")
OLD_EVIDENCE = "SELECT * FROM evidence WHERE article_id = ? ORDER BY scorer, metric, part, sentence_index"
OLD_UNSCORED = ("SELECT a.id FROM articles a LEFT JOIN scored s ON s.article_id = a.id AND s.scorer = ? "
                "WHERE s.article_id IS NULL OR s.version != ? OR s.content_hash != a.content_hash ORDER BY a.id")
SCORED = "SELECT * FROM scored ORDER BY article_id, scorer"

# Every test here migrates an SQLite file written at schema 6 (PostgreSQL stores start at schema 7).
pytestmark = pytest.mark.sqlite_only(reason="migrates an SQLite file of an older schema")


def build_v6(path: Path, sample: Path) -> None:
    """Write a schema-6 store at ``path`` holding the sample store's articles, scores and evidence, plus edge cases."""
    with Store.open(sample, readonly=True) as source:
        articles = source.articles(with_text=True, columns=[*ARTICLE_COLUMNS, "event_id"])
        ids = articles["id"].tolist()
        scores = source.scores()
        evidence = source.evidence_of(ids)
        scored = source._db.execute(SCORED).fetchall()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at TEXT NOT NULL)")
        for number, name, body in MIGRATIONS[:OLD]:
            db.executescript(body)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00+00:00')", (number, name))
        marks = ", ".join("?" * len(ARTICLE_SQL_COLUMNS))
        db.executemany(f"INSERT INTO articles ({', '.join(ARTICLE_SQL_COLUMNS)}) VALUES ({marks})",
                       _rows(articles[list(ARTICLE_SQL_COLUMNS)]))
        db.executemany("INSERT INTO scores VALUES (?, ?, ?, ?, ?)",
                       _rows(scores[["article_id", "scorer", "version", "metric", "value"]]))
        db.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _rows(evidence))
        db.executemany("INSERT INTO scored VALUES (?, ?, ?, ?, ?, ?)", [tuple(r) for r in scored])
        # edge cases: a NULL score, an older scorer version, a hash that is not hex, NULL evidence values,
        # a title part, an article whose evidence values are all NULL
        a, b = ids[0], ids[1]
        db.execute("INSERT INTO scores VALUES (?, 'odd', '0', 'level', NULL)", (a,))
        db.execute("INSERT INTO scores VALUES (?, 'odd', '0.9', 'level', -0.0)", (b,))
        db.execute("INSERT INTO scored VALUES (?, 'odd', '0', 'h', NULL, '2026-01-02T00:00:00+00:00')", (a,))
        db.execute("INSERT INTO scored VALUES (?, 'odd', '0.9', 'h', 7, '2026-01-02T00:00:00+00:00')", (b,))
        db.executemany("INSERT INTO evidence VALUES (?, 'odd', '0', 'level', ?, ?, ?, ?, ?)",
                       [(a, "title", 0, 0, 12, None), (a, "text", 3, 40, 2**40, None)])
        db.executemany("INSERT INTO evidence VALUES (?, 'odd', '0.9', 'level', 'text', ?, ?, ?, ?)",
                       [(b, 0, 0, 5, 1e-300), (b, 1, 6, 9, None)])
    db.close()


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Return a frame's rows as SQLite parameters (NaN and None as NULL, numpy numbers as Python's)."""
    return [tuple(None if v is None or (isinstance(v, float) and v != v) else v.item() if hasattr(v, "item") else v
                  for v in row) for row in frame.astype(object).itertuples(index=False, name=None)]


def read_before(path: Path) -> dict[str, object]:
    """Read a schema-6 store as PressLens 6 did."""
    with sqlite3.connect(path) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
        word = max(db.execute("SELECT title FROM articles ORDER BY id").fetchone()[0].split(), key=len)
        scorers = sorted(r[0] for r in db.execute("SELECT DISTINCT scorer FROM scored"))

        def frame(sql: str, params: tuple = ()) -> pd.DataFrame:
            cursor = db.execute(sql, params)
            return pd.DataFrame.from_records(cursor.fetchall(), columns=[d[0] for d in cursor.description])

        found = {
            "scores": frame(OLD_SCORES.format(where="1")),
            "scores_tone": frame(OLD_SCORES.format(where="s.scorer = ? AND s.metric IN (?, ?)"),
                                 ("tone_vader", "tone", "headline_tone")),
            "evidence": {i: frame(OLD_EVIDENCE, (i,)) for i in ids},
            "scored": frame(SCORED),
            "scorers": scorers,
            "unscored": {(s, v): [r[0] for r in db.execute(OLD_UNSCORED, (s, v))]
                         for s in [*scorers, "new"] for v in ("0", "1", "2")},
            "articles": frame(f"SELECT {', '.join(ARTICLE_SQL_COLUMNS)} FROM articles ORDER BY id"),
            "word": word,
            "search": [r[0] for r in db.execute(
                "SELECT a.id FROM articles a WHERE a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts "
                "MATCH ?) ORDER BY a.id", (f'"{word}"',))],
            "counts": {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("scores", "evidence",
                                                                                           "scored")},
        }
    db.close()
    return found


def assert_reads_as_before(store: Store, before: dict[str, object]) -> None:
    """Assert the new Store methods read exactly what the old SQL read."""
    pd.testing.assert_frame_equal(store.scores(), before["scores"])
    pd.testing.assert_frame_equal(store.scores(scorer="tone_vader", metrics=("tone", "headline_tone")),
                                  before["scores_tone"])
    evidence = before["evidence"]
    assert isinstance(evidence, dict)
    for article, old in evidence.items():
        pd.testing.assert_frame_equal(store.evidence(article), old)
    pd.testing.assert_frame_equal(store._frame(SCORED, []), before["scored"])  # the compatible view
    assert store.scorers_present() == before["scorers"]
    unscored = before["unscored"]
    assert isinstance(unscored, dict)
    for (scorer, version), old_ids in unscored.items():
        assert store.unscored(scorer, version) == old_ids
    pd.testing.assert_frame_equal(
        store.articles(columns=list(ARTICLE_SQL_COLUMNS), with_text=True).sort_values("id").reset_index(drop=True)
        [list(ARTICLE_SQL_COLUMNS)], before["articles"])
    found = store.articles(ArticleFilter(search=str(before["word"])), columns=["outlet"])["id"]
    assert sorted(found) == before["search"] and len(before["search"]) > 0
    counts = before["counts"]
    assert isinstance(counts, dict)
    assert {t: store.count(t) for t in counts} == counts
    old_scores = before["scores"]
    assert isinstance(old_scores, pd.DataFrame)
    compatible = store._frame("SELECT * FROM scores ORDER BY article_id, scorer, metric", [])  # the view
    pd.testing.assert_frame_equal(compatible, old_scores[["article_id", "scorer", "version", "metric", "value"]])


@pytest.fixture
def v6(tmp_path: Path, sample_db: Path) -> Path:
    path = tmp_path / "v6.db"
    build_v6(path, sample_db)
    return path


def test_a_writer_migrates_a_schema_6_store_losing_nothing(v6: Path) -> None:
    before = read_before(v6)
    assert before["counts"]["evidence"] > 1000  # type: ignore[index]
    with pytest.raises(StoreError, match=r"schema version 6, this PressLens needs 8: open it once for writing"):
        Store.open(v6, readonly=True)
    with Store.open(v6) as store:
        assert store.schema_version() == MIGRATIONS[-1][0] == 8
        assert store._db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # vacuumed after the migration
        assert store._db.execute("SELECT COUNT(*) FROM evidence_packs").fetchone()[0] > 0
        assert_reads_as_before(store, before)
        matrix = store.score_matrix()
        assert list(matrix.index) == sorted(matrix.index)
        old = before["scores"]
        assert isinstance(old, pd.DataFrame)
        assert matrix.notna().sum().sum() == old["value"].notna().sum()
        assert matrix.loc[old["article_id"].iloc[0], "odd.level"] != matrix.loc[old["article_id"].iloc[0],
                                                                                 "odd.level"]  # NULL: NaN
    with Store.open(v6, readonly=True) as reader:  # and a reader of the migrated store reads the same
        assert_reads_as_before(reader, before)


def test_vacuum_keeps_article_keys_scores_evidence_and_search(v6: Path, tmp_path: Path) -> None:
    """Scores and evidence hang on ``articles.key`` (INTEGER PRIMARY KEY): a VACUUM never renumbers it."""
    before = read_before(v6)
    with Store.open(v6) as store:
        keys = store._db.execute("SELECT key, id FROM articles ORDER BY key").fetchall()
    copy = tmp_path / "copy.db"
    shutil.copy(v6, copy)
    with sqlite3.connect(copy) as raw:
        raw.execute("VACUUM")
        raw.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")  # raises when broken
    raw.close()
    with Store.open(copy) as store:
        assert store._db.execute("SELECT key, id FROM articles ORDER BY key").fetchall() == keys
        assert_reads_as_before(store, before)


def test_scores_of_a_deleted_article_go_with_it(v6: Path) -> None:
    with Store.open(v6) as store:
        victim = store.articles(columns=["outlet"])["id"].iloc[0]
        assert not store.evidence(victim).empty
        store._db.execute("DELETE FROM articles WHERE id = ?", (victim,))
        assert store.evidence(victim).empty
        assert victim not in set(store.scores()["article_id"])
        assert victim not in store.score_matrix().index
        assert store._db.execute("SELECT COUNT(*) FROM scored WHERE article_id = ?", (victim,)).fetchone()[0] == 0
        store._db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")  # raises when broken
