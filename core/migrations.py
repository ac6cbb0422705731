"""The store's schema as an ordered list of migrations.

Each migration runs once, in order, inside one transaction, and is recorded in
``schema_migrations``. Never edit a released migration: append a new one. A migration
is SQL, or a sequence of SQL scripts and Python steps (a step is called with the
connection, inside the same transaction: the work SQL cannot do, such as packing
evidence records). The migrations in ``VACUUM_AFTER`` free so much space that the
store is vacuumed once they are committed.

PostgreSQL stores start at ``POSTGRESQL_BASE_VERSION``: ``POSTGRESQL_SCHEMA`` creates that
version at once and records migrations 1..base as applied. A later migration applies to both
backends: its body is SQL both understand (or Python steps using ``?`` placeholders), or a
mapping ``{"sqlite": body, "postgresql": body}`` when the two need different text.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from core.schema import pack_evidence

log = logging.getLogger(__name__)

Step = str | Callable[[sqlite3.Connection], None]
Body = str | Sequence[Step] | Mapping[str, "str | Sequence[Step]"]

# Rows read at a time while migration 7 packs the old evidence table (bounded memory on any store).
PACK_READ_ROWS = 200_000


def _pack_old_evidence(db: sqlite3.Connection) -> None:
    """Pack the rows of the old evidence table into one record per (article, scorer), in bounded memory."""
    cursor = db.execute(
        "SELECT a.key, k.key, m.key, p.key, e.sentence_index, e.start, e.end, e.value FROM evidence e "
        "JOIN articles a ON a.id = e.article_id JOIN scorers k ON k.name = e.scorer "
        "JOIN metrics m ON m.scorer = e.scorer AND m.version = e.version AND m.metric = e.metric "
        "JOIN evidence_parts p ON p.name = e.part ORDER BY a.key, k.key")
    pending: list[tuple] = []
    while True:
        rows = cursor.fetchmany(PACK_READ_ROWS)
        if rows:
            pending.extend(rows)
        if not pending:
            break
        columns = list(zip(*pending))
        article = np.fromiter(columns[0], dtype=np.int64, count=len(pending))
        scorer = np.fromiter(columns[1], dtype=np.int64, count=len(pending))
        starts = np.flatnonzero(np.r_[True, (np.diff(article) != 0) | (np.diff(scorer) != 0)])
        ends = np.r_[starts[1:], len(pending)]
        if rows:  # the last (article, scorer) may go on in the next read
            starts, ends = starts[:-1], ends[:-1]
        packed = pack_columns(columns, starts, ends)
        db.executemany("INSERT INTO evidence_packs (article_key, scorer_key, rows, data) VALUES (?, ?, ?, ?)",
                       [(int(article[s]), int(scorer[s]), int(e - s), blob) for s, e, blob in packed])
        done = int(ends[-1]) if len(ends) else 0
        pending = pending[done:]
        if not rows:
            break
    # Rows of an article that is not in the store (never written by PressLens: articles are never deleted)
    # have no key and are left out; say so rather than lose them silently.
    for old, new in (("scores", "SELECT COUNT(*) FROM score_values"), ("scored", "SELECT COUNT(*) FROM scored_by"),
                     ("evidence", "SELECT COALESCE(SUM(rows), 0) FROM evidence_packs")):
        before, after = (int(db.execute(sql).fetchone()[0]) for sql in (f"SELECT COUNT(*) FROM {old}", new))
        if before != after:
            log.warning("migration 7 left out %d %s rows of articles not in the store", before - after, old)


def pack_columns(columns: Sequence[Sequence], starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int, bytes]]:
    """Pack rows ``start:end`` of evidence columns (metric, part, sentence, start, end, value after two keys)."""
    metric, part, sentence, start, end = (np.asarray(columns[k], dtype=np.int64) for k in range(2, 7))
    value = np.array([np.nan if v is None else v for v in columns[7]], dtype=np.float64)
    return [(int(s), int(e), pack_evidence({"metric": metric[s:e], "part": part[s:e], "sentence_index": sentence[s:e],
                                            "start": start[s:e], "end": end[s:e], "value": value[s:e]}))
            for s, e in zip(starts, ends)]


MIGRATIONS: tuple[tuple[int, str, Body], ...] = (
    (
        1,
        "initial tables",
        """
        CREATE TABLE outlets (
            name TEXT PRIMARY KEY,
            display_name TEXT,
            domain TEXT,
            bias TEXT,
            country TEXT,
            ownership TEXT,
            attributes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            source_id TEXT,
            outlet TEXT NOT NULL,
            url TEXT,
            canonical_url TEXT,
            title TEXT NOT NULL,
            published TEXT,
            modified TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            topic TEXT,
            story_id TEXT,
            story_origin TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '{}',
            stored_at TEXT NOT NULL
        );
        CREATE INDEX articles_outlet ON articles(outlet);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_topic ON articles(topic);
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE UNIQUE INDEX articles_canonical ON articles(canonical_url) WHERE canonical_url IS NOT NULL;
        CREATE TABLE pages (
            url TEXT PRIMARY KEY,
            final_url TEXT,
            outlet TEXT,
            status INTEGER,
            content_type TEXT,
            html BLOB NOT NULL,
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            url TEXT NOT NULL,
            outlet TEXT,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            run_id INTEGER,
            at TEXT NOT NULL
        );
        CREATE INDEX fetch_log_kind ON fetch_log(kind);
        CREATE TABLE scored (
            article_id TEXT NOT NULL,
            scorer TEXT NOT NULL,
            version TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            run_id INTEGER,
            scored_at TEXT NOT NULL,
            PRIMARY KEY (article_id, scorer)
        );
        CREATE TABLE scores (
            article_id TEXT NOT NULL,
            scorer TEXT NOT NULL,
            version TEXT NOT NULL,
            metric TEXT NOT NULL,
            value REAL,
            PRIMARY KEY (article_id, scorer, metric)
        );
        CREATE INDEX scores_metric ON scores(scorer, metric);
        CREATE TABLE evidence (
            article_id TEXT NOT NULL,
            scorer TEXT NOT NULL,
            version TEXT NOT NULL,
            metric TEXT NOT NULL,
            part TEXT NOT NULL,
            sentence_index INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            value REAL,
            PRIMARY KEY (article_id, scorer, metric, part, sentence_index)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            versions TEXT NOT NULL DEFAULT '{}',
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE store_state (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        INSERT INTO store_state (key, value) VALUES ('data_version', 0);
        """,
    ),
    (
        2,
        "full-text search over titles and texts",
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
        """,
    ),
    (
        3,
        "syndication groups and story labels",
        """
        CREATE TABLE syndication (
            article_id TEXT PRIMARY KEY,
            group_id TEXT NOT NULL,
            group_size INTEGER NOT NULL,
            n_outlets INTEGER NOT NULL,
            is_original INTEGER NOT NULL,
            similarity REAL,
            wire TEXT,
            agency TEXT
        );
        CREATE INDEX syndication_group ON syndication(group_id);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            key_terms TEXT NOT NULL DEFAULT '[]',
            founder TEXT,
            origin TEXT NOT NULL
        );
        """,
    ),
    (
        4,
        "runs record their host, process id and process start time",
        """
        ALTER TABLE runs ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN process_started REAL;
        """,
    ),
    (
        5,
        "events inside stories, and merged story ids",
        """
        ALTER TABLE articles ADD COLUMN event_id TEXT;
        CREATE INDEX articles_event ON articles(event_id);
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            story_id TEXT,
            label TEXT NOT NULL,
            founder TEXT
        );
        CREATE INDEX events_story ON events(story_id);
        CREATE TABLE story_aliases (
            alias TEXT PRIMARY KEY,
            story_id TEXT NOT NULL
        );
        """,
    ),
    (
        6,
        "article host and attribution",
        """
        ALTER TABLE articles ADD COLUMN host TEXT;
        ALTER TABLE articles ADD COLUMN attribution TEXT;
        CREATE INDEX articles_host ON articles(host);
        """,
    ),
    (
        7,
        "compact store: integer article keys, dictionary-keyed scores, packed evidence",
        (
            """
            CREATE TABLE articles_v7 (
                key INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                source_id TEXT,
                outlet TEXT NOT NULL,
                url TEXT,
                canonical_url TEXT,
                title TEXT NOT NULL,
                published TEXT,
                modified TEXT,
                authors TEXT NOT NULL DEFAULT '[]',
                language TEXT,
                topic TEXT,
                story_id TEXT,
                story_origin TEXT,
                text TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                source TEXT NOT NULL,
                labels TEXT NOT NULL DEFAULT '{}',
                stored_at TEXT NOT NULL,
                event_id TEXT,
                host TEXT,
                attribution TEXT
            );
            INSERT INTO articles_v7 (key, id, source_id, outlet, url, canonical_url, title, published, modified,
                authors, language, topic, story_id, story_origin, text, content_hash, source, labels, stored_at,
                event_id, host, attribution)
            SELECT rowid, id, source_id, outlet, url, canonical_url, title, published, modified, authors, language,
                topic, story_id, story_origin, text, content_hash, source, labels, stored_at, event_id, host,
                attribution
            FROM articles ORDER BY rowid;
            DROP TABLE articles;
            ALTER TABLE articles_v7 RENAME TO articles;
            CREATE INDEX articles_outlet ON articles(outlet);
            CREATE INDEX articles_published ON articles(published);
            CREATE INDEX articles_story ON articles(story_id);
            CREATE INDEX articles_topic ON articles(topic);
            CREATE INDEX articles_hash ON articles(content_hash);
            CREATE UNIQUE INDEX articles_canonical ON articles(canonical_url) WHERE canonical_url IS NOT NULL;
            CREATE INDEX articles_event ON articles(event_id);
            CREATE INDEX articles_host ON articles(host);
            CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
                INSERT INTO articles_fts(rowid, title, text) VALUES (new.key, new.title, new.text);
            END;
            CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
                INSERT INTO articles_fts(articles_fts, rowid, title, text)
                    VALUES ('delete', old.key, old.title, old.text);
            END;
            CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
                INSERT INTO articles_fts(articles_fts, rowid, title, text)
                    VALUES ('delete', old.key, old.title, old.text);
                INSERT INTO articles_fts(rowid, title, text) VALUES (new.key, new.title, new.text);
            END;
            CREATE TABLE scorers (
                key INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            CREATE TABLE metrics (
                key INTEGER PRIMARY KEY,
                scorer TEXT NOT NULL,
                version TEXT NOT NULL,
                metric TEXT NOT NULL,
                UNIQUE (scorer, version, metric)
            );
            CREATE TABLE evidence_parts (
                key INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            INSERT INTO scorers (name)
                SELECT scorer FROM scored UNION SELECT scorer FROM scores UNION SELECT scorer FROM evidence;
            INSERT INTO metrics (scorer, version, metric)
                SELECT scorer, version, metric FROM scores UNION SELECT scorer, version, metric FROM evidence;
            INSERT INTO evidence_parts (name) SELECT DISTINCT part FROM evidence ORDER BY part;
            CREATE TABLE score_values (
                metric_key INTEGER NOT NULL,
                article_key INTEGER NOT NULL,
                value REAL,
                PRIMARY KEY (metric_key, article_key)
            ) WITHOUT ROWID;
            INSERT INTO score_values (metric_key, article_key, value)
                SELECT m.key, a.key, s.value FROM scores s JOIN articles a ON a.id = s.article_id
                JOIN metrics m ON m.scorer = s.scorer AND m.version = s.version AND m.metric = s.metric
                ORDER BY m.key, a.key;
            CREATE INDEX score_values_article ON score_values(article_key, metric_key, value);
            CREATE TABLE scored_by (
                article_key INTEGER NOT NULL,
                scorer_key INTEGER NOT NULL,
                version TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                run_id INTEGER,
                scored_at TEXT NOT NULL,
                PRIMARY KEY (article_key, scorer_key)
            ) WITHOUT ROWID;
            INSERT INTO scored_by (article_key, scorer_key, version, content_hash, run_id, scored_at)
                SELECT a.key, k.key, s.version, s.content_hash, s.run_id, s.scored_at
                FROM scored s JOIN articles a ON a.id = s.article_id JOIN scorers k ON k.name = s.scorer
                ORDER BY a.key, k.key;
            CREATE TABLE evidence_packs (
                article_key INTEGER NOT NULL,
                scorer_key INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (article_key, scorer_key)
            );
            """,
            _pack_old_evidence,
            """
            DROP TABLE scores;
            DROP TABLE scored;
            DROP TABLE evidence;
            CREATE VIEW scores (article_id, scorer, version, metric, value) AS
                SELECT a.id, m.scorer, m.version, m.metric, v.value
                FROM score_values v JOIN metrics m ON m.key = v.metric_key JOIN articles a ON a.key = v.article_key;
            CREATE VIEW scored (article_id, scorer, version, content_hash, run_id, scored_at) AS
                SELECT a.id, k.name, s.version, s.content_hash, s.run_id, s.scored_at
                FROM scored_by s JOIN scorers k ON k.key = s.scorer_key JOIN articles a ON a.key = s.article_key;
            CREATE TRIGGER articles_forget AFTER DELETE ON articles BEGIN
                DELETE FROM score_values WHERE article_key = old.key;
                DELETE FROM scored_by WHERE article_key = old.key;
                DELETE FROM evidence_packs WHERE article_key = old.key;
            END;
            """,
        ),
    ),
    # The dashboard's columns on a large store (each article's outlet, day, topic and story, filtered and
    # summed in memory) are read from this index alone, never from the rows that hold the texts. It starts
    # with the outlet, so it serves every lookup the index on outlet alone served.
    # The data-quality ledger's repaired articles are found through a partial index, not a scan of every row.
    (
        8,
        "covering index of outlet, day, language, topic and story; index of repaired articles",
        {
            "sqlite": """
            CREATE INDEX articles_facets ON articles(outlet, published, language, topic, story_id);
            DROP INDEX articles_outlet;
            CREATE INDEX articles_repaired ON articles(outlet, id)
                WHERE json_extract(labels, '$.mojibake_original') IS NOT NULL;
            """,
            "postgresql": """
            CREATE INDEX articles_facets ON articles(outlet, published, language, topic, story_id);
            DROP INDEX articles_outlet;
            CREATE INDEX articles_repaired ON articles(outlet, id)
                WHERE (CAST(labels AS jsonb) ->> 'mojibake_original') IS NOT NULL;
            """,
        },
    ),
)

