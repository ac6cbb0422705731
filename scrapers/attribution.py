"""Publisher and host: who wrote a collected page, and where it was read.

A page read on an aggregator, a broker's news page or a re-posting site is often another
outlet's work: a wire copy, a syndicated story, a re-post. The *host* is the outlet whose site
served the page (from its URL); the *publisher* is the outlet compared. The rules, in order; the
first that names a listed outlet other than the host wins, else the publisher is the host:

1. ``canonical``: the page's canonical link is on another outlet's domain.
2. ``dateline``: the text opens with an agency dateline, ``BEIJING, Oct. 9 (Xinhua) --``,
   ``(Reuters) -``, ``KYIV, Ukraine (AP) —``, ``Washington CNN —``, ``NEW YORK, January 9th. /tass/.``
   or ``MOSCOW, February 24 - RIA Novosti.`` The name in the dateline must be an outlet of the
   table: ``BEIJING —`` or ``LONDON (Oct 9) -`` name a city, not a publisher, and attribute nothing.
3. ``byline``: a line opening the text ``By Agence France-Presse`` or ``By Jane Doe – Associated Press``.
4. ``credit``: a credit line at the top or the bottom: ``Source: CGTN``, "This article originally
   appeared in The Conversation", "originally published by ...", ``© 2025 The Associated Press``,
   Reuters' own sign-off ``(Reporting by ...; Editing by ...)``, or a last line ``-- ANI`` / ``Reuters``.
5. ``title``: the headline ends with another outlet's name (``... - DW``, ``... | CNN``).
6. ``json-ld``: the publisher of the page's JSON-LD NewsArticle.
7. ``og:site_name``: the page's Open Graph site name.

Only names the outlets table knows count (core/outlets.py, by name, alias or domain), so a
host's own brand spelled differently never makes a page a re-post. Pure functions: no I/O.

>>> table = {"Reuters": {"name": "Reuters", "display_name": "Reuters", "domains": ["reuters.com"], "aliases": []},
...          "Yahoo Finance": {"name": "Yahoo Finance", "display_name": "Yahoo Finance",
...                            "domains": ["finance.yahoo.com"], "aliases": []}}
>>> a = attribute("https://finance.yahoo.com/news/x", table, text="BEIJING (Reuters) - China said ...")
>>> a.publisher, a.host, a.rule, a.reposted
('Reuters', 'Yahoo Finance', 'dateline', True)
>>> attribute("https://finance.yahoo.com/news/y", table, text="BEIJING - China said ...").publisher
'Yahoo Finance'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from core.outlets import fold_name, spelling_index
from scrapers.outlets import outlet_for_url

# The opening of the text a dateline must sit in (a dateline is the first thing a wire copy says), and
# its lines a dateline may open (a headline, a byline or a date line may come first).
DATELINE_CHARS = 300
DATELINE_LINES = 4
# Credit lines sit at the top or the bottom of a page's text: only these many characters of each are read
# (a "Source: Bloomberg" under a chart in the middle of an article credits the chart, not the article).
CREDIT_CHARS = 400
HOST_RULE = "host"

_DASH = r"(?:--|—|–|-|:)"
# "(Reuters) -", "BEIJING, Oct. 9 (Xinhua) --": a parenthesised name followed by a dash.
_PAREN_DATELINE = re.compile(r"\((?P<name>[^()\n]{2,40})\)\s*" + _DASH)
# "Washington CNN —", "CNN —": an all-capitals name of 2-6 letters then a dash, at the very start.
_CAPS_DATELINE = re.compile(r"^(?:[A-Z][\w.'’ ,]{0,40}?\s+)?(?P<name>[A-Z]{2,6})\s*(?:--|—|–)\s")
# "NEW YORK, January 9th. /tass/." and "MOSCOW, February 24 - RIA Novosti." (date, dash, agency, full stop).
_SLASH_DATELINE = re.compile(r"\s/(?P<name>[A-Za-z-]{2,15})/\.")
_DATE_DASH_DATELINE = re.compile(r"^[A-Z][A-Za-z .,'’]{1,40}?\s\d{1,2}(?:st|nd|rd|th)?\.?(?:\s[A-Z][a-z]{2,8}\.?)?"
                                 r"\s*(?:--|—|–|-)\s*(?P<name>[A-Z][\w .'-]{1,30}?)\.(?:\s|$)")
_BYLINE = re.compile(r"(?m)^\s*[Bb]y\s+(?P<name>[^\n]{2,80})")
# A last line that is only a name ("\nReuters"), or a closing "-- ANI": the whole of it must be an outlet.
_SIGNOFF = re.compile(r"(?:\n|\s(?:--|—|–))\s*(?P<name>[A-Z][\w .&'-]{1,40}?)\s*\.?\s*$")
_TITLE_SUFFIX = re.compile(r"\s(?:-|\||–|—)\s(?P<name>[^-|–—]{2,40}?)(?:\s(?:-|\||–|—)\s[\d/.]+)?\s*$")
_SEPARATORS = re.compile(r"\s(?:-|–|—|\||·|and|for)\s|[;,]")
_CREDITS = (
    re.compile(r"(?im)^\s*(?:source|sources|credit|via)\s*:\s*(?P<name>[^|,;\n]{2,60})"),
    re.compile(r"(?i)\b(?:originally|first)\s+(?:appeared|published|ran|posted)\s+(?:in|on|at|by)\s+"
               r"(?P<name>[^,.;:()\n]{2,60})"),
    re.compile(r"(?i)(?:copyright|©)\s*(?:\(c\)\s*)?(?:\d{4}\s*)?(?P<name>[^,.;:()\n\d]{2,50})"),
)
_REUTERS_SIGNOFF = re.compile(r"\((?:Reporting|Additional reporting) by [^)]{3,300}?(?:Editing|Writing) by [^)]+\)")
_JSONLD = re.compile(rb"<script[^>]+application/ld\+json[^>]*>(?P<body>.*?)</script>", re.IGNORECASE | re.DOTALL)
_META = re.compile(rb"<meta\s[^>]*>", re.IGNORECASE)
_LINK = re.compile(rb"<link\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


@dataclass(frozen=True)
class Attribution:
    """Who published a page (the outlet compared) and where it was read, with the rule and its evidence."""

    publisher: str
    host: str
    rule: str = HOST_RULE
    evidence: str = ""

    @property
    def reposted(self) -> bool:
        """True when the page was read off its publisher's site."""
        return self.publisher != self.host

    def describe(self) -> str:
        """One line for the store: ``rule: evidence`` ('host' when the page is the host's own)."""
        return self.rule if self.rule == HOST_RULE else f"{self.rule}: {self.evidence}"[:200]


