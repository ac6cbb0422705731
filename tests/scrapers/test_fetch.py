"""scrapers.fetch against the loopback test web (tests/scrapers/sites.py): success, every fault, politeness."""

from __future__ import annotations

import logging
import socket
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from core.errors import PressLensError, SettingsError
from core.settings import Settings
from core.store import Store
from scrapers.fetch import (
    DEFAULT_MAX_REDIRECTS,
    Fetcher,
    FetchError,
    FetchPolicy,
    Page,
    blocked_address,
    redact,
    retry_after_seconds,
    store_result,
)
from tests.conftest import require_shared
from tests.scrapers.sites import (
    BROKEN_ROBOTS_HOST,
    HUGE_BYTES,
    NO_ROBOTS_HOST,
    SECRET_COOKIE,
    SiteServer,
    start_sites,
)

MiB = 1024 * 1024
# Test policy: loopback answers in milliseconds, so short timeouts and backoff keep the file fast;
# 2 MiB fits every benchmark page (the largest is 1.06 MB).
LOOSE = FetchPolicy(delay=0.0, connect_timeout=2.0, read_timeout=2.0, total_timeout=15.0, backoff=0.05,
                    allow_private_hosts=True, max_bytes=2 * MiB)
# Clock slack for spacing assertions: the server stamps times in the same process, after parsing
# the request line, so real spacing is never below the delay; this only absorbs float rounding.
SLACK = 0.02


@pytest.fixture
def web() -> Iterator[SiteServer]:
    server = start_sites(require_shared())
    yield server
    server.stop()


@pytest.fixture
def make(web: SiteServer) -> Iterator[Callable[..., Fetcher]]:
    """Return a factory of fetchers (LOOSE policy with changes) that resolve ``*.test`` to loopback."""
    made: list[Fetcher] = []

    def build(**changes: Any) -> Fetcher:
        fetcher = Fetcher(replace(LOOSE, **changes), resolver=web.resolve)
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


