"""The one scorer interface every built-in and plug-in scorer implements.

A scorer is a small frozen dataclass: its fields are its parameters, its
constructor does no work, and it declares a ``name``, a ``version`` (stored with
every score, so a change of method rescores), the ``metrics`` it outputs and a
user-facing docstring that the dashboard's methodology page shows.

``score(articles)`` takes a DataFrame with at least ``id``, ``title`` and
``text`` and returns a :class:`Scores`: one row per (article, metric), and one
row per evidence sentence where a number rests on sentences.

>>> from analysis.registry import get
>>> result = get("tone_vader").score(pd.DataFrame([{"id": "a", "title": "Good news", "text": "We won."}]))
>>> sorted(result.articles.metric)
['headline_tone', 'sentences', 'tone', 'tone_neg_share', 'tone_pos_share']
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

SCORE_COLUMNS = ("article_id", "metric", "value")
EVIDENCE_COLUMNS = ("article_id", "metric", "part", "sentence_index", "start", "end", "value")
# Parts of an article that evidence spans index into.
PART_TITLE = "title"
PART_TEXT = "text"


def empty_scores() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object" if c in ("article_id", "metric") else "float64")
                         for c in SCORE_COLUMNS})


def empty_evidence() -> pd.DataFrame:
    return pd.DataFrame(columns=list(EVIDENCE_COLUMNS))


@dataclass(frozen=True)
class Scores:
    """A scorer's output: article-level values and the sentences behind them."""

    articles: pd.DataFrame = field(default_factory=empty_scores)  # SCORE_COLUMNS
    evidence: pd.DataFrame = field(default_factory=empty_evidence)  # EVIDENCE_COLUMNS


@dataclass(frozen=True)
class Scorer(ABC):
    """Base class of scorers. Subclasses are frozen dataclasses registered with ``@register``."""

    name: ClassVar[str]
    version: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]
    # Does `python -m analysis run` apply it when no scorer is named?
    default: ClassVar[bool] = False

    @abstractmethod
    def score(self, articles: pd.DataFrame) -> Scores:
        """Score the articles (columns id, title, text at least)."""

    @classmethod
    def describe(cls) -> str:
        """Return the user-facing description (the class docstring)."""
        return inspect.cleandoc(cls.__doc__ or "")
