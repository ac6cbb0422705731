"""Candidate discovery: feeds, sitemaps, GDELT and URL lists -> article URLs worth fetching.

This module never does HTTP. Parsers take the bytes a fetcher returned plus the
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
import gzip
import io
import json
import logging
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import feedparser
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from core.errors import InputError
from core.urls import canonical_url
from scrapers.outlets import outlet_for_url

log = logging.getLogger(__name__)

Getter = Callable[[str], bytes]
JsonGetter = Callable[[str], Any]

KINDS = ("feed", "sitemap", "gdelt", "list")
# When two sources give the same URL, the richer record wins; on a tie, this order.
KIND_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}

GDELT_API = "https://api.gdeltproject.org/api/v2/doc/doc"
# The DOC 2.0 API returns at most 250 records per call in artlist mode (its documented maximum).
GDELT_CAP = 250
# Halving depth bound: 2**8 = 256 slices of a 30-day window are ~3 hours each, finer than
# GDELT's 15-minute update cycle makes useful for one outlet group; past it we keep the capped list.
GDELT_MAX_DEPTH = 8
# Never split below this: GDELT's index advances in 15-minute steps.
GDELT_MIN_SLICE = timedelta(minutes=15)
# Domains OR-ed in one query. GDELT rejects over-long queries; 8 short domains stay well under
# the lengths seen to work (an assumption: the limit is not documented).
GDELT_DOMAINS_PER_CALL = 8
# The DOC API searches a rolling window of about the last three months; older windows are
# asked anyway (the limit may change) but flagged in the report.
GDELT_REACH = timedelta(days=92)
# Sitemap traversal bounds: sitemap indexes nest at most a level or two in practice;
# 50 child sitemaps per outlet covers a month of daily sitemaps with margin.
MAX_SITEMAP_DEPTH = 3
MAX_SITEMAPS_PER_OUTLET = 50
# The sitemap protocol caps a file at 50 MB uncompressed; refuse to inflate more.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

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


@dataclass(frozen=True)
class Candidate:
    """One article URL found by discovery, with what the source said about it."""

    url: str
    canonical_url: str
    outlet: str | None
    title: str | None
    published: str | None  # ISO 8601, UTC without offset; a date alone when the source gave one
    kind: str  # feed | sitemap | gdelt | list
    source: str  # the feed, sitemap, API call or file it came from
    modified: str | None = None  # sitemap lastmod: bounds the publication date from above


@dataclass(frozen=True)
class SitemapLink:
    """A child sitemap listed by a sitemap index."""

    url: str
    lastmod: str | None = None


@dataclass(frozen=True)
class Query:
    """Query terms: AND over ``all_of`` groups, OR inside a group; ``none_of`` excludes."""

    all_of: tuple[tuple[str, ...], ...]
    none_of: tuple[str, ...] = ()
    gdelt: str | None = None  # an explicit GDELT query; else derived from all_of

    def matches(self, text: str) -> bool:
        """Return whether the text (title and slug) satisfies the query."""
        words = _words(text)
        return all(any(_phrase(p).search(words) for p in group) for group in self.all_of) and not self.excludes(text)

    def excludes(self, text: str) -> bool:
        """Return whether an excluded phrase occurs in the text."""
        words = _words(text)
        return any(_phrase(p).search(words) for p in self.none_of)

    def gdelt_query(self) -> str:
        """Return the query in GDELT syntax: ``(a OR "b c") (d OR e)``.

        >>> Query(all_of=(("rare earth*", "magnets"), ("china",))).gdelt_query()
        '("rare earth" OR magnets) china'
        """
        if self.gdelt:
            return self.gdelt
        parts = []
        for group in self.all_of:
            terms = [_gdelt_term(p) for p in group]
            terms = list(dict.fromkeys(t for t in terms if t))
            parts.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
        return " ".join(parts)


@dataclass(frozen=True)
class StoryOutlet:
    """An outlet of a story and where to look for its articles."""

    name: str
    domains: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """A story to collect: what to look for, when, and from which outlets."""

    name: str
    title: str
    start: date
    end: date  # inclusive
    query: Query
    outlets: tuple[StoryOutlet, ...]
    description: str = ""
    language: str | None = None
    gdelt: bool = True
    gdelt_domains: tuple[str, ...] = ()  # extra domains beyond the outlets'
    urls: tuple[str, ...] = ()
    url_lists: tuple[Path, ...] = ()
    path: Path | None = None

    def domains(self) -> list[str]:
        """Return every domain the story's GDELT filter covers, in file order."""
        found = [d for outlet in self.outlets for d in outlet.domains] + list(self.gdelt_domains)
        return list(dict.fromkeys(found))

    def in_range(self, day: date) -> bool:
        """Return whether a day falls inside the story's date range (inclusive)."""
        return self.start <= day <= self.end


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


