"""Every bad input is one clear error naming the input and what is wrong, and nothing stored before is lost.

Each test fills a store with basil first, feeds the bad inputs through the real code path, and compares
the stored articles (id -> content hash) before and after.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest

from core.errors import ExtractError, InputError
from core.store import Store
from scrapers.extract.cascade import extract
from scrapers.extract.html_tree import decode_html
from scrapers.fetch import DEFAULT_MAX_REDIRECTS, Fetcher, FetchPolicy, store_result
from scrapers.importer import import_files
from tests.conftest import require_shared
from tests.helpers import run_cli
from tests.scrapers.sites import SiteServer, start_sites

MiB = 1024 * 1024
POLICY = FetchPolicy(delay=0.0, connect_timeout=2.0, read_timeout=0.5, total_timeout=5.0, backoff=0.05, retries=1,
                     allow_private_hosts=True, max_bytes=2 * MiB)


def snapshot(store: Store) -> dict[str, str]:
    """Every stored article's id and content hash: equal snapshots mean nothing was lost or changed."""
    return store.articles(columns=["content_hash"]).set_index("id")["content_hash"].to_dict()


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Store]:
    """A store holding the 228 basil articles."""
    with Store.open(tmp_path / "filled.db") as store:
        report = import_files([require_shared("corpora", "basil", "articles.jsonl")], store)
        assert report.counts.inserted == store.count("articles") == 228
        yield store


@pytest.fixture
def web() -> Iterator[SiteServer]:
    server = start_sites(require_shared())
    yield server
    server.stop()


# --- the web -------------------------------------------------------------------------------------------

def fetch_faults(web: SiteServer) -> dict[str, tuple[str, str]]:
    """URL -> (failure kind, words its message must hold) for every fault the loopback web serves."""
    loop = f"http://alpha.test:{web.port}/fault/redirect-loop"
    return {
        web.fault_url("/fault/500"): ("http status", "HTTP 500"),
        web.fault_url("/fault/429-forever"): ("http status", "Retry-After"),
        web.fault_url("/fault/slow?seconds=3"): ("timeout", "timed out"),
        web.fault_url("/fault/trickle?bytes=100&every=0.2"): ("timeout", "still arriving"),
        web.fault_url("/fault/redirect-loop"): ("redirects", "redirect loop"),
        web.fault_url(f"/fault/redirect-chain?n={DEFAULT_MAX_REDIRECTS + 2}"): ("redirects", "redirects"),
        web.fault_url("/fault/redirect-to?url=" + quote(loop, safe="")): ("redirects", "redirect loop"),
        web.fault_url("/fault/huge"): ("too large", "52,428,800 bytes"),
        web.fault_url("/fault/huge-chunked"): ("too large", "cap"),
        web.fault_url("/fault/gzip-bomb"): ("too large", "inflates"),
        web.fault_url("/fault/binary"): ("not html", "application/octet-stream"),
        web.private_url("charlie"): ("robots", "robots.txt"),
        "ftp://alpha.test/file": ("bad url", "scheme 'ftp'"),
        "http://reader:hunter2@alpha.test/x": ("bad url", "credentials"),
    }


# Pages that arrive in an odd shape: route -> text the extraction must hold, or the words of its error.
ODD_PAGES = {
    "/fault/latin1": "Café crème",  # a short page; charset only in the header
    "/fault/no-charset": "Naïve café",  # no charset anywhere
    "/fault/wrong-charset": "Caf",  # header says UTF-8, body is Latin-1: decoded, never a crash
    "/fault/malformed": "",  # a real article cut in the middle of a tag
    "/fault/no-content-type": "",  # a real article without a Content-Type
    "/fault/empty": "empty input",
}


def test_every_fetch_fault_is_a_named_failure_row_and_the_store_keeps_everything(
        web: SiteServer, filled: Store) -> None:
    faults = fetch_faults(web)
    odd = {web.fault_url(route): words for route, words in ODD_PAGES.items()}
    before, pages_before = snapshot(filled), filled.count("pages")
    run_id = filled.start_run("reliability", {}, {})
    with Fetcher(POLICY, resolver=web.resolve) as fetcher:
        counts = fetcher.fetch_many([*faults, *odd], lambda url, result: store_result(filled, url, result,
                                                                                      outlet="Fault", run_id=run_id))
    failures = filled.failures()
    got = dict(zip(failures["url"], zip(failures["kind"], failures["message"])))
    redacted = {url.replace("reader:hunter2@", ""): want for url, want in faults.items()}
    assert set(got) == set(redacted)  # one row per fault, no row for a page that arrived
    for url, (kind, words) in redacted.items():
        assert got[url][0] == kind and got[url][1].startswith(url) and words in got[url][1], (url, got[url])
    assert counts["ok"] == len(odd) and sum(counts.values()) == len(faults) + len(odd)
    assert snapshot(filled) == before  # the 228 articles are untouched
    assert filled.count("pages") == pages_before + len(odd)
    for url, words in odd.items():  # extraction: an article, or one ExtractError naming the page and why
        html = filled.page_html(url)
        try:
            article = extract(html, url)
        except ExtractError as exc:
            assert str(exc).startswith(f"{url}: "), str(exc)
            assert words in str(exc) or (words in decode_html(html) and "no article body" in str(exc)), str(exc)
        else:
            assert words in article.text and len(article.text.split()) > 100, url


