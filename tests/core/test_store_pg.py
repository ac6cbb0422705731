"""The store on PostgreSQL: the same search as FTS5, credentials kept out of URLs, read-only opens,
evidence round trips, the move from SQLite and the reader and writer roles.

The tests that need a server skip with a reason unless PRESSLENS_TEST_PG names one
(``postgresql://USER@HOST:PORT/DB``, password from PGPASSWORD): docs/store.md.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pytest

from core.errors import SettingsError, StoreError
from core.pgstore import TEST_ENV, check_url, redact, translate
from core.schema import Article, article_id
from core.settings import Settings
from core.store import ArticleFilter, ScoreBatch, Store, move_store
from tests.conftest import REPO_ROOT

BASE_URL = os.environ.get(TEST_ENV)
needs_pg = pytest.mark.skipif(not BASE_URL, reason=f"needs a PostgreSQL server: set {TEST_ENV} (docs/store.md)")


def make(n: int, title: str, text: str, story: str | None = None) -> Article:
    url = f"https://example.com/{n}"
    return Article(id=article_id(url, None), outlet=f"Outlet {n % 3}", url=url, canonical_url=url, title=title,
                   text=text, published=f"2024-02-{n % 28 + 1:02d}", story_id=story)


# Words, diacritics, case, hyphens, apostrophes, numbers, non-Latin scripts, and phrases that would span
# the headline and the body (FTS5 keeps them apart: two columns).
CORPUS = [
    make(1, "Rare earths", "China limits exports of rare earths. Export controls tighten.", "s1"),
    make(2, "Export controls", "New export controls on chips; rare metals are next.", "s1"),
    make(3, "Café déjà vu", "Le café était plein. Crème brûlée à l'hôtel de Ville.", "s2"),
    make(4, "U.S. well-known CEO's plan", "The well known plan of the CEO: 3.5% growth in Q3-2024.", "s2"),
    make(5, "Ölpreis steigt", "Der Ölpreis steigt wegen Straßenblockaden; OELPREIS bleibt hoch.", "s3"),
    make(6, "Москва и Киев", "Переговоры в Москве; Киев отвечает.", "s3"),
    make(7, "東京 news", "東京で会議 and other 東京 words", None),
    make(8, "Headline ends rare", "earths begin this body", "s4"),
    make(9, "Ẓebra Ǖber naïve coöperate", "façade Ångström ÆSIR Øre ŁÓDŹ œuvre ß", "s4"),
]
QUERIES = [
    "rare", "rare earths", '"rare earths"', "rare OR chips", "rare earths OR \"export controls\"",
    '"rare" OR "earths" "export"', "cafe", "CAFÉ deja", "creme brulee", "l'hotel", "hotel", "well-known",
    '"well known"', "u.s.", "ceo's", "3.5%", "q3", "2024", "olpreis", "oelpreis", "strassenblockaden",
    "straßenblockaden", "москва", "москве", "東京", "東京で会議", "-x", "-", '"-" OR "rare"', "rare -",
    '"rare" OR "-"', "OR rare", "rare OR", "rare OR OR chips", '"ends rare earths"', '"rare earths begin"',
    "zebra", "uber", "naive", "cooperate", "facade", "angstrom", "aesir", "ore", "lodz", "łódź", "œuvre", "ss",
    '"', '""', "rare\x00earths", "exports*", "export*", "NOT rare", "rare AND chips", "(rare)", "rare:earths",
    "title:rare", "^rare", "nothing-matches-this",
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema of the test database, as a store URL (its search_path in the URL's options)."""
    if not BASE_URL:
        pytest.skip(f"needs a PostgreSQL server: set {TEST_ENV} (docs/store.md)")
    import psycopg

    schema = f"p_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(BASE_URL, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{BASE_URL}{'&' if '?' in BASE_URL else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(BASE_URL, autocommit=True) as db:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A path that opens as an SQLite store even when the suite runs on PostgreSQL."""
    monkeypatch.delenv(TEST_ENV, raising=False)
    return tmp_path / "reference.db"


def found(store: Store, query: str) -> tuple[list[str], dict[str, int]]:
    return sorted(store.articles(ArticleFilter(search=query))["id"]), store.story_hits(query)


