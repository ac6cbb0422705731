"""Candidate discovery: feeds, sitemaps, GDELT and URL lists -> article URLs worth fetching.

Parsers and vocabulary live beside it: ``scrapers.discover.candidates`` (Candidate,
Query, Story), ``scrapers.discover.sitemaps`` and ``scrapers.discover.gdelt``; their public names
are importable from here too. This module never does HTTP. Parsers take the bytes a fetcher returned plus the
URL they came from; the orchestrator ``discover`` takes the fetcher as a
function (``get(url) -> bytes``), so the pipeline passes ``scrapers.fetch`` in
and tests pass in-memory fakes.

1. ``load_story`` reads ``data/stories/<name>.toml`` (query, date range, outlets
   with their feeds, sitemaps and domains); a bad file raises ``InputError``.
2. ``discover`` reads every source: feeds (``parse_feed``), sitemaps and their
   children (``parse_sitemap``), GDELT DOC 2.0 article lists (``gdelt_slices``,
   which halves a window while a call returns the 250-record cap), URL lists
   (``read_url_list``). A source that fails is a row in ``Discovery.failures``.
3. ``filter_candidates`` drops duplicates and what is outside the date range or
   does not match the query, counting each reason.

    story = load_story(Path("data/stories/rare_earths_2025.toml"))
    found = discover(story, get=fetcher.get, outlets=load_outlets(Path("data/outlets.toml")))
    print(found.summary())

Query semantics (titles and URL slugs only: the text is not known yet):
``all_of`` is a list of groups; a candidate matches when, for every group, at
least one of the group's phrases occurs (AND of ORs). A phrase matches whole
words, case- and punctuation-insensitively ("rare-earth" = "rare earth"); a
trailing ``*`` matches any word ending ("magnet*" = "magnets"). Any phrase of
``none_of`` excludes the candidate.

>>> q = Query(all_of=(("rare earth*", "magnet*"), ("china", "beijing")), none_of=("opinion",))
>>> q.matches("China curbs rare-earths exports"), q.matches("Beijing weather"), q.matches("Opinion: China magnets")
(True, False, False)
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser

from core.errors import InputError
from core.tomlfile import read_toml
from core.urls import canonical_url
from scrapers.discover.candidates import (
    KIND_PRIORITY,
    KINDS,
    Candidate,
    Query,
    Story,
    StoryOutlet,
    day_of,
    iso_datetime,
    make_candidate,
    slug_text,
    url_date,
    words_of,
)
from scrapers.discover.gdelt import (
    GDELT_API,
    GDELT_CAP,
    GDELT_DOMAINS_PER_CALL,
    GDELT_REACH,
    gdelt_slices,
    gdelt_url,
    parse_gdelt,
)
from scrapers.discover.sitemaps import (
    MAX_SITEMAP_DEPTH,
    MAX_SITEMAPS_PER_OUTLET,
    SitemapLink,
    parse_sitemap,
    sitemap_may_hold,
)
from scrapers.outlets import outlet_for_url

__all__ = ["GDELT_API", "GDELT_CAP", "KINDS", "Candidate", "Discovery", "Query", "SitemapLink", "Story", "StoryOutlet",
           "discover", "filter_candidates", "gdelt_slices", "gdelt_url", "iso_datetime", "load_story", "parse_feed",
           "parse_gdelt", "parse_sitemap", "read_url_list", "sitemap_may_hold", "slug_text", "url_date"]

log = logging.getLogger(__name__)

Getter = Callable[[str], bytes]
JsonGetter = Callable[[str], Any]


STORY_KEYS = {"name", "title", "description", "start", "end", "language", "query", "gdelt", "outlets", "urls",
              "url_lists"}
QUERY_KEYS = {"all_of", "none_of", "gdelt"}
GDELT_KEYS = {"enabled", "domains", "query"}
OUTLET_KEYS = {"name", "domains", "feeds", "sitemaps", "urls"}

# Drop reasons (filter_candidates) and notes on kept candidates (prefixed "kept: ").
DUPLICATE = "duplicate url"
OUTSIDE = "outside date range"
NO_MATCH = "not matching query"
EXCLUDED = "excluded term"
KEPT_UNDATED = "kept: date unknown"
KEPT_UNMATCHABLE = "kept: no title or slug to match"


@dataclass
class Discovery:
    """What discovery found: kept candidates, counts by reason, and failed sources."""

    candidates: list[Candidate] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # drop reasons and "kept: ..." notes
    found: Counter[str] = field(default_factory=Counter)  # candidates per source kind, before filtering
    failures: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # url, kind, message, outlet
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line: kept, found per kind, dropped per reason, failed sources."""
        outlets = len({c.outlet for c in self.candidates})
        found = ", ".join(f"{n} {kind}" for kind, n in sorted(self.found.items()))
        dropped = ", ".join(f"{n} {reason}" for reason, n in self.counts.most_common()
                            if not reason.startswith(("kept", "gdelt calls")))
        text = f"{len(self.candidates)} candidates from {outlets} outlets (found: {found or 'none'})"
        if dropped:
            text += f"; dropped: {dropped}"
        if self.failures:
            text += f"; {len(self.failures)} sources failed"
        return text


