"""Tests for scrapers/extract/html_tree.py: decoding aside, parse_html is trafilatura's loader's tree, built faster.

The benchmark pages come from ../shared at run time; the small pages are our own.
"""

from __future__ import annotations

import gzip

import lxml.etree
import lxml.html
import pytest
import trafilatura

from scrapers.extract.cascade import ExtractError, extract
from scrapers.extract.html_tree import decode_html, parse_html
from tests.conftest import require_shared

BODY = "<p>" + "The port authority met the union on Tuesday to settle the dredging dispute. " * 6 + "</p>"


def _markup(tree: lxml.html.HtmlElement) -> str:
    return lxml.etree.tostring(tree, encoding="unicode")


def test_same_tree_as_trafilaturas_loader_on_every_benchmark_page() -> None:
    folder = require_shared("bench", "extraction") / "html"
    pages = sorted(folder.glob("*.html.gz"))
    assert len(pages) >= 100
    for path in pages:
        text = decode_html(gzip.decompress(path.read_bytes()))
        assert _markup(parse_html(text)) == _markup(trafilatura.load_html(text)), path.name[:12]


@pytest.mark.parametrize(
    "page",
    [
        f"<html><body><article>{BODY}<p>tab\tnew\r\nline</p></article></body></html>",
        f"<html><body><!-- a comment --><article>{BODY}<?php echo 1 ?></article></body></html>",
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/'
        f'xhtml1-strict.dtd"><html><body>{BODY}</body></html>',
        f'<!doctype html>\n<html lang="en"/>\n<body>{BODY}</body></html>',
        f"<div>{BODY}{BODY}</div>",  # a fragment whose root is a div
        f"<html><body><form><input value='x'><select><option>a</option></select>{BODY}</form></body></html>",
        f"<html><body><p>caf\u00e9 \u4e2d\u6587 \U0001f600</p>{BODY}</body></html>",
        # a review's fuzzing found these: white space a byte-level test would not see, and
        # control characters in front of trafilatura's repairs (it drops them first)
        f"\xa0<html><body>{BODY}<p>two</p></body></html>",
        f"\u3000\n<html><body>{BODY}</body></html>",
        f"\x85<!doctype html><html><body>{BODY}</body></html>",
        f"<html lang='en'/>\x01\n<head><title>T</title></head><body>{BODY}</body></html>",
        f"<html/>\x1c<head><title>T</title></head><body>{BODY}</body></html>",
        '\x01<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/'
        f'xhtml1-strict.dtd"><html><body>{BODY}</body></html>',
        "x<html>",
    ],
    ids=["plain", "comment-and-pi", "xhtml-doctype", "self-closing-html", "fragment", "form", "non-ascii",
         "leading-no-break-space", "leading-ideographic-space", "leading-next-line", "control-after-self-closing-html",
         "file-separator-after-self-closing-html", "control-before-xhtml-doctype", "text-before-html"],
)
def test_same_tree_as_trafilaturas_loader_on_our_pages(page: str) -> None:
    assert _markup(parse_html(page)) == _markup(trafilatura.load_html(page))


@pytest.mark.parametrize("bad", ["\x01\x02", "\x0b", "\ufffe", "\uffff", "\x1f"])
def test_characters_xml_cannot_hold_are_dropped(bad: str) -> None:
    tree = parse_html(f"<html><body><p>before{bad}after</p>{BODY}</body></html>")
    assert tree.find(".//p").text == "beforeafter"
    assert _markup(tree) == _markup(trafilatura.load_html(f"<html><body><p>before{bad}after</p>{BODY}</body></html>"))


def test_form_feed_is_white_space() -> None:
    assert parse_html(f"<html><body><p>one\x0ctwo</p>{BODY}</body></html>").find(".//p").text == "one two"


def test_xml_declaration_with_another_encoding_is_ignored() -> None:
    # lxml refuses a str carrying an encoding declaration; the page is decoded already
    page = f'<?xml version="1.0" encoding="iso-8859-1"?>\n<html><body><p>caf\u00e9</p>{BODY}</body></html>'
    assert parse_html(page).find(".//p").text == "caf\u00e9"
    assert extract(page).text.startswith("caf\u00e9\nThe port authority")


def test_lone_surrogate_keeps_the_rest_of_the_page() -> None:
    # a str from a lenient decoder; trafilatura's loader stopped the text at the surrogate
    tree = parse_html(f"<html><body><p>one \ud800 two</p>{BODY}</body></html>")
    assert tree.find(".//p").text == "one ? two"
    assert "dredging dispute" in tree.text_content()


def test_a_short_fragment_becomes_a_document() -> None:
    tree = parse_html(BODY)
    assert tree.tag == "html" and tree.find("body/p") is not None


def test_every_element_is_a_plain_html_element() -> None:
    # the class lookup runs in C: form fields are not lxml.html's FormElement/InputElement
    form = "<form action='/s'><input name='q'><textarea>t</textarea></form>"
    tree = parse_html(f"<html><body>{form}{BODY}</body></html>")
    assert {type(el) for el in tree.iter()} == {lxml.html.HtmlElement}
    assert tree.find(".//form").text_content() == "t"


def test_empty_or_binary_input_is_refused() -> None:
    with pytest.raises(ExtractError, match="empty input"):
        parse_html(b"  ", "https://gazette.example/a")
    with pytest.raises(ExtractError, match="binary data"):
        parse_html(b"<html>\x00\x00\x00", "https://gazette.example/a")


def test_article_behind_a_control_character_and_self_closing_html_is_found() -> None:
    page = f"<html lang='en'/>\x01\n<head><title>Dredging</title></head><body><article>{BODY}</article></body></html>"
    assert "dredging dispute" in extract(page, "https://gazette.example/a").text


@pytest.mark.parametrize("reference", ["&#1;", "&#x1F;", "&#0;", "&#12", "&#65535;", "&#xFFFE;", "&#X0b;"])
def test_references_to_characters_xml_cannot_hold_are_dropped(reference: str) -> None:
    # libxml2 turns them into the characters, and a tree holding one refuses every later edit
    page = f"<html><body><p>a</p>{reference}<nav>menu</nav>b{reference}c<article>{BODY}</article></body></html>"
    tree = parse_html(page)
    assert "bc" in tree.text_content()
    assert "dredging dispute" in extract(page, "https://gazette.example/a").text


def test_references_xml_can_hold_are_kept() -> None:
    tree = parse_html(f"<html><body><p>a&#9;b&#10;c&#13;d&#32;e&#8217;f&#x1F600;g&#128;</p>{BODY}</body></html>")
    assert tree.find(".//p").text == "a\tb\nc\rd e\u2019f\U0001f600g\u20ac"


def test_a_fragment_of_navigation_alone_is_refused_cleanly() -> None:
    with pytest.raises(ExtractError):
        extract("\xa0<nav><p>Home</p><p>World</p></nav>", "https://gazette.example/a")
