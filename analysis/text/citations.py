"""The citation every extractive statement carries: which sentence of which article it rests on.

Shared by the brief (analysis/brief/build.py) and the digest (analysis/digest/), whose honesty
tests check ``sentence`` against the stored text at ``start:end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from analysis.base import PART_TEXT

# Characters that could end or break out of a Markdown link target, percent-encoded.
_LINK_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22"}


def safe_url(url: object) -> str | None:
    """Return an http(s) URL with a host, fit for a Markdown or HTML link, or None for anything else.

    Every renderer of scraped links (the brief, the digest, the dashboard) uses this one rule:
    no javascript:, data: or relative links, and nothing that ends a link early.

    >>> safe_url("javascript:alert(1)") is None, safe_url("https://") is None, safe_url(" https://e.com/a (b) ")
    (True, True, 'https://e.com/a%20%28b%29')
    """
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(_LINK_UNSAFE.get(ch, ch) for ch in text)


@dataclass(frozen=True)
class Citation:
    """One quoted sentence: ``sentence`` is the article's ``text[start:end]`` (its ``title[start:end]`` when
    ``part`` is ``title``)."""

    article_id: str
    outlet: str
    url: str | None
    title: str
    sentence: str
    start: int
    end: int
    part: str = PART_TEXT
