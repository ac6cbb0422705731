"""HTML page -> article: body text and metadata, through a numbered cascade.

The body text comes from the first stage that delivers (the text logic of stages 1, 2
and 4 lives in scrapers/extract/vote.py):

1. ``jsonld``: a schema.org ``articleBody`` in the page's JSON-LD, trusted only when
   it is about as long as what the extractors find (some sites ship a ~500-character
   teaser there).
2. ``consensus``: two unrelated extractors run on the same content tree (the page without
   its head, navigation, scripts and the like: see content_tree), trafilatura (fast mode)
   and readability-lxml (as scrapers/extract/readability_text.py runs it). When one output is nested
   inside the other, the
   shorter one is kept (the extra text of the longer one is boilerplate: menus,
   captions, related links); when readability's output holds all of trafilatura's and
   is much longer, trafilatura stopped early and readability's is kept.
   The method names the winner: ``trafilatura`` or ``readability``.
3. ``trafilatura_recall``: trafilatura with its own fallbacks, tuned for recall, when
   both extractors above came back empty.
4. Line clean-up of the chosen text: when trafilatura's text won, a line must also be
   kept by readability or by trafilatura's precision mode (two of three agree); lines
   that are mostly link text (teasers) or a list of links (tags) with their label, a last
   heading with only scraps after it ("Comments"), closing promotions, disclaimers and
   reporting credits, and the headline and a dateline at the top are dropped.

The page is decoded and parsed first (scrapers/extract/html_tree.py); both extractors read a copy.

Metadata (title, authors, published and modified dates, language, canonical URL,
description, site name) is read from JSON-LD, then meta tags, then the page itself;
the published date falls back to htmldate's guess of the *original* date, and a
modified date is never taken for a published one.

Example (``html_bytes`` read from a stored page)::

    art = extract(html_bytes, url="https://example.org/news/1")
    art.method, art.title, art.published, art.text.split("\\n")[0]
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from html import unescape
from pathlib import Path
from typing import Any

import html_text
import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from readability.readability import Unparseable

from core.errors import ExtractError, NotNewsError
from scrapers.extract.html_tree import parse_html
from scrapers.extract.nonnews import not_an_article
from scrapers.extract.readability_text import NOT_CONTENT, TextReadability
from scrapers.extract.vote import (
    PageEvidence,
    choose_body,
    heading_words,
    link_shingles,
    link_texts,
    refine,
)

logger = logging.getLogger(__name__)

# --- thresholds -------------------------------------------------------------------------
# A body under this many words is a label or a menu, not an article: the shortest dev
# truth has 66 words; 10 keeps one-paragraph news briefs.
MIN_BODY_WORDS = 10
# Paywall: a body shorter than this, on a page whose markup names a paywall, is a teaser.
PAYWALL_TEASER_CHARS = 1500
_WORD = re.compile(r"\w+")
_PAYWALL_MARKUP = re.compile(r"paywall|subscriber[-_ ]?only|premium[-_ ]content|piano-", re.IGNORECASE)
_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "socialmediaposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "report",
    "webpage",
}


@dataclass(frozen=True)
class Extracted:
    """One article as extracted from one HTML page."""

    title: str | None
    text: str  # paragraphs separated by "\n"
    published: str | None  # ISO 8601
    modified: str | None  # ISO 8601
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    method: str = ""  # the cascade stage that produced the text
    paywalled: bool = False
    description: str | None = None
    site_name: str | None = None
    url: str | None = None


# --- body extractors ------------------------------------------------------------------------


def _paragraphs(text: str | None) -> str:
    """Normalise extractor output: stripped non-empty lines joined by a single newline."""
    if not text:
        return ""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def trafilatura_text(tree: HtmlElement, url: str | None = None, *, fast: bool = True, **options: Any) -> str:
    """Body text by trafilatura (fast mode: no fallback extractors) from a parsed tree."""
    try:
        text = trafilatura.extract(tree, url=url, include_comments=False, fast=fast, **options)
    except Exception as err:  # noqa: BLE001 - a third-party extractor failing is one stage's miss
        logger.debug("trafilatura failed on %s: %s", url, err)
        return ""
    return _paragraphs(text)


def content_tree(tree: HtmlElement) -> HtmlElement:
    """A copy of the page without the elements that never hold article text, for the extractors.

    The <head>, navigation, footers, asides, widgets, scripts, styles and noscript go (both
    extractors drop all of these anyway, each on its own copy, after running their cleaning
    rules over them): trafilatura then runs ~1.5x faster, readability scores a smaller tree,
    and the cascade's output is the same on all 112 dev pages (trafilatura's own text on 111;
    on the other it no longer appends 134 lines of a site menu, which stage 4 dropped).
    <form> stays: some sites wrap the whole page in a form. One trafilatura rule goes quiet:
    its forum-thread mode, keyed on DiscussionForumPosting JSON-LD, which news pages do not
    carry. The caller's tree is left as it was: metadata, link texts and stage 3 read the
    whole page.
    """
    page = copy.deepcopy(tree)
    for element in NOT_CONTENT(page):
        if element.getparent() is not None:  # a fragment's root (a lone <nav>) stays
            element.drop_tree()
    return page


def readability_text(content: HtmlElement, url: str | None = None) -> str:
    """Body text by readability-lxml (scrapers/extract/readability_text.py's TextReadability: its own
    result, faster) from a content tree (see content_tree), rendered by html-text."""
    try:
        # no url: making links absolute costs a tenth of the time and text needs no links
        reader = TextReadability(content)
        reader.summary(html_partial=True)
        # html-text reads the article tree summary() serialised (reader.html), not a re-parse
        # of that HTML: the same text on all 112 dev pages (a test checks), faster, and on odd
        # nesting (a div readability renamed <p> inside a heading or list item, holding a
        # heading) the tree keeps line breaks a re-parse would run together
        # ("After centerTail words"); it also escapes a readability regex that can eat text
        # from its serialised attributes
        return _paragraphs(html_text.extract_text(reader.html, guess_layout=True))
    except (Unparseable, ValueError, TypeError, lxml.etree.LxmlError) as err:
        logger.debug("readability failed on %s: %s", url, err)
        return ""


def page_evidence(
    tree: HtmlElement, readability: str, precision: Callable[[], str] | None, headlines: list[str | None]
) -> PageEvidence:
    """What stage 4 checks the chosen text against: other extractors, link texts, headings."""
    anchors = {a.text_content() for a in tree.iter("a")}  # distinct link texts
    return PageEvidence(
        readability=readability,
        precision=precision,
        link_shingles=link_shingles(anchors),
        link_texts=link_texts(anchors),
        headlines=tuple(h for h in headlines if h),
        # a heading without words (an image) must not match a wordless line ("* * *") of the body
        headings=frozenset(filter(None, (heading_words(h.text_content())
                                         for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")))),
    )


# --- metadata -----------------------------------------------------------------------------


def _jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON object in the page's ld+json scripts, @graph members flattened."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            if "@graph" in node:
                walk(node["@graph"])

    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            walk(json.loads(raw, strict=False))
        except ValueError:
            # trailing commas and stray control characters are common; one retry
            try:
                walk(json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False))
            except ValueError:
                logger.debug("unreadable JSON-LD block skipped")
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _article_jsonld(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-LD object describing the article (an *Article type first, then any with a body)."""
    ranked = sorted(
        (o for o in objects if _types(o) & _ARTICLE_TYPES or "articleBody" in o),
        key=lambda o: ("articleBody" not in o, not (_types(o) - {"webpage"}), "webpage" in _types(o)),
    )
    return ranked[0] if ranked else {}


