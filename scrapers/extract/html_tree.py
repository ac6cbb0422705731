"""Page bytes -> lxml tree: decoding and parsing, the first step of extraction.

``decode_html`` finds a page's text encoding (BOM, then <meta charset>, then UTF-8, then a
detected charset); ``parse_html`` refuses what is not HTML and builds the tree both of
scrapers/extract/cascade.py's extractors and its metadata checks read: trafilatura's loader's tree,
built faster (see _load_html).

Example::

    tree = parse_html(page_bytes, url="https://example.org/news/1")
    tree.findtext(".//title")
"""

from __future__ import annotations

import codecs
import logging
import re

import lxml.etree
import lxml.html
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

from core.errors import ExtractError

logger = logging.getLogger(__name__)

# Bytes inspected for a <meta charset> declaration (the HTML standard says 1024; some
# pages put it later, after long comments).
CHARSET_SNIFF_BYTES = 4096
# Python codecs a page may name in <meta charset> that are no web encoding: UTF-7 and the
# escape codecs turn plain text into markup (``+ADw-script+AD4-``, ``\x3cscript>``), the
# others are not byte-to-text at all; UTF-16/32 declared in an ASCII-readable meta tag is
# a lie (the HTML standard reads it as UTF-8). Such a declaration is ignored.
UNSAFE_DECLARED_CODECS = frozenset({
    "utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "hz",
    "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
})

# Characters searched for a tag before a page is called "not HTML"; the tag pattern keeps to
# ASCII (its \s, \b and case), as it did on the page's bytes
HTML_TAG_SNIFF_CHARS = 200_000
_HTML_TAG = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|div|p|article|main|section|span|table|title|meta|h[1-6])\b",
    re.IGNORECASE | re.ASCII,
)
# Code points XML (hence lxml's text nodes) cannot hold: C0 controls but tab, LF, CR (a form
# feed, HTML white space, becomes a space first); U+FFFE and U+FFFF. Looked for in the UTF-8
# bytes the parser gets (a C0 byte never occurs inside a multi-byte sequence): most pages
# hold none, and the string is only rescanned for those that do.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_INCOMPATIBLE_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r")
_NONCHARACTERS_UTF8 = ("\ufffe".encode(), "\uffff".encode())
# ... and character references to them (&#1;, &#x1f;, &#65535;), which libxml2 turns into
# those characters: a tree holding one refuses every later edit of that text ("All strings
# must be XML compatible"), so the extractors would fail on the page. Dropped like the rest.
_REFERENCE = (
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|6553[45])(?![0-9])"
    r"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)
_XML_INCOMPATIBLE_REFERENCE = re.compile(_REFERENCE.encode())
_XML_INCOMPATIBLE_REFERENCE_STR = re.compile(_REFERENCE)
_XML_DECLARATION = re.compile("^[\\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*<\\?xml[^>]*\\?>")
# trafilatura's loader repairs for two libxml2 troubles: a DOCTYPE holding "/" on the first
# line (lxml bug 1955915) and a self-closing <html/> in the first four lines
_SLASHED_DOCTYPE = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSING_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)
# lxml.html.fromstring's test for a whole document rather than a fragment, as it reads a
# string: for bytes its \s is ASCII white space only, so a page opening with a no-break
# space would be read as a fragment
_WHOLE_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)
# The parser settings trafilatura's extractor is tuned for (its loader's: comments and
# processing instructions dropped, no id index), with one change: every element is an
# HtmlElement, chosen in C. lxml.html's own class lookup calls back into Python for every
# element object made (~450,000 times over the 112 dev pages, both extractors and all
# checks), only to hand form fields their own classes, which nothing here uses.
_HTML_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
_HTML_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)


