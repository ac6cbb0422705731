"""The brief and the story digest as plain tables and lines, for display: no streamlit here.

Brief and digest quote scraped text. The pages show it with ``st.text`` and in
dataframes (plain text), never as markdown or HTML, and link only to http(s) URLs,
so a scraped sentence cannot run script or load remote content.

>>> safe_url("javascript:alert(1)") is None, safe_url("https://example.org/a")
(True, 'https://example.org/a')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.text.citations import safe_url

CITATION_COLUMNS = ["statement", "outlet", "title", "sentence", "url", "article_id"]


def plain_heading(text: str) -> str:
    """Return a heading with markdown and HTML characters removed (headings are rendered as markdown).

    >>> plain_heading("Outlets · ![x](http://evil/img) <b>")
    'Outlets · x http://evil/img b'
    """
    cleaned = re.sub(r"[\\`*_#\[\]()!<>|~]", " ", str(text))
    return re.sub(r"\s+", " ", cleaned).strip()


def _citation_rows(statement: Any) -> Iterator[dict[str, Any]]:
    for c in getattr(statement, "citations", ()):
        yield {"statement": statement.text, "outlet": c.outlet, "title": c.title, "sentence": c.sentence,
               "url": safe_url(c.url), "article_id": c.article_id}


def brief_statements(brief: Any) -> pd.DataFrame:
    """Return one row per statement of a Brief: outlet (or 'differences'), kind, text, citations."""
    rows = []
    for outlet_brief in brief.outlets:
        for st_ in outlet_brief.statements:
            rows.append({"outlet": outlet_brief.outlet, "articles": outlet_brief.articles, "kind": st_.kind,
                         "statement": st_.text, "citations": len(st_.citations)})
    for st_ in brief.differences:
        rows.append({"outlet": "(differences)", "articles": None, "kind": st_.kind, "statement": st_.text,
                     "citations": len(st_.citations)})
    return pd.DataFrame(rows, columns=["outlet", "articles", "kind", "statement", "citations"])


def brief_citations(brief: Any) -> pd.DataFrame:
    """Return one row per citation of a Brief: the statement it supports and the cited sentence."""
    rows = [row for ob in brief.outlets for s in ob.statements for row in _citation_rows(s)]
    rows += [row for s in brief.differences for row in _citation_rows(s)]
    return pd.DataFrame(rows, columns=CITATION_COLUMNS)


def cited_articles(data: Any) -> pd.DataFrame:
    """Return every article a digest (its ``to_dict()``) cites: outlet, title, url; one row each.

    >>> cited_articles({"s": [{"outlet": "X", "title": "T", "url": "https://x/1", "article_id": "a"},
    ...                       {"outlet": "X", "title": "T", "url": "https://x/1", "article_id": "a"}]})
    ... # doctest: +NORMALIZE_WHITESPACE
      article_id outlet title          url
    0          a      X     T  https://x/1
    """
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "url" in node and isinstance(node.get("url"), str):
                key = str(node.get("article_id") or node["url"])
                found.setdefault(key, {"article_id": node.get("article_id"), "outlet": node.get("outlet"),
                                       "title": node.get("title"), "url": safe_url(node["url"])})
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(data)
    return pd.DataFrame(list(found.values()), columns=["article_id", "outlet", "title", "url"])


@dataclass(frozen=True)
class ItemView:
    """One digest item as plain strings and tables (entries, citations), ready for st.text / st.dataframe."""

    heading: str
    text: str
    note: str
    link: str | None
    entries: pd.DataFrame
    citations: pd.DataFrame


@dataclass(frozen=True)
class SectionView:
    """One digest section: its title, note and items."""

    title: str
    note: str
    items: tuple[ItemView, ...]


def _citations(records: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [{"outlet": c.get("outlet"), "title": c.get("title"), "sentence": c.get("sentence"),
             "url": safe_url(c.get("url")), "article_id": c.get("article_id")} for c in records]
    return pd.DataFrame(rows, columns=["outlet", "title", "sentence", "url", "article_id"])


def digest_view(data: dict[str, Any]) -> tuple[list[str], list[SectionView]]:
    """Return a digest's header lines and its sections (from ``Digest.to_dict()``) as plain strings and tables.

    >>> header, sections = digest_view({"story": "s", "label": "Talks", "articles": 2, "outlets": 1,
    ...     "first_published": "2025-06-09", "last_published": None, "sections": [{"key": "k", "title": "What's up",
    ...     "note": "", "items": [{"heading": "", "text": "Talks began.", "note": "", "link": "javascript:x",
    ...     "entries": [], "citations": [{"article_id": "a", "outlet": "X", "url": "https://x/a", "title": "T",
    ...     "sentence": "Talks began.", "start": 0, "end": 12}]}]}]})
    >>> header[1], sections[0].title, sections[0].items[0].link, sections[0].items[0].citations["url"].tolist()
    ('2 articles from 1 outlets · 2025-06-09 to ?', "What's up", None, ['https://x/a'])
    """
    header = [str(data.get("label") or data.get("story") or ""),
              f"{data.get('articles', 0)} articles from {data.get('outlets', 0)} outlets · "
              f"{data.get('first_published') or '?'} to {data.get('last_published') or '?'}"]
    sections = []
    for section in data.get("sections", ()):
        items = []
        for item in section.get("items", ()):
            entries = pd.DataFrame(
                [{"label": e.get("label"), "text": e.get("text"), "citations": len(e.get("citations", ()))}
                 for e in item.get("entries", ())], columns=["label", "text", "citations"])
            cited = list(item.get("citations", ())) + [c for e in item.get("entries", ())
                                                       for c in e.get("citations", ())]
            items.append(ItemView(heading=str(item.get("heading") or ""), text=str(item.get("text") or ""),
                                  note=str(item.get("note") or ""), link=safe_url(item.get("link")),
                                  entries=entries, citations=_citations(cited)))
        sections.append(SectionView(title=str(section.get("title") or section.get("key") or ""),
                                    note=str(section.get("note") or ""), items=tuple(items)))
    return header, sections