def failure(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value


# --- success -------------------------------------------------------------------------------------

def test_article_pages_arrive_raw_and_whole(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make(user_agent="PressLens-test/1.0 (+mailto:test@example.org)")
    for site in web.articles:
        for by_host in (False, True):
            url = web.urls_for(site, by_host=by_host)[0]
            page = fetcher.fetch(url)
            assert page.body == web.page_for(url), url
            assert (page.status, page.content_type, page.encoding, page.final_url) == (200, "text/html", "utf-8", url)
    for coding in ("gzip", "gzip-members", "deflate", "raw-deflate"):  # inflated; nothing else is changed
        assert fetcher.fetch(web.fault_url(f"/fault/{coding}")).body == web.pages[web.articles["alpha"][0].page_id]
    assert {r.user_agent for r in web.requests()} == {"PressLens-test/1.0 (+mailto:test@example.org)"}


def test_charsets_and_odd_bodies_are_kept_as_served(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make()
    latin = fetcher.fetch(web.fault_url("/fault/latin1"))  # charset only in the header
    assert latin.encoding == "iso8859-1" and "Café crème" in latin.body.decode(latin.encoding)
    bare = fetcher.fetch(web.fault_url("/fault/no-charset"))  # no charset anywhere: no hint, bytes intact
    assert bare.encoding is None and "Naïve café" in bare.body.decode("utf-8")
    wrong = fetcher.fetch(web.fault_url("/fault/wrong-charset"))  # the hint is the server's; bytes untouched
    assert wrong.encoding == "utf-8" and b"Caf\xe9" in wrong.body
    malformed = fetcher.fetch(web.fault_url("/fault/malformed"))
    assert malformed.body.endswith(b"<a href='x")
    assert fetcher.fetch(web.fault_url("/fault/empty")).body == b""  # "empty extraction" is extract's call
    untyped = fetcher.fetch(web.fault_url("/fault/no-content-type"))
    assert untyped.content_type is None and len(untyped.body) > 1000


def test_redirects_are_followed_and_recorded(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    page = make().fetch(web.fault_url("/fault/redirect-chain?n=3"))
    assert page.final_url == web.fault_url("/fault/no-charset") and len(page.redirects) == 4
    assert page.url == web.fault_url("/fault/redirect-chain?n=3")


# --- every failure is typed and names its URL ----------------------------------------------------

FAULTS = [
    # route, policy changes, kind, words the message must hold
    ("/fault/500", {}, "http status", "HTTP 500 after 3 tries"),
    ("/fault/nothing-here", {}, "http status", "HTTP 404"),
    ("/fault/429-forever", {}, "http status", "Retry-After asks for 3600 s"),
    ("/fault/slow?seconds=5", {"read_timeout": 0.5}, "timeout", "Read timed out"),
    ("/fault/trickle?bytes=100&every=0.2", {"read_timeout": 1.0, "total_timeout": 1.0}, "timeout",
     "still arriving"),
    ("/fault/redirect-loop", {}, "redirects", "redirect loop"),
    (f"/fault/redirect-chain?n={DEFAULT_MAX_REDIRECTS + 2}", {}, "redirects",
     f"more than {DEFAULT_MAX_REDIRECTS} redirects"),
    ("/fault/huge", {"max_bytes": MiB}, "too large", "Content-Length 52,428,800 bytes"),
    ("/fault/huge-chunked", {"max_bytes": MiB}, "too large", "over the 1,048,576-byte cap"),
    ("/fault/gzip-bomb", {"max_bytes": MiB}, "too large", "inflates to more than 1,048,576 bytes (gzip)"),
    ("/fault/binary", {}, "not html", "'application/octet-stream'"),
]


@pytest.mark.parametrize(("route", "changes", "kind", "words"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_a_typed_error_naming_the_url(web: SiteServer, make: Callable[..., Fetcher], route: str,
                                                    changes: dict[str, Any], kind: str, words: str) -> None:
    url = web.fault_url(route)
    started = time.monotonic()
    error = failure(make(**changes), url)
    assert isinstance(error, PressLensError)
    assert error.kind == kind and str(error).startswith(url + ": ") and words in str(error), str(error)
    assert time.monotonic() - started < 5  # every fault ends within its bounds


@pytest.mark.parametrize(("url", "words"), [
    ("ftp://alpha.test/file", "scheme 'ftp'"),
    ("http:///nohost", "no host"),
    ("http://reader:hunter2@alpha.test/x", "credentials"),
    ("http://alpha.test:99999/x", "not a valid URL"),
    ("alpha.test/no-scheme", "scheme '(none)'"),
])
def test_bad_urls_are_refused_without_leaking_credentials(make: Callable[..., Fetcher], url: str,
                                                          words: str) -> None:
    error = failure(make(), url)
    assert error.kind == "bad url" and words in str(error)
    assert "hunter2" not in str(error) and redact(url) in str(error)


def test_unreachable_host_is_a_connection_failure(make: Callable[..., Fetcher], web: SiteServer) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(make(retries=1), f"http://down.test:{port}/news/1")
    assert error.kind == "connection" and f"down.test:{port}/news/1" in str(error)
    assert "robots.txt unreachable" in str(error)  # the first request to a host is its robots.txt


# --- retries ---------------------------------------------------------------------------------------

def test_retry_honours_retry_after_in_seconds(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    page = make().fetch(web.fault_url("/fault/429?key=seconds"))
    assert page.status == 200
    tries = [r for r in web.requests_to("127.0.0.1") if r.path.startswith("/fault/429")]
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].started - tries[0].finished >= 1.0 - SLACK  # Retry-After: 1


def test_retry_honours_retry_after_as_http_date(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    page = make().fetch(web.fault_url("/fault/503-date?key=date"))
    assert page.status == 200
    tries = [r for r in web.requests_to("127.0.0.1") if r.path.startswith("/fault/503")]
    # The date is 1.5 s ahead, truncated to the second: the wait is 0.5-1.5 s, never the 0.05 s backoff.
    assert [r.status for r in tries] == [503, 200] and tries[1].started - tries[0].finished >= 0.4


def test_retries_are_bounded_and_back_off(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    failure(make(retries=2, backoff=0.1), web.fault_url("/fault/500"))
    tries = [r for r in web.requests_to("127.0.0.1") if r.path == "/fault/500"]
    assert len(tries) == 3
    gaps = [b.started - a.finished for a, b in zip(tries, tries[1:])]
    assert gaps[0] >= 0.1 - SLACK and gaps[1] >= 0.2 - SLACK
    failure(make(), web.fault_url("/fault/429-forever"))  # over the Retry-After cap: no retry at all
    assert len([r for r in web.requests() if r.path == "/fault/429-forever"]) == 1


@pytest.mark.parametrize(("value", "seconds"), [("0", 0.0), ("120", 120.0), ("", None), ("-5", None),
                                                 ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0), ("tomorrow", None)])
def test_retry_after_values(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


# --- politeness ------------------------------------------------------------------------------------

def test_one_request_at_a_time_per_host_with_the_delay(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    delay = 0.25
    urls = web.urls_for("alpha", by_host=True)[:5] + web.urls_for("bravo", by_host=True)[:5]
    results: dict[str, Page | FetchError] = {}
    counts = make(delay=delay).fetch_many(urls, results.__setitem__)
    assert counts == Counter({"ok": 10}) and set(results) == set(urls)
    for host in ("alpha.test", "bravo.test"):
        assert len(web.requests_to(host)) == 6  # robots.txt once, then five pages
        assert web.max_in_flight(host) == 1
        assert min(web.gaps(host)) >= delay - SLACK, web.gaps(host)


def test_hosts_are_fetched_concurrently(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    delay, per_host = 0.3, 4
    urls = [url for site in web.articles for url in web.urls_for(site, by_host=True)[:per_host]]
    started = time.monotonic()
    counts = make(delay=delay).fetch_many(urls, lambda url, result: None)
    elapsed = time.monotonic() - started
    assert counts["ok"] == len(urls)
    serial_floor = (len(urls) + len(web.articles) - 1) * delay  # every request (and robots.txt) in one queue
    assert elapsed < serial_floor / 2, (elapsed, serial_floor)
    assert all(web.max_in_flight(f"{site}.test") == 1 for site in web.articles)


def test_robots_crawl_delay_is_honoured(make: Callable[..., Fetcher]) -> None:
    server = start_sites(require_shared(), crawl_delays={"delta": 1})  # urllib.robotparser reads whole seconds
    try:
        fetcher = Fetcher(replace(LOOSE, delay=0.0), resolver=server.resolve)
        fetcher.fetch_many(server.urls_for("delta", by_host=True)[:2], lambda url, result: None)
        fetcher.close()
        assert min(server.gaps("delta.test")) >= 1 - SLACK  # robots.txt, then each page a second apart
    finally:
        server.stop()


def test_stopping_early_cancels_the_rest(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    started = time.monotonic()
    for _url, _result in make(delay=0.5).iter_fetch(web.urls_for("charlie", by_host=True)[:10]):
        break
    assert time.monotonic() - started < 2.5
    assert len(web.requests_to("charlie.test")) <= 3  # robots.txt, the first page, at most one in flight


def test_a_bug_in_a_worker_reaches_the_caller(make: Callable[..., Fetcher]) -> None:
    def broken(host: str, port: int) -> list[str]:
        raise ZeroDivisionError("resolver bug")

    fetcher = Fetcher(LOOSE, resolver=broken)
    with pytest.raises(ZeroDivisionError):
        fetcher.fetch_many(["http://alpha.test/a", "http://bravo.test/b"], lambda url, result: None)


# --- robots.txt ------------------------------------------------------------------------------------

def test_robots_disallow_is_a_robots_failure(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make()
    for by_host in (False, True):
        error = failure(fetcher, web.private_url("charlie", by_host=by_host))
        assert error.kind == "robots" and "robots.txt" in str(error)
        fetcher.fetch(web.urls_for("charlie", by_host=by_host)[0])  # the rest of the site is allowed
    assert not [r for r in web.requests() if "/private/" in r.path]  # refused before any request
    assert len([r for r in web.requests_to("127.0.0.1") if r.path == "/robots.txt"]) == 1  # cached per host
    assert len([r for r in web.requests_to("charlie.test") if r.path == "/robots.txt"]) == 1
    assert make(respect_robots=False).fetch(web.private_url("charlie")).status == 200
    bad_bot = failure(make(user_agent="BadBot/2.0"), web.urls_for("alpha")[0])
    assert bad_bot.kind == "robots"


def test_missing_robots_allows_and_failing_robots_forbids(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make(retries=1)
    assert fetcher.fetch(web.fault_url("/alpha/private" + web.articles["alpha"][0].path,
                                       host=NO_ROBOTS_HOST)).status == 200  # RFC 9309: 4xx means no rules
    error = failure(fetcher, web.fault_url("/alpha" + web.articles["alpha"][0].path, host=BROKEN_ROBOTS_HOST))
    assert error.kind == "robots" and "robots.txt unreachable" in str(error) and "HTTP 500" in str(error)
    assert [r.path for r in web.requests_to(BROKEN_ROBOTS_HOST)] == ["/robots.txt"] * 2  # one retry, no page


# --- private addresses -----------------------------------------------------------------------------

def test_private_hosts_are_refused_by_default(web: SiteServer) -> None:
    fetcher = Fetcher(replace(LOOSE, allow_private_hosts=False), resolver=web.resolve)
    error = failure(fetcher, web.urls_for("alpha")[0])
    assert error.kind == "private host"
    assert "127.0.0.1 (loopback)" in str(error) and "--allow-private-hosts" in str(error)
    assert failure(fetcher, f"http://localhost:{web.port}/alpha/").kind == "private host"
    assert failure(fetcher, web.urls_for("bravo", by_host=True)[0]).kind == "private host"  # a name, checked after DNS
    assert web.requests() == []  # refused before connecting


def test_a_name_with_any_private_address_is_refused() -> None:
    fetcher = Fetcher(replace(LOOSE, allow_private_hosts=False),
                      resolver=lambda host, port: ["93.184.216.34", "10.1.2.3"])
    error = failure(fetcher, "https://mixed.test/news")
    assert error.kind == "private host" and "10.1.2.3 (private)" in str(error)


def test_each_redirect_hop_is_checked_again(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    inside = web.urls_for("alpha")[0]  # http://127.0.0.1:PORT/alpha/...
    hop = f"http://alpha.test:{web.port}/fault/redirect-to?url={quote(inside, safe='')}"
    strict = make(allow_private_hosts=False, trusted_hosts=frozenset({"alpha.test"}))
    assert strict.fetch(web.urls_for("alpha", by_host=True)[0]).status == 200  # the trusted name is fine
    error = failure(strict, hop)
    assert error.kind == "private host" and "127.0.0.1 (loopback)" in str(error) and inside in str(error)
    assert not web.requests_to("127.0.0.1")  # the private hop was never requested
    assert make().fetch(hop).final_url == inside  # allowed with allow_private_hosts


@pytest.mark.parametrize(("address", "why"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.8", "private"), ("192.168.1.1", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("224.0.0.251", "multicast"), ("100.64.0.1", "not globally routable"),
    ("fc00::1", "private"), ("::ffff:127.0.0.1", "loopback"), ("2002:7f00:1::", "loopback"),
    ("64:ff9b::a00:1", "private"), ("240.0.0.1", "reserved"),
    ("93.184.216.34", None), ("2606:4700:4700::1111", None),
])
def test_blocked_addresses(address: str, why: str | None) -> None:
    assert blocked_address(address) == why


# --- caps ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("route", ["/fault/huge", "/fault/huge-chunked"])
def test_size_cap_stops_the_download_early(web: SiteServer, make: Callable[..., Fetcher], route: str) -> None:
    started = time.monotonic()
    assert failure(make(max_bytes=MiB), web.fault_url(route)).kind == "too large"
    assert time.monotonic() - started < 3
    assert web.settle()  # the server noticed the hang-up and stopped sending
    sent = next(r.bytes_sent for r in web.requests() if r.path == route)
    assert sent < HUGE_BYTES // 4, sent  # socket buffers aside, the 50 MB body was not downloaded


def test_gzip_bomb_is_never_inflated_past_the_cap(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make(max_bytes=MiB)
    fetcher.fetch(web.urls_for("alpha")[0])  # warm up (robots.txt, connection) outside the measurement
    tracemalloc.start()
    try:
        error = failure(fetcher, web.fault_url("/fault/gzip-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind == "too large"
    assert peak < 4 * MiB, peak  # the 120 MB the bomb holds were never in memory


# --- secrets ---------------------------------------------------------------------------------------

def test_cookies_are_neither_kept_nor_logged(web: SiteServer, make: Callable[..., Fetcher], tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = web.fault_url("/fault/set-cookie")
    with Store.open(tmp_path / "store.db") as store:
        make().fetch_many([url, "http://reader:hunter2@alpha.test/x"],
                          lambda u, result: store_result(store, u, result))
        page = make().fetch(url)
        assert "set-cookie" not in page.headers and page.headers["content-type"].startswith("text/html")
        assert "hunter2" not in store.failures().to_string()
    stored = (tmp_path / "store.db").read_bytes()
    assert SECRET_COOKIE.encode() not in stored and b"hunter2" not in stored
    assert SECRET_COOKIE not in caplog.text and "hunter2" not in caplog.text


# --- the store -------------------------------------------------------------------------------------

def test_results_become_pages_and_fetch_log_rows(web: SiteServer, make: Callable[..., Fetcher],
                                                 tmp_path: Path) -> None:
    good = web.urls_for("alpha")[:2]
    bad = {
        web.private_url("bravo"): "robots",
        web.fault_url("/fault/500"): "http status",
        web.fault_url("/fault/binary"): "not html",
        web.fault_url("/fault/huge"): "too large",
        web.fault_url("/fault/slow?seconds=3"): "timeout",
    }
    with Store.open(tmp_path / "store.db") as store:
        run_id = store.start_run("fetch test", Settings().as_dict(), {"fetch": "1"})
        counts = make(max_bytes=MiB * 2, read_timeout=0.5).fetch_many(
            [*good, *bad], lambda url, result: store_result(store, url, result, outlet="Alpha", run_id=run_id))
        store.finish_run(run_id, dict(counts))
        assert counts == Counter({"ok": 2, **Counter(bad.values())})
        for url in good:
            assert store.page_html(url) == web.page_for(url)
        rows = store.failures()
        assert dict(zip(rows["url"], rows["kind"])) == bad
        assert all(message.startswith(url) for url, message in zip(rows["url"], rows["message"]))
        assert set(rows["run_id"]) == {run_id} and set(rows["outlet"]) == {"Alpha"}


# --- discovery's getter ----------------------------------------------------------------------------

def test_get_serves_feeds_and_sitemaps_to_discovery(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    from scrapers.discover.sources import parse_feed, parse_sitemap

    fetcher = make()
    for site in web.articles:
        sources = web.sources_for(site)
        for feed in sources["feeds"]:
            found = parse_feed(fetcher.get(feed), feed)
            assert len(found) == 20 and all(c.url.startswith(web.site_root(site)) for c in found)
        for sitemap in sources["sitemaps"]:
            candidates, links = parse_sitemap(fetcher.get(sitemap), sitemap)
            for link in links:  # charlie's index: a news sitemap and a gzipped urlset
                more, _ = parse_sitemap(fetcher.get(link.url), link.url)
                candidates += more
            assert {c.url for c in candidates} >= set(web.urls_for(site)[len(web.urls_for(site)) // 2:])


def test_get_json_answers_like_gdelt(web: SiteServer, make: Callable[..., Fetcher]) -> None:
    fetcher = make()
    month = fetcher.get_json(web.gdelt_url(query="china", mode="artlist", format="json", maxrecords="250",
                                           startdatetime="20250601000000", enddatetime="20250630235959"))
    assert len(month["articles"]) == 250  # the cap: a client must slice the window
    first = month["articles"][0]
    assert set(first) == {"url", "url_mobile", "title", "seendate", "socialimage", "domain", "language",
                          "sourcecountry"}
    day = fetcher.get_json(web.gdelt_url(query="china domainis:alpha.test", mode="artlist", format="json",
                                         maxrecords="250", startdatetime="20250610000000",
                                         enddatetime="20250610235959"))["articles"]
    assert 0 < len(day) < 250
    assert all(r["seendate"].startswith("20250610") and r["domain"] == "alpha.test" for r in day)
    assert fetcher.fetch(day[0]["url"]).status == 200  # every record points at a served page
    empty = fetcher.get_json(web.gdelt_url(query="x", mode="artlist", format="json",
                                           startdatetime="20240101000000", enddatetime="20240102000000"))
    assert empty == {}
    bad = web.gdelt_url(query="", mode="artlist", format="json")
    with pytest.raises(FetchError) as caught:
        fetcher.get_json(bad)
    assert caught.value.kind == "bad content" and "not JSON" in str(caught.value) and bad in str(caught.value)


# --- policy ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes", [{"delay": -1}, {"read_timeout": 0}, {"max_bytes": 0}, {"retries": -1},
                                     {"user_agent": "a\r\nCookie: x"}, {"user_agent": " "}])
def test_bad_policies_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(SettingsError, match=next(iter(changes))):
        FetchPolicy(**changes)


def test_policy_from_settings() -> None:
    policy = FetchPolicy.from_settings(Settings(user_agent="Lens/2", fetch_delay=2.5), retries=0)
    assert (policy.user_agent, policy.delay, policy.retries, policy.allow_private_hosts) == ("Lens/2", 2.5, 0, False)