def decode_html(data: bytes, url: str | None = None) -> str:
    """Decode page bytes: BOM, then <meta charset>, then UTF-8, then a detected charset.

    >>> decode_html('<meta charset="latin-1"><p>café'.encode("latin-1"))[-4:]
    'café'
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    if declared:
        name = declared.group(1).decode("ascii", errors="ignore").lower()
        try:
            codec = codecs.lookup(name).name
            if codec in UNSAFE_DECLARED_CODECS:
                raise LookupError(f"{name} is not a web encoding")
            # a page declaring latin-1 is, by the HTML standard, windows-1252
            encoding = "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec
            return data.decode(encoding)
        except (LookupError, UnicodeError):
            logger.debug("declared charset %r does not decode %s", name, url)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported late: rarely needed

    best = from_bytes(data).best()
    if best is not None and codecs.lookup(best.encoding).name not in UNSAFE_DECLARED_CODECS:
        return str(best)
    return data.decode("cp1252", errors="replace")


def parse_html(html: str | bytes, url: str | None = None) -> HtmlElement:
    """Parse a page into an lxml tree, raising ExtractError when it is not HTML.

    >>> parse_html(b"<html><body><p>Hello</p></body></html>").findtext(".//p")
    'Hello'
    """
    where = url or "page"
    raw = html.encode("utf-8", errors="replace") if isinstance(html, str) else html
    if not raw.strip():
        raise ExtractError(f"{where}: empty input")
    if b"\x00" in raw[:CHARSET_SNIFF_BYTES] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractError(f"{where}: binary data, not HTML")
    text = html if isinstance(html, str) else decode_html(html, url)
    if not _HTML_TAG.search(text, 0, HTML_TAG_SNIFF_CHARS):
        raise ExtractError(f"{where}: not HTML (no HTML tags found)")
    return _load_html(text, url)


def _load_html(text: str, url: str | None) -> HtmlElement:
    """trafilatura.load_html's tree for a decoded page, built faster (~1.2x on the dev pages).

    trafilatura's loader's steps in its order (a test compares the trees on every dev page
    and on pages of our own): characters XML cannot hold go, then a slashed DOCTYPE on the
    first line and a self-closing <html/> are repaired, then the page is parsed, as a whole
    document or, without <html> or a DOCTYPE at its start, as a fragment (lxml.html.fromstring's
    rule); a fragment without "html" in its first 50 characters that parses to less than two
    elements is parsed whole instead (lxml's own parser, as before). Faster: the parser gets
    UTF-8 bytes (libxml2 reads them faster than a Python string, and no XML encoding
    declaration can refuse them) and builds its elements in C (see _HTML_PARSER). Different:
    a lone surrogate becomes "?" (trafilatura's loader stopped the text there), and character
    references to characters XML cannot hold are dropped (with one in its tree, the
    extractors failed on the page).
    """
    # the XML declaration trafilatura's loader never saw (lxml refuses it in a string), and form
    # feeds (HTML white space) as spaces
    text = _XML_DECLARATION.sub("", text.replace("\x0c", " "), count=1)
    beginning = text[:50].lower()
    data = text.encode("utf-8", errors="replace")
    page = text
    if len(data.translate(None, _XML_INCOMPATIBLE_BYTES)) < len(data) or any(c in data for c in _NONCHARACTERS_UTF8):
        page = _XML_INCOMPATIBLE.sub("", page)  # seldom: the page holds such characters
    if "doctype" in beginning:
        first, _, rest = page.partition("\n")
        page = _SLASHED_DOCTYPE.sub("", first, count=1) + "\n" + rest
    for line in page[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            page = _SELF_CLOSING_HTML.sub(r"\1>", page, count=1)
            break
    if page is not text:
        data = page.encode("utf-8", errors="replace")
    if b"&#" in data:
        data = _XML_INCOMPATIBLE_REFERENCE.sub(b"", data)
    try:
        if _WHOLE_DOCUMENT.match(page):
            tree = lxml.html.document_fromstring(data, parser=_HTML_PARSER)
        else:
            tree = lxml.html.fromstring(data, parser=_HTML_PARSER)
    except (lxml.etree.ParserError, ValueError):
        tree = None
    if tree is None or ("html" not in beginning and len(tree) < 2):
        try:
            whole = _XML_INCOMPATIBLE_REFERENCE_STR.sub("", _XML_INCOMPATIBLE.sub("", text))
            return lxml.html.document_fromstring(whole)
        except (lxml.etree.ParserError, ValueError) as err:
            raise ExtractError(f"{url or 'page'}: unparseable HTML ({err})") from err
    return tree