@needs_pg
def test_search_matches_the_same_articles_as_fts5(pg_url: str, sqlite_path: Path) -> None:
    with Store.open(sqlite_path) as lite, Store.open(pg_url) as pg:
        assert pg.dialect == "postgresql" and lite.dialect == "sqlite"
        lite.upsert_articles(CORPUS)
        pg.upsert_articles(CORPUS)
        for query in QUERIES:
            assert found(pg, query) == found(lite, query), query
        assert found(pg, "rare earths")[0] and found(pg, "cafe")[0] and found(pg, "东京 OR 東京")[0]
        assert found(pg, '"ends rare earths"')[0] == []  # a phrase never spans headline and body
        changed = make(1, "Nothing here", "Nothing at all.", "s1")
        pg.upsert_articles([changed])
        lite.upsert_articles([changed])
        assert found(pg, "rare earths") == found(lite, "rare earths")  # the index follows updates
        assert changed.id not in found(pg, "rare earths")[0] and found(pg, "nothing")[0] == [changed.id]


def test_placeholders_translate_outside_string_literals_only() -> None:
    assert translate("SELECT ? WHERE a LIKE 'x%' AND b = '?' AND c % 2 = ?") == \
        "SELECT %s WHERE a LIKE 'x%%' AND b = '?' AND c %% 2 = %s"


def test_a_password_in_the_url_is_refused_and_never_printed(tmp_path: Path) -> None:
    for url in ("postgresql://alice:s3cret@db.example/presslens",
                "postgresql://db.example/presslens?password=s3cret"):
        with pytest.raises(StoreError, match="holds a password") as refused:
            Store.open(url)
        assert "s3cret" not in str(refused.value)
        with pytest.raises(SettingsError) as settings_refused:
            Settings.load({"db": url}, environ={})
        assert "s3cret" not in str(settings_refused.value)
        assert "s3cret" not in redact(url)
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--db",
                           "postgresql://alice:s3cret@db.example/presslens"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "holds a password" in done.stderr and "s3cret" not in done.stderr
    assert check_url("postgresql://alice@db.example:5433/presslens") == "postgresql://alice@db.example:5433/presslens"
    with pytest.raises(StoreError, match="names no database"):
        check_url("postgresql://db.example")


@needs_pg
def test_a_read_only_open_cannot_write(pg_url: str) -> None:
    with Store.open(pg_url) as writer:
        writer.upsert_articles(CORPUS[:2])
    with Store.open(pg_url, readonly=True) as reader:
        assert reader.count("articles") == 2
        with pytest.raises(StoreError, match="read-only"):
            reader.upsert_articles(CORPUS[2:3])
        import psycopg

        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader._db.execute("DELETE FROM articles")
        assert reader.count("articles") == 2


def scored_batch(store: Store) -> ScoreBatch:
    ids = sorted(store.articles()["id"])
    rng = np.random.default_rng(7)
    evidence = pd.DataFrame([
        {"article_id": aid, "metric": metric, "part": part, "sentence_index": k, "start": 10 * k, "end": 10 * k + 9,
         "value": None if k == 2 else float(rng.normal())}
        for aid in ids for metric in ("tone", "intensity") for part in ("title", "text") for k in range(4)])
    scores = pd.DataFrame([{"article_id": aid, "metric": m, "value": float(rng.normal()) if m != "nan" else None}
                           for aid in ids for m in ("tone", "intensity", "nan")])
    hashes = dict(store.articles(columns=["content_hash"])[["id", "content_hash"]].itertuples(index=False))
    return ScoreBatch("test_scorer", "1.0", hashes, scores, evidence)


@needs_pg
def test_scores_and_evidence_round_trip_as_on_sqlite(pg_url: str, sqlite_path: Path) -> None:
    with Store.open(sqlite_path) as lite, Store.open(pg_url) as pg:
        for store in (lite, pg):
            store.upsert_articles(CORPUS)
            store.write_scores(scored_batch(store))
        ids = sorted(lite.articles()["id"])
        pd.testing.assert_frame_equal(pg.evidence_of(ids), lite.evidence_of(ids))
        pd.testing.assert_frame_equal(pg.scores(), lite.scores())
        pd.testing.assert_frame_equal(pg.score_matrix(), lite.score_matrix())
        assert pg.count("evidence") == lite.count("evidence") == len(ids) * 16
        assert pg.unscored("test_scorer", "1.0") == [] and pg.scorers_present() == ["test_scorer"]
        victim = ids[0]
        pg._db.execute("DELETE FROM articles WHERE id = ?", (victim,))  # its scores and evidence go with it
        assert pg._db.execute("SELECT COUNT(*) FROM scored WHERE article_id = ?", (victim,)).fetchone()[0] == 0
        assert pg.count("evidence") == (len(ids) - 1) * 16


