"""Sitemaps: sitemap indexes, urlsets and news sitemaps (gzip too) -> candidates and child sitemaps.

Never does HTTP: ``scrapers.discover.sources`` walks the index through its getter. Every
public name is also importable from ``scrapers.discover.sources``.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from core.errors import InputError
from scrapers.discover.candidates import Candidate, Story, day_of, iso_datetime, make_candidate, url_date

# Sitemap traversal bounds: sitemap indexes nest at most a level or two in practice;
# 50 child sitemaps per outlet covers a month of daily sitemaps with margin.
MAX_SITEMAP_DEPTH = 3
MAX_SITEMAPS_PER_OUTLET = 50
# The sitemap protocol caps a file at 50 MB uncompressed; refuse to inflate more.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@dataclass(frozen=True)
class SitemapLink:
    """A child sitemap listed by a sitemap index."""

    url: str
    lastmod: str | None = None




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
        candidate = make_candidate(loc, outlet=outlet, title=title, published=published, kind="sitemap", source=url,
                               modified=iso_datetime(_child_text(element, "lastmod")))
        if candidate is not None:
            found.append(candidate)
    return found, []


def sitemap_may_hold(link: SitemapLink, story: Story) -> bool:
    """Return whether a child sitemap can hold articles of the story's date range.

    A child last modified before the range starts cannot; nor one whose URL names
    a month or day outside the range (``sitemap-2025-05.xml``, ``/2025/05/01/``).

    >>> from scrapers.discover.candidates import Query
    >>> s = Story("s", "S", date(2025, 6, 1), date(2025, 6, 30), Query(all_of=(("x",),)), ())
    >>> [sitemap_may_hold(SitemapLink(u), s) for u in ("https://e.com/sm-2025-05.xml", "https://e.com/sm-2025-06.xml")]
    [False, True]
    """
    modified = day_of(link.lastmod)
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