def test_faults_never_hang_the_fetcher(web: SiteServer) -> None:
    """The slowest faults end within their bounds, and a good page after them still arrives."""
    import time

    policy = replace(POLICY, retries=0)
    started = time.monotonic()
    with Fetcher(policy, resolver=web.resolve) as fetcher:
        results = dict(fetcher.iter_fetch([web.fault_url("/fault/slow?seconds=30"),
                                           web.fault_url("/fault/trickle?bytes=1000&every=0.3"),
                                           web.urls_for("alpha", by_host=True)[0]]))
    assert time.monotonic() - started < 12
    kinds = sorted(getattr(r, "kind", "ok") for r in results.values())
    assert kinds == ["ok", "timeout", "timeout"], kinds


# --- extraction ----------------------------------------------------------------------------------------

NOT_NEWS = {
    "section front": ("<html><head><title>World</title></head><body><main><h1>Latest</h1><ul>"
                      + "".join(f"<li><a href='/n/{i}'>Headline number {i} about the trade talks and tariffs</a></li>"
                                for i in range(30)) + "</ul></main></body></html>", "a list of links"),
    "error page": ("<html><head><title>Page not found</title></head><body><h1>Sorry</h1><p>The page you are looking"
                   " for does not exist. Try the home page or search for the story.</p></body></html>",
                   "an error page"),
    "sign-in page": ("<html><body><form><label>Email</label><input name=e><label>Password</label>"
                     "<input type=password><button>Sign in</button></form><p>Forgot your password? Reset it here "
                     "and then sign in again to read the news.</p></body></html>", "a sign-in page"),
    "cookie wall": ("<html><body><div><p>We use cookies to improve your experience. By continuing you accept our "
                    "use of cookies and our privacy policy.</p><button>Accept</button></div></body></html>",
                    "a cookie-consent page"),
    "menu only": ("<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>",
                  "no article body text found"),
    "empty": ("", "empty input"),
    "binary": ("\x00\x01\x02PNG", "binary data, not HTML"),
    "plain text": ("Just a sentence without any markup at all, repeated. " * 10, "not HTML"),
    "utf-7 charset": ('<meta charset="utf-7"><body><p>+ADw-script+AD4-</p>' + "<p>Short.</p>", "no article body"),
}


@pytest.mark.parametrize("name", list(NOT_NEWS))
def test_non_news_and_broken_pages_are_refused_with_the_reason(name: str) -> None:
    html, words = NOT_NEWS[name]
    url = f"https://odd.example/{name.replace(' ', '-')}"
    with pytest.raises(ExtractError) as caught:
        extract(html.encode("utf-8"), url)
    assert str(caught.value).startswith(f"{url}: ") and words in str(caught.value), str(caught.value)


def test_hostile_charset_declarations_are_ignored() -> None:
    """UTF-7 and escape codecs would turn text into markup; the declaration is ignored, the text kept."""
    body = "The minister said the talks on exports went well and officials reported new rules this week. " * 3
    for charset, smuggled in (("utf-7", "+ADw-b+AD4-"), ("unicode_escape", "\\x3cb>"), ("utf-16", "caf\u00e9")):
        page = f'<html><head><meta charset="{charset}"></head><body><article><p>{smuggled} {body}</p></article>'
        article = extract(page.encode("utf-8"), "https://odd.example/charset")
        assert smuggled in article.text, (charset, article.text[:80])


def test_control_characters_do_not_crash_extraction() -> None:
    """A stray control byte used to make readability's cleaner raise ValueError (found by hypothesis)."""
    body = "<p>" + "The minister said the talks went well. \x01\x0b\x0c\x1f" * 12 + "</p>"
    article = extract(f"<html><body><article>{body}</article></body></html>".encode(), "https://odd.example/ctl")
    assert article.text.startswith("The minister said") and "\x01" not in article.text


# --- import files --------------------------------------------------------------------------------------

GOOD = {"id": "r-1", "outlet": "Daily Example", "url": "https://daily.example/r-1", "title": "A headline",
        "published": "2024-05-01", "text": "First sentence. Second one."}


def good(n: int, **over: object) -> dict[str, object]:
    return {**GOOD, "id": f"r-{n}", "url": f"https://daily.example/r-{n}", **over}


BAD_LINES = [  # (line, kind)
    ("{not json", "invalid json"),
    ('["a list"]', "not an object"),
    (json.dumps(good(2, text="")), "missing text"),
    (json.dumps(good(3, text="   \n ")), "missing text"),
    (json.dumps(good(4, published="2999-01-01")), "date out of range"),
    (json.dumps(good(5, published="1989-12-31")), "date out of range"),
    (json.dumps(good(6, published="0001-01-01T00:00:00Z")), "date out of range"),
    (json.dumps(good(7, published="31/12/2020")), "bad date"),
    (json.dumps(good(8, url="javascript:alert(1)")), "bad url"),
    (json.dumps(good(9, url="http://./x")), "bad url"),
    (json.dumps(good(1, title="same id again")), "duplicate"),
    (json.dumps(good(10, url="HTTPS://Daily.Example/r-1/amp?utm_source=x")), "duplicate"),  # same canonical URL
]


