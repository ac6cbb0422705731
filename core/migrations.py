"""The store's schema as an ordered list of migrations.

Each migration runs once, in order, inside one transaction, and is recorded in
``schema_migrations``. Never edit a released migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
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
)
