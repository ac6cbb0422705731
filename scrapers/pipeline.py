"""Collect a story's coverage: discover -> skip what is stored -> fetch -> keep -> extract -> store -> group.

``collect`` runs the numbered steps below for one story (a ``data/stories/*.toml``
file, or one built from feeds, sitemaps, a GDELT query or URL lists by
``adhoc_story``) and returns a ``CollectReport``:

1. Discovery (``scrapers.discover.sources``) through the fetcher: feeds, sitemaps, GDELT
   article lists, URL lists -> candidates, filtered by date range and query.
   When no source could be reached at all: ``NetworkUnavailable("discovery", ...)``.
2. Skip what is done: an article already stored under the candidate's canonical
   URL is skipped; a page already stored is extracted again without fetching;
   a permanent failure on record (robots, not html, 4xx, paywalled ...) is skipped.
3. Fetch the rest (``Fetcher.iter_fetch``: concurrent across hosts, one request
   at a time per host, ``policy.delay`` apart, robots.txt, caps, retries).
4. Save every raw page at once (its own transaction): a page saved is never fetched again.
5. Extract (``scrapers.extract.cascade``); a paywalled teaser or a page without body text
   is a failure row; a candidate that came without a date is dropped when its
   page is dated outside the story's range.
6. Store articles and failures in batches of ``BATCH_ARTICLES``, one transaction
   each: a kill loses at most the batch in flight, and its pages are already saved.
7. Outlet rows (bias, country, ownership from ``data/outlets.toml``) and
   syndication groups over the story's articles (``scrapers.dedup``).

A run killed at any moment and started again ends with the same articles as an
uninterrupted run: ids derive from canonical URLs and every write is an upsert.

    story = load_story(Path("data/stories/rare_earths_2025.toml"))
    with Store.open("data/presslens.db") as store:
        report = collect(store, story, settings, policy=FetchPolicy.from_settings(settings))
    print(report.summary())
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from core.errors import ExtractError, NotNewsError
from core.outlets import default_outlets
from core.schema import STORY_FROM_DATA, Article, article_id
from core.settings import Settings
from core.store import ArticleFilter, Store
from scrapers import dedup
from scrapers.attribution import attribute
from scrapers.collect_report import CollectReport, NetworkUnavailable
from scrapers.discover.candidates import day_of
from scrapers.discover.sources import GDELT_API, Candidate, Query, Story, StoryOutlet, discover
from scrapers.extract.cascade import Extracted, extract
from scrapers.fetch import Fetcher, FetchError, FetchPolicy, Page, Resolver, redact
from scrapers.outlets import display_name, outlet_for_url, outlet_rows

__all__ = ["BATCH_ARTICLES", "CollectReport", "NetworkUnavailable", "adhoc_story", "collect"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, url)

# Articles written per transaction. A kill loses at most this many extractions, and those are redone
# from the saved pages (about 0.1 s each), never refetched; 25 keeps commits well under 1% of run time.
BATCH_ARTICLES = 25
# Failure kinds that a new run would only repeat: such URLs are not fetched again.
# (timeout, connection, 429 and 5xx are transient and retried; "private host" depends on a flag.)
PERMANENT_KINDS = frozenset({"robots", "not html", "too large", "redirects", "bad url", "bad content", "paywalled",
                             "empty extraction", "not news"})
# Network failures: when every source fails with one of these, the machine is offline.
NETWORK_KINDS = frozenset({"connection", "timeout"})
# Kinds of the extraction step (fetch_log rows); the fetch kinds are scrapers.fetch.KINDS.
PAYWALLED = "paywalled"
EMPTY = "empty extraction"
NOT_NEWS = "not news"  # a section front, error page, sign-in form or cookie wall (scrapers/extract/nonnews.py)
# An extractor crashed on the page: not permanent, so the saved page is extracted again next run.
EXTRACT_CRASH = "extraction error"
PAGE_OUTSIDE = "outside date range (page date)"
# Range of a story built from feeds or URL lists without --since/--until: anything plausible.
EARLIEST = date(1990, 1, 1)
COMMAND = "scrapers collect"
VERSION = "1"

_HTTP_STATUS = re.compile(r"HTTP (\d{3})")


def adhoc_story(*, feeds: Sequence[str] = (), sitemaps: Sequence[str] = (), gdelt: str | None = None,
                since: date | None = None, until: date | None = None, url_files: Sequence[Path] = (),
                urls: Sequence[str] = (), outlets: dict[str, dict[str, Any]] | None = None,
                base: Story | None = None) -> Story:
    """Return a story made of sources named on the command line, added to ``base`` when given.

    Without ``base`` there is no query (everything the sources list is kept) and no
    story id; the date range is ``since..until`` (default: 1990 to tomorrow).

    >>> s = adhoc_story(feeds=["https://www.reuters.com/rss"], since=date(2025, 6, 1), until=date(2025, 6, 30),
    ...                 outlets={"Reuters": {"name": "Reuters", "domains": ["reuters.com"]}})
    >>> [(o.name, o.feeds) for o in s.outlets], s.query.matches("anything"), s.gdelt
    ([('Reuters', ('https://www.reuters.com/rss',))], True, False)
    """
    known = default_outlets() if outlets is None else outlets
    grouped: dict[str, dict[str, list[str]]] = {}
    for kind, addresses in (("feeds", feeds), ("sitemaps", sitemaps)):
        for url in addresses:
            grouped.setdefault(outlet_for_url(url, known), {"feeds": [], "sitemaps": []})[kind].append(url)
    extra = tuple(StoryOutlet(name, feeds=tuple(v["feeds"]), sitemaps=tuple(v["sitemaps"]))
                  for name, v in grouped.items())
    if base is not None:
        changes: dict[str, Any] = {"outlets": base.outlets + extra, "urls": base.urls + tuple(urls),
                                   "url_lists": base.url_lists + tuple(url_files)}
        if since or until:
            changes.update(start=since or base.start, end=until or base.end)
        if gdelt:
            changes.update(gdelt=True, query=replace(base.query, gdelt=gdelt))
        return replace(base, **changes)
    start = since or EARLIEST
    end = until or (datetime.now(UTC).date() + timedelta(days=1))
    return Story(name="", title="sources named on the command line", start=start, end=end,
                 query=Query(all_of=(), gdelt=gdelt), outlets=extra, gdelt=bool(gdelt), urls=tuple(urls),
                 url_lists=tuple(url_files))


def collect(store: Store, sources: Story, settings: Settings, *, policy: FetchPolicy | None = None,
            progress: Progress | None = None, outlets: dict[str, dict[str, Any]] | None = None,
            resolver: Resolver | None = None, gdelt_api: str = GDELT_API, command: str = COMMAND,
            window_end: str | None = None) -> CollectReport:
    """Collect a story into the store and return what happened (see the module docstring for the steps).

    ``outlets`` is the outlets file's content (default ``data/outlets.toml``); ``resolver``
    and ``gdelt_api`` let tests point the fetcher at a loopback web. ``window_end`` is recorded
    with the run (``scrapers.latest`` starts its next window there).
    Raises ``NetworkUnavailable`` when a step could reach nothing at all.
    """
    policy = policy or FetchPolicy.from_settings(settings)
    known = default_outlets() if outlets is None else outlets
    report = CollectReport(story=sources.name or None, window_end=window_end)
    started = time.monotonic()
    run_id = store.start_run(command, {**settings.as_dict(), "delay": policy.delay,
                                       "allow_private_hosts": policy.allow_private_hosts,
                                       "private_hosts": sorted(policy.trusted_hosts)},
                             {"collect": VERSION})
    status = "failed"
    try:
        with Fetcher(policy, resolver=resolver) as fetcher:
            candidates = _discover(store, sources, fetcher, known, gdelt_api, report, run_id)
            todo, reuse = _skip_done(store, candidates, report)
            _fetch_and_store(store, sources, fetcher, todo, reuse, known, report, run_id, progress)
        _finish(store, sources, candidates, known, report)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        report.seconds = time.monotonic() - started
        store.finish_run(run_id, report.as_counts(), status)
    return report


# --- 1. discovery -------------------------------------------------------------------------------

def _discover(store: Store, story: Story, fetcher: Fetcher, known: dict[str, dict[str, Any]], gdelt_api: str,
              report: CollectReport, run_id: int) -> list[Candidate]:
    reached: list[str] = []
    errors: list[FetchError] = []

    def tracked(read: Callable[[str], Any]) -> Callable[[str], Any]:
        """Wrap a fetcher call to note which sources answered and which failed (offline detection)."""
        def call(url: str) -> Any:
            try:
                answer = read(url)
            except FetchError as exc:
                errors.append(exc)
                raise
            reached.append(url)
            return answer
        return call

    found = discover(story, tracked(fetcher.get), fetch_json=tracked(fetcher.get_json), outlets=known,
                     gdelt_api=gdelt_api)
    report.found.update(found.found)
    report.dropped.update({k: n for k, n in found.counts.items() if not k.startswith(("kept", "gdelt calls"))})
    report.notes.update({k: n for k, n in found.counts.items() if k.startswith("kept")})
    report.source_failures = list(found.failures)
    report.messages.extend(found.notes)
    report.candidates = len(found.candidates)
    report.sources_reached = len(reached)
    if found.failures:
        store.log_failures([(redact(url), f"discovery {kind}", message, outlet)
                            for url, kind, message, outlet in found.failures], run_id=run_id)
    if not found.candidates and not reached and errors and all(e.kind in NETWORK_KINDS for e in errors):
        raise NetworkUnavailable("discovery", errors[0].url, errors[0].reason)
    return found.candidates


# --- 2. what is done already ------------------------------------------------------------------

def _permanent(kind: str, message: str) -> bool:
    """Return whether a recorded failure would only repeat (4xx other than 408/429 count as permanent).

    >>> _permanent("http status", "https://e.com/a: HTTP 404 Not Found"), _permanent("timeout", "x")
    (True, False)
    """
    if kind in PERMANENT_KINDS:
        return True
    status = _HTTP_STATUS.search(message) if kind == "http status" else None
    return bool(status) and 400 <= int(status[1]) < 500 and int(status[1]) not in (408, 429)


def _skip_done(store: Store, candidates: list[Candidate], report: CollectReport
               ) -> tuple[list[Candidate], list[tuple[Candidate, bytes]]]:
    """Step 2: return (candidates to fetch, candidates whose page is stored with that page)."""
    stored_urls = store.articles(columns=["canonical_url"])["canonical_url"]
    stored = {url for url in stored_urls if isinstance(url, str)}
    failures = store.failures()
    dead = {row.url for row in failures.itertuples(index=False) if _permanent(row.kind, row.message)} \
        if not failures.empty else set()
    todo: list[Candidate] = []
    reuse: list[tuple[Candidate, bytes]] = []
    for candidate in candidates:
        if candidate.canonical_url in stored:
            report.already_stored += 1
        elif redact(candidate.url) in dead:
            report.failed_before += 1
        elif (html := store.page_html(candidate.url)) is not None:
            reuse.append((candidate, html))
        else:
            todo.append(candidate)
    return todo, reuse


# --- 3-6. fetch, keep, extract, store -----------------------------------------------------------

class _Batch:
    """Articles and failures waiting for their transaction."""

    def __init__(self, store: Store, report: CollectReport, run_id: int) -> None:
        self.store = store
        self.report = report
        self.run_id = run_id
        self.articles: list[Article] = []
        self.failures: list[tuple[str, str, str, str | None]] = []

    def fail(self, url: str, kind: str, message: str, outlet: str | None) -> None:
        self.report.failed[kind] += 1
        self.failures.append((redact(url), kind, message, outlet))

    def add(self, article: Article) -> None:
        self.articles.append(article)
        if len(self.articles) >= BATCH_ARTICLES:
            self.flush()

    def flush(self) -> None:
        if self.failures:
            self.store.log_failures(self.failures, run_id=self.run_id)
            self.failures = []
        if self.articles:
            counts = self.store.upsert_articles(self.articles)
            self.report.inserted += counts.inserted
            self.report.updated += counts.updated
            self.report.unchanged += counts.unchanged
            self.report.outlets.update(a.outlet for a in self.articles)
            self.articles = []


def _fetch_and_store(store: Store, story: Story, fetcher: Fetcher, todo: list[Candidate],
                     reuse: list[tuple[Candidate, bytes]], known: dict[str, dict[str, Any]],
                     report: CollectReport, run_id: int, progress: Progress | None) -> None:
    batch = _Batch(store, report, run_id)
    total = len(todo) + len(reuse)
    done = 0
    by_url = {c.url: c for c in todo}
    try:
        for candidate, html in reuse:
            report.reused_pages += 1
            _extract_one(story, candidate, html, candidate.url, _outlet(candidate, known), batch, report, known)
            done += 1
            if progress:
                progress(done, total, candidate.url)
        network_errors: list[FetchError] = []
        for url, result in fetcher.iter_fetch(by_url):
            candidate = by_url[url]
            outlet = _outlet(candidate, known)
            if isinstance(result, Page):
                report.fetched += 1
                store.save_page(url, result.body, final_url=result.final_url, outlet=outlet, status=result.status,
                                content_type=result.content_type)
                _extract_one(story, candidate, result.body, result.final_url, outlet, batch, report, known)
            else:
                batch.fail(url, result.kind, str(result), outlet)
                if result.kind in NETWORK_KINDS:
                    network_errors.append(result)
            done += 1
            if progress:
                progress(done, total, url)
    finally:
        batch.flush()
    if todo and report.fetched == 0 and len(network_errors) == len(todo):
        raise NetworkUnavailable("fetching", network_errors[0].url, network_errors[0].reason)


def _outlet(candidate: Candidate, known: dict[str, dict[str, Any]]) -> str:
    return display_name(candidate.outlet or outlet_for_url(candidate.url, known), known)


def _extract_one(story: Story, candidate: Candidate, html: bytes, page_url: str, outlet: str,
                 batch: _Batch, report: CollectReport, known: dict[str, dict[str, Any]] | None = None) -> None:
    """Step 5 for one page: an article into the batch, or a failure, or a drop.

    The article's outlet is its publisher: the page's outlet, unless the page is another outlet's
    wire copy or re-post (scrapers/attribution.py); the page's outlet is then its host.
    """
    began = time.monotonic()
    try:
        extracted = extract(html, page_url)
    except ExtractError as exc:  # the message starts with the page's URL: recorded once, redacted
        reason = str(exc).removeprefix(f"{page_url}: ")
        batch.fail(candidate.url, NOT_NEWS if isinstance(exc, NotNewsError) else EMPTY,
                   f"{redact(candidate.url)}: {reason}", outlet)
        return
    except Exception as exc:  # noqa: BLE001 - a page that breaks a parser is one failed URL, not a failed run
        log.exception("extraction crashed on %s", redact(candidate.url))
        batch.fail(candidate.url, EXTRACT_CRASH, f"{redact(candidate.url)}: {type(exc).__name__}: {exc}", outlet)
        return
    finally:
        report.extract_seconds += time.monotonic() - began
    if extracted.paywalled:
        batch.fail(candidate.url, PAYWALLED, f"{redact(candidate.url)}: paywalled: only a "
                                             f"{len(extracted.text)}-character teaser is free", outlet)
        return
    found = attribute(page_url, known or {}, text=extracted.text, html=html, canonical_url=extracted.canonical_url,
                      site_name=extracted.site_name, title=extracted.title, host=outlet)
    article = replace(build_article(story, candidate, extracted, found.publisher), host=found.host,
                      attribution=found.describe())
    # Discovery already judged dated candidates by their source's date; an undated one is judged by its page's.
    day = day_of(article.published) if not candidate.published else None
    if day is not None and not story.in_range(day):
        report.dropped[PAGE_OUTSIDE] += 1
        return
    batch.add(article)


def build_article(story: Story, candidate: Candidate, extracted: Extracted, outlet: str) -> Article:
    """Return the stored article of one extracted page (published never taken from a modified date).

    The page's own publication date wins; else the date the feed or sitemap gave;
    else GDELT's first-seen time. ``labels`` says which, and how the text was found.

    >>> c = Candidate("https://e.com/a?utm_source=rss", "https://e.com/a", "E", "Feed title", "2025-06-10T08:00:00",
    ...               "feed", "https://e.com/rss")
    >>> x = Extracted(title=None, text="Body.", published=None, modified="2025-06-12", method="trafilatura")
    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=()), (), language="en")
    >>> a = build_article(s, c, x, "E")
    >>> a.title, a.published, a.modified, a.language, a.labels["published_from"]
    ('Feed title', '2025-06-10T08:00:00', '2025-06-12', 'en', 'feed')
    """
    published, origin = extracted.published, "page"
    if not published and candidate.published:
        published, origin = candidate.published, candidate.kind
    labels: dict[str, Any] = {"extraction": extracted.method, "discovered_by": candidate.kind,
                              "published_from": origin if published else None}
    if extracted.url and extracted.url != candidate.url:
        labels["final_url"] = extracted.url
    return Article(
        id=article_id(candidate.url, None), outlet=outlet, title=(extracted.title or candidate.title or "").strip(),
        text=extracted.text, url=candidate.url, canonical_url=candidate.canonical_url, published=published,
        modified=extracted.modified, authors=tuple(extracted.authors), language=extracted.language or story.language,
        story_id=story.name or None, story_origin=STORY_FROM_DATA if story.name else None, source="collect",
        labels=labels,
    )


# --- 7. outlets and syndication ---------------------------------------------------------------

def _finish(store: Store, story: Story, candidates: Iterable[Candidate], known: dict[str, dict[str, Any]],
            report: CollectReport) -> None:
    """Step 7: outlet rows for the outlets stored, syndication groups over the story's articles."""
    if report.outlets:
        rows = outlet_rows(known, report.outlets)
        named = {row["name"] for row in rows}
        store.upsert_outlets(rows + [{"name": name} for name in sorted(report.outlets - named)])
    if story.name:
        articles = store.articles(ArticleFilter(story_id=story.name), with_text=True)
    else:
        ids = [article_id(c.url, None) for c in candidates]
        articles = store.articles(ids=ids, with_text=True)
    if articles.empty:
        return
    groups = dedup.syndication_groups(articles)
    store.write_syndication(groups)
    shared = groups[groups["group_size"] > 1]
    report.groups = int(shared["group_id"].nunique())
    copies = shared[~shared["is_original"].astype(bool)]
    report.copies = len(copies)
    report.copies_by_agency.update(str(a) for a in copies["agency"] if isinstance(a, str) and a)

