"""The collection pipeline end to end against the loopback test web (tests/scrapers/sites.py).

One story covers four outlets: Alpha by its RSS feed, Charlie by its sitemap index,
Delta by feed and sitemap, Bravo only through the fake GDELT endpoint (which the
story asks about all four outlets' domains, as a story file does); plus fault
URLs and a robots-disallowed page given as story URLs. What must be stored is
derived here from the server's own layout, independently of scrapers.discover.sources.
Checks on page text come from ../shared's ground truth at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from core.store import ArticleFilter, Store
from core.urls import canonical_url
from scrapers.collect_report import CollectReport
from scrapers.discover.sources import Query, Story, StoryOutlet
from scrapers.extract.cascade import extract
from scrapers.fetch import FetchPolicy
from scrapers.pipeline import collect
from tests.conftest import require_shared
from tests.scrapers.sites import HOST_SUFFIX, SiteServer, start_sites

START, END = date(2025, 6, 1), date(2025, 6, 5)
FAULT_HOST = "faults.test"
# Each fault URL of the story and the fetch_log kind it must end with (None: stored as an article).
FAULTS: dict[str, str | None] = {
    "/fault/500": "http status",
    "/fault/binary": "not html",
    "/fault/huge": "too large",
    "/fault/gzip-bomb": "too large",
    "/fault/redirect-loop": "redirects",
    "/fault/slow?seconds=6": "timeout",
    "/fault/empty": "empty extraction",
    "/fault/paywall": "paywalled",
    "/fault/429?key=pipeline&after=1": None,
}
# A read timeout well under /fault/slow's 6 s, well over a loaded machine's page time.
READ_TIMEOUT = 3.0
# Known outlets as data/outlets.toml would give them: Alpha has a display name, an alias and a bias.
KNOWN = {
    "Alpha": {"name": "Alpha", "display_name": "The Alpha Times", "domains": ["alpha.test"], "bias": "lean left",
              "bias3": "left", "country": "US", "ownership": "Alpha Media", "aliases": ["Alpha Online"]},
    **{name: {"name": name, "display_name": name, "domains": [f"{name.lower()}.test"], "bias": "", "bias3": "",
              "country": "", "ownership": "", "aliases": []} for name in ("Bravo", "Charlie", "Delta")},
}
_WORD = re.compile(r"\w+")
PROBE_WORDS = 8
# Share of stored benchmark pages whose truth's first paragraph must open inside the stored text:
# the extractor's measured lead-present rate is 0.96 on all 112 pages (tests/scrapers/test_extract.py).
LEAD_FLOOR = 0.9


@dataclass
class Run:
    web: SiteServer
    story: Story
    db: Path
    report: CollectReport
    again: CollectReport
    second_run_paths: list[str]


def _tokens(text: str) -> str:
    return " " + " ".join(_WORD.findall(text)) + " "


def make_story(web: SiteServer) -> Story:
    def outlet(site: str, name: str) -> StoryOutlet:
        sources = web.sources_for(site, by_host=True)
        return StoryOutlet(name, domains=(f"{site}{HOST_SUFFIX}",), feeds=tuple(sources["feeds"]),
                           sitemaps=tuple(sources["sitemaps"]))

    urls = tuple(web.fault_url(route, host=FAULT_HOST) for route in FAULTS) + (web.private_url("alpha", by_host=True),)
    return Story("loopback", "Loopback story", START, END, Query(all_of=(("news", "fault"),)),
                 (outlet("alpha", "Alpha Online"), outlet("charlie", "Charlie"), outlet("delta", "Delta")),
                 language="en", gdelt=True, gdelt_domains=(f"bravo{HOST_SUFFIX}",), urls=urls)


def run_collect(web: SiteServer, store: Store, story: Story, **policy: Any) -> CollectReport:
    settings = {"delay": 0.0, "allow_private_hosts": True, "read_timeout": READ_TIMEOUT, "backoff": 0.1, **policy}
    return collect(store, story, Settings(), policy=FetchPolicy(**settings), outlets=KNOWN, resolver=web.resolve,
                   gdelt_api=web.base_url + "/api/v2/doc/doc")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    web = start_sites(require_shared(), gdelt_by_host=True)
    try:
        story = make_story(web)
        db = tmp_path_factory.mktemp("collect") / "store.db"
        with Store.open(db) as store:
            report = run_collect(web, store, story)
            before = len(web.requests())
            again = run_collect(web, store, story)
            paths = [r.path for r in web.requests()[before:]]
        yield Run(web, story, db, report, again, paths)
    finally:
        web.stop()


def expected_urls(web: SiteServer) -> set[str]:
    """The articles the story must find, from the server's layout (not from scrapers.discover.sources).

    Every page has one GDELT record. A page's date is the one of its best-dated listing:
    a feed item or a news-sitemap entry (date and title, and listed by the outlet) beats
    GDELT's first-seen time, which beats a plain urlset entry (a lastmod only).
    """
    roots = {site: web.site_root(site, by_host=True) for site in ("alpha", "bravo", "charlie", "delta")}
    dated: dict[str, datetime] = {}
    for site in ("alpha", "delta"):  # RSS: the newest 20 items
        for a in sorted(web.articles[site], key=lambda a: a.published, reverse=True)[:20]:
            dated[roots[site] + a.path] = a.published.replace(tzinfo=None)
    charlie = web.articles["charlie"]
    for a in charlie[len(charlie) // 2:]:  # the news sitemap: its second half
        dated[roots["charlie"] + a.path] = a.published.replace(tzinfo=None)
    for record in web.gdelt:
        if "/news/" in record["url"]:
            dated.setdefault(record["url"], record["_seen"].replace(tzinfo=None))
    return {canonical_url(url) for url, moment in dated.items() if START <= moment.date() <= END}


def stored(db: Path) -> Any:
    with Store.open(db, readonly=True) as store:
        return store.articles(with_text=True)


def failures(db: Path) -> Any:
    with Store.open(db, readonly=True) as store:
        return store.failures()


def test_stores_exactly_the_story_articles(run: Run) -> None:
    articles = stored(run.db)
    log = failures(run.db)
    outlet_pages = set(articles.canonical_url) - {canonical_url(run.web.fault_url(r, host=FAULT_HOST)) for r in FAULTS}
    paywalled = {canonical_url(u) for u in log[log.kind == "paywalled"].url} - {
        canonical_url(run.web.fault_url("/fault/paywall", host=FAULT_HOST))}
    expected = expected_urls(run.web)
    assert len(expected) > 50
    assert outlet_pages | paywalled == expected
    assert not outlet_pages & paywalled
    for url in paywalled:  # each page flagged paywalled really is, by the extractor's own judgement
        assert extract(run.web.page_for(url), url).paywalled
    assert articles.id.is_unique and articles.canonical_url.is_unique
    assert run.report.inserted == len(articles)
    assert set(articles.story_id) == {"loopback"} and set(articles.source) == {"collect"}
    assert run.report.dropped["outside date range"] > 0 and run.report.dropped["duplicate url"] > 0
    assert run.report.found["gdelt"] > 0 and run.report.found["feed"] == 40 and run.report.found["sitemap"] > 0


def test_fetching_is_polite_per_host_and_concurrent_across_hosts(run: Run) -> None:
    hosts = [f"{site}{HOST_SUFFIX}" for site in ("alpha", "bravo", "charlie", "delta")]
    assert all(run.web.max_in_flight(host) == 1 for host in hosts)
    assert {r.user_agent for r in run.web.requests()} == {FetchPolicy().user_agent}
    # two outlets were being fetched at the same moment at least once
    spans = sorted((r.started, r.finished, r.host) for r in run.web.requests())
    overlapping = any(a[2] != b[2] and b[0] < a[1] for a, b in zip(spans, spans[1:]))
    assert overlapping


def test_outlets_get_display_names_and_facts(run: Run) -> None:
    articles = stored(run.db)
    assert set(articles.outlet) == {"The Alpha Times", "Bravo", "Charlie", "Delta", FAULT_HOST}
    with Store.open(run.db, readonly=True) as store:
        outlets = store.outlets().set_index("name")
        grouped = store.articles(ArticleFilter(groups=("lean left",)))
    assert outlets.loc["The Alpha Times", "bias"] == "lean left"
    assert outlets.loc["The Alpha Times", "country"] == "US"
    assert set(grouped.outlet) == {"The Alpha Times"}
    assert len(grouped) == (articles.outlet == "The Alpha Times").sum()


def test_stored_text_is_the_page_article(run: Run) -> None:
    """Per page: the truth's lead must be in the text; markup and other pages' leads must not."""
    folder = require_shared("bench", "extraction")
    truth = {k: v["articleBody"] for k, v in json.loads((folder / "ground-truth.json").read_text("utf-8")).items()}
    by_path = {web_article.path: web_article.page_id
               for site in run.web.articles.values() for web_article in site}
    articles = stored(run.db)
    leads = {}
    for pid, body in truth.items():
        words = _WORD.findall(body.split("\n")[0])
        if len(words) >= PROBE_WORDS:
            leads[pid] = " " + " ".join(words[:PROBE_WORDS]) + " "
    checked = present = 0
    for row in articles.itertuples():
        pid = by_path.get("/" + row.url.split("/", 3)[3].split("?")[0])
        if pid is None:
            continue
        text = _tokens(row.text)
        assert not re.search(r"<(p|div|script|a|span)[\s>]", row.text), row.url
        assert len(row.text) > 200 and row.title, row.url
        others = [lead for other, lead in leads.items() if other != pid and lead != leads.get(pid)]
        assert not any(lead in text for lead in others[:40]), row.url
        if pid in leads:
            checked += 1
            present += leads[pid] in text
    assert checked > 40
    assert present / checked >= LEAD_FLOOR, (present, checked)


def test_failures_are_logged_by_kind(run: Run) -> None:
    log = failures(run.db)
    kinds = {url: set(group.kind) for url, group in log.groupby("url")}
    for route, kind in FAULTS.items():
        url = run.web.fault_url(route, host=FAULT_HOST)
        if kind is None:
            assert url not in kinds
        else:
            assert kinds[url] == {kind}, (route, kinds.get(url))
    assert kinds[run.web.private_url("alpha", by_host=True)] == {"robots"}
    assert run.report.failed["robots"] == 1 and run.report.failed["paywalled"] >= 1
    # the 429 page was retried after its Retry-After and stored
    assert run.web.fault_url("/fault/429?key=pipeline&after=1", host=FAULT_HOST) in set(stored(run.db).url)


def test_rerun_adds_nothing_and_refetches_nothing(run: Run) -> None:
    assert (run.again.inserted, run.again.updated, run.again.fetched) == (0, 0, 0)
    assert run.again.already_stored == run.report.inserted
    assert not [p for p in run.second_run_paths if p.startswith("/news/")]
    # permanent failures are not retried; transient ones (500, timeout) are
    retried = {p for p in run.second_run_paths if p.startswith("/fault/")}
    assert retried == {"/fault/500", "/fault/slow?seconds=6"}
    permanent_faults = [k for k in FAULTS.values() if k not in (None, "http status", "timeout")]
    paywalled_pages = run.report.failed["paywalled"] - 1  # the outlet pages, besides /fault/paywall
    robots = 1
    assert run.again.failed_before == len(permanent_faults) + paywalled_pages + robots


def test_syndicated_copy_is_grouped_with_its_original(run: Run) -> None:
    with Store.open(run.db, readonly=True) as store:
        groups = store.syndication(ArticleFilter(story_id="loopback"))
    assert len(groups) == run.report.inserted
    copy_url = run.web.fault_url("/fault/429?key=pipeline&after=1", host=FAULT_HOST)
    articles = stored(run.db).set_index("url")
    copy = groups.set_index("article_id").loc[articles.loc[copy_url, "id"]]
    assert not copy.is_original and copy.n_outlets == 2 and copy.similarity > 0.95
    members = groups[groups.group_id == copy.group_id]
    assert set(members.outlet) == {FAULT_HOST, "The Alpha Times"}
    assert run.report.copies >= 1 and run.report.groups >= 1


def test_private_hosts_refused_without_the_flag(tmp_path: Path) -> None:
    web = start_sites(require_shared())
    try:
        page = web.urls_for("delta")[0]
        hop = web.fault_url("/fault/redirect-to?url=" + page, host=FAULT_HOST)
        story = Story("p", "P", date(2019, 1, 1), date(2030, 1, 1), Query(all_of=()), (), gdelt=False,
                      urls=(page, hop))
        with Store.open(tmp_path / "p.db") as store:
            # faults.test is trusted (its first hop passes), the redirect to 127.0.0.1 is refused
            report = run_collect(web, store, story, allow_private_hosts=False, trusted_hosts=frozenset({FAULT_HOST}))
            assert report.failed == {"private host": 2} and store.count("articles") == 0
            assert set(store.failures().kind) == {"private host"}
            assert not [r for r in web.requests() if r.path.startswith("/delta/")]
            allowed = run_collect(web, store, story)  # private host is not a permanent failure
            assert allowed.inserted == 2 and allowed.failed_before == 0
    finally:
        web.stop()


def test_adhoc_gdelt_and_url_list_sources(tmp_path: Path) -> None:
    from scrapers.pipeline import adhoc_story

    web = start_sites(require_shared())
    try:
        listing = tmp_path / "urls.txt"
        # pages without a date of their own: a list candidate is judged by its page's date
        seeds = [web.fault_url(route) for route in ("/fault/gzip", "/fault/deflate", "/fault/raw-deflate")]
        listing.write_text("# seeds\n" + "\n".join(seeds) + "\nnot a url\n", encoding="utf-8")
        story = adhoc_story(gdelt="anything", since=date(2025, 6, 2), until=date(2025, 6, 2), url_files=[listing],
                            outlets={})
        with Store.open(tmp_path / "a.db") as store:
            report = run_collect(web, store, story)
            articles = store.articles()
            log = store.failures()
        day = [r for r in web.gdelt if r["_seen"].date() == date(2025, 6, 2)]
        assert report.found["gdelt"] == len(day) and report.found["list"] == 3
        assert len(report.source_failures) == 1 and report.source_failures[0][0].endswith("urls.txt:5")
        assert set(articles.story_id.dropna()) == set()
        assert report.inserted == len(articles)
        assert report.inserted + report.failed["paywalled"] == len(day) + 3
        gdelt_urls = {canonical_url(r["url"]) for r in day}
        paywalled = {canonical_url(u) for u in log[log.kind == "paywalled"].url}
        assert gdelt_urls - paywalled == set(articles.canonical_url) - {canonical_url(u) for u in seeds}
    finally:
        web.stop()


def test_story_file_sources_resolve_relative_lists(tmp_path: Path) -> None:
    """A story file read from disk works like a Story built in code (url_lists beside the file)."""
    from scrapers.discover.sources import load_story

    web = start_sites(require_shared())
    try:
        (tmp_path / "seeds.txt").write_text("\n".join(web.urls_for("charlie")[:2]) + "\n", encoding="utf-8")
        path = tmp_path / "mini.toml"
        path.write_text('title = "Mini"\nstart = 2019-01-01\nend = 2030-12-31\nurl_lists = ["seeds.txt"]\n'
                        '[query]\nall_of = [["news"]]\n[gdelt]\nenabled = false\n', encoding="utf-8")
        with Store.open(tmp_path / "m.db") as store:
            report = run_collect(web, store, replace(load_story(path), language=None))
            assert report.inserted + report.failed["paywalled"] == 2 and report.inserted >= 1
            assert set(store.articles().story_id) == {"mini"}
    finally:
        web.stop()


def test_stored_pages_are_reused_not_refetched(tmp_path: Path) -> None:
    """A page saved by a run that died before its article was stored is extracted again, not fetched."""
    web = start_sites(require_shared())
    try:
        urls = web.urls_for("alpha")[:2]
        story = Story("r", "R", date(2019, 1, 1), date(2030, 1, 1), Query(all_of=()), (), gdelt=False, urls=tuple(urls))
        with Store.open(tmp_path / "r.db") as store:
            store.save_page(urls[0], web.page_for(urls[0]), final_url=urls[0])
            report = run_collect(web, store, story)
            assert (report.reused_pages, report.fetched, report.inserted) == (1, 1, 2)
            assert [r.path for r in web.requests() if "/news/" in r.path] == [urls[1].split(str(web.port))[1]]
            assert store.page_html(urls[1]) == web.page_for(urls[1])
    finally:
        web.stop()


def test_page_dated_outside_the_range_is_dropped_only_when_undated(tmp_path: Path) -> None:
    web = start_sites(require_shared())
    try:
        dated = [u for u in web.urls_for("delta") if extract(web.page_for(u), u).published][:1]
        assert dated, "no benchmark page with a publication date"
        page_day = date.fromisoformat(extract(web.page_for(dated[0]), dated[0]).published[:10])
        far = page_day + timedelta(days=400)
        story = Story("d", "D", far, far + timedelta(days=1), Query(all_of=()), (), gdelt=False, urls=tuple(dated))
        with Store.open(tmp_path / "d.db") as store:
            report = run_collect(web, store, story)
            assert report.dropped["outside date range (page date)"] == 1 and store.count("articles") == 0
    finally:
        web.stop()


def test_summary_says_how_many_copies_are_wire_stories() -> None:
    from collections import Counter

    report = CollectReport(candidates=12, fetched=12, inserted=12, outlets={f"O{i}" for i in range(12)}, groups=1,
                           copies=4, copies_by_agency=Counter(AP=4))
    assert report.summary().splitlines()[-1] == ("stored 12 new articles from 12 outlets; 4 syndicated copies in 1 "
                                                 "groups (4 of AP stories)")
    assert report.as_counts()["copies_by_agency"] == {"AP": 4}


def test_extraction_failures_name_the_url_once_and_a_crash_is_not_permanent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page with no body is a permanent 'empty extraction'; an extractor crash is retried next run."""
    from scrapers import pipeline
    from scrapers.discover.sources import Candidate

    story = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=()), (), language="en")
    url = "https://example.com/a"
    candidate = Candidate(url, url, "E", "Title", "2025-06-10", "feed", "https://example.com/rss")
    report = CollectReport()
    batch = pipeline._Batch(None, report, 0)  # type: ignore[arg-type] - never flushed here
    pipeline._extract_one(story, candidate, b"<html><body><p>Hi.</p></body></html>", url, "E", batch, report)
    (_, kind, message, _), = batch.failures
    assert kind == pipeline.EMPTY and message.count(url) == 1, message
    assert pipeline._permanent(kind, message)

    def broken(html: bytes, page_url: str) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(pipeline, "extract", broken)
    pipeline._extract_one(story, candidate, b"<html></html>", url, "E", batch, report)
    _, kind, message, _ = batch.failures[-1]
    assert kind == pipeline.EXTRACT_CRASH and "RuntimeError: parser bug" in message
    assert not pipeline._permanent(kind, message)
