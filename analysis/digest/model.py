"""The digest's records: citations, lines, sections and the digest itself, with a stable JSON form.

Every scraped string a digest shows is carried inside a :class:`Citation` that points back to
its article (id, outlet, url, title) and to the characters of the stored text it is
(``sentence == text[start:end]``, or the headline when ``part == "title"``). Our own words
(counts, the "Too little coverage" notes) never pretend to be quotes.

>>> c = Citation("a1", "Example", None, "Talks", "Talks began.", 0, 12)
>>> Section("whats_happened", "What's happened", (Item(text=c.sentence, citations=(c,)),)).to_dict()["items"][0]["text"]
'Talks began.'
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.text.citations import Citation


@dataclass(frozen=True)
class Entry:
    """One line inside an item: an outlet's figure, a brief statement, a mention count."""

    label: str
    text: str = ""
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Item:
    """One point of a section: a heading, a line (a cited sentence or our summary), entries and citations."""

    heading: str = ""
    text: str = ""
    note: str = ""
    citations: tuple[Citation, ...] = ()
    entries: tuple[Entry, ...] = ()
    quoted: bool = False  # True: ``text`` is the first citation's sentence, shown as a quote
    link: str | None = None  # an article URL (http/https only when rendered)


@dataclass(frozen=True)
class Section:
    """One section of the digest; ``note`` says how it was built or why it is empty."""

    key: str
    title: str
    items: tuple[Item, ...] = ()
    note: str = ""
    level: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Digest:
    """A story digest: six sections (What's happened ... More on these topics), every line cited."""

    story: str
    label: str
    articles: int
    outlets: int
    first_published: str | None
    last_published: str | None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    detail: str = "full"  # "short": the page a person reads; "full": every section in full
    selection: str = ""  # the outlets or groups the digest was limited to ("" = every outlet of the story)

    def section(self, key: str) -> Section:
        """Return the section with this key."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def citations(self) -> list[Citation]:
        """Return every citation of the digest, in the order shown."""
        found: list[Citation] = []
        for section in self.sections:
            for item in section.items:
                found.extend(item.citations)
                for entry in item.entries:
                    found.extend(entry.citations)
        return found

    def to_dict(self) -> dict[str, Any]:
        """Return the digest as plain data (field order is the key order)."""
        return asdict(self)

    def to_json(self) -> str:
        """Return stable JSON: the same store and story give the same bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