@needs_pg
def test_labels_and_undated_articles_read_as_on_sqlite(pg_url: str, sqlite_path: Path) -> None:
    undated = Article(id="u-1", outlet="Outlet 0", title="Undated", text="No date.", labels={"mojibake_original": "x"})
    with Store.open(sqlite_path) as lite, Store.open(pg_url) as pg:
        for store in (lite, pg):
            store.upsert_articles([*CORPUS, undated])
        pd.testing.assert_frame_equal(pg.with_label("mojibake_original"), lite.with_label("mojibake_original"))
        pd.testing.assert_frame_equal(pg.articles(), lite.articles())  # undated first, as SQLite orders NULLs
        assert pg.summary() == lite.summary()
        pd.testing.assert_frame_equal(pg.stories(), lite.stories())


@needs_pg
def test_move_copies_every_row_and_refuses_a_filled_target(pg_url: str, sqlite_path: Path) -> None:
    with Store.open(sqlite_path) as lite:
        lite.upsert_articles(CORPUS)
        lite.write_scores(scored_batch(lite))
        lite.save_page("https://example.com/1", b"<html>caf\xc3\xa9</html>", outlet="Outlet 1", status=200)
        lite.log_failure("https://example.com/x", "timeout", "read timed out", outlet="Outlet 2")
        run = lite.start_run("test", {"db": "x"}, {"test_scorer": "1.0"})
        lite.finish_run(run, {"articles": 9})
        lite.write_stories(pd.DataFrame({"story": ["s1"], "label": ["Rare earths"], "key_terms": [["rare"]]}))
        lite.write_story_aliases({"old-s1": "s1"})
    with Store.open(sqlite_path, readonly=True) as source, Store.open(pg_url) as target:
        counts = move_store(source, target, block_rows=4)  # many blocks
        assert counts["articles"] == 9 and counts["score_values"] == 27 and counts["evidence_packs"] == 9
        ids = sorted(source.articles()["id"])
        for table in ("articles", "pages", "fetch_log", "runs", "evidence", "scores", "scored"):
            assert target.count(table) == source.count(table), table
        pd.testing.assert_frame_equal(target.evidence_of(ids), source.evidence_of(ids))
        pd.testing.assert_frame_equal(target.scores(), source.scores())
        pd.testing.assert_frame_equal(target.articles(with_text=True), source.articles(with_text=True))
        pd.testing.assert_frame_equal(target.runs(), source.runs())
        assert target.page_html("https://example.com/1") == "<html>café</html>".encode()
        assert target.story_aliases() == {"old-s1": "s1"} and target.data_version() == source.data_version()
        assert found(target, "rare earths") == found(source, "rare earths")
        later = make(10, "After the move", "A new article gets the next key.")
        target.upsert_articles([later])  # identity sequences continue after the moved keys
        assert target.count("articles") == 10 and target.start_run("x", {}, {}) == run + 1
        with pytest.raises(StoreError, match="not empty"):
            move_store(source, target)


@needs_pg
def test_move_command_line(pg_url: str, sqlite_path: Path) -> None:
    with Store.open(sqlite_path) as lite:
        lite.upsert_articles(CORPUS)
    env = {k: v for k, v in os.environ.items() if k != TEST_ENV}
    command = [sys.executable, "-m", "core", "move", "--from", str(sqlite_path), "--to", pg_url]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stderr
    assert "moved 9 articles" in done.stdout
    again = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                           env={**env, "PYTHONPATH": str(REPO_ROOT)})
    assert again.returncode == 2 and "not empty" in again.stderr and again.stderr.count("\n") == 1


def _can_create_roles() -> bool:
    import psycopg

    with psycopg.connect(str(BASE_URL), autocommit=True) as db:
        row = db.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


