"""Tests for scrapers/extract/readability_text.py: the faster readability gives readability's own result.

The benchmark pages come from ../shared at run time; the small pages are our own.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import sys

import html_text
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readability import Document
from readability.readability import clean as readability_clean

from scrapers.extract.cascade import _paragraphs, content_tree, readability_text
from scrapers.extract.html_tree import parse_html
from scrapers.extract.readability_text import TextReadability, _holding_block_tags, clean
from tests.conftest import require_shared


def _readability_own(content: lxml.html.HtmlElement) -> str:
    """readability-lxml's own Document on a copy, its serialised summary rendered by html-text."""
    summary = Document(copy.deepcopy(content)).summary(html_partial=True)
    return _paragraphs(html_text.extract_text(summary, guess_layout=True))


@pytest.fixture(scope="module")
def dev_contents() -> dict[str, lxml.html.HtmlElement]:
    bench = require_shared() / "bench" / "extraction"
    urls = json.loads((bench / "urls.json").read_text("utf-8"))
    return {
        pid: content_tree(parse_html(gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes()), url))
        for pid, url in sorted(urls.items())
    }


def test_same_text_as_readability_on_every_benchmark_page(dev_contents: dict) -> None:
    assert len(dev_contents) >= 100
    for pid, content in dev_contents.items():
        before = lxml.html.tostring(content)
        assert readability_text(content) == _readability_own(content), pid[:12]
        assert lxml.html.tostring(content) == before, f"{pid[:12]}: the caller's tree changed"


def test_same_summary_html_as_readability_on_every_benchmark_page(dev_contents: dict) -> None:
    for pid, content in dev_contents.items():
        ours = TextReadability(content).summary(html_partial=True)
        assert ours == Document(copy.deepcopy(content)).summary(html_partial=True), pid[:12]


SENTENCE = "The harbour commission voted on the dredging plan; the union said the cost would fall on them. "


def _page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "body",
    [
        # a div of loose text and inline children: they join the loose text's paragraph
        f"<div class='story'>{SENTENCE}<b>Bold words</b> and <a href='/x'>a link</a><br>{SENTENCE * 3}"
        f"<div>{SENTENCE * 4}</div>tail text {SENTENCE}</div>",
        # divs holding blocks several levels down, and a div with none
        f"<div id='main'><div><div><p>{SENTENCE * 3}</p></div></div><div><span>{SENTENCE * 2}</span></div>"
        f"<div><img src='a.png'>{SENTENCE}</div><div><table><tr><td>{SENTENCE * 2}</td></tr></table></div></div>",
        # unlikely candidates nested in one another, one holding the article
        f"<div class='sidebar'><div class='comment'><p>{SENTENCE}</p></div></div>"
        f"<div class='header-wrap'><article><p>{SENTENCE * 5}</p></article></div>"
        f"<div class='footer'><pre class='menu'>{SENTENCE}</pre></div><div class='content'><p>{SENTENCE * 3}</p></div>",
        # tags the block test reads by prefix (<path>, <picture>, <dl>) and a tab in a class
        f"<div><dl><dt>a</dt><dd>{SENTENCE}</dd></dl></div><div><picture></picture>{SENTENCE * 3}</div>"
        f"<div class='\tpagination'><p>{SENTENCE * 2}</p></div><div><p>{SENTENCE * 4}</p></div>",
        # summary() retries when its serialised summary is short: the length readability's
        # cleaner leaves (a javascript: link emptied), or the retry flips and the article changes
        f"<div class='extra'><p>{SENTENCE * 3}</p></div><div><p>{'Words, ' * 23} "
        "<a href='javascript:void(0)'>more</a></p></div>",
        # an on* attribute readability's cleaner removes, which its attribute regex would misread
        f"<div><p onclick='a width='>he said \"hi {SENTENCE}</p><p>bye\" {SENTENCE * 3}</p></div>",
        # libxml2 reads a missing ">" into a name with "<": readability's markup test sees a <p
        f"<div id='a'><div><span class=\"lead\"<p>{SENTENCE * 4}</span></div></div>"
        f"<section><div class='x'><div>Buy our product today. {SENTENCE}</div></div></section>",
        f"<div><a<p>{SENTENCE * 4}</a<p></div><div><p>{SENTENCE * 2}</p></div>",
    ],
    ids=["loose-text-and-inline-children", "nested-block-holders", "nested-unlikely", "tag-prefixes",
         "retry-decided-on-cleaned-length", "event-attribute-and-readability-attribute-regex",
         "angle-bracket-in-attribute-name", "angle-bracket-in-tag-name"],
)
def test_same_summary_html_as_readability_on_our_pages(body: str) -> None:
    content = content_tree(parse_html(_page(body)))
    assert TextReadability(content).summary(html_partial=True) == Document(copy.deepcopy(content)).summary(
        html_partial=True
    )


