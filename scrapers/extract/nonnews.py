"""Pages that yield text but are no news article: section fronts, error, sign-in and cookie pages.

``scrapers.extract.cascade`` asks :func:`not_an_article` after its cascade found a body, and
refuses the page with the reason (an ``ExtractError`` naming the URL).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from scrapers.extract.vote import link_key
from scrapers.extract.vote import link_texts as page_link_texts

# Non-news pages (section fronts, error, sign-in and cookie pages) that still yield text.
# A body whose words are at least this share link texts is a list of links: on the 112 dev
# pages the highest share is 0.21 (a live blog), a section front measures ~1.0.
LINK_LIST_SHARE = 0.8
LINK_LIST_MIN_LINES = 3
# Error, sign-in and consent pages are recognised only below this many words (the shortest
# dev article has 66) and only with their tell-tale phrase or a password field.
SHORT_PAGE_WORDS = 60
_ERROR_PAGE = re.compile(
    r"page not found|\b(?:404|410)\W+(?:error|not found|gone)\b|\berror\W+404\b|page (?:you (?:are looking for|"
    r"requested) )?(?:does not|doesn't|no longer) exists?|page (?:could|can)(?:not|n't) be found",
    re.IGNORECASE,
)
_CONSENT_PAGE = re.compile(r"\b(?:we|this (?:site|website)) uses? cookies\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def not_an_article(
    tree: HtmlElement, text: str, title: str | None, link_texts: frozenset[str] | None = None
) -> str | None:
    """Return why a page that yielded text is no news article (links, error, sign-in, consent), else None.

    `link_texts`: the page's link texts, as scrapers.extract.vote.link_texts gives them (read
    from the tree when not given).

    >>> import lxml.html
    >>> page = "<ul>" + "".join(f"<li><a href='/{i}'>Story {i} of the day</a></li>" for i in range(9)) + "</ul>"
    >>> not_an_article(lxml.html.fromstring(page), "\\n".join(f"Story {i} of the day" for i in range(9)), None)
    'a list of links (45 of 45 words are link texts)'
    """
    words = len(_WORD.findall(text))
    lines = [line for line in text.split("\n") if line.strip()]
    if link_texts is None:
        link_texts = page_link_texts(a.text_content() for a in tree.iter("a"))
    linked = sum(len(_WORD.findall(line)) for line in lines if link_key(line) in link_texts)
    if len(lines) >= LINK_LIST_MIN_LINES and words and linked >= LINK_LIST_SHARE * words:
        return f"a list of links ({linked} of {words} words are link texts)"
    if words >= SHORT_PAGE_WORDS:
        return None
    if _ERROR_PAGE.search(f"{title or ''}\n{text}"):
        return f"an error page ({(title or text.partition(chr(10))[0])[:60]!r})"
    if tree.xpath("//input[@type='password']"):
        return "a sign-in page (a password field and no article)"
    if _CONSENT_PAGE.search(text):
        return "a cookie-consent page"
    return None