def test_bad_jsonl_lines_are_named_and_nothing_stored_is_lost(filled: Store, tmp_path: Path) -> None:
    before = snapshot(filled)
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(good(1))] + [line for line, _ in BAD_LINES] + [json.dumps(good(11))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_files([path], filled)
    assert report.counts.inserted == 2
    assert [(r[0], r[1], r[2]) for r in report.rejected] == [
        (str(path), number, kind) for number, (_, kind) in enumerate(BAD_LINES, start=2)]
    after = snapshot(filled)
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(before) + 2
    again = import_files([path], filled)  # the same file again: nothing new, the same complaints
    assert again.counts.unchanged == 2 and len(again.rejected) == len(BAD_LINES) and snapshot(filled) == after


def _csv(rows: list[str]) -> bytes:
    return ("id,outlet,url,title,published,text\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


CSV_FILES = {  # name -> (bytes, words of the whole-file error or None, articles stored, rejected kinds)
    "ragged": (_csv(["c-1,O,https://c.example/1,T,2024-01-01,Text one.", "c-2,O,https://c.example/2,T,2024-01-01,"
                     "Text,extra", "c-3,O"]), None, 1, ["bad csv row", "missing text"]),
    "no text column": (b"id,outlet,title\nc-1,O,T\n", "CSV header lacks column(s) text", 0, []),
    # the rows before the undecodable line are kept, like the lines before a break in JSONL
    "not utf-8": (_csv(["c-1,O,https://c.example/1,T,2024-01-01,Caf"]) + b"\xe9\n", ":3: line is not UTF-8", 1, []),
    "empty": (b"", "CSV header lacks column(s) text", 0, []),
    "future and old dates": (_csv(["c-1,O,https://c.example/1,T,2999-01-01,A text.",
                                   "c-2,O,https://c.example/2,T,1900-01-01,A text.",
                                   "c-3,O,https://c.example/3,T,2020-01-01,A text."]), None, 1,
                             ["date out of range", "date out of range"]),
}


@pytest.mark.parametrize("name", list(CSV_FILES))
def test_bad_csv_files_are_named_and_nothing_stored_is_lost(filled: Store, tmp_path: Path, name: str) -> None:
    data, words, stored, kinds = CSV_FILES[name]
    path = tmp_path / f"{name.replace(' ', '-')}.csv"
    path.write_bytes(data)
    before = snapshot(filled)
    if words is None:
        report = import_files([path], filled)
        assert [r[2] for r in report.rejected] == kinds
        assert all(r[0] == str(path) and r[1] > 1 for r in report.rejected)
    else:
        with pytest.raises(InputError) as caught:
            import_files([path], filled)
        assert str(caught.value).startswith(str(path)) and words in str(caught.value), str(caught.value)
    after = snapshot(filled)
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(before) + stored


def test_a_long_article_in_csv_is_imported(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(_csv(["c-1,O,https://c.example/1,T,2024-01-01," + "word " * 40_000,
                           "c-2,O,https://c.example/2,T,2024-01-01,Short."]))
    assert import_files([path], filled).counts.inserted == 2


def test_an_unterminated_csv_quote_is_reported(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_bytes(_csv(["c-1,O,https://c.example/1,T,2024-01-01,Fine.",
                           'c-2,O,https://c.example/2,T,2024-01-01,"never closed',
                           "c-3,O,https://c.example/3,T,2024-01-01,Lost inside c-2."]))
    try:
        report = import_files([path], filled)
    except InputError as exc:
        assert str(path) in str(exc)
    else:
        assert report.rejected, "the broken row was stored with the next row inside its text"


def test_broken_files_stop_with_one_clear_line_and_keep_the_store(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    first = tmp_path / "good.jsonl"
    first.write_text("\n".join(json.dumps(good(n)) for n in range(1, 6)) + "\n", encoding="utf-8")
    assert run_cli("scrapers", "import", str(first), "--db", str(db)).returncode == 0
    cut = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress("".join(json.dumps(good(n)) + "\n" for n in range(6, 400)).encode())
    cut.write_bytes(whole[: len(whole) // 2])
    for bad, words in ((cut, "truncated"), (tmp_path / "missing.jsonl", "no such file"),
                       (tmp_path / "x.parquet", "unknown file type")):
        if bad.suffix == ".parquet":
            bad.write_bytes(b"PAR1")
        done = run_cli("scrapers", "import", str(bad), "--db", str(db))
        assert done.returncode != 0, done.stderr  # 1: the import goes on with the next file, and says so
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and str(bad) in lines[0] and words in lines[0], done.stderr
        assert "Traceback" not in done.stderr
    with Store.open(db, readonly=True) as store:
        assert store.count("articles") >= 5  # the first file's five, and whatever preceded the cut
        assert {f"r-{n}" for n in range(1, 6)} <= set(store.articles()["source_id"])