def test_block_holders_are_the_divs_whose_markup_shows_a_block_tag() -> None:
    root = lxml.html.fromstring(
        "<div id='a'><div id='b'><span><p>x</p></span></div><div id='c'><span>y</span></div>"
        "<div id='d'><pre>z</pre></div></div>"
    )
    held = {e.get("id") for e in _holding_block_tags(root) if e.get("id")}
    assert held == {"a", "b", "d"}


def test_a_comment_sends_the_div_test_back_to_readability() -> None:
    """A comment's text could read as a tag in markup: readability's own check runs then."""
    root = lxml.html.fromstring("<div><div><!-- <p> --><span>x</span></div></div>")
    assert _holding_block_tags(root) is None
    page = _page(f"<div><!-- <p> --><span>{SENTENCE * 3}</span></div><div><p>{SENTENCE * 3}</p></div>")
    content = lxml.html.fromstring(page)
    assert TextReadability(content).summary(html_partial=True) == Document(copy.deepcopy(content)).summary(
        html_partial=True
    )


def test_content_tree_drops_what_holds_no_article_text_and_leaves_the_page_alone() -> None:
    page = parse_html(_page(
        f"<nav><p>{'Sections World Politics Business Opinion, ' * 8}</p></nav><div class='story'>"
        + "".join(f"<p>{SENTENCE} ({k})</p>" for k in range(6))
        + f"</div><aside><p>{'Most read this week across our sites and partners, ' * 6}</p></aside>"
        f"<footer><p>{'Copyright notice and terms of service for readers, ' * 6}</p></footer>"
        "<script>var x = 1;</script><noscript><p>Enable JavaScript</p></noscript>"
    ))
    before = lxml.html.tostring(page)
    content = content_tree(page)
    assert lxml.html.tostring(page) == before
    assert not content.xpath("//head | //nav | //aside | //footer | //script | //noscript")
    text = readability_text(content)
    assert "(5)" in text and "harbour commission" in text
    assert "Sections" not in text and "Most read" not in text and "Copyright" not in text


def test_the_head_is_gone_but_text_is_not(dev_contents: dict) -> None:
    """Every benchmark page keeps a body with its text after the pruning (500+ characters)."""
    for pid, content in dev_contents.items():
        assert content.find("head") is None and len("".join(content.text_content().split())) >= 500, pid[:12]


def test_parse_pass_copies_so_a_retry_starts_from_the_page() -> None:
    """readability re-parses when its first, ruthless pass keeps too little: each pass has its own copy."""
    content = content_tree(parse_html(_page(f"<div class='comment'><p>{SENTENCE}</p></div><p>Short.</p>")))
    reader = TextReadability(content)
    first, second = reader._parse(content), reader._parse(content)
    assert first is not second and lxml.html.tostring(first) == lxml.html.tostring(second)
    assert reader.summary(html_partial=True) == Document(copy.deepcopy(content)).summary(html_partial=True)


# readability's clean() keys on white space: runs with and without newlines, runs around the
# 255 it caps them at, tabs among spaces, and white space str.split() or a regex might miss
_WHITE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2003", "\u2028", "\u3000"]
_runs = st.lists(st.sampled_from(_WHITE), min_size=1, max_size=8).flatmap(
    lambda chars: st.integers(1, 300).map(lambda n: "".join(chars[k % len(chars)] for k in range(n)))
)
_pieces = st.one_of(st.sampled_from(["a", "Harbour", "vote,", "\u00e9t\u00e9", "x\u200by"]), _runs)


@settings(max_examples=400, deadline=None)
@given(st.lists(_pieces, max_size=12).map("".join))
def test_clean_returns_readabilitys_string(text: str) -> None:
    assert clean(text) == readability_clean(text)


@pytest.mark.parametrize("run", [254, 255, 256, 700])
@pytest.mark.parametrize("filler", [" ", "\n", " \t\n", "\t"])
def test_clean_on_long_white_space_runs(run: int, filler: str) -> None:
    text = "Lead" + (filler * run)[:run] + "tail \n\n  end" + (filler * run)[:run]
    assert clean(text) == readability_clean(text)


def test_clean_on_real_page_text(dev_contents: dict) -> None:
    for pid, content in dev_contents.items():
        for elem in content.iter("body", "div", "article", "p", "a"):
            text = elem.text_content()
            assert clean(text) == readability_clean(text), pid[:12]


def test_str_white_space_is_the_regex_white_space() -> None:
    """clean's newline rule strips with str.strip(); readability's regex says \\s: the same set."""
    assert all(chr(c).isspace() == bool(re.fullmatch(r"\s", chr(c))) for c in range(sys.maxunicode + 1))