@needs_pg
def test_the_reader_role_reads_and_cannot_write(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _can_create_roles():
        pytest.skip("the test database's role lacks CREATEROLE")
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    reader, writer = f"presslens_reader_{suffix}", f"presslens_writer_{suffix}"
    password = secrets.token_hex(16)  # a throwaway role's throwaway password, only in this process
    with Store.open(pg_url) as owner:
        owner.upsert_articles(CORPUS)
        owner.write_scores(scored_batch(owner))
        owner.grant_roles(reader, writer)
        for role in (reader, writer):
            owner._db.raw.execute(f'ALTER ROLE "{role}" PASSWORD {psycopg.sql.Literal(password).as_string()}')
    owners_password = os.environ.get("PGPASSWORD")
    monkeypatch.setenv("PGPASSWORD", password)
    parts = urlsplit(pg_url)
    as_role = {role: urlunsplit((parts.scheme, f"{role}@{parts.netloc.rsplit('@', 1)[-1]}", parts.path,
                                 parts.query, "")) for role in (reader, writer)}
    try:
        with Store.open(as_role[reader], readonly=True) as dashboard:
            assert dashboard.count("articles") == 9 and not dashboard.scores().empty
            assert dashboard.evidence_of(sorted(dashboard.articles()["id"])).shape[0] == 9 * 16
            assert found(dashboard, "rare earths")[0]
        with Store.open(as_role[reader], readonly=True) as sneaky:
            sneaky._db.execute("SET default_transaction_read_only = off")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                sneaky._db.execute("DELETE FROM articles")
        with Store.open(as_role[reader]) as opened_for_writing:  # opens (nothing to migrate), cannot write
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                opened_for_writing.upsert_articles([make(12, "Not written", "Body.")])
        with Store.open(as_role[writer]) as collector:
            collector.upsert_articles([make(11, "Written by the writer", "Body.")])
            assert collector.count("articles") == 10
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                collector._db.execute("DROP TABLE articles CASCADE")
    finally:
        if owners_password is None:
            monkeypatch.delenv("PGPASSWORD")
        else:
            monkeypatch.setenv("PGPASSWORD", owners_password)
        with psycopg.connect(str(BASE_URL), autocommit=True) as db:
            for role in (reader, writer):
                schema = pg_url.rsplit("%3D", 1)[1]
                db.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"')
                db.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{role}"')
                db.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" REVOKE ALL ON TABLES FROM "{role}"')
                db.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" REVOKE ALL ON SEQUENCES FROM "{role}"')
                db.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM "{role}"')
                db.execute(f'REVOKE ALL ON DATABASE "{db.info.dbname}" FROM "{role}"')
                db.execute(f'DROP ROLE "{role}"')


@needs_pg
def test_a_foreign_or_newer_schema_is_refused_untouched(pg_url: str) -> None:
    import psycopg

    with Store.open(pg_url) as store:
        store.upsert_articles(CORPUS[:1])
        store._db.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')")
    with pytest.raises(StoreError, match="schema version 99"):
        Store.open(pg_url)
    with pytest.raises(StoreError, match="schema version 99"):
        Store.open(pg_url, readonly=True)
    schema = pg_url.rsplit("%3D", 1)[1]
    with psycopg.connect(str(BASE_URL), autocommit=True) as db:
        db.execute(f'DROP SCHEMA "{schema}" CASCADE')
        db.execute(f'CREATE SCHEMA "{schema}"')
        db.execute(f'CREATE TABLE "{schema}".people (name TEXT)')
    with pytest.raises(StoreError, match=r"PostgreSQL schema but not a PressLens store .*its tables: people"):
        Store.open(pg_url)
    with psycopg.connect(str(BASE_URL), autocommit=True) as db:
        tables = [r[0] for r in db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                                           (schema,))]
    assert tables == ["people"]  # nothing was written
    with pytest.raises(StoreError, match="no schema"):
        Store.open(pg_url.replace(schema, "p_nothing_here"), readonly=True)


@needs_pg
def test_a_nul_character_is_stored_and_found_as_u_fffd(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        store.upsert_articles([Article(id="n-1", outlet="Out\x00let", title="T\x00", text="Body\x00 text.")])
        assert store.articles(ArticleFilter(outlets=("Out\x00let",)))["title"].tolist() == ["T\ufffd"]
        assert found(store, "body")[0] == ["n-1"]


@needs_pg
def test_an_import_into_a_store_url_with_encoded_options_stores_every_batch(pg_url: str, tmp_path: Path) -> None:
    # The import's writer thread opens the store again by its URL as given (%-encoded options and all).
    import json

    from scrapers.importer import BATCH, import_files

    assert "%3D" in pg_url
    lines = [json.dumps({"id": f"t-{n}", "outlet": "Daily Example", "url": f"https://daily.example/a-{n}",
                         "title": f"Headline {n}", "text": "First sentence. Second one."})
             for n in range(BATCH + 5)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store.open(pg_url) as store:
        report = import_files([tmp_path / "a.jsonl"], store)
        assert report.counts.inserted == store.count("articles") == BATCH + 5


@needs_pg
def test_writing_no_rows_counts_zero_as_on_sqlite(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        assert store.write_syndication(pd.DataFrame(columns=["id", "group_id", "group_size", "n_outlets",
                                                             "is_original", "similarity", "wire", "agency"])) == 0


def test_the_test_hook_refuses_a_real_store_file_and_leaves_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEST_ENV, raising=False)
    path = tmp_path / "presslens.db"
    with Store.open(path) as store:
        store.upsert_articles([CORPUS[0]])
    before = path.read_bytes()
    monkeypatch.setenv(TEST_ENV, "postgresql://nobody@127.0.0.1:1/none")  # never reached: refused first
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a PostgreSQL test store"):
            Store.open(path, readonly=readonly)
    assert path.read_bytes() == before
