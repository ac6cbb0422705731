"""Body text by agreement: choose between extractor outputs, then vote line by line.

The extraction cascade (scrapers/extract/cascade.py) runs several extractors on one page; this
module holds the pure text logic that turns their outputs into one body:

* ``choose_body`` (stages 1-2): a complete JSON-LD ``articleBody``, else trafilatura's or
  readability's text by whether one is nested in the other (``reconcile``).
* ``refine`` (stage 4): line-level clean-up of the chosen text, with evidence from the
  same page: a line of trafilatura's text that neither readability nor trafilatura's
  precision mode keeps is dropped (two of three extractors must agree); a line made
  (almost) only of link text is a teaser, not body; a last heading followed only by
  scraps ("Comments") introduces what was not extracted; a list of links (tags) and a short
  label right before a link line ("Tags", "DON'T MISS") are no body either, nor last lines
  inviting the reader to subscribe or follow, disclaiming, or crediting reporters; the
  headline (with what precedes it) and a leading dateline are metadata, not body.

Measured on the 112 dev pages (benchmarks/extraction.py): stage 4 takes the cascade from
F1 0.977 to 0.983. Each part left out in turn: link lines 0.980, headline and dateline
0.981, trailing heading 0.983 (4 pages change, all for the better), the vote 0.983 (4
pages: 3 better, 1 worse; the link and heading rules catch most of what it caught alone).
Link lists with labels, then closing lines, added in a second round: dev 0.983 -> 0.985 ->
0.986, leave-one-site-out 0.977 -> 0.979 -> 0.980 (0.9802; without the closing lines 0.9790).

Every function here works on plain strings and sets, so the benchmark can replay the
cascade for any threshold (benchmarks/extraction.py chooses them leave-one-site-out).

Example::

    text, method = choose_body(trafilatura_text, readability_text, jsonld_body)
    text = refine(text, method, PageEvidence(readability=readability_text, precision=lambda: precise))
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- thresholds -------------------------------------------------------------------------
# Stage 1. JSON-LD articleBody is used when it has at least this share of the consensus
# text's characters. On the 6 dev pages that carry one, the 4 complete bodies measure
# 0.97-1.01x and the 2 teasers 0.10-0.15x of the extracted text; 0.8 sits in the wide gap.
JSONLD_MIN_SHARE = 0.8
# Below this many characters a JSON-LD articleBody is never trusted alone (a teaser or a
# description), even on a page where the extractors find nothing.
JSONLD_MIN_CHARS = 500
# Stage 2. Share of the shorter text's 4-word shingles that must occur in the longer one
# for the two outputs to count as nested. Chosen on the dev split from {0.8, 0.9, 0.95,
# 0.98, never} leave-one-site-out (benchmarks/extraction.py): 0.98 was the choice in every
# fold; lower values let genuinely different texts count as nested.
NESTED_COVERAGE = 0.98
# Stage 2. Readability's text replaces trafilatura's, when it contains it, only if it
# is at least this many times longer (trafilatura stopped after the first part of the
# article). Chosen from {1.25, 1.5, 2, 3, never} by the same folds; 1.5 and 2 tie on dev,
# the larger is the more conservative. Only one dev site (2 pages) needs it: held out, the
# other sites cannot tell 2 from "never", and that fold costs ~0.005 of out-of-fold F1.
EXTENSION_RATIO = 2.0
# Stage 4. A line counts as kept by another extractor when at least half of its 4-word
# shingles occur in that extractor's text (a majority, not tuned: html-text and
# trafilatura break lines in different places, so whole-line equality is too strict).
LINE_SUPPORT = 0.5
# Stage 4. A line of at least LINK_LINE_MIN_WORDS words whose shingles are at least
# LINK_LINE_SHARE link text is a teaser for another page ("Related: ...", "READ MORE:
# ...", a list of headlines). Chosen leave-one-site-out from {4, 5, 6, 8} x {0.6, 0.7,
# 0.8, 0.9, never}: 0.7 in 74 of 76 folds, 5 words in 48 (6 in the other 28, a tie on
# dev); dev F1 0.980 without the rule, 0.983 with it (flat over 5-8 words x 0.7-0.8).
# Shorter lines are often product names, sources and e-mail addresses kept in the truth.
LINK_LINE_SHARE = 0.7
LINK_LINE_MIN_WORDS = 5
# Stage 4. A line of at least this many items, each the whole text of a link, separated by
# commas, semicolons, bars or bullets, is a list of tags or topics (links too short for the
# shingles above). Not tuned: 3 is the smallest count that makes a list; on dev it drops one
# tag line, not in the truth, and nothing else.
LINK_LIST_MIN_ITEMS = 3
# Stage 4. A line of at most this many words, without a full stop, right before a dropped
# link line or list is its label ("Tags", "DON'T MISS", "Related:"). Not tuned: labels are
# one to three words; on dev it drops 3 such lines (2 sites), none in the truth.
LABEL_MAX_WORDS = 3
# Stage 4. A first line of at most this many words that holds a clock time or a numeric
# date is a dateline ("Monday, 18 November 2019 at 10:13"), not body. Not tuned: the 4
# datelines on dev have 6-13 words (one carries the byline and tags too).
DATELINE_MAX_WORDS = 15
# Stage 4. Leading lines searched for the headline: it and what comes before it (a banner,
# a breadcrumb, a kicker) are dropped. Not tuned: 2 or 3 lines change the same dev pages.
HEADER_LINES = 3
# Stage 4. A heading near the end followed by fewer words than this ("Comments", "You may
# also like:", "How to listen") introduces something that was not extracted: it and the
# scraps after it are dropped. Not tuned: the shortest body of MIN_BODY_WORDS in extract.py
# (on dev it drops 5 pages' trailing lines, none in the truth).
TAIL_AFTER_HEADING_WORDS = 10
# Size of the word shingles compared between extractor outputs (the benchmark metric's).
SHINGLE_SIZE = 4

_WORD = re.compile(r"\w+")
_LIST_SEPARATOR = re.compile(r"[,;|\u00b7\u2022]")
# Stage 4. A last line inviting the reader to subscribe, sign up, click or follow, a
# disclaimer, or a closing credit (a byline at the end: "Reporting by ...", "X contributed
# reporting") is no body (English words only; the benchmark's truth leaves bylines out).
# Phrases, not topic words: "subscribers" or "newsletter" alone may end a real article.
# The words were chosen reading dev's last lines, which leave-one-site-out cannot correct.
# On dev it drops 9 last lines on 8 sites (newsletter and magazine offers, "Follow her on
# Twitter", a disclaimer, wire credits), 8 not in the truth and one that is (a newsletter's
# own "You can also subscribe ..." line).
_CLOSING_LINE = re.compile(
    r"\b(?:sign(?:ing)? up|subscribe|click here|disclaimer|follow (?:us|me|him|her|them) on"
    r"|contributed reporting|reporting by|editing by|reach the reporters?)\b",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"\b\d{1,2}:\d\d\b|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")


@dataclass(frozen=True)
class PageEvidence:
    """What stage 4 checks the chosen text against, all from the same page."""

    readability: str = ""  # readability's text
    # trafilatura's favor_precision text, computed on demand (only lines readability does not
    # keep need a third vote: 23 of the 74 dev pages won by trafilatura); None: no third voter
    precision: Callable[[], str] | None = None
    link_shingles: frozenset[tuple[str, ...]] = frozenset()  # shingles of every <a>'s text
    link_texts: frozenset[str] = frozenset()  # every <a>'s words, lower-cased and space-joined
    headlines: tuple[str, ...] = ()  # headline, <h1>, og:title, <title> (site suffix allowed)
    headings: frozenset[str] = frozenset()  # the words of every <h1>-<h6>, space-joined


@functools.lru_cache(maxsize=512)
def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of runs of `size` consecutive words (one shingle for shorter texts).

    Cached (a page's texts and lines are asked about by several checks; 512 entries hold a
    few pages' worth): read-only.

    >>> sorted(shingles("a b c d e"))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    """
    words = _WORD.findall(text)
    if not words:
        return Counter()
    if len(words) < size:
        return Counter([tuple(words)])
    return Counter(zip(*(words[k:] for k in range(size))))