# --- text helpers -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> str:
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


_PHRASES: dict[str, re.Pattern[str]] = {}


def _phrase(phrase: str) -> re.Pattern[str]:
    pattern = _PHRASES.get(phrase)
    if pattern is None:
        wildcard = phrase.strip().endswith("*")
        words = _words(phrase.strip().rstrip("*")).strip()
        tail = r"[0-9a-z]*" if wildcard else ""
        pattern = re.compile(r" " + re.escape(words) + tail + r" ")
        _PHRASES[phrase] = pattern
    return pattern


def _gdelt_term(phrase: str) -> str:
    words = _words(phrase.rstrip("*")).strip()
    if len(words) < 3:  # GDELT refuses keywords shorter than three characters
        return ""
    return f'"{words}"' if " " in words else words


def slug_text(url: str) -> str:
    """Return the words of a URL's path, the stand-in for a title.

    >>> slug_text("https://www.example.com/world/china/us-china-rare-earth-talks-2025-06-10/")
    'world china us china rare earth talks'
    """
    path = urlsplit(url).path
    path = re.sub(r"\.(s?html?|php|aspx?)$", "", path)
    words = [w for w in _NON_WORD.sub(" ", path.lower()).split() if not w.isdigit()]
    return " ".join(w for w in words if not re.fullmatch(r"[0-9a-z]*\d[0-9a-z]*", w) or len(w) < 4)


_URL_DATE = re.compile(r"(?<!\d)(20\d\d)[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)")


