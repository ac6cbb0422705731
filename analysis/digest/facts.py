"""Key facts: the sentences that add the most of what many outlets report and the page does not yet say.

A *concept* is a content word, a content word pair (analysis.emphasis.terms) or a number of a
sentence; its weight is the number of outlets whose coverage uses it, copies of one wire story counting
once (a concept of one voice weighs nothing: it is no shared fact), times its specificity to the story
when the store holds other stories (:func:`specificity`: "president" or "white house", used by most
stories, weighs less than "hydrants" or "celebrities", used by this one only). The facts are chosen greedily, as
concept-coverage summarisers do (Gillick and Favre 2009, word pairs weighted by the documents using
them): each time the stand-alone sentence whose concepts not yet covered weigh the most, over the square
root of its words; what it says is then covered. The page's own lines (What's happened, the themes'
sentences) are covered before the first pick, so a fact repeats nothing shown above it.

>>> sorted(concepts("Tariffs of 10% start on April 5."))
['10%', '5', 'april', 'start', 'tariffs']
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.digest.model import Item
from analysis.digest.sections import BackgroundTerms, cite, voices
from analysis.digest.themes import stands_alone
from analysis.emphasis import terms

# Key facts shown (each ~25-40 words with its citation); chosen on the multi-day stories (3-6 alike).
MAX_FACTS = 4
# A concept counts when this many outlets use it (one outlet's words are not a shared fact).
MIN_CONCEPT_OUTLETS = 2
# A fact is at most this many words (a long sentence covers much and costs much).
MAX_FACT_WORDS = 40
# A candidate must add at least this much weight per sqrt(word) (below it, what is left is thin).
MIN_GAIN = 2.0
# The heading of a key fact inside the short page's What's happened (after the lede sentences).
FACT_HEADING = "Also"
# A post (a handle or hashtag) or a quotation cut in half is not a fact the page can state on its own.
_POST = re.compile(r"(?:^|\s)[@#]\w")
_NUMBER = re.compile(r"\d[\d,.]*\d%?|\d%?")


def concepts(sentence: str, excluded: Iterable[str] = ()) -> set[str]:
    """Return a sentence's concepts: content words and word pairs, and numbers (a trailing % kept)."""
    skip = set(excluded)
    found = {t for t in terms(sentence, (1, 2)) if not (set(t.split()) & skip)}
    return found | {n.rstrip(".,") for n in _NUMBER.findall(sentence)}


def whole(sentence: str) -> bool:
    """Return False for a social-media post or a sentence holding half a quotation (quote marks unbalanced).

    >>> whole('History matters,” Khanna wrote on Twitter.'), whole('He said “no” twice.')
    (False, True)
    """
    if _POST.search(sentence):
        return False
    return sentence.count("“") == sentence.count("”") and sentence.count('"') % 2 == 0


def concept_weights(table: pd.DataFrame, excluded: Iterable[str] = (),
                    syndication: pd.DataFrame | None = None,
                    background: BackgroundTerms | None = None) -> dict[str, float]:
    """Return, per concept, the number of voices using it in their coverage (furniture left out).

    A voice is an outlet, or one wire story however many outlets carry it (``syndication``, as
    analysis.digest.sections.whats_happened counts them).
    """
    skip = set(excluded)
    outlets_of: dict[str, set[str]] = defaultdict(set)
    voice_of = voices(list(table["outlet"]), list(table["article_id"]), syndication)
    for voice, sentence, furniture in zip(voice_of, table["sentence"], table["furniture"]):
        if furniture:
            continue
        for concept in concepts(str(sentence), skip):
            outlets_of[concept].add(voice)
    shared = {c: len(o) for c, o in outlets_of.items() if len(o) >= MIN_CONCEPT_OUTLETS}
    if background is None or background.n <= 0:
        return {c: float(n) for c, n in shared.items()}
    return {c: round(n * specificity(c, background), 9) for c, n in shared.items()}


def specificity(concept: str, background: BackgroundTerms) -> float:
    """Return how specific a concept is to the story: 1 for a word no other story uses, less the more do.

    log((B + 1) / (b + 1) + 1) / log(B + 2), b of the B background texts using it (numbers: 1).
    """
    if _NUMBER.fullmatch(concept):
        return 1.0
    b, n = max(0, background.count(concept)), background.n
    return math.log((n + 1) / (b + 1) + 1) / math.log(n + 2)


@dataclass
class Coverage:
    """What the page already says (its concepts), against the outlet-weighted concepts of the story."""

    weights: dict[str, float]
    covered: set[str] = field(default_factory=set)
    excluded: frozenset[str] = frozenset()

    @classmethod
    def of(cls, table: pd.DataFrame, shown: Iterable[str], excluded: Iterable[str] = (),
           syndication: pd.DataFrame | None = None, background: BackgroundTerms | None = None) -> Coverage:
        """Return the story's concept weights with the concepts of the ``shown`` sentences covered."""
        skip = frozenset(excluded)
        coverage = cls(concept_weights(table, skip, syndication, background), set(), skip)
        for sentence in shown:
            coverage.add(sentence)
        return coverage

    def concepts(self, sentence: str) -> set[str]:
        """Return the sentence's concepts that weigh something."""
        return {c for c in concepts(sentence, self.excluded) if c in self.weights}

    def gain(self, sentence: str) -> float:
        """Return the weight of what the sentence adds, over the square root of its words."""
        new = self.concepts(sentence) - self.covered
        return round(sum(self.weights[c] for c in new) / math.sqrt(max(1, len(sentence.split()))), 9)

    def add(self, sentence: str) -> None:
        """Count the sentence's concepts as said."""
        self.covered |= concepts(sentence, self.excluded)


def key_facts(table: pd.DataFrame, coverage: Coverage, *, limit: int = MAX_FACTS) -> list[Item]:
    """Return up to ``limit`` cited sentences adding the most outlet-weighted concepts ``coverage`` lacks.

    The chosen sentences are added to ``coverage``. Ties go to the earlier article id and offset.
    """
    seen: set[str] = set()
    candidates: list[int] = []
    for row, (sentence, furniture) in enumerate(zip(table["sentence"], table["furniture"])):
        text = str(sentence)
        key = " ".join(text.lower().split())
        if (furniture or key in seen or len(text.split()) > MAX_FACT_WORDS or not stands_alone(text)
                or not whole(text)):
            continue
        seen.add(key)
        if coverage.concepts(text) <= coverage.covered:  # a sentence the page already says
            continue
        candidates.append(row)
    candidates.sort(key=lambda r: (str(table.at[r, "article_id"]), int(table.at[r, "start"])))
    items: list[Item] = []
    while len(items) < limit and candidates:
        best, best_gain = 0, -1.0
        for i, row in enumerate(candidates):  # the first of equal gains wins (article id, offset)
            gain = coverage.gain(str(table.at[row, "sentence"]))
            if gain > best_gain:
                best, best_gain = i, gain
        if best_gain < MIN_GAIN:
            break
        row = candidates.pop(best)
        coverage.add(str(table.at[row, "sentence"]))
        items.append(Item(heading=FACT_HEADING, text=str(table.at[row, "sentence"]), citations=(cite(table.iloc[row]),),
                          quoted=True))
    return items
