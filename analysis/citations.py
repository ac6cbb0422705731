"""The citation every extractive statement carries: which sentence of which article it rests on.

Shared by the brief (analysis/brief.py) and the digest (analysis/digest*.py), whose honesty
tests check ``sentence`` against the stored text at ``start:end``.
"""

from __future__ import annotations

from dataclasses import dataclass

PART_TEXT = "text"
PART_TITLE = "title"


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