# Migrations after which the store is vacuumed (they drop more than half of a scored store's pages).
VACUUM_AFTER: frozenset[int] = frozenset({7})


def steps(body: Body, dialect: str = "sqlite") -> list[Step]:
    """Return a migration's steps in order for a backend (``sqlite`` or ``postgresql``): SQL scripts, Python steps."""
    if isinstance(body, Mapping):
        body = body[dialect]
    return [body] if isinstance(body, str) else list(body)


# The schema at POSTGRESQL_BASE_VERSION on PostgreSQL: the tables, indexes, views and trigger that migrations
# 1..7 leave on SQLite, with PostgreSQL's types (BYTEA for packed evidence and pages, identity keys, a tsvector
# of the FTS5 terms for full text). Text columns compare and sort byte by byte (COLLATE "C"), as SQLite's BINARY.
POSTGRESQL_BASE_VERSION = 7
POSTGRESQL_SCHEMA = """
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE outlets (
    name TEXT PRIMARY KEY,
    display_name TEXT,
    domain TEXT,
    bias TEXT,
    country TEXT,
    ownership TEXT,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE articles (
    key INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source_id TEXT,
    outlet TEXT NOT NULL,
    url TEXT,
    canonical_url TEXT,
    title TEXT NOT NULL,
    published TEXT,
    modified TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    topic TEXT,
    story_id TEXT,
    story_origin TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    stored_at TEXT NOT NULL,
    event_id TEXT,
    host TEXT,
    attribution TEXT,
    search TSVECTOR NOT NULL DEFAULT ''
);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_topic ON articles(topic);
CREATE INDEX articles_hash ON articles(content_hash);
CREATE UNIQUE INDEX articles_canonical ON articles(canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX articles_event ON articles(event_id);
CREATE INDEX articles_host ON articles(host);
CREATE INDEX articles_search ON articles USING GIN (search);
CREATE TABLE pages (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    outlet TEXT,
    status INTEGER,
    content_type TEXT,
    html BYTEA NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE TABLE fetch_log (
    id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    url TEXT NOT NULL,
    outlet TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    run_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX fetch_log_kind ON fetch_log(kind);
CREATE TABLE runs (
    id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    versions TEXT NOT NULL DEFAULT '{}',
    counts TEXT NOT NULL DEFAULT '{}',
    host TEXT,
    pid INTEGER,
    process_started DOUBLE PRECISION
);
CREATE TABLE store_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO store_state (key, value) VALUES ('data_version', 0);
CREATE TABLE syndication (
    article_id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL,
    group_size INTEGER NOT NULL,
    n_outlets INTEGER NOT NULL,
    is_original INTEGER NOT NULL,
    similarity DOUBLE PRECISION,
    wire TEXT,
    agency TEXT
);
CREATE INDEX syndication_group ON syndication(group_id);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    key_terms TEXT NOT NULL DEFAULT '[]',
    founder TEXT,
    origin TEXT NOT NULL
);
CREATE TABLE events (id TEXT PRIMARY KEY, story_id TEXT, label TEXT NOT NULL, founder TEXT);
CREATE INDEX events_story ON events(story_id);
CREATE TABLE story_aliases (alias TEXT PRIMARY KEY, story_id TEXT NOT NULL);
CREATE TABLE scorers (key INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE metrics (
    key INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    scorer TEXT NOT NULL,
    version TEXT NOT NULL,
    metric TEXT NOT NULL,
    UNIQUE (scorer, version, metric)
);
CREATE TABLE evidence_parts (key INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE score_values (
    metric_key INTEGER NOT NULL,
    article_key INTEGER NOT NULL,
    value DOUBLE PRECISION,
    PRIMARY KEY (metric_key, article_key)
);
CREATE INDEX score_values_article ON score_values(article_key, metric_key, value);
CREATE TABLE scored_by (
    article_key INTEGER NOT NULL,
    scorer_key INTEGER NOT NULL,
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    run_id INTEGER,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (article_key, scorer_key)
);
CREATE TABLE evidence_packs (
    article_key INTEGER NOT NULL,
    scorer_key INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (article_key, scorer_key)
);
CREATE VIEW scores (article_id, scorer, version, metric, value) AS
    SELECT a.id, m.scorer, m.version, m.metric, v.value
    FROM score_values v JOIN metrics m ON m.key = v.metric_key JOIN articles a ON a.key = v.article_key;
CREATE VIEW scored (article_id, scorer, version, content_hash, run_id, scored_at) AS
    SELECT a.id, k.name, s.version, s.content_hash, s.run_id, s.scored_at
    FROM scored_by s JOIN scorers k ON k.key = s.scorer_key JOIN articles a ON a.key = s.article_key;
CREATE FUNCTION articles_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM score_values WHERE article_key = OLD.key;
    DELETE FROM scored_by WHERE article_key = OLD.key;
    DELETE FROM evidence_packs WHERE article_key = OLD.key;
    RETURN OLD;
END $$;
CREATE TRIGGER articles_forget AFTER DELETE ON articles FOR EACH ROW EXECUTE FUNCTION articles_forget();
""".replace(" TEXT", ' TEXT COLLATE "C"')