# --- feeds ------------------------------------------------------------------------------------

def parse_feed(data: bytes, url: str, outlet: str | None = None) -> list[Candidate]:
    """Return the articles an RSS or Atom feed lists; raise InputError naming the feed if it is none.

    Relative links are resolved against ``url``. A feed with XML errors that
    feedparser could still read is used (with a warning); one it cannot read at
    all is an error. feedparser strips entity declarations: no XXE.

    >>> rss = b'''<rss version="2.0"><channel><title>T</title><item><title>Rare earths deal</title>
    ... <link>/world/rare-earths</link><pubDate>Tue, 10 Jun 2025 12:00:00 GMT</pubDate></item></channel></rss>'''
    >>> [(c.url, c.published) for c in parse_feed(rss, "https://example.com/rss")]
    [('https://example.com/world/rare-earths', '2025-06-10T12:00:00')]
    """
    parsed = feedparser.parse(data, response_headers={"content-location": url, "content-type": "application/xml"})
    problem = parsed.get("bozo_exception")
    if not parsed.entries:
        if not parsed.get("version"):
            reason = f"{type(problem).__name__}: {problem}" if problem else "no RSS/Atom root element"
            raise InputError(f"not a readable feed ({reason})", source=url)
        return []
    if problem:
        log.warning("feed %s is malformed but readable (%s); using %d entries", url, problem, len(parsed.entries))
    found = []
    skipped = 0
    for entry in parsed.entries:
        link = entry.get("link") or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC).replace(tzinfo=None).isoformat() \
            if stamp else None
        candidate = make_candidate(link or "", outlet=outlet, title=entry.get("title"), published=published,
                               kind="feed", source=url) if link else None
        if candidate is None:
            skipped += 1
            continue
        found.append(candidate)
    if skipped:
        log.info("feed %s: %d entries without a usable link", url, skipped)
    return found


# --- URL lists --------------------------------------------------------------------------------

def read_url_list(text: str, source: str, outlets: dict[str, dict[str, Any]] | None = None
                  ) -> tuple[list[Candidate], list[InputError]]:
    """Read one URL per line (``#`` starts a comment); return candidates and per-line errors.

    >>> found, bad = read_url_list("# seeds\\nhttps://e.com/a  # lead story\\n\\nnot a url\\n", "seeds.txt")
    >>> [c.url for c in found], [str(e) for e in bad]
    (['https://e.com/a'], ["seeds.txt:4: not an absolute http(s) URL: 'not a url'"])
    """
    found, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        content = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not content:
            continue
        candidate = make_candidate(content, outlet=None, title=None, published=None, kind="list", source=source)
        if candidate is None:
            errors.append(InputError(f"not an absolute http(s) URL: {content[:80]!r}", source=source, line=number))
            continue
        if outlets is not None:
            candidate = replace(candidate, outlet=outlet_for_url(candidate.url, outlets))
        found.append(candidate)
    return found, errors


# --- stories ----------------------------------------------------------------------------------

