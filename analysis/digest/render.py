"""Render a digest as Markdown or as a standalone HTML page.

Scraped text is untrusted: Markdown escapes its markup characters, HTML escapes every
string, the page has no script and loads nothing remote, and links go only to article
URLs with an http or https scheme and a host (analysis.text.citations.safe_url, percent-encoding what
could end a link early).

>>> safe_url("javascript:alert(1)") is None, safe_url("https://example.com/a")
(True, 'https://example.com/a')
"""

from __future__ import annotations

import html
import re

from analysis.digest.model import Citation, Digest, Entry, Item, Section
from analysis.text.citations import safe_url

# Markup that matters inside a line: emphasis, code, links, HTML, table pipes. Brackets are escaped, so
# parentheses cannot form a link; no scraped string opens a line, so "#" and "-" need nothing.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md(text: str) -> str:
    """Escape Markdown and HTML markup in scraped text (and keep it on one line).

    >>> md("<b>Tariffs</b> [rise]")
    '\\\\<b\\\\>Tariffs\\\\</b\\\\> \\\\[rise\\\\]'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _md_source(c: Citation) -> str:
    url = safe_url(c.url)
    outlet = f"[{md(c.outlet)}](<{url}>)" if url else md(c.outlet)
    return f"{outlet}, “{md(c.title)}”" if c.title else outlet


def _md_quote(c: Citation) -> str:
    return f"“{md(c.sentence)}” ({_md_source(c)})"


def _md_item(item: Item) -> list[str]:
    lines: list[str] = []
    if item.quoted and item.citations:
        head = f"- {_md_quote(item.citations[0])}"
        if item.note:
            head += f"; {md(item.note)}"
        if len(item.citations) > 1:
            head += ": " + ", ".join(_md_source_short(c) for c in item.citations[1:])
        lines.append(head)
        return lines
    heading = md(item.heading)
    url = safe_url(item.link)
    if url and heading:
        heading = f"[{heading}](<{url}>)"
    parts = [f"**{heading}**" if heading else "", md(item.text)]
    line = "- " + ": ".join(p for p in parts if p)
    if item.note:
        line += f" ({md(item.note)})"
    lines.append(line)
    lines.extend(f"  - {_md_quote(c)}" for c in item.citations)
    lines.extend(_md_entry(e) for e in item.entries)
    return lines


def _md_source_short(c: Citation) -> str:
    url = safe_url(c.url)
    return f"[{md(c.outlet)}](<{url}>)" if url else md(c.outlet)


def _md_entry(entry: Entry) -> str:
    line = f"  - **{md(entry.label)}**"
    if entry.text and not entry.citations:
        return f"{line}: {md(entry.text)}"
    if entry.citations and entry.text == ", ".join(c.outlet for c in entry.citations):  # a figure and its outlets
        first = entry.citations[0]
        return f"{line}: {', '.join(_md_source_short(c) for c in entry.citations)} (e.g. “{md(first.sentence)}”)"
    if entry.text:
        line += f": {md(entry.text)}"
    if entry.citations:
        line += " " + "; ".join(_md_quote(c) for c in entry.citations)
    return line


def _md_item_short(item: Item) -> list[str]:
    """One item of the short digest: sources by outlet name (linked), never the headline again."""
    heading = md(item.heading)
    url = safe_url(item.link)
    if url and heading:
        heading = f"[{heading}](<{url}>)"
    lead = f"**{heading}**: " if heading else ""
    if item.quoted and item.citations:
        line = f"- {lead}“{md(item.citations[0].sentence)}” ({_md_source_short(item.citations[0])})"
        if item.note:
            line += f"; {md(item.note)}"
        lines = [line]
    else:
        line = f"- {lead}{md(item.text)}"
        if item.note:
            line += f" ({md(item.note)})"
        lines = [line]
        lines.extend(f"  - “{md(c.sentence)}” ({_md_source_short(c)})" for c in item.citations)
    for entry in item.entries:
        if entry.citations and entry.text == ", ".join(c.outlet for c in entry.citations):
            lines.append(f"  - **{md(entry.label)}**: {', '.join(_md_source_short(c) for c in entry.citations)}")
        else:
            lines.append(_md_entry(entry))
    return lines


def _md_section(section: Section, short: bool = False) -> list[str]:
    lines = ["#" * section.level + " " + section.title, ""]
    if section.note:
        lines += [f"*{md(section.note)}*", ""]
    for item in section.items:
        lines.extend(_md_item_short(item) if short else _md_item(item))
    if section.items:
        lines.append("")
    return lines


def coverage_line(digest: Digest) -> str:
    """Return what the digest covers: the story, its articles, outlets, dates and any selection."""
    line = (f"Story {digest.story}: {digest.articles} articles from {digest.outlets} outlets, "
            f"{digest.first_published or 'undated'} to {digest.last_published or 'undated'}")
    if digest.selection:
        line += f"; limited to {digest.selection}"
    return line + ". Every quoted line is a sentence of the named outlet's stored article."


def render_markdown(digest: Digest) -> str:
    """Return the digest as Markdown."""
    lines = [f"# {md(digest.label)}", "", f"*{md(coverage_line(digest))}*", ""]
    for section in digest.sections:
        lines.extend(_md_section(section, short=digest.detail == "short"))
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------ HTML
_CSS = """
body{font-family:Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1{font-size:1.7rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}h3{margin-top:1.5rem}
.meta,.note{color:#555;font-style:italic}.src{color:#555;font-size:.9em}blockquote{margin:.3rem 0 .3rem 1rem}
li{margin:.3rem 0}.label{font-weight:bold}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_source(c: Citation, short: bool = False) -> str:
    url = safe_url(c.url)
    outlet = f'<a href="{_h(url)}" rel="noopener noreferrer">{_h(c.outlet)}</a>' if url else _h(c.outlet)
    title = f", “{_h(c.title)}”" if c.title and not short else ""
    return f'<span class="src">{outlet}{title}</span>'


def _html_quote(c: Citation, short: bool = False) -> str:
    return f"<q>{_h(c.sentence)}</q> {_html_source(c, short)}"


def _html_entry(entry: Entry, short: bool = False) -> str:
    parts = [f'<span class="label">{_h(entry.label)}</span>']
    if entry.text:
        parts.append(_h(entry.text))
    body = ": ".join(parts)
    if entry.citations:
        body += "<ul>" + "".join(f"<li>{_html_quote(c, short)}</li>" for c in entry.citations) + "</ul>"
    return f"<li>{body}</li>"


def _html_item(item: Item, short: bool = False) -> str:
    if item.quoted and item.citations:
        extra = f" <span class=\"note\">{_h(item.note)}</span>" if item.note else ""
        support = ""
        if len(item.citations) > 1:
            support = "<ul>" + "".join(f"<li>{_html_quote(c, short)}</li>" for c in item.citations[1:]) + "</ul>"
        if item.entries:
            support += "<ul>" + "".join(_html_entry(e, short) for e in item.entries) + "</ul>"
        head = f'<span class="label">{_h(item.heading)}</span>' if short and item.heading else ""
        return f"<li>{head}<blockquote>{_html_quote(item.citations[0], short)}</blockquote>{extra}{support}</li>"
    heading = _h(item.heading)
    url = safe_url(item.link)
    if url and heading:
        heading = f'<a href="{_h(url)}" rel="noopener noreferrer">{heading}</a>'
    parts = [f'<span class="label">{heading}</span>' if heading else "", _h(item.text)]
    body = ": ".join(p for p in parts if p)
    if item.note:
        body += f' <span class="note">({_h(item.note)})</span>'
    subs = [f"<li>{_html_quote(c, short)}</li>" for c in item.citations] + [_html_entry(e, short)
                                                                           for e in item.entries]
    if subs:
        body += "<ul>" + "".join(subs) + "</ul>"
    return f"<li>{body}</li>"


def render_html(digest: Digest) -> str:
    """Return a standalone HTML page of the digest."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
           f"<title>{_h(digest.label)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_h(digest.label)}</h1>", f'<p class="meta">{_h(coverage_line(digest))}</p>']
    for section in digest.sections:
        level = max(2, min(section.level, 4))
        out.append(f'<section id="{_h(section.key)}"><h{level}>{_h(section.title)}</h{level}>')
        if section.note:
            out.append(f'<p class="note">{_h(section.note)}</p>')
        if section.items:
            out.append("<ul>" + "".join(_html_item(i, digest.detail == "short") for i in section.items) + "</ul>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
