"""Scraped text is untrusted: never rendered as HTML or markdown, never a formula, never SQL; secrets never logged."""

from __future__ import annotations

import ast
import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.errors import StoreError
from core.store import ArticleFilter, Store
from core.tabular import FORMULA_PREFIXES, to_csv, to_json
from tests.conftest import REPO_ROOT
from tests.helpers import build_store, run_page

PAYLOAD = '<script>alert(1)</script><img src=http://x/y.png> [x](javascript:alert(1)) =HYPERLINK("http://x")'
FORMULA_TITLE = '=HYPERLINK("http://x","click")'
# What must never reach a markdown or HTML sink: the tags, the link, the remote image.
MARKERS = ("<script", "<img", "javascript:", "y.png", "HYPERLINK")
PAGES = sorted(p.relative_to(REPO_ROOT / "dashboard").as_posix()
               for p in (REPO_ROOT / "dashboard" / "app_pages").glob("*.py") if p.name != "__init__.py")


def hostile_records(outlet: str = "Plain Daily") -> list[dict[str, Any]]:
    """Two articles carrying the payload in every free-text field the importer accepts, and a normal one."""
    body = "The minister said the talks on exports went well. Officials reported new rules this week."
    return [
        {"id": "h-1", "outlet": outlet, "url": "https://hostile.example/1?q=%3Cscript%3E", "title": PAYLOAD,
         "published": "2024-05-01", "topic": PAYLOAD, "story_id": "story-1", "text": f"{PAYLOAD} {body} {PAYLOAD}",
         "labels": {"note": PAYLOAD}},
        {"id": "h-2", "outlet": outlet, "url": "https://hostile.example/2", "title": FORMULA_TITLE,
         "published": "2024-05-02", "topic": PAYLOAD, "story_id": "story-1", "text": f"{FORMULA_TITLE} {body}"},
        {"id": "h-3", "outlet": "Other Times", "url": "https://other.example/3", "title": "A plain headline",
         "published": "2024-05-03", "topic": PAYLOAD, "story_id": "story-1", "text": body},
    ]


def make_store(folder: Path, records: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "hostile.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return build_store(folder / "hostile.db", corpus)  # imported and scored by the real CLIs


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("hostile"), hostile_records())


# --- the dashboard ---------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _walk(child)


# Elements whose body Streamlit shows as plain text (no markdown, no HTML).
PLAIN_ELEMENTS = {"text", "code", "json", "arrow_data_frame", "dataframe", "table", "plotly_chart"}


def markdown_strings(at: Any) -> list[str]:
    """Every string a rendered page passes to a markdown renderer: bodies, labels, help, radio options."""
    found: list[str] = []
    for element in _walk(at._tree):
        proto, kind = getattr(element, "proto", None), getattr(element, "type", "")
        if proto is None or kind in PLAIN_ELEMENTS or not hasattr(proto, "DESCRIPTOR"):
            continue
        fields = {f.name for f in proto.DESCRIPTOR.fields}
        found += [getattr(proto, name) for name in ("body", "label", "help", "placeholder") if name in fields]
        if kind == "radio":
            found += list(proto.options)
    return [s for s in found if isinstance(s, str)]


@pytest.mark.parametrize("page", PAGES)
def test_dashboard_never_renders_scraped_text_as_markdown_or_html(hostile_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  page: str) -> None:
    at = run_page(hostile_db, monkeypatch, page)
    if any(s.key == "scope" for s in at.radio) and "Topic" in at.radio(key="scope").options:
        at.radio(key="scope").set_value("Topic").run()  # the hostile topic becomes the selected option
        assert not at.exception
    leaked = [s for s in markdown_strings(at) if any(m in s for m in MARKERS)]
    assert leaked == [], leaked
    assert not at.get("html")  # no st.html anywhere