def load_story(path: Path) -> Story:
    """Read and validate a story file; raise InputError naming the file and the key at fault.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('title = "T"\\nstart = 2025-06-01\\nend = 2025-06-30\\n[query]\\nall_of = [["china"]]\\n'
    ...                  '[[outlets]]\\nname = "Reuters"\\ndomains = ["reuters.com"]\\n')
    >>> load_story(p).outlets[0].domains
    ('reuters.com',)
    """
    source = str(path)
    data = read_toml(path, "story file")

    def fail(key: str, message: str) -> InputError:
        return InputError(f"{key}: {message}", source=source)

    _check_keys(data, STORY_KEYS, "(top level)", fail)
    start, end = _story_date(data, "start", fail), _story_date(data, "end", fail)
    if start > end:
        raise fail("end", f"{end} is before start {start}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "missing or empty")
    query_table = data.get("query")
    if not isinstance(query_table, dict):
        raise fail("query", "missing: a [query] table with all_of = [[...], ...] is required")
    _check_keys(query_table, QUERY_KEYS, "query", fail)
    groups = query_table.get("all_of")
    if not isinstance(groups, list) or not groups:
        raise fail("query.all_of", "missing or empty: a list of groups of phrases")
    all_of = tuple(_string_list(group, f"query.all_of[{i}]", fail, nonempty=True) for i, group in enumerate(groups))
    none_of = _string_list(query_table.get("none_of", []), "query.none_of", fail)
    gdelt_table = data.get("gdelt", {})
    if not isinstance(gdelt_table, dict):
        raise fail("gdelt", "must be a table")
    _check_keys(gdelt_table, GDELT_KEYS, "gdelt", fail)
    gdelt_query = query_table.get("gdelt", gdelt_table.get("query"))
    if gdelt_query is not None and (not isinstance(gdelt_query, str) or not gdelt_query.strip()):
        raise fail("query.gdelt", "must be a non-empty string")
    enabled = gdelt_table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("gdelt.enabled", "must be true or false")
    outlets_data = data.get("outlets", [])
    if not isinstance(outlets_data, list):
        raise fail("outlets", "must be an array of tables ([[outlets]])")
    outlets = []
    names: set[str] = set()
    for number, entry in enumerate(outlets_data):
        key = f"outlets[{number}]"
        if not isinstance(entry, dict):
            raise fail(key, "must be a table")
        _check_keys(entry, OUTLET_KEYS, key, fail)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"{key}.name", "missing or empty")
        if name in names:
            raise fail(f"{key}.name", f"outlet {name!r} listed twice")
        names.add(name)
        outlet = StoryOutlet(
            name=name,
            domains=tuple(d.lower().removeprefix("www.") for d in _string_list(entry.get("domains", []),
                                                                                f"{key}.domains", fail)),
            feeds=_url_list(entry.get("feeds", []), f"{key}.feeds", fail),
            sitemaps=_url_list(entry.get("sitemaps", []), f"{key}.sitemaps", fail),
            urls=_url_list(entry.get("urls", []), f"{key}.urls", fail),
        )
        if not (outlet.domains or outlet.feeds or outlet.sitemaps or outlet.urls):
            raise fail(key, f"outlet {name!r} has no domains, feeds, sitemaps or urls")
        outlets.append(outlet)
    url_lists = tuple(path.parent / p for p in _string_list(data.get("url_lists", []), "url_lists", fail))
    for list_path in url_lists:
        if not list_path.is_file():
            raise fail("url_lists", f"{list_path} does not exist")
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise fail("language", "must be a string such as \"en\"")
    return Story(
        name=str(data.get("name") or path.stem), title=title.strip(), start=start, end=end,
        query=Query(all_of=all_of, none_of=none_of, gdelt=gdelt_query), outlets=tuple(outlets),
        description=str(data.get("description", "")), language=language, gdelt=enabled,
        gdelt_domains=tuple(d.lower() for d in _string_list(gdelt_table.get("domains", []), "gdelt.domains", fail)),
        urls=_url_list(data.get("urls", []), "urls", fail), url_lists=url_lists, path=path,
    )


def _check_keys(table: dict[str, Any], valid: set[str], where: str, fail: Callable[[str, str], InputError]) -> None:
    unknown = sorted(set(table) - valid)
    if unknown:
        raise fail(where, f"unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")


def _story_date(data: dict[str, Any], key: str, fail: Callable[[str, str], InputError]) -> date:
    value = data.get(key)
    if value is None:
        raise fail(key, "missing (a date such as 2025-06-01)")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(key, f"{value!r} is not a date (write 2025-06-01)")


def _string_list(value: Any, key: str, fail: Callable[[str, str], InputError], *, nonempty: bool = False
                 ) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, "must be a list of non-empty strings")
    if nonempty and not value:
        raise fail(key, "must not be empty")
    return tuple(v.strip() for v in value)


