"""What discovery finds and what a story asks for: candidates, queries, stories, and their text helpers.

The shared vocabulary of ``scrapers.discover.sources``, ``scrapers.discover.sitemaps`` and
``scrapers.discover.gdelt``; every public name is also importable from ``scrapers.discover.sources``.

>>> q = Query(all_of=(("rare earth*", "magnet*"), ("china", "beijing")), none_of=("opinion",))
>>> q.matches("China curbs rare-earths exports"), q.matches("Beijing weather"), q.matches("Opinion: China magnets")
(True, False, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from core.urls import canonical_url

KINDS = ("feed", "sitemap", "gdelt", "list")
# When two sources give the same URL, the richer record wins; on a tie, this order.
KIND_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


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
class Query:
    """Query terms: AND over ``all_of`` groups, OR inside a group; ``none_of`` excludes."""

    all_of: tuple[tuple[str, ...], ...]
    none_of: tuple[str, ...] = ()
    gdelt: str | None = None  # an explicit GDELT query; else derived from all_of

    def matches(self, text: str) -> bool:
        """Return whether the text (title and slug) satisfies the query."""
        words = words_of(text)
        return all(any(_phrase(p).search(words) for p in group) for group in self.all_of) and not self.excludes(text)

    def excludes(self, text: str) -> bool:
        """Return whether an excluded phrase occurs in the text."""
        words = words_of(text)
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



# --- text helpers -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")


def words_of(text: str) -> str:
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


_PHRASES: dict[str, re.Pattern[str]] = {}


def _phrase(phrase: str) -> re.Pattern[str]:
    pattern = _PHRASES.get(phrase)
    if pattern is None:
        wildcard = phrase.strip().endswith("*")
        words = words_of(phrase.strip().rstrip("*")).strip()
        tail = r"[0-9a-z]*" if wildcard else ""
        pattern = re.compile(r" " + re.escape(words) + tail + r" ")
        _PHRASES[phrase] = pattern
    return pattern


def _gdelt_term(phrase: str) -> str:
    words = words_of(phrase.rstrip("*")).strip()
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


def day_of(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def make_candidate(url: str, *, outlet: str | None, title: str | None, published: str | None, kind: str,
               source: str, modified: str | None = None) -> Candidate | None:
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None
    clean_title = " ".join(title.split()) if title else None
    return Candidate(url=url.strip(), canonical_url=canonical, outlet=outlet, title=clean_title or None,
                     published=published, kind=kind, source=source, modified=modified)