def _text_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [_text_of(item) for item in items]
    return [n for n in names if n and not n.lower().startswith(("http://", "https://"))]


@functools.lru_cache(maxsize=1)
def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """Each <meta> property/name/itemprop (lower-cased) with its first non-empty content.

    Cached for the last tree: a page's metadata is read about ten times, and a parsed page
    is never changed (the extractors work on content_tree's copy).
    """
    found: dict[str, str] = {}
    for el in tree.iterfind(".//meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            found.setdefault((el.get(attr) or "").strip().lower(), content)
    return found


def _meta(tree: HtmlElement, *keys: str) -> str | None:
    """The first non-empty <meta> content whose property/name/itemprop is one of keys."""
    found = _meta_tags(tree)
    for key in keys:
        if key.lower() in found:
            return found[key.lower()]
    return None


def iso_date(value: str | None) -> str | None:
    """Normalise a date string to ISO 8601 (date, or date and time as given); None if unreadable.

    >>> iso_date("2019-11-19T09:30:00Z")
    '2019-11-19T09:30:00+00:00'
    """
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        from dateutil import parser as date_parser  # installed with htmldate

        with warnings.catch_warnings():  # unknown zone names ("EST") are read as naive times
            warnings.simplefilter("ignore")
            parsed = date_parser.parse(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed.isoformat()


def _dates(tree: HtmlElement, article: dict[str, Any], url: str | None) -> tuple[str | None, str | None]:
    """(published, modified): explicit signals first; htmldate's original-date guess last."""
    published = iso_date(_text_of(article.get("datePublished"))) or iso_date(
        _meta(
            tree,
            "article:published_time",
            "og:published_time",
            "datePublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "date",
        )
    )
    if published is None:
        for el in tree.iterfind(".//time[@datetime]"):
            if "modif" in (el.get("itemprop") or "").lower() or "updat" in (el.get("class") or "").lower():
                continue  # a modified time is never a published one
            published = iso_date(el.get("datetime"))
            if published:
                break
    modified = iso_date(_text_of(article.get("dateModified"))) or iso_date(
        _meta(tree, "article:modified_time", "og:updated_time", "dateModified", "last-modified")
    )
    if modified is None:
        for el in tree.iterfind('.//*[@itemprop="dateModified"]'):
            modified = iso_date(el.get("datetime") or el.get("content"))
            if modified:
                break
    if published is None:
        import htmldate  # imported late: only pages without explicit dates need it

        try:
            guess = htmldate.find_date(
                tree, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
            )
        except Exception as err:  # noqa: BLE001 - htmldate failing only costs a date
            logger.debug("htmldate failed on %s: %s", url, err)
            guess = None
        if guess and not (modified and modified.startswith(guess)):
            published = guess
    return published, modified


def _language(tree: HtmlElement, article: dict[str, Any]) -> str | None:
    raw = (
        tree.get("lang")
        or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        or _text_of(article.get("inLanguage"))
        or _meta(tree, "og:locale", "content-language", "language", "dc.language")
    )
    if not raw:
        body = tree.find("body")
        raw = body.get("lang") if body is not None else None
    if not raw:
        return None
    primary = re.split(r"[-_,;\s]", raw.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _title(tree: HtmlElement, article: dict[str, Any]) -> str | None:
    title = _text_of(article.get("headline")) or _meta(tree, "og:title", "twitter:title")
    if not title:
        h1 = tree.find(".//h1")
        title = _text_of(h1.text_content()) if h1 is not None else None
    if not title:
        el = tree.find(".//title")
        title = _text_of(el.text_content()) if el is not None else None
    return title


def _canonical(tree: HtmlElement, url: str | None) -> str | None:
    for el in tree.iterfind(".//link[@rel]"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            href = el.get("href", "").strip()
            if href.startswith(("http://", "https://")):
                return href
            if url:
                from urllib.parse import urljoin

                return urljoin(url, href)
    return _meta(tree, "og:url") or url


def _authors(tree: HtmlElement, article: dict[str, Any]) -> list[str]:
    authors = _names(article.get("author"))
    if not authors:
        meta = _meta(tree, "author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
        if meta and not meta.lower().startswith(("http://", "https://")):
            authors = [a.strip() for a in re.split(r"\s*(?:,|;|\band\b|&)\s*", meta) if a.strip()]
    seen: list[str] = []
    for name in authors:
        name = re.sub(r"^(?:by|von|par|por)\s+", "", name, flags=re.IGNORECASE).strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def _jsonld_body(article: dict[str, Any]) -> str:
    body = article.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(str(b) for b in body)
    if not isinstance(body, str) or not body.strip():
        return ""
    for _ in range(2):  # entities, sometimes escaped twice ("&amp;quot;")
        if "&" not in body:
            break
        body = unescape(body)
    if "<" in body and ">" in body:  # some sites put HTML in it
        body = html_text.extract_text(body, guess_layout=True)
    return _paragraphs(body)


def _paywalled(tree: HtmlElement, article: dict[str, Any], text: str) -> bool:
    """True when the page says its content is not free, or a short body sits in paywall markup."""
    flags = [article.get("isAccessibleForFree")]
    part = article.get("hasPart")
    for item in part if isinstance(part, list) else [part]:
        if isinstance(item, dict):
            flags.append(item.get("isAccessibleForFree"))
    if any(str(flag).strip().lower() in ("false", "0", "no") for flag in flags if flag is not None):
        return True
    if len(text) < PAYWALL_TEASER_CHARS:
        for el in tree.iter(lxml.etree.Element):
            marks = f"{el.get('class') or ''} {el.get('id') or ''}"
            if marks.strip() and _PAYWALL_MARKUP.search(marks):
                return True
    return False


def _headlines(tree: HtmlElement, title: str | None) -> list[str | None]:
    """The page's headline as written in several places: metadata title, <h1>, og:title, <title>."""
    h1 = tree.find(".//h1")
    element = tree.find(".//title")
    return [
        title,
        h1.text_content() if h1 is not None else None,
        _meta(tree, "og:title"),
        element.text_content() if element is not None else None,
    ]


# --- the cascade --------------------------------------------------------------------------


def extract(html: str | bytes, url: str | None = None) -> Extracted:
    """Extract an article's body text and metadata from one HTML page.

    Raises ExtractError when the input is not HTML, no body text is found, or the page is no
    news article (a list of links, an error, sign-in or cookie page: see scrapers.extract.nonnews).

    >>> extract("<html><body><article><p>" + "Words here. " * 40 + "</p></article></body></html>").method
    'trafilatura'
    """
    tree = parse_html(html, url)
    where = url or "page"
    objects = _jsonld_objects(tree)
    article = _article_jsonld(objects)

    # 1-2. both extractors on the same tree; JSON-LD articleBody when complete, else consensus
    content = content_tree(tree)
    readability = readability_text(content, url)
    jsonld_body = _jsonld_body(article)
    text, method = choose_body(trafilatura_text(content, url), readability, jsonld_body)
    if jsonld_body and method != "jsonld":
        logger.debug("JSON-LD articleBody of %d chars looks like a teaser", len(jsonld_body))

    # 3. recall-tuned trafilatura with its own fallbacks, when too little came out yet
    if len(_WORD.findall(text)) < MIN_BODY_WORDS:
        rescue = trafilatura_text(tree, url, fast=False, favor_recall=True)
        if len(_WORD.findall(rescue)) > len(_WORD.findall(text)):
            text, method = rescue, "trafilatura_recall"
    words = len(_WORD.findall(text))
    if words < MIN_BODY_WORDS:
        raise ExtractError(f"{where}: no article body text found ({words} words)")
    title = _title(tree, article)

    def precision() -> str:  # stage 4's third voter, run only when asked
        return trafilatura_text(content, url, favor_precision=True)

    evidence = page_evidence(tree, readability, precision, _headlines(tree, title))
    reason = not_an_article(tree, text, title, evidence.link_texts)  # links tokenised once
    if reason:
        raise NotNewsError(f"{where}: not a news article: {reason}")

    # 4. line clean-up (which can leave too little: a "body" of stray markup)
    text = refine(text, method, evidence)
    words = len(_WORD.findall(text))
    if words < MIN_BODY_WORDS:
        raise ExtractError(f"{where}: no article body text found ({words} words after clean-up)")

    published, modified = _dates(tree, article, url)
    logger.debug("%s: %d chars by %s", where, len(text), method)
    return Extracted(
        title=title,
        text=text,
        published=published,
        modified=modified,
        authors=_authors(tree, article),
        language=_language(tree, article),
        canonical_url=_canonical(tree, url),
        method=method,
        paywalled=_paywalled(tree, article, text),
        description=_text_of(article.get("description")) or _meta(tree, "og:description", "description"),
        site_name=_meta(tree, "og:site_name", "application-name")
        or _text_of((article.get("publisher") or {}) if isinstance(article.get("publisher"), dict) else None),
        url=url,
    )


# --- files --------------------------------------------------------------------------------


def page_id(path: Path) -> str:
    """A page's id: its file name without the .html/.htm and .gz extensions.

    >>> page_id(Path("pages/abc123.html.gz"))
    'abc123'
    """
    name = path.name
    for suffix in (".gz", ".html", ".htm"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _page_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.lower().endswith((".html", ".htm", ".html.gz", ".htm.gz"))
            )
        else:
            yield path


def extract_paths(paths: list[Path], url_map: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """Extract every .html / .html.gz file (or directory of them); one dict per page.

    A page that fails yields a row with an "error" message instead of "text"; the run goes on.

    >>> rows = extract_paths([Path("pages")], {"abc123": "https://example.org/a"})  # lazy: one dict per page
    """
    url_map = url_map or {}
    for path in _page_files(paths):
        pid = page_id(path)
        url = url_map.get(pid)
        row: dict[str, Any] = {"id": pid, "url": url}
        try:
            data = path.read_bytes()
            if path.name.lower().endswith(".gz"):
                data = gzip.decompress(data)
            art = extract(data, url)
        except (ExtractError, OSError, EOFError, gzip.BadGzipFile) as err:
            logger.warning("extraction failed for %s: %s", path, err)
            row.update(title=None, published=None, modified=None, authors=[], language=None, method=None)
            row["error"] = f"{path}: {err}" if str(path) not in str(err) else str(err)
            yield row
            continue
        row.update(
            title=art.title,
            text=art.text,
            published=art.published,
            modified=art.modified,
            authors=art.authors,
            language=art.language,
            method=art.method,
            paywalled=art.paywalled,
        )
        yield row