def _url_list(value: Any, key: str, fail: Callable[[str, str], InputError]) -> tuple[str, ...]:
    urls = _string_list(value, key, fail)
    for number, url in enumerate(urls):
        try:
            canonical_url(url)
        except ValueError:
            raise fail(f"{key}[{number}]", f"{url!r} is not an absolute http(s) URL") from None
    return urls


# --- filtering --------------------------------------------------------------------------------

def _richness(candidate: Candidate) -> tuple[int, int, int]:
    return (candidate.published is not None, candidate.title is not None, -KIND_PRIORITY[candidate.kind])


def filter_candidates(candidates: Iterable[Candidate], story: Story) -> tuple[list[Candidate], Counter[str]]:
    """Keep one candidate per canonical URL that is in the date range and matches the query.

    Returns ``(kept, counts)``; ``counts`` holds drop reasons (``"duplicate url"``,
    ``"excluded term"``, ``"not matching query"``, ``"outside date range"``) and,
    prefixed ``"kept: "``, what was kept on trust: no date known (none from the
    source or the URL), or no title and no slug words to match the query against.
    Of duplicates, the record with a date and a title wins; missing fields are
    filled from the others, and an outlet named by a feed, sitemap or list beats
    the one GDELT derived from the domain.

    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=(("china",),)), ())
    >>> c = [make_candidate("https://e.com/2025/06/10/china-talks", outlet="E", title=None, published=None,
    ...                 kind="list", source="x"),
    ...      make_candidate("https://e.com/2025/05/10/china-talks", outlet="E", title=None, published=None,
    ...                 kind="list", source="x")]
    >>> kept, counts = filter_candidates(c, s)
    >>> len(kept), dict(counts)
    (1, {'outside date range': 1})
    """
    counts: Counter[str] = Counter()
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        known = best.get(candidate.canonical_url)
        if known is None:
            best[candidate.canonical_url] = candidate
            continue
        counts[DUPLICATE] += 1
        winner, other = (candidate, known) if _richness(candidate) > _richness(known) else (known, candidate)
        # The story file names outlets; GDELT only guesses one from the domain: a named one wins.
        named = [c.outlet for c in (winner, other) if c.outlet and c.kind != "gdelt"]
        best[candidate.canonical_url] = replace(winner, title=winner.title or other.title,
                                                published=winner.published or other.published,
                                                outlet=(named or [winner.outlet or other.outlet])[0],
                                                modified=winner.modified or other.modified)
    kept = []
    for candidate in best.values():
        text = " ".join(filter(None, [candidate.title, slug_text(candidate.url)]))
        if story.query.excludes(text):
            counts[EXCLUDED] += 1
            continue
        if not words_of(text).strip():
            counts[KEPT_UNMATCHABLE] += 1
        elif not story.query.matches(text):
            counts[NO_MATCH] += 1
            continue
        day = day_of(candidate.published) or url_date(candidate.url)
        modified = day_of(candidate.modified)
        if day is not None and not story.in_range(day):
            counts[OUTSIDE] += 1
            continue
        if day is None and modified is not None and modified < story.start:
            counts[OUTSIDE] += 1  # last modified before the range: published before it too
            continue
        if day is None:
            counts[KEPT_UNDATED] += 1
        kept.append(candidate)
    return kept, counts


# --- orchestration ----------------------------------------------------------------------------