def link_shingles(anchor_texts: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """The shingles of every link text of a page (each link on its own; links of 4+ words).

    Shorter links ("Home", "Sport") have no full-size shingle and can never cover a line of
    LINK_LINE_MIN_WORDS words, so they are skipped.

    >>> len(link_shingles(["Read the whole story here", "Home"]))
    2
    """
    found: set[tuple[str, ...]] = set()
    for text in anchor_texts:
        words = _WORD.findall(text)
        found.update(zip(*(words[k:] for k in range(SHINGLE_SIZE))))
    return frozenset(found)


def link_key(text: str) -> str:
    """A text's lower-cased words, space-joined: how a line or list item is matched to a link text.

    >>> link_key(" Stock  car! ")
    'stock car'
    """
    return " ".join(_WORD.findall(text.lower()))


def link_texts(anchor_texts: Iterable[str]) -> frozenset[str]:
    """Every link text of a page as its link_key (the key of PageEvidence.link_texts).

    >>> sorted(link_texts(["Stock car", " Home "]))
    ['home', 'stock car']
    """
    return frozenset(filter(None, map(link_key, anchor_texts)))


def reconcile(
    primary: str,
    secondary: str,
    nested_coverage: float = NESTED_COVERAGE,
    extension_ratio: float = EXTENSION_RATIO,
) -> tuple[str, str]:
    """Choose between trafilatura's (primary) and readability's (secondary) text.

    Returns (text, "primary" | "secondary").

    >>> reconcile("a b c d e f menu", "a b c d e f")
    ('a b c d e f', 'secondary')
    """
    if not secondary.strip():
        return primary, "primary"
    if not primary.strip():
        return secondary, "secondary"
    sh_p, sh_s = shingles(primary), shingles(secondary)
    common = sum((sh_p & sh_s).values())
    primary_inside = common / max(1, sum(sh_p.values()))
    secondary_inside = common / max(1, sum(sh_s.values()))
    if secondary_inside >= nested_coverage and len(secondary) < len(primary):
        return secondary, "secondary"  # nested: the longer one only adds boilerplate
    if primary_inside >= nested_coverage and len(secondary) >= extension_ratio * len(primary):
        return secondary, "secondary"  # primary stopped early: secondary is its extension
    return primary, "primary"


def choose_body(
    primary: str,
    secondary: str,
    jsonld_body: str = "",
    nested_coverage: float = NESTED_COVERAGE,
    extension_ratio: float = EXTENSION_RATIO,
) -> tuple[str, str]:
    """Cascade stages 1-2 on ready texts: (text, method); ("", "") when all are empty.

    >>> choose_body("a b c d e", "", "")
    ('a b c d e', 'trafilatura')
    """
    text, winner = reconcile(primary, secondary, nested_coverage, extension_ratio)
    method = ("trafilatura" if winner == "primary" else "readability") if text.strip() else ""
    if len(jsonld_body) >= JSONLD_MIN_CHARS and len(jsonld_body) >= JSONLD_MIN_SHARE * len(text):
        return jsonld_body, "jsonld"
    return (text, method) if text.strip() else ("", "")


class _Voter:
    """One extractor's text, ready for "does it keep this line?" questions."""

    def __init__(self, text: str) -> None:
        self.shingles = set(shingles(text))
        self.tokens = " " + " ".join(_WORD.findall(text)) + " "

    def keeps(self, line: str) -> bool:
        words = _WORD.findall(line)
        if len(words) < SHINGLE_SIZE:  # too short for shingles: the words in a row
            return " " + " ".join(words) + " " in self.tokens
        line_shingles = shingles(line)
        return sum(1 for s in line_shingles if s in self.shingles) >= LINE_SUPPORT * len(line_shingles)


def supported_lines(lines: list[str], readability: str, precision: Callable[[], str]) -> list[str]:
    """Keep the lines that readability or, asked only when needed, trafilatura's precision mode keeps.

    >>> supported_lines(["a b c d e", "share this story now"], "x a b c d e", lambda: "a b c d e")
    ['a b c d e']
    """
    first = _Voter(readability)
    doubtful = [not first.keeps(line) for line in lines]
    if not any(doubtful):
        return lines
    second = precision()
    if not second.strip():  # no third voter: readability alone cannot outvote trafilatura
        return lines
    voter = _Voter(second)
    return [line for line, doubt in zip(lines, doubtful) if not doubt or voter.keeps(line)]


def is_link_line(
    line: str,
    links: frozenset[tuple[str, ...]],
    share: float = LINK_LINE_SHARE,
    min_words: int = LINK_LINE_MIN_WORDS,
) -> bool:
    """True when a line of at least `min_words` words is mostly the text of links.

    >>> is_link_line("Related: the ten best bridges of the year", link_shingles(["the ten best bridges of the year"]))
    True
    """
    if len(_WORD.findall(line)) < min_words:
        return False
    line_shingles = shingles(line)
    return sum(1 for s in line_shingles if s in links) >= share * len(line_shingles)


def is_link_list(line: str, texts: frozenset[str]) -> bool:
    """True for a list of at least LINK_LIST_MIN_ITEMS links separated by , ; | or a bullet.

    Tag lists and "Topics:" lines are made of short links that is_link_line's shingles
    cannot see (each link has fewer than SHINGLE_SIZE words).

    >>> is_link_list("stock car, car racing, Interlagos", frozenset({"stock car", "car racing", "interlagos"}))
    True
    """
    items = [key for key in map(link_key, _LIST_SEPARATOR.split(line)) if key]
    return len(items) >= LINK_LIST_MIN_ITEMS and all(item in texts for item in items)


def drop_link_lines(
    lines: list[str],
    evidence: PageEvidence,
    link_share: float = LINK_LINE_SHARE,
    link_min_words: int = LINK_LINE_MIN_WORDS,
) -> list[str]:
    """Drop link lines and link lists, with a short label line right before one.

    >>> evidence = PageEvidence(link_texts=frozenset({"a b", "c d", "e f"}))
    >>> drop_link_lines(["The council met.", "Tags", "a b, c d, e f"], evidence)
    ['The council met.']
    """
    links = [
        is_link_line(line, evidence.link_shingles, link_share, link_min_words)
        or is_link_list(line, evidence.link_texts)
        for line in lines
    ]
    label = [
        k + 1 < len(lines)
        and links[k + 1]
        and len(_WORD.findall(line)) <= LABEL_MAX_WORDS
        and not line.rstrip().endswith((".", "!", "?"))
        for k, line in enumerate(lines)
    ]
    return [line for line, link, lab in zip(lines, links, label) if not (link or lab)]


def is_headline(line: str, headlines: tuple[str, ...]) -> bool:
    """True for the headline itself, or the start (3+ words) of a "<headline> | <site>" title.

    >>> is_headline("Bridge vote today", ("Bridge vote today | The Gazette",)), is_headline("Bridge", ("Bridge",))
    (True, False)
    """
    words = _WORD.findall(line.lower())
    if len(words) < 2:
        return False
    for headline in headlines:
        head = _WORD.findall(headline.lower())
        if head == words or (len(words) >= 3 and head[: len(words)] == words):
            return True
    return False


def is_dateline(line: str) -> bool:
    """True for a short line holding a clock time or a numeric date.

    >>> is_dateline("Monday, 18 November 2019 at 10:13"), is_dateline("The vote of 2019 was close.")
    (True, False)
    """
    return len(_WORD.findall(line)) <= DATELINE_MAX_WORDS and bool(_DATELINE.search(line))


def drop_header(lines: list[str], headlines: tuple[str, ...]) -> list[str]:
    """Drop what comes up to a headline among the first lines, then a leading dateline.

    >>> drop_header(["Top stories", "Bridge vote", "18/11/2019 10:13", "The council met."], ("Bridge vote",))
    ['The council met.']
    """
    for k in range(min(HEADER_LINES, len(lines) - 1) - 1, -1, -1):
        if is_headline(lines[k], headlines):  # the body starts after its headline
            lines = lines[k + 1 :]
            break
    if len(lines) > 1 and is_dateline(lines[0]):
        lines = lines[1:]
    return lines


def heading_words(text: str) -> str:
    """A heading's words, space-joined: the key of PageEvidence.headings."""
    return " ".join(_WORD.findall(text))


def drop_trailing_section(lines: list[str], headings: frozenset[str]) -> list[str]:
    """Drop the last heading and what follows it when fewer than TAIL_AFTER_HEADING_WORDS follow.

    >>> drop_trailing_section(["The council met.", "Comments", "comments"], frozenset({"Comments"}))
    ['The council met.']
    """
    after = 0
    for k in range(len(lines) - 1, 0, -1):
        if heading_words(lines[k]) in headings:
            return lines[:k]
        after += len(_WORD.findall(lines[k]))
        if after >= TAIL_AFTER_HEADING_WORDS:
            break
    return lines


def drop_closing_lines(lines: list[str]) -> list[str]:
    """Drop last lines that promote (subscribe, sign up, click, follow), disclaim or credit reporters.

    >>> drop_closing_lines(["The council met.", "Sign up for our daily newsletter.", "Reporting by A. Writer"])
    ['The council met.']
    """
    while len(lines) > 1 and _CLOSING_LINE.search(lines[-1]):
        lines = lines[:-1]
    return lines


def refine(
    text: str,
    method: str,
    evidence: PageEvidence,
    link_share: float = LINK_LINE_SHARE,
    link_min_words: int = LINK_LINE_MIN_WORDS,
) -> str:
    """Stage 4: drop the lines of the chosen text that the page's evidence marks as no body.

    1. trafilatura's lines that neither readability nor trafilatura's precision mode keeps;
    2. lines that are mostly link text (teasers for other pages) or a list of links (tags),
       with a short label line right before one;
    3. a last heading followed by fewer than TAIL_AFTER_HEADING_WORDS words, and those words;
       then last lines that promote (subscribe, sign up, follow), disclaim or credit reporters;
    4. the lines up to a headline among the first HEADER_LINES, then a leading dateline.
    The text is returned unchanged when nothing would be left.

    >>> refine("Bridge vote\\nThe council met on Tuesday.", "trafilatura", PageEvidence(headlines=("Bridge vote",)))
    'The council met on Tuesday.'
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if method == "trafilatura" and evidence.readability.strip() and evidence.precision is not None:
        lines = supported_lines(lines, evidence.readability, evidence.precision)
    lines = drop_link_lines(lines, evidence, link_share, link_min_words)
    lines = drop_closing_lines(drop_trailing_section(lines, evidence.headings))
    lines = drop_header(lines, evidence.headlines)
    return "\n".join(lines) if lines else text