def test_articles_page_shows_the_payload_as_plain_text(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(hostile_db, monkeypatch, "app_pages/articles.py")
    listing = next(d.value for d in at.dataframe if "title" in d.value.columns)
    assert PAYLOAD in listing["title"].tolist() and FORMULA_TITLE in listing["title"].tolist()  # verbatim, as data
    with Store.open(hostile_db, readonly=True) as store:
        hostile_id = store.articles().set_index("source_id").loc["h-1", "id"]
    at.selectbox(key="article").set_value(hostile_id).run()
    shown = [t.value for t in at.text]  # st.text: shown character for character, never parsed
    assert PAYLOAD in shown and any(line.startswith("Plain Daily") for line in shown)
    sentences = next(d.value for d in at.dataframe if "sentence" in d.value.columns)
    assert sentences["sentence"].str.contains("<script>alert(1)</script>", regex=False).any()


def test_markdown_calls_in_the_dashboard_take_no_scraped_fields() -> None:
    """Static check: no unsafe_allow_html/st.html/components, and no st.markdown of a store field."""
    calls = []
    for path in sorted((REPO_ROOT / "dashboard").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in source and "components.v1" not in source, path
        assert not re.search(r"\bst\.(html|write)\(", source), path  # st.write renders strings as markdown
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("markdown", "caption", "info", "warning", "error", "success", "title",
                                           "header", "subheader", "toast")):
                for arg in node.args[:1]:
                    for part in ast.walk(arg):
                        if isinstance(part, ast.Subscript) and isinstance(part.slice, ast.Constant):
                            calls.append((path.name, node.lineno, part.slice.value))
    scraped = [c for c in calls if c[2] in ("outlet", "title", "text", "topic", "story_id", "label", "sentence",
                                            "authors", "url")]
    assert scraped == [], f"store fields rendered as markdown (show them with st.text): {scraped}"


def test_a_hostile_outlet_name_is_not_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_store(tmp_path, hostile_records(outlet="![x](http://x/y.png) [x](javascript:alert(1))"))
    at = run_page(db, monkeypatch, "app_pages/articles.py")
    with Store.open(db, readonly=True) as store:
        at.selectbox(key="article").set_value(store.articles().set_index("source_id").loc["h-1", "id"]).run()
    leaked = [s for s in markdown_strings(at) if any(m in s for m in MARKERS)]
    assert leaked == [], leaked


# --- exports ---------------------------------------------------------------------------------------

def _unsafe_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(FORMULA_PREFIXES) else []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _unsafe_strings(k) + _unsafe_strings(v)]
    if isinstance(value, list):
        return [s for item in value for s in _unsafe_strings(item)]
    return []