def discover(story: Story, get: Getter, *, fetch_json: JsonGetter | None = None,
             outlets: dict[str, dict[str, Any]] | None = None, now: datetime | None = None,
             gdelt_api: str = GDELT_API) -> Discovery:
    """Read every source of a story through ``get`` and return the filtered candidates.

    Each feed, sitemap, GDELT call group and URL list is tried on its own: an
    exception from the fetcher or a parser becomes a row of ``failures`` (url,
    kind, message, outlet) and discovery goes on. ``gdelt_api`` points GDELT
    calls at another DOC 2.0 endpoint (a mirror, or a test server).

    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=(("china",),)),
    ...           (StoryOutlet("E", feeds=("https://e.com/rss",)),), gdelt=False)
    >>> found = discover(s, get=lambda url: b"<html>not a feed</html>")
    >>> found.failures[0][:2], found.summary()
    (('https://e.com/rss', 'feed'), '0 candidates from 0 outlets (found: none); 1 sources failed')
    """
    result = Discovery()
    raw: list[Candidate] = []
    read_json = fetch_json or (lambda url: json.loads(get(url)))

    def attempt(url: str, kind: str, outlet: str | None, work: Callable[[], list[Candidate]]) -> None:
        try:
            found = work()
        except Exception as exc:  # noqa: BLE001 - one source failing is data; the fetcher's error types vary
            log.info("discovery source failed: %s %s: %s", kind, url, exc)
            result.failures.append((url, kind, f"{type(exc).__name__}: {exc}", outlet))
            return
        result.found[kind] += len(found)
        raw.extend(found)

    for outlet in story.outlets:
        for feed in outlet.feeds:
            attempt(feed, "feed", outlet.name, lambda f=feed, o=outlet.name: parse_feed(get(f), f, o))
        _walk_sitemaps(story, outlet, get, attempt, result)
        if outlet.urls:
            raw.extend(replace(c, outlet=outlet.name) for url in outlet.urls
                       if (c := make_candidate(url, outlet=outlet.name, title=None, published=None, kind="list",
                                           source=str(story.path or "story"))) is not None)
            result.found["list"] += len(outlet.urls)
    for url in story.urls:
        if (c := make_candidate(url, outlet=None, title=None, published=None, kind="list",
                            source=str(story.path or "story"))) is not None:
            raw.append(replace(c, outlet=outlet_for_url(c.url, outlets) if outlets is not None else None))
            result.found["list"] += 1
    for list_path in story.url_lists:
        def read_list(p: Path = list_path) -> list[Candidate]:
            found, errors = read_url_list(p.read_text(encoding="utf-8"), str(p), outlets)
            result.failures.extend((f"{p}:{e.line}", "list", e.reason, None) for e in errors)
            return found
        attempt(str(list_path), "list", None, read_list)
    if story.gdelt:
        _gdelt(story, read_json, outlets, attempt, result, now or datetime.now(UTC).replace(tzinfo=None), gdelt_api)
    result.candidates, counts = filter_candidates(raw, story)
    result.counts.update(counts)
    log.info("discovery for %s: %s", story.name, result.summary())
    return result


def _walk_sitemaps(story: Story, outlet: StoryOutlet, get: Getter,
                   attempt: Callable[[str, str, str | None, Callable[[], list[Candidate]]], None],
                   result: Discovery) -> None:
    queue = [(url, 0) for url in outlet.sitemaps]
    seen: set[str] = set()
    while queue:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if len(seen) > MAX_SITEMAPS_PER_OUTLET:
            result.counts["sitemaps over the per-outlet limit"] += 1
            continue

        def read(u: str = url, d: int = depth) -> list[Candidate]:
            found, children = parse_sitemap(get(u), u, outlet.name)
            for child in children:
                if d + 1 > MAX_SITEMAP_DEPTH:
                    result.counts["sitemaps deeper than the limit"] += 1
                elif sitemap_may_hold(child, story):
                    queue.append((child.url, d + 1))
                else:
                    result.counts["sitemaps outside date range"] += 1
            return found

        attempt(url, "sitemap", outlet.name, read)


def _gdelt(story: Story, read_json: JsonGetter, outlets: dict[str, dict[str, Any]] | None,
           attempt: Callable[[str, str, str | None, Callable[[], list[Candidate]]], None], result: Discovery,
           now: datetime, api: str = GDELT_API) -> None:
    start = datetime.combine(story.start, datetime.min.time())
    end = min(datetime.combine(story.end, datetime.max.time()).replace(microsecond=0), now)
    if start < now - GDELT_REACH:
        result.notes.append(f"GDELT: the window starts {story.start}, before the DOC API's ~3-month reach; "
                            "it may return nothing (feeds and sitemaps still count)")
    if start > end:
        return
    query = story.query.gdelt_query()
    domains = story.domains()
    chunks = [domains[i:i + GDELT_DOMAINS_PER_CALL] for i in range(0, len(domains), GDELT_DOMAINS_PER_CALL)] \
        or [[]]
    for chunk in chunks:
        label = gdelt_url(query, start, end, chunk, api=api)
        attempt(label, "gdelt", None, lambda c=chunk: gdelt_slices(start, end, read_json, query, c, outlets=outlets,
                                                                    counts=result.counts, api=api))