def url_date(url: str) -> date | None:
    """Return the publication date written in a URL path (``/2025/06/10/``, ``-2025-06-10``), else None.

    >>> url_date("https://www.example.com/2025/06/10/world/x.html")
    datetime.date(2025, 6, 10)
    """
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def iso_datetime(value: str | None) -> str | None:
    """Normalise a W3C/ISO date or datetime to UTC ISO without offset; None when unreadable.

    >>> iso_datetime("2025-06-10T12:30:00+01:00"), iso_datetime("2025-06-10"), iso_datetime("soon")
    ('2025-06-10T11:30:00', '2025-06-10', None)
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat(timespec="seconds")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _candidate(url: str, *, outlet: str | None, title: str | None, published: str | None, kind: str,
               source: str, modified: str | None = None) -> Candidate | None:
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None
    clean_title = " ".join(title.split()) if title else None
    return Candidate(url=url.strip(), canonical_url=canonical, outlet=outlet, title=clean_title or None,
                     published=published, kind=kind, source=source, modified=modified)


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
        candidate = _candidate(link or "", outlet=outlet, title=entry.get("title"), published=published,
                               kind="feed", source=url) if link else None
        if candidate is None:
            skipped += 1
            continue
        found.append(candidate)
    if skipped:
        log.info("feed %s: %d entries without a usable link", url, skipped)
    return found


# --- sitemaps ---------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _inflate(data: bytes, url: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise InputError(f"bad gzip sitemap: {exc}", source=url) from exc
    if len(inflated) > MAX_SITEMAP_BYTES:
        raise InputError(f"sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed", source=url)
    return inflated


def parse_sitemap(data: bytes, url: str, outlet: str | None = None) -> tuple[list[Candidate], list[SitemapLink]]:
    """Return (articles, child sitemaps) of a sitemap, news sitemap or sitemap index (gzip too).

    Entities and DTDs are refused (defusedxml): a sitemap cannot read local files.
    News sitemaps give title and publication date; a plain ``lastmod`` is kept as
    ``modified`` (it bounds the publication date from above).

    >>> xml = b'''<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
    ...   xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://e.com/a</loc>
    ...   <news:news><news:publication_date>2025-06-10T08:00:00Z</news:publication_date>
    ...   <news:title>Talks in London</news:title></news:news></url></urlset>'''
    >>> [(c.title, c.published) for c in parse_sitemap(xml, "https://e.com/sitemap.xml")[0]]
    [('Talks in London', '2025-06-10T08:00:00')]
    """
    raw = _inflate(data, url)
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(f"sitemap refused: {type(exc).__name__} (DTDs and entities are not allowed)",
                         source=url) from exc
    except SafeET.ParseError as exc:
        raise InputError(f"not a readable sitemap ({exc})", source=url) from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        links = []
        for element in root:
            loc = _child_text(element, "loc")
            if _local(element.tag) == "sitemap" and loc:
                links.append(SitemapLink(loc, iso_datetime(_child_text(element, "lastmod"))))
        return [], links
    if kind != "urlset":
        raise InputError(f"not a sitemap (root element <{kind}>)", source=url)
    found = []
    for element in root:
        if _local(element.tag) != "url":
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        title = published = None
        for child in element:
            if _local(child.tag) == "news":
                title = _child_text(child, "title")
                published = iso_datetime(_child_text(child, "publication_date"))
        candidate = _candidate(loc, outlet=outlet, title=title, published=published, kind="sitemap", source=url,
                               modified=iso_datetime(_child_text(element, "lastmod")))
        if candidate is not None:
            found.append(candidate)
    return found, []


def sitemap_may_hold(link: SitemapLink, story: Story) -> bool:
    """Return whether a child sitemap can hold articles of the story's date range.

    A child last modified before the range starts cannot; nor one whose URL names
    a month or day outside the range (``sitemap-2025-05.xml``, ``/2025/05/01/``).

    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=(("x",),)), ())
    >>> [sitemap_may_hold(SitemapLink(u), s) for u in ("https://e.com/sm-2025-05.xml", "https://e.com/sm-2025-06.xml")]
    [False, True]
    """
    modified = _day(link.lastmod)
    if modified is not None and modified < story.start:
        return False
    day = url_date(link.url)
    if day is not None:
        return story.in_range(day)
    month = re.search(r"(?<!\d)(20\d\d)[/_-]?(0[1-9]|1[0-2])(?![0-9])", urlsplit(link.url).path)
    if month:
        first = date(int(month[1]), int(month[2]), 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first <= story.end and last >= story.start
    return True


# --- GDELT ------------------------------------------------------------------------------------

def gdelt_url(query: str, start: datetime, end: datetime, domains: Sequence[str] = (),
              max_records: int = GDELT_CAP) -> str:
    """Return the DOC 2.0 API URL of an article list for a query, window and domain filter.

    >>> gdelt_url("china", datetime(2025, 6, 1), datetime(2025, 6, 2), ["reuters.com"]).split("?")[1][:64]
    'query=china%20domainis%3Areuters.com&mode=artlist&maxrecords=250'
    """
    text = query
    if domains:
        filters = [f"domainis:{d}" for d in domains]
        text += " " + (filters[0] if len(filters) == 1 else "(" + " OR ".join(filters) + ")")
    return (f"{GDELT_API}?query={quote(text)}&mode=artlist&maxrecords={max_records}&format=json&sort=datedesc"
            f"&startdatetime={start:%Y%m%d%H%M%S}&enddatetime={end:%Y%m%d%H%M%S}")


def parse_gdelt(data: Any, url: str, outlets: dict[str, dict[str, Any]] | None = None) -> list[Candidate]:
    """Return the articles of a DOC 2.0 artlist JSON response (``{}`` means none).

    >>> parse_gdelt({"articles": [{"url": "https://e.com/a", "title": "T", "seendate": "20250610T083000Z",
    ...                            "domain": "e.com"}]}, "api")[0].published
    '2025-06-10T08:30:00'
    """
    if not isinstance(data, dict):
        raise InputError(f"GDELT answered {type(data).__name__}, not a JSON object", source=url)
    records = data.get("articles", [])
    if not isinstance(records, list):
        raise InputError("GDELT 'articles' is not a list", source=url)
    found = []
    for record in records:
        if not isinstance(record, dict) or not record.get("url"):
            continue
        seen = record.get("seendate") or ""
        try:
            published = datetime.strptime(seen, "%Y%m%dT%H%M%SZ").isoformat() if seen else None
        except ValueError:
            published = None
        link = str(record["url"])
        outlet = outlet_for_url(link, outlets) if outlets is not None else record.get("domain")
        candidate = _candidate(link, outlet=outlet, title=record.get("title"), published=published, kind="gdelt",
                               source=url)
        if candidate is not None:
            found.append(candidate)
    return found


def gdelt_slices(start: datetime, end: datetime, fetch_json: JsonGetter, query: str,
                 domains: Sequence[str] = (), *, outlets: dict[str, dict[str, Any]] | None = None,
                 max_depth: int = GDELT_MAX_DEPTH, counts: Counter[str] | None = None) -> list[Candidate]:
    """Collect GDELT's article list for a window, halving any slice that returns the 250 cap.

    A slice still at the cap after ``max_depth`` halvings (or at the 15-minute
    floor) is kept as is, and counted as ``"gdelt slice truncated"`` in ``counts``.

    >>> def fake(url):  # 300 articles in the window: the first call hits the cap
    ...     n = 300 if "20250601000000" in url and "20250603000000" in url else 150
    ...     return {"articles": [{"url": f"https://e.com/{url[-29:]}/{i}"} for i in range(min(n, 250))]}
    >>> len(gdelt_slices(datetime(2025, 6, 1), datetime(2025, 6, 3), fake, "china"))
    300
    """
    tally = counts if counts is not None else Counter()
    found: list[Candidate] = []

    def visit(low: datetime, high: datetime, depth: int) -> None:
        url = gdelt_url(query, low, high, domains)
        batch = parse_gdelt(fetch_json(url), url, outlets)
        tally["gdelt calls"] += 1
        if len(batch) >= GDELT_CAP:
            middle = (low + (high - low) / 2).replace(microsecond=0)
            if depth < max_depth and high - low > GDELT_MIN_SLICE * 2:
                visit(low, middle, depth + 1)
                visit(middle + timedelta(seconds=1), high, depth + 1)
                return
            tally["gdelt slice truncated"] += 1
            log.warning("GDELT slice %s..%s still returns the %d cap: some articles missed", low, high, GDELT_CAP)
        found.extend(batch)

    visit(start, end, 0)
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
        candidate = _candidate(content, outlet=None, title=None, published=None, kind="list", source=source)
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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read story file: {exc}", source=source) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from exc

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
    filled from the others.

    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=(("china",),)), ())
    >>> c = [_candidate("https://e.com/2025/06/10/china-talks", outlet="E", title=None, published=None,
    ...                 kind="list", source="x"),
    ...      _candidate("https://e.com/2025/05/10/china-talks", outlet="E", title=None, published=None,
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
        best[candidate.canonical_url] = replace(winner, title=winner.title or other.title,
                                                published=winner.published or other.published,
                                                outlet=winner.outlet or other.outlet,
                                                modified=winner.modified or other.modified)
    kept = []
    for candidate in best.values():
        text = " ".join(filter(None, [candidate.title, slug_text(candidate.url)]))
        if story.query.excludes(text):
            counts[EXCLUDED] += 1
            continue
        if not _words(text).strip():
            counts[KEPT_UNMATCHABLE] += 1
        elif not story.query.matches(text):
            counts[NO_MATCH] += 1
            continue
        day = _day(candidate.published) or url_date(candidate.url)
        modified = _day(candidate.modified)
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
             outlets: dict[str, dict[str, Any]] | None = None, now: datetime | None = None) -> Discovery:
    """Read every source of a story through ``get`` and return the filtered candidates.

    Each feed, sitemap, GDELT call group and URL list is tried on its own: an
    exception from the fetcher or a parser becomes a row of ``failures`` (url,
    kind, message, outlet) and discovery goes on.

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
                       if (c := _candidate(url, outlet=outlet.name, title=None, published=None, kind="list",
                                           source=str(story.path or "story"))) is not None)
            result.found["list"] += len(outlet.urls)
    for url in story.urls:
        if (c := _candidate(url, outlet=None, title=None, published=None, kind="list",
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
        _gdelt(story, read_json, outlets, attempt, result, now or datetime.now(UTC).replace(tzinfo=None))
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
           now: datetime) -> None:
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
        label = gdelt_url(query, start, end, chunk)
        attempt(label, "gdelt", None, lambda c=chunk: gdelt_slices(start, end, read_json, query, c, outlets=outlets,
                                                                    counts=result.counts))