def _number(cell: str) -> bool:
    """A negative number ("-0.0136") is a number in a spreadsheet, not a formula; numbers stay numbers."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_exported_tables_neutralise_every_formula(hostile_db: Path) -> None:
    from core.settings import Settings
    from dashboard import exports, queries

    with Store.open(hostile_db, readonly=True) as store:
        articles = store.articles(with_text=True)
        scores = store.scores()
    assert FORMULA_TITLE in articles["title"].tolist()
    tables = {"articles": articles, "scores": scores,
              "catalogue": queries.catalogue(str(hostile_db), Settings.load(environ={}))}
    for name, table in tables.items():
        rows = list(csv.reader(io.StringIO(exports.csv_bytes(table).decode("utf-8"), newline="")))
        assert not [c for row in rows for c in row if c.startswith(FORMULA_PREFIXES) and not _number(c)], name
        assert not _unsafe_strings(json.loads(to_json(table))), name
    titles = [row[list(articles.columns).index("title")] for row in csv.reader(io.StringIO(to_csv(articles)))]
    assert "'" + FORMULA_TITLE in titles  # neutralised, not dropped


def test_methodology_json_neutralises_formulas(hostile_db: Path) -> None:
    from dashboard import exports, queries

    with Store.open(hostile_db, readonly=True) as store:
        articles = store.articles()
    methodology = exports.methodology_json(ArticleFilter(), articles, queries.methodology())
    assert _unsafe_strings(methodology) == []


# --- SQL -------------------------------------------------------------------------------------------

# Names an f-string in core/store.py may interpolate into SQL, each an identifier or placeholder list by
# construction (names used only inside len(...) are numbers and always allowed).
SQL_IDENTIFIERS = {
    "alias": "a table alias; every caller passes a literal",
    "where": "ArticleFilter.where(): clauses with ? placeholders only",
    "marks": "a run of ? placeholders",
    "placeholders": "named :column placeholders from ARTICLE_COLUMNS",
    "updates": "column = excluded.column pairs from ARTICLE_COLUMNS",
    "wanted": "column names checked against ARTICLE_COLUMNS",
    "columns": "column names from a fixed tuple",
    "column": "checked against a fixed list before use",
    "c": "an element of ARTICLE_COLUMNS or of a checked list",
    "table": "checked against the store's table list before use",
    "STORY_FROM_DATA": "a module constant",
    "STORY_FROM_GROUPING": "a module constant",
    "busy_timeout_ms": "passed through int()",
    "int": "int() yields a number",
    "order": "an ORDER BY term: Store._nulls_first() of a literal column, or rowid / 1",
    "clause": "_search_clause(): a full-text condition with ? placeholders only",
    "join": "metric_values(): a literal JOIN clause or the empty string",
    "MAX_TERM_BYTES": "a module constant (a number)",
    "schema": "pgstore.quote_ident(): an identifier matched against [A-Za-z_][A-Za-z0-9_]*, quoted",
    "database": "pgstore.quote_ident(), as schema",
    "reader_q": "pgstore.quote_ident(), as schema",
    "writer_q": "pgstore.quote_ident(), as schema",
    "source_q": "pgstore.quote_ident(), as schema",
    "listed": "Store._key_list(): a literal subquery over one ? parameter (a JSON array or an array of keys)",
    "label_key": "_label_condition(): matched against [A-Za-z_][A-Za-z0-9_]* first (inline: a partial index matches)",
    "condition": "_label_condition(): a literal condition on a label key matched against an identifier pattern",
    "BULK_CACHE_KIB": "a module constant (a number)",
    "BULK_WAL_PAGES": "a module constant (a number)",
    "upsert": "upsert_articles(): the ON CONFLICT clause, column names from ARTICLE_COLUMNS and a module constant",
    "rows_sql": "upsert_articles(): a run of (?, ...) placeholder groups",
    "busy_ms": "_arrow_query(): int() of the store's busy timeout (a PRAGMA takes no placeholder)",
}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|VALUES|PRAGMA|MATCH|ORDER BY)\b|\bIN \(|= \?")


def _names_outside_len(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return
    if isinstance(node, ast.Name):
        yield node.id
    for child in ast.iter_child_nodes(node):
        yield from _names_outside_len(child)


def sql_interpolations(path: Path) -> list[tuple[int, str, list[str]]]:
    """Return (line, expression, names) for every value an SQL-looking f-string interpolates."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if not SQL_WORDS.search(text):
            continue
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                found.append((node.lineno, ast.unparse(value.value), sorted(set(_names_outside_len(value.value)))))
    return found


def test_sql_is_built_only_from_placeholders_and_checked_identifiers() -> None:
    store_py = REPO_ROOT / "core" / "store.py"
    found = sql_interpolations(store_py)
    assert len(found) >= 10  # the check sees the store's dynamic SQL (the filter, upserts, chunks)
    values = [(line, expr) for line, expr, names in found if set(names) - set(SQL_IDENTIFIERS)]
    assert values == [], ("core/store.py interpolates a value into SQL: use a ? placeholder, or add the name to "
                          f"SQL_IDENTIFIERS with why it can only be an identifier: {values}")
    source = store_py.read_text(encoding="utf-8")
    assert not re.search(r"[\"'][^\"']*\b(SELECT|INSERT|UPDATE|DELETE)\b[^\"']*[\"']\s*(%|\.format\()", source)
    others = [p for p in REPO_ROOT.glob("*/*.py") if p != store_py and p.parts[-2] in ("core", "scrapers", "analysis",
                                                                                       "dashboard")]
    assert not [p for p in others if re.search(r"\.execute(many|script)?\(", p.read_text(encoding="utf-8"))
                and p.name not in ("migrations.py", "pgstore.py")]  # the store (and its PostgreSQL connection)
    # is the only module that runs SQL


