"""Render a :class:`analysis.brief.build.Brief` as Markdown, escaping everything that came from scraped pages.

Article text, titles, outlet names and URLs are untrusted: HTML is escaped, Markdown
punctuation is backslash-escaped, line breaks are folded, and a link is only made
from an http(s) URL (with parentheses and spaces percent-encoded).

>>> escape_markdown("<b>*bold*</b> [x](javascript:y)")
'&lt;b&gt;\\\\*bold\\\\*&lt;/b&gt; \\\\[x\\\\](javascript:y)'
>>> safe_url("javascript:alert(1)") is None, safe_url("https://e.com/a (b)")
(True, 'https://e.com/a%20%28b%29')
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from analysis.text.citations import safe_url

if TYPE_CHECKING:
    from analysis.brief.build import Brief, Citation, Statement

# Characters that start Markdown syntax mid-line (links need "[", so parentheses stay readable;
# lines never begin with scraped text, so list and heading markers at line start cannot occur).
_MARKDOWN = re.compile(r"([\\`*_\[\]#|~])")
_SPACE = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """Return ``text`` safe to place inside Markdown: HTML escaped, Markdown syntax escaped, one line."""
    return _MARKDOWN.sub(r"\\\1", html.escape(_SPACE.sub(" ", text or "").strip(), quote=False))


def _citation(citation: Citation) -> str:
    where = "headline" if citation.part == "title" else escape_markdown(citation.title) or "untitled"
    link = safe_url(citation.url)
    source = f"[{where}]({link})" if link else where
    return f"  > “{escape_markdown(citation.sentence)}” ({source})"


def _statement(statement: Statement) -> list[str]:
    return [f"- {escape_markdown(statement.text)}", *(_citation(c) for c in statement.citations)]


def brief_markdown(brief: Brief) -> str:
    """Return the brief as Markdown: a section per outlet, then where the outlets differ most."""
    title = brief.label or brief.story or "selection"
    lines = [f"# What the papers say: {escape_markdown(title)}", ""]
    if brief.story:
        lines += [f"Story `{escape_markdown(brief.story)}`, {len(brief.outlets)} outlets. Every quoted sentence "
                  "is the outlet's own text.", ""]
    for outlet in brief.outlets:
        count = f"{outlet.articles} article" + ("" if outlet.articles == 1 else "s")
        lines += [f"## {escape_markdown(outlet.outlet)} ({count})", ""]
        for statement in outlet.statements:
            lines += _statement(statement)
        lines.append("")
    lines += ["## Where the outlets differ most", ""]
    for statement in brief.differences:
        lines += _statement(statement)
    return "\n".join(lines) + "\n"
