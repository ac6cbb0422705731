"""The figures the outlets cite: numeric claims found in sentences and grouped by what they count.

Rules, not a model, so every figure can be checked against its sentence:

1. :func:`find_claims` finds percentages ("70%", "10.9 percent"), money ("$1.2 billion",
   "500 million euros"), counts ("75,000 new cases") and dates (years, "December 9") with
   regular expressions. ``value`` is the matched text exactly as the sentence has it.
2. Each claim keeps the content words of its clause around the number (:func:`context_words`):
   what the number is about ("imports tumbled year ago", "people infected").
3. :func:`group_claims` groups claims of the same kind whose context words overlap (Jaccard at
   least ``GROUP_SIMILARITY`` and ``MIN_SHARED_WORDS`` shared words with every claim of the group:
   complete linkage, so figures of different things are not chained together) and labels each group with
   the clause of its most typical claim, verbatim. A group is a figure several outlets gave;
   when their normalised values differ, the outlets disagree (or count different things).

>>> [(c.kind, c.value) for c in find_claims("Imports tumbled 10.9% in November, and 75,000 new cases were seen.")]
[('percent', '10.9%'), ('date', 'November'), ('count', '75,000 new cases')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.emphasis import STOPWORDS

KINDS = ("percent", "money", "count", "date")
# Two claims quantify the same thing when their clause words overlap this much (Jaccard) ...
GROUP_SIMILARITY = 0.4
# ... and share at least this many content words (one shared word links unrelated figures).
MIN_SHARED_WORDS = 2
# Words on each side of the number that describe what it counts (within its clause).
CONTEXT_WORDS = 6
# A label (the typical claim's clause) is cut to this many words around the number.
LABEL_WORDS = 14

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?:million|billion|trillion|thousand|bn|mn)\b)"
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("percent", re.compile(rf"(?<![\w.,\-])(?:{_NUM})(?:\s?(?:-|–|to)\s?(?:{_NUM}))?\s?(?:%|percent\b|per cent\b)")),
    ("money", re.compile(rf"(?:US|C|A|HK)?[$€£¥]\s?(?:{_NUM}){_SCALE}?"
                         rf"|(?<![\w.,\-])(?:{_NUM}){_SCALE}?\s(?:dollars|euros|pounds|yuan|rubles|roubles|yen)\b")),
    ("date", re.compile(rf"\b{_MONTH}(?:\s\d{{1,2}}\b(?:,\s(?:19|20)\d\d\b)?)?"
                        rf"|\b\d{{1,2}}\s{_MONTH}(?:\s(?:19|20)\d\d)?"
                        r"|(?<![\w.,$€£¥])(?:19|20)\d\d(?![\w%]|,\d|\.\d)")),
    ("count", re.compile(rf"(?<![\w.,$€£¥\-–])(?:{_NUM})(?![\-–]\d){_SCALE}?"
                         r"(?:\s(?:new|more|other|additional|metric|of\sthe))?"
                         r"\s(?!percent\b|per\b|a\.m\b|p\.m\b|am\b|pm\b|of\b|to\b|and\b|or\b|in\b|on\b|at\b|from\b|"
                         r"by\b|for\b|is\b|was\b|were\b|are\b)[a-z][a-z\-]+")),
)
_MAY_NOT_MONTH = re.compile(r"^May$")  # "may" as a verb is lower case; "May" opening a sentence is ambiguous
_CLAUSE = re.compile(r"[,;:()—–]|\s-\s|\b(?:and|but|while|which|after|before|as)\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]+")
_VALUE_NUMBER = re.compile(_NUM)


@dataclass(frozen=True)
class Claim:
    """One number in one sentence: ``value`` is ``sentence[start:end]`` verbatim."""

    kind: str
    value: str
    start: int  # offsets into the sentence
    end: int
    words: frozenset[str]  # content words of the clause around the number (crudely singularised)

    @property
    def normalised(self) -> str:
        """Return the value without formatting: '10.9 percent' and '10.9%' both give '10.9%'."""
        return normalise_value(self.kind, self.value)


def normalise_value(kind: str, value: str) -> str:
    """Return a comparable form of a figure.

    >>> normalise_value("percent", "10.9 per cent"), normalise_value("money", "$1,200 million")
    ('10.9%', '$1200 million')
    """
    numbers = [n.replace(",", "") for n in _VALUE_NUMBER.findall(value)]
    if kind == "percent":
        return "-".join(numbers) + "%"
    if kind == "money":
        scale = re.search(r"million|billion|trillion|thousand|bn|mn", value)
        unit = re.search(r"[$€£¥]|dollars|euros|pounds|yuan|rubles|roubles|yen", value)
        amount = f"{'-'.join(numbers)}{' ' + scale.group(0) if scale else ''}"
        symbol = unit.group(0) if unit else ""
        return f"{symbol}{amount}" if len(symbol) == 1 else f"{amount} {symbol}"
    if kind == "count":  # "16,797 new cases" and "16797 cases" count the same; the noun varies
        scale = re.search(r"million|billion|trillion|thousand|bn|mn", value)
        return f"{numbers[0] if numbers else value}{' ' + scale.group(0) if scale else ''}"
    return " ".join(value.lower().split())


def _singular(word: str) -> str:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def context_words(sentence: str, start: int, end: int, width: int = CONTEXT_WORDS) -> frozenset[str]:
    """Return the content words of the clause around ``sentence[start:end]`` (what the number counts).

    >>> sorted(context_words("Sales fell 26.5% in October, the agency said.", 11, 16))
    ['fell', 'october', 'sale']
    """
    left, right = _clause_bounds(sentence, start, end)
    before = [w for w in _WORD.findall(sentence[left:start]) if _content(w)][-width:]
    after = [w for w in _WORD.findall(sentence[end:right]) if _content(w)][:width]
    inside = [w for w in _WORD.findall(sentence[start:end]) if _content(w) and not re.fullmatch(
        r"(?i)percent|per|cent|million|billion|trillion|thousand|bn|mn|dollars|euros|pounds|yuan|rubles|roubles|yen",
        w)]
    return frozenset(_singular(w) for w in before + inside + after)


_FUNCTION_WORDS = frozenset("without within across among around through toward towards than via".split())


def _content(word: str) -> bool:
    lowered = word.lower().replace("’", "'")
    return len(word) > 2 and lowered not in STOPWORDS and lowered not in _FUNCTION_WORDS


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in _CLAUSE.finditer(sentence, 0, start):
        left = match.end()
    following = _CLAUSE.search(sentence, end)
    right = following.start() if following else len(sentence)
    return left, right


def find_claims(sentence: str) -> list[Claim]:
    """Return the numeric claims of one sentence, in order, without overlaps (earlier kinds win)."""
    taken: list[tuple[int, int]] = []
    found: list[Claim] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            value = match.group(0)
            if kind == "date" and _MAY_NOT_MONTH.match(value) and start == 0:
                continue
            if kind == "count" and not _content(value.split()[-1]):
                continue
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append(Claim(kind, value, start, end, context_words(sentence, start, end)))
    return sorted(found, key=lambda c: (c.start, c.end))


@dataclass(frozen=True)
class SentenceClaim:
    """A claim with the sentence it comes from (``key`` identifies the sentence for the caller)."""

    key: tuple[str, int, int]  # (article id, start, end) of the sentence in the article text
    outlet: str
    sentence: str
    claim: Claim


@dataclass(frozen=True)
class FigureGroup:
    """Figures of several claims that quantify the same thing."""

    kind: str
    label: str  # the clause of the most typical claim, verbatim
    claims: tuple[SentenceClaim, ...]

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({c.outlet for c in self.claims}))

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(sorted({c.claim.normalised for c in self.claims}))

    @property
    def disagree(self) -> bool:
        """Whether two outlets gave different figures: some two outlets share none of their values.

        Two outlets that both give "11% to 50%" agree; one outlet that reported 84% and later 125%
        (a figure that changed over the story) disagrees with nobody by itself.
        """
        by_outlet: dict[str, set[str]] = {}
        for c in self.claims:
            by_outlet.setdefault(c.outlet, set()).add(c.claim.normalised)
        sets = list(by_outlet.values())
        return any(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1:])


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = len(a & b)
    return shared >= MIN_SHARED_WORDS and shared / max(1, len(a | b)) >= GROUP_SIMILARITY


def group_claims(claims: Sequence[SentenceClaim], *, min_outlets: int = 2,
                 kinds: Iterable[str] = ("percent", "money", "count")) -> list[FigureGroup]:
    """Group claims of one kind whose clauses share their content words; keep groups of ``min_outlets``+.

    Complete linkage: a claim joins a group only when its clause is similar to the clause of every
    claim already there (the most similar such group on average), so a chain of claims that each share
    a word or two with the next ("46% tariff on Vietnam", "34% tariff on US imports", "125% on China")
    never becomes one "figure" whose values then seem to disagree. Claims are taken in (kind, article,
    position) order, so the result does not depend on input order. Groups come largest first (outlets,
    then claims, then label).
    """
    wanted = set(kinds)
    ordered = sorted((c for c in claims if c.claim.kind in wanted and c.claim.words),
                     key=lambda c: (c.claim.kind, c.key, c.claim.start))
    members: list[list[SentenceClaim]] = []
    for claim in ordered:
        best, best_score = None, 0.0
        for items in members:
            if items[0].claim.kind != claim.claim.kind:
                continue
            if not all(_similar(claim.claim.words, other.claim.words) for other in items):
                continue
            score = sum(_jaccard(claim.claim.words, other.claim.words) for other in items) / len(items)
            if score > best_score:
                best, best_score = items, score
        if best is None:
            members.append([claim])
        else:
            best.append(claim)
    groups = []
    for items in members:
        if len({c.outlet for c in items}) < min_outlets:
            continue
        typical = _typical(items)
        groups.append(FigureGroup(typical.claim.kind, claim_label(typical.sentence, typical.claim), tuple(items)))
    return sorted(groups, key=lambda g: (-len(g.outlets), -len(g.claims), g.label))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def _typical(items: list[SentenceClaim]) -> SentenceClaim:
    """Return the claim whose words are most common in the group (first on ties)."""
    counts: Counter[str] = Counter()
    for c in items:
        counts.update(c.claim.words)
    return max(items, key=lambda c: (sum(counts[w] for w in c.claim.words) / max(1, len(c.claim.words)),
                                     -items.index(c)))


def claim_label(sentence: str, claim: Claim, words: int = LABEL_WORDS) -> str:
    """Return the clause around a claim, cut to ``words`` words: the group's label, verbatim.

    >>> claim_label("Officials said imports tumbled 10.9% from a year ago, a sign of weak demand.",
    ...             find_claims("Officials said imports tumbled 10.9% from a year ago, a sign of weak demand.")[0])
    'Officials said imports tumbled 10.9% from a year ago'
    """
    left, right = _clause_bounds(sentence, claim.start, claim.end)
    before = [m.start() for m in re.finditer(r"\S+", sentence[left:claim.start])]
    after = [m.end() for m in re.finditer(r"\S+", sentence[claim.end:right])]
    keep = words // 2
    begin = left + before[-keep] if keep and len(before) >= keep else left + (before[0] if before else 0)
    if not before:
        begin = claim.start
    room = max(0, words - min(keep, len(before)) - 1)
    finish = claim.end + after[room - 1] if room and len(after) >= room else claim.end + (after[-1] if after else 0)
    return sentence[begin:finish].strip(" ,;:.")