def test_the_sql_check_catches_an_interpolated_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('def f(db, title):\n    db.execute(f"SELECT * FROM articles WHERE title = \'{title}\'")\n')
    assert [names for _, _, names in sql_interpolations(bad)] == [["title"]]


INJECTIONS = ["x' OR '1'='1", "'; DROP TABLE articles; --", 'a" OR 1=1 --', "Robert'); DROP TABLE articles;--", "%",
              "_", "\\", "NEAR(a b)", '"unbalanced', "*", "a OR b AND NOT c",
              "a\x00b"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_filter_values_are_data(hostile_db: Path, value: str) -> None:
    with Store.open(hostile_db, readonly=True) as store:
        total = store.count("articles")
        for flt in (ArticleFilter(outlets=(value,)), ArticleFilter(story_id=value), ArticleFilter(topic=value),
                    ArticleFilter(groups=(value,)), ArticleFilter(language=value), ArticleFilter(since=value)):
            assert store.articles(flt).empty or flt.since, flt  # a date string compares as text: no error
        store.articles(ArticleFilter(search=value))  # an FTS query is taken literally, never an SQL error
        assert store.count("articles") == total


def test_identifiers_outside_the_fixed_lists_are_refused(hostile_db: Path) -> None:
    with Store.open(hostile_db, readonly=True) as store:
        with pytest.raises(StoreError, match="unknown table"):
            store.count("articles; DROP TABLE articles")
        with pytest.raises(StoreError, match="unknown article column"):
            store.articles(columns=["title FROM articles; --"])
        with pytest.raises(StoreError):
            store.distinct("outlet; DROP TABLE articles")
        assert store.count("articles") == 3


def test_a_title_made_of_sql_is_stored_verbatim(tmp_path: Path) -> None:
    from core.schema import Article, article_id

    evil = "Robert'); DROP TABLE articles;-- \" OR 1=1"
    with Store.open(tmp_path / "s.db") as store:
        store.upsert_articles([Article(id=article_id("https://e.example/1", None), outlet=evil, title=evil,
                                       text=evil + " body", url="https://e.example/1")])
        row = store.articles(ArticleFilter(outlets=(evil,)), with_text=True).iloc[0]
        assert (row["title"], row["outlet"], row["text"]) == (evil, evil, evil + " body")
        assert store.count("articles") == 1


# --- secrets ---------------------------------------------------------------------------------------

def test_no_cookie_or_credential_reaches_the_log_or_the_store(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                              ) -> None:
    from urllib.parse import quote

    from scrapers.fetch import Fetcher, FetchPolicy, store_result
    from tests.conftest import require_shared
    from tests.scrapers.sites import SECRET_COOKIE, start_sites

    caplog.set_level(logging.DEBUG)  # urllib3's and our own debug lines included
    web = start_sites(require_shared())
    try:
        policy = FetchPolicy(delay=0.0, read_timeout=2.0, total_timeout=10.0, backoff=0.05, allow_private_hosts=True)
        cookie = web.fault_url("/fault/set-cookie")
        # the password is only in the Location header: %32 is "2", decoded by the server, not by us
        to_credentials = web.fault_url(f"/fault/redirect-to?url=http://reader:hunter%32@alpha.test:{web.port}/alpha/")
        cookie_then_redirect = web.fault_url("/fault/redirect-to?url=" + quote(cookie, safe=""))
        urls = [cookie, to_credentials, cookie_then_redirect, "https://token:s3cr3t-token@alpha.test/x"]
        with Store.open(tmp_path / "s.db") as store, Fetcher(policy, resolver=web.resolve) as fetcher:
            counts = fetcher.fetch_many(urls, lambda url, result: store_result(store, url, result, outlet="X"))
            failures = store.failures()
            pages = [store.page_html(cookie)]
    finally:
        web.stop()
    assert counts["ok"] == 2 and counts["bad url"] == 2, counts
    assert set(failures["kind"]) == {"bad url"} and pages[0]
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("s.db*"))
    for secret in (SECRET_COOKIE, "hunter2", "s3cr3t-token"):
        assert secret not in caplog.text, secret
        assert secret not in failures.to_string(), secret
        assert secret.encode() not in stored, secret