def attribute(url: str, table: Mapping[str, Mapping[str, Any]], *, text: str = "", html: bytes | None = None,
              canonical_url: str | None = None, site_name: str | None = None, title: str | None = None,
              host: str | None = None) -> Attribution:
    """Return the page's publisher and host (see the module's docstring for the rules).

    ``text`` is the extracted article text, ``html`` the raw page (for JSON-LD, og:site_name and
    the canonical link when ``canonical_url`` / ``site_name`` are not given). The host is ``host``
    when given (the collector's name for the page's outlet), else the table's outlet for the URL's
    domain (its display name), else the URL's registered domain.
    """
    host = host or _display(outlet_for_url(url, dict(table)), table)
    index = spelling_index(table)
    for rule, name, evidence in _candidates(text, html, canonical_url, site_name, title, table):
        publisher = _resolve(name, index, table, prefixes=rule == "byline")
        if publisher and publisher != host:
            return Attribution(publisher=publisher, host=host, rule=rule, evidence=evidence.strip())
    return Attribution(publisher=host, host=host)


def _display(name: str, table: Mapping[str, Mapping[str, Any]]) -> str:
    facts = table.get(name)
    return str(facts.get("display_name") or name) if facts else name


# Words of a byline or credit segment tried as an outlet's name, longest first ("Agence France-Presse Apr 7").
MAX_NAME_WORDS = 6


