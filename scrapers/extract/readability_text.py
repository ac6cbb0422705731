"""readability-lxml 0.9, made cheaper without changing what it returns.

readability is the cascade's second extractor (scrapers/extract/cascade.py) and was ~60 % of its
time. `TextReadability` overrides the steps where that time went with ones that build the
same tree and return the same summary HTML: tests/scrapers/test_readability_text.py checks
this byte for byte against readability's own ``Document`` on every benchmark page and on
pages of our own built to break it (a review's fuzzing of 12,000 random pages found the
cases now among them), and ``benchmarks/extraction.py`` prints both side by side. What
changed, and why the result cannot differ:

- ``_parse`` / ``get_clean_html``: readability cleans the whole page with a module-level
  ``Cleaner(javascript=True)``, whose script-URL and event-attribute work (``javascript:``
  and ``data:`` URLs, ``on*`` attributes, whitespace in links) took ~27 % of its time and
  touches only attributes, which its scoring never reads. Here that part runs on the
  summary alone, just before it is serialised (summary() decides on a second pass by the
  length of that string). The input is the caller's content tree (see
  scrapers.extract.cascade.content_tree), copied once per parse pass and cleaned in place
  (readability's ``clean_html`` copied it a second time).
- ``remove_unlikely_candidates``: the same test on each element in document order, but
  the descendants of an element just dropped are not visited (readability tests them too,
  detached from the page, where dropping them changes nothing), and the class-and-id regex
  verdict is cached per class-and-id string.
- ``transform_misused_divs_into_paragraphs``: readability serialises each div's children
  to look for a block tag (``<p``, ``<div``, ``<ul``...) in the markup, once per div:
  quadratic in nesting depth. Here one walk marks every element with a descendant whose
  tag starts with one of those names, which is what the regex finds in markup without
  comments, processing instructions or a "<" inside a tag or attribute name (the parser
  drops the first two; a tree holding any of them falls back to readability's check). The
  other two passes are readability's.
- ``get_link_density`` (~70 % of the text readability measures): each link's text length
  is computed once per scoring pass instead of once per candidate that contains it (the
  tree does not change within the pass), and lengths are taken through ``clean``, which
  returns readability's ``clean()`` string ~4x faster (its three regular expressions
  rescan white-space runs from every position in them).
"""

from __future__ import annotations

import copy
import functools
import re

import lxml.etree
from lxml.etree import tounicode
from lxml.html import HtmlElement
from readability import Document
from readability.cleaners import html_cleaner
from readability.readability import REGEXES

_DISPLAY_NONE = REGEXES["displayNoneRe"]
_UNLIKELY = REGEXES["unlikelyCandidatesRe"]
_MAYBE_OK = REGEXES["okMaybeItsACandidateRe"]
_DIV_TO_P = REGEXES["divToPElementsRe"]
# Elements no article text lives in, dropped before either extractor runs (see
# scrapers.extract.cascade.content_tree); both would drop the <head>, scripts, styles and noscript
# themselves.
NOT_CONTENT = lxml.etree.XPath(
    "/html/head | //nav | //footer | //aside | //svg | //iframe | //select | //button | //script | //style | //noscript"
)
# readability's own cleaner, run on the whole page at each parse pass, without its
# javascript option (script URLs, event attributes: attributes only, which scoring never
# reads); the summary then gets readability's whole cleaner (see get_clean_html)
_PAGE_CLEANER = copy.copy(html_cleaner)
_PAGE_CLEANER.javascript = False
# readability's clean() rules: a white-space run of 255 or more becomes 255 spaces (here
# matched from the run's start only: the same runs, without a retry from each position in
# a shorter one); a tab, or a run of two or more spaces and tabs, becomes one space
_LONG_SPACE = re.compile(r"(?<!\s)\s{255,}")
_SPACES = re.compile(r"\t|[ \t]{2,}")
# a tag or attribute name holding "<" (libxml2 reads `<span class="x"<p>` so): serialised,
# readability's regex can see a tag in it
_ANGLE_IN_NAME = lxml.etree.XPath("boolean(//*[contains(name(), '<')] | //@*[contains(name(), '<')])")
# readability's inline tags: a run of them in a div becomes a paragraph
_INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"})
# a tag whose serialised start ("<" + tag) the divToPElements regex matches
_BLOCK_TAG = re.compile(f"(?:{_DIV_TO_P.pattern.removeprefix('<')})", re.IGNORECASE)


