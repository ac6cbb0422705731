"""The bundled demo store: real, openly licensed news that ``make run`` opens when it cannot collect.

``data/demo/sources.toml`` lists each article with its outlet, address, date, authors, licence,
the page on which the publisher states that licence, what was left out, and the text.
``build_demo_articles`` checks every entry (a licence that allows republishing, an http(s)
address, a date, a text) and writes ``data/demo/articles.jsonl`` in the importer's format, the
attribution kept in each article's ``labels``. ``ensure_demo_store`` imports that file into
``data/demo.db`` (git-ignored) the first time it is needed.

    build_demo_articles(DEMO_SOURCES, DEMO_ARTICLES)   # scripts/build_demo.py
    ensure_demo_store(DEMO_DB, settings)               # make run, offline, on an empty store
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.settings import REPO_ROOT, Settings
from core.store import Store
from core.tomlfile import read_toml
from core.urls import canonical_url
from scrapers import importer

log = logging.getLogger(__name__)

DEMO_DIR = REPO_ROOT / "data" / "demo"
DEMO_SOURCES = DEMO_DIR / "sources.toml"
DEMO_ARTICLES = DEMO_DIR / "articles.jsonl"
DEMO_DB = REPO_ROOT / "data" / "demo.db"
# Licences that allow republishing (with attribution): public domain and Creative Commons BY / BY-SA.
# Non-commercial and no-derivatives licences are not on the list: an excerpt is a derivative.
ALLOWED_LICENCES = frozenset({"public domain", "CC0 1.0", "CC BY 2.0", "CC BY 2.5", "CC BY 3.0", "CC BY 4.0",
                              "CC BY-SA 2.0", "CC BY-SA 2.5", "CC BY-SA 3.0", "CC BY-SA 4.0"})
ARTICLE_KEYS = {"story", "outlet", "title", "url", "read_from", "published", "authors", "licence", "licence_url",
                "licence_evidence", "changes", "text"}
REQUIRED = ("story", "outlet", "title", "url", "published", "licence", "licence_url", "licence_evidence", "changes",
            "text")


def load_demo_sources(path: Path = DEMO_SOURCES) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Return the stories (id -> title) and the checked article entries of a demo sources file.

    Raises InputError naming the file and the entry at fault: an unknown key, a missing field,
    a licence outside ``ALLOWED_LICENCES``, an address that is not http(s), a bad date.
    """
    source = str(path)
    data = read_toml(path, "demo sources")
    tables = data.get("stories")
    if not isinstance(tables, list) or not all(isinstance(t, dict) and t.get("id") and t.get("title")
                                                for t in tables):
        raise InputError("stories: one [[stories]] table with id and title per story is required", source=source)
    stories = {str(t["id"]): str(t["title"]) for t in tables}
    entries = data.get("articles")
    if not isinstance(entries, list) or not entries:
        raise InputError("articles: missing: one [[articles]] table per article", source=source)
    checked = []
    for number, entry in enumerate(entries):
        key = f"articles[{number}]"
        unknown = sorted(set(entry) - ARTICLE_KEYS)
        if unknown:
            raise InputError(f"{key}: unknown key(s) {', '.join(unknown)}", source=source)
        missing = [k for k in REQUIRED if not str(entry.get(k, "")).strip()]
        if missing:
            raise InputError(f"{key}: missing {', '.join(missing)}", source=source)
        if entry["story"] not in stories:
            raise InputError(f"{key}.story: {entry['story']!r} is not a [[stories]] id; known: "
                             f"{', '.join(stories)}", source=source)
        if entry["licence"] not in ALLOWED_LICENCES:
            raise InputError(f"{key}.licence: {entry['licence']!r} does not allow republishing here; allowed: "
                             f"{', '.join(sorted(ALLOWED_LICENCES))}", source=source)
        for field in ("url", "read_from", "licence_url", "licence_evidence"):
            if field in entry:
                try:
                    canonical_url(entry[field])
                except ValueError:
                    raise InputError(f"{key}.{field}: {entry[field]!r} is not an http(s) URL", source=source) from None
        try:
            date.fromisoformat(str(entry["published"]))
        except ValueError:
            raise InputError(f"{key}.published: {entry['published']!r} is not a date", source=source) from None
        authors = entry.get("authors", [])
        if not isinstance(authors, list) or not all(isinstance(a, str) and a for a in authors):
            raise InputError(f"{key}.authors: must be a list of names", source=source)
        checked.append(entry)
    return stories, checked


def attribution(entry: dict[str, Any]) -> str:
    """Return the attribution line a licence asks for.

    >>> attribution({"title": "T", "authors": ["A B"], "outlet": "O", "url": "https://o.org/t",
    ...              "licence": "CC BY 3.0", "changes": "excerpt"})
    '"T" by A B, O (https://o.org/t), CC BY 3.0; changes: excerpt'
    """
    by = ", ".join(entry.get("authors") or []) or entry["outlet"]
    return f'"{entry["title"]}" by {by}, {entry["outlet"]} ({entry["url"]}), {entry["licence"]}; ' \
           f'changes: {entry["changes"]}'


def demo_records(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the importer's JSON Lines records of the demo articles, attribution in ``labels``."""
    records = []
    for entry in entries:
        labels = {"licence": entry["licence"], "licence_url": entry["licence_url"],
                  "licence_evidence": entry["licence_evidence"], "source_url": entry["url"],
                  "read_from": entry.get("read_from", entry["url"]), "changes": entry["changes"],
                  "attribution": attribution(entry), "demo": True}
        records.append({"url": entry["url"], "outlet": entry["outlet"], "title": entry["title"],
                        "published": str(entry["published"]), "story_id": entry["story"], "language": "en",
                        "authors": list(entry.get("authors", [])), "text": entry["text"].strip(),
                        "labels": labels})
    return records


def build_demo_articles(sources: Path = DEMO_SOURCES, out: Path = DEMO_ARTICLES) -> int:
    """Write the demo articles file from the sources file; return the number of articles."""
    _stories, entries = load_demo_sources(sources)
    records = demo_records(entries)
    out.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records),
                   encoding="utf-8")
    return len(records)


def ensure_demo_store(db: Path = DEMO_DB, settings: Settings | None = None,
                      articles: Path = DEMO_ARTICLES) -> int:
    """Import the demo articles into ``db`` unless it already holds them; return its article count."""
    settings = settings or Settings.load()
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open_with(settings, path=db) as store:
        if store.count("articles") == 0:
            run_id = store.start_run(f"demo store from {articles}", settings.as_dict(), {"importer": "1"})
            report = importer.import_files([articles], store, run_id=run_id)
            store.finish_run(run_id, report.as_counts(), "done" if not report.rejected else "partial")
            for file, line, _kind, message in report.rejected:
                log.warning("%s:%d: %s", file, line, message)
        return store.count("articles")