def _resolve(name: str, index: Mapping[str, str], table: Mapping[str, Mapping[str, Any]], *,
             prefixes: bool = False) -> str | None:
    """Return the display name of the listed outlet a credited name spells, trying a few trims.

    With ``prefixes`` (bylines), each segment between separators is tried, and
    its leading words, longest first: "Jane Doe – Associated Press" -> Associated Press.
    """
    segments = [s for s in _SEPARATORS.split(name) if s.strip()] if prefixes else [name]
    for segment in segments:
        cleaned = re.sub(r"\s+", " ", segment).strip(" .-—–:'\"“”")
        words = cleaned.split(" ")
        attempts = [" ".join(words[:n]) for n in range(min(len(words), MAX_NAME_WORDS), 0, -1)] if prefixes \
            else [cleaned]
        for attempt in attempts:
            variants = (attempt, re.sub(r"(?i)^the\s+", "", attempt), re.sub(r"(?i)\s+(news|online)$", "", attempt))
            for variant in variants:
                key = index.get(fold_name(variant))
                if key:
                    return _display(key, table)
    return None


def _candidates(text: str, html: bytes | None, canonical_url: str | None, site_name: str | None,
                title: str | None, table: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """Yield (rule, name or domain, evidence) in the order the rules are tried."""
    meta = _page_meta(html) if html else {}
    canonical = canonical_url or meta.get("canonical")
    if canonical:
        yield "canonical", outlet_for_url(canonical, dict(table)), canonical
    head = text.lstrip()[:DATELINE_CHARS]
    # A dateline opens the text, or the line after a headline the extractor kept: each opening line is tried.
    for line in head.splitlines()[:DATELINE_LINES]:
        for pattern in (_CAPS_DATELINE, _DATE_DASH_DATELINE):
            match = pattern.match(line.strip())
            if match:
                yield "dateline", match.group("name"), match.group(0)
    for pattern in (_PAREN_DATELINE, _SLASH_DATELINE):
        for match in pattern.finditer(head):
            yield "dateline", match.group("name"), match.group(0)
    for match in _BYLINE.finditer(text[:CREDIT_CHARS]):
        yield "byline", match.group("name"), match.group(0)
    ends = text[:CREDIT_CHARS] + "\n" + text[-CREDIT_CHARS:] if len(text) > 2 * CREDIT_CHARS else text
    for pattern in _CREDITS:
        for match in pattern.finditer(ends):
            yield "credit", match.group("name"), match.group(0)
    signoff = _REUTERS_SIGNOFF.search(text[-CREDIT_CHARS:])
    if signoff:
        yield "credit", "Reuters", signoff.group(0)
    last = _SIGNOFF.search(text.rstrip()[-80:])
    if last:
        yield "credit", last.group("name"), last.group(0)
    first_line = text.lstrip().split("\n", 1)[0][:200]  # extractors often keep the page title as line one
    for headline in dict.fromkeys(h for h in (title, first_line) if h):
        suffix = _TITLE_SUFFIX.search(headline)
        if suffix:
            yield "title", suffix.group("name"), suffix.group(0)
    if meta.get("jsonld_publisher"):
        yield "json-ld", meta["jsonld_publisher"], f"publisher {meta['jsonld_publisher']}"
    name = site_name or meta.get("og:site_name")
    if name:
        yield "og:site_name", name, f"og:site_name {name}"


def _attrs(tag: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, *values in _ATTR.findall(tag):
        value = next((v for v in values if v), b"")
        found[key.decode("ascii", "ignore").lower()] = value.decode("utf-8", "replace")
    return found


def _page_meta(html: bytes) -> dict[str, str]:
    """Return og:site_name, the canonical link and the JSON-LD publisher of a page, where it has them."""
    meta: dict[str, str] = {}
    head = html[:300_000]
    for tag in _META.findall(head):
        attrs = _attrs(tag)
        if attrs.get("property", attrs.get("name", "")).lower() == "og:site_name" and attrs.get("content"):
            meta.setdefault("og:site_name", attrs["content"])
    for tag in _LINK.findall(head):
        attrs = _attrs(tag)
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href", "").startswith("http"):
            meta.setdefault("canonical", attrs["href"])
    for match in _JSONLD.finditer(head):
        try:
            data = json.loads(match.group("body").decode("utf-8", "replace"))
        except ValueError:
            continue
        publisher = _jsonld_publisher(data)
        if publisher:
            meta.setdefault("jsonld_publisher", publisher)
    return meta


def _jsonld_publisher(data: Any) -> str | None:
    """The publisher name of the first article-like object of a JSON-LD block."""
    items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith(("Article", "BlogPosting", "Report")) for k in kinds):
            continue
        publisher = item.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return publisher["name"]
        if isinstance(publisher, str):
            return publisher
    return None