class TextReadability(Document):
    """readability's Document with the same output at a lower cost (see the module docstring).

    The input is the caller's content tree, left untouched: every parse pass copies it.
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:  # the parameter name is readability's
        self.encoding = "utf-8"
        doc = copy.deepcopy(input)
        for elem in doc.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE.search(elem.get("style")):
                elem.drop_tree()
        _PAGE_CLEANER(doc)  # in place: doc is already this pass's own copy
        doc.resolve_base_href(handle_failures="discard")
        return doc

    def get_clean_html(self) -> str:
        # readability's summary string: the article cleaned by readability's own cleaner, as
        # readability cleaned it with the page (summary() checks this string's length to
        # decide on a second pass); the rest of that cleaner already ran, so only its
        # javascript part changes anything here
        html_cleaner(self.html)
        return super().get_clean_html()

    def remove_unlikely_candidates(self) -> None:
        # readability's test, element by element in document order, but a dropped element's
        # descendants are not visited (readability tests them too, detached: no effect)
        stack = list(self.html)[::-1]
        while stack:
            elem = stack.pop()
            marks = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if (
                len(marks) >= 2
                and _unlikely(marks)
                and elem.tag not in ("html", "body")
                and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                and not elem.xpath("descendant-or-self::main | descendant-or-self::article | descendant-or-self::math")
            ):
                elem.drop_tree()
            else:
                stack.extend(list(elem)[::-1])

    def transform_misused_divs_into_paragraphs(self) -> None:
        holds_block = _holding_block_tags(self.html)
        if holds_block is None:  # markup the walk cannot read for sure: readability's own check
            super().transform_misused_divs_into_paragraphs()
            return
        for elem in self.tags(self.html, "div"):
            if elem not in holds_block:
                elem.tag = "p"
        # readability's other two passes, as it runs them: loose text and runs of inline
        # children of a div become paragraphs; <br>s between them go
        for elem in self.tags(self.html, "div"):
            children = list(elem)  # before the loose text's paragraph: inline children join it
            paragraph = None
            if elem.text and elem.text.strip():
                paragraph = elem.makeelement("p", {})
                paragraph.text, elem.text = elem.text, None
                elem.insert(0, paragraph)
            for child in children:
                inline = child.tag in _INLINE_TAGS and not _DIV_TO_P.search(tounicode(child, method="html"))
                if child.tag == "br" or not inline:
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = elem.makeelement("p", {})
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    tail = elem.makeelement("p", {})
                    tail.text, child.tail = child.tail, None
                    elem.insert(pos + 1, tail)
                if child.tag == "br":
                    child.drop_tree()

    _link_lengths: dict[HtmlElement, int] | None = None  # a scoring pass's link text lengths

    def score_paragraphs(self) -> dict[HtmlElement, dict]:
        self._link_lengths = {}
        try:
            return super().score_paragraphs()
        finally:
            self._link_lengths = None

    def get_link_density(self, elem: HtmlElement) -> float:
        memo = self._link_lengths
        links = 0
        for link in elem.iterdescendants("a"):
            if memo is None:
                links += _text_length(link)
            else:
                if link not in memo:
                    memo[link] = _text_length(link)
                links += memo[link]
        return float(links) / max(_text_length(elem), 1)


def clean(text: str) -> str:
    """readability's ``clean(text)``: the same string, ~4x faster on page text.

    >>> clean("  Top  story \\n\\n   More\\ttext ")
    'Top story\\nMore text'
    """
    text = _LONG_SPACE.sub(" " * 255, text)
    if "\n" in text:
        # readability: re.sub(r"\s*\n\s*", "\n", text), which turns every white-space run
        # holding a newline into one newline: the pieces between newlines lose the white space
        # at both ends (the first piece only at its end, the last only at its start), and
        # white-space-only pieces in between merge into the run (str.strip's white space is
        # the regex's \s, code point for code point: a test checks)
        pieces = text.split("\n")
        middle = filter(None, (piece.strip() for piece in pieces[1:-1]))
        text = "\n".join([pieces[0].rstrip(), *middle, pieces[-1].lstrip()])
    if "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


@functools.lru_cache(maxsize=4096)
def _unlikely(marks: str) -> bool:
    """readability's test of an element's "class id" for an unlikely candidate (cached: pages
    repeat their class names, and the two regular expressions are long alternations)."""
    return bool(_UNLIKELY.search(marks)) and not _MAYBE_OK.search(marks)


def _text_length(elem: HtmlElement) -> int:
    """readability's ``text_length(elem)`` through the faster ``clean``."""
    return len(clean(elem.text_content() or ""))


def _holding_block_tags(root: HtmlElement) -> set[HtmlElement] | None:
    """Elements with a descendant whose tag the divToPElements regex matches in markup.

    None when the tree holds a comment or processing instruction (their serialised text
    could match too) or a tag or attribute name with "<" in it.
    """
    if _ANGLE_IN_NAME(root):
        return None
    holding: set[HtmlElement] = set()
    for elem in root.iter():
        tag = elem.tag
        if not isinstance(tag, str):
            return None
        if _BLOCK_TAG.match(tag):
            parent = elem.getparent()
            while parent is not None and parent not in holding:
                holding.add(parent)
                parent = parent.getparent()
    return holding
