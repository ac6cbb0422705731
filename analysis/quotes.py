"""Who is quoted: direct and indirect quotes, their speakers and the speakers' types.

Rules, not a model, so every attribution can be read back and argued with:

1. Direct quotes are spans between quotation marks (straight or curly) of at least
   ``MIN_QUOTE_WORDS`` words; a quote left open at a paragraph's end closes there
   (news style for quotes running over paragraphs), and a quote may run over several
   sentences. Shorter quoted phrases are scare quotes and titles, not quotes.
2. Quote content is masked, then each sentence is searched for an attribution cue:
   ``X said``, ``said X``, ``X, the Y of Z, said``, ``X told Y``, ``according to X``.
   A direct quote takes the cue nearest to it in its sentences; an unattributed quote
   that opens a sentence inherits the speaker of the quote just before it.
   A sentence without quotation marks but with a cue is an indirect quote.
3. Speakers are normalised per article: "Mr. Bauer" and "Bauer" merge with "Robert F.
   Bauer"; he/she resolve to the nearest preceding named speaker.
4. A speaker's type comes from the words around the name (title before it, appositive
   after it, and titles the article gives the same name elsewhere): government
   (with a country where one is named), company, expert, media, anonymous or other.

>>> rows = quote_table(pd.DataFrame([{"id": "a", "title": "", "text":
...     '"We will not back down on this," said Wang Yi, the foreign minister of China.'}]))
>>> rows[["speaker", "speaker_type", "country", "kind", "cue"]].to_dict("records")
[{'speaker': 'Wang Yi', 'speaker_type': 'government', 'country': 'China', 'kind': 'direct', 'cue': 'said'}]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import pandas as pd

from analysis.base import EVIDENCE_COLUMNS, PART_TEXT, SCORE_COLUMNS, Scorer, Scores
from analysis.registry import register
from analysis.text import sentences
from analysis.text.speakers import NAME_TOKEN, country_of, is_name, speaker_type

logger = logging.getLogger(__name__)

QUOTE_COLUMNS = ("article_id", "sentence_index", "start", "end", "speaker", "speaker_type", "country", "kind",
                 "cue")
SPEAKER_TYPES = ("government", "company", "expert", "media", "anonymous", "other")

# A quoted span needs this many words to count as a quote: 1-2 word spans in basil are mostly
# scare quotes ("shenanigans") or titles; 3 words keeps short partial quotes ("a total disaster").
MIN_QUOTE_WORDS = 3
# A subject before a cue verb longer than this is a clause, not a speaker (longest real speakers in
# the hand-check, e.g. "a senior Biden administration official", have 5-7 words).
MAX_SPEAKER_WORDS = 8
# An unattributed quote inherits the previous quote's speaker when it is at most this many
# sentences after it ("...," Smith said. "Second quote." is the news convention).
INHERIT_SENTENCES = 2
# A pronoun speaker with no named speaker before it resolves to a name opening one of this many
# preceding sentences; further back the guess was wrong more often than right on basil.
PRONOUN_LOOKBACK = 3
# An appositive between a name and its cue ("X, the senior Republican on the House Oversight and
# Government Reform Committee, said") runs up to ~15 words in basil; longer is a clause.
MAX_APPOSITIVE_WORDS = 16

CUE_VERBS = (
    "said says say told tells added adds stated noted wrote writes tweeted argued argues "
    "claimed insisted insists warned warns explained explains announced acknowledged asserted "
    "declared contended suggested stressed emphasized emphasised recalled testified predicted confirmed "
    "replied responded remarked observed conceded admitted complained urged vowed alleged "
    "maintained countered cautioned reiterated reported"
).split()
_CUE = "|".join(sorted(CUE_VERBS, key=len, reverse=True))
_PARTICIPLES = ("saying", "telling", "adding", "writing", "noting", "arguing", "insisting", "warning", "tweeting")
_CUE_RE = re.compile(rf"\b(?:{_CUE}|{'|'.join(_PARTICIPLES)})\b|\b[Aa]ccording to\b")
# Cues whose object is the listener, not the speaker: "X told Y" never inverts to "told X".
_NO_INVERSION = frozenset({"told", "tells", "urged"})
_QUOTE_OPEN = "\"“"
_QUOTE_CLOSE = "\"”"
_WORD = re.compile(r"[\w’'\-]+")

PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "org", "we": "any", "i": "person"}
# Words that may sit between a subject and its cue verb ("Smith also said", "he has said").
_AUX = frozenset("himself herself themselves also has have had later previously further then again repeatedly "
                 "would will did does "
                 "do recently once publicly privately earlier initially separately reportedly".split())
# Capitalised words that start a clause without being part of a name.
_LEADING = frozenset("but and yet still however meanwhile so also then in on at as when while after before "
                     "the a an this that these those his her their its our if though although because since "
                     "instead indeed now later earlier last".split())
_BOUNDARY = re.compile(r"[,;:()\[\]—–]|\s-\s|[\"“”]|\b(?:that|and|but|because|while|when|as|after|before|which|"
                       r"who|whom|where|if|although|though|since)\b")
TITLES = frozenset(
    "mr mr. mrs mrs. ms ms. dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. sgt sgt. adm adm. "
    "president senator representative governor secretary minister chancellor mayor judge justice rev rev. "
    "prof prof. professor ambassador chairman chairwoman speaker leader premier king queen prince pope "
    "attorney general prime vice foreign defense defence finance trade commerce state deputy chief former "
    "congressman congresswoman commissioner director spokesman spokeswoman spokesperson".split()
)
# Head nouns of common-noun speakers: "a spokesman for the ministry", "officials", "people familiar ...".
SPEAKER_HEADS = frozenset(
    "official officials spokesman spokeswoman spokesperson spokespeople source sources aide aides analyst "
    "analysts expert experts economist economists researcher researchers professor lawyer lawyers attorney "
    "attorneys statement report reports company firm ministry department agency government administration "
    "campaign police prosecutor prosecutors investigators diplomat diplomats executive executives person "
    "people group organization organisation union leader leaders minister president committee court "
    "witness witnesses residents critics supporters lawmakers legislators newspaper outlet network "
    "broadcaster paper website magazine document documents letter memo study survey chairman ceo "
    "authorities observers activists officer officers scientists scientist commission council bank "
    "embassy kremlin spokespersons democrats republicans insiders user users post posts governor senator "
    "congressman congresswoman judge mayor justice secretary chancellor premier".split()
)
_DETERMINERS = frozenset("the a an one two three several some many other his her their its our two more "
                         "another most few".split())

# Titles written before a name elsewhere in the article ("President Donald Trump", "Sen. Ted Cruz").
_TITLED_NAME = re.compile(
    r"\b((?:(?:[A-Z][a-z]+|U\.S\.)\s+){0,3}(?:President|Senator|Sen\.|Rep\.|Representative|Gov\.|Governor|Secretary|"
    r"Minister|Chancellor|Mayor|Ambassador|Premier|Spokesman|Spokeswoman|Spokesperson|Congressman|"
    r"Congresswoman|Speaker|Leader|Attorney General|Professor|Prof\.|Dr\.|Judge|Justice|"
    r"Chief Executive|CEO))\s+((?:[A-Z][\w’'\-]*\.?\s+){0,3}[A-Z][\w’'\-]+)")


@dataclass
class Attribution:
    """One attribution cue found in a sentence: who, with what cue, and the words around the name."""

    speaker: str | None
    cue: str
    role: str  # title before the name, appositive after it: the words the type rules read
    position: int  # offset of the cue in the text
    pronoun: str | None = None


@dataclass
class Quote:
    """One quoted sentence (a row of the tidy quote table) before speaker normalisation."""

    sentence_index: int
    start: int
    end: int
    kind: str
    attribution: Attribution | None


# --------------------------------------------------------------------------- direct quote regions
def quote_regions(text: str, min_words: int = MIN_QUOTE_WORDS) -> list[tuple[int, int]]:
    """Return (start, end) offsets of direct quotes, quotation marks included.

    >>> text = 'He said "we will win this." Then "scare" words.'
    >>> [text[s:e] for s, e in quote_regions(text)]
    ['"we will win this."']
    """
    regions: list[tuple[int, int]] = []
    for p_start, p_end in _paragraph_bounds(text):
        open_at: int | None = None
        for i in range(p_start, p_end):
            ch = text[i]
            if open_at is None:
                if ch == "“" or (ch == '"' and _opens(text, i)):
                    open_at = i
            elif ch == "”" or ch == '"':
                regions.append((open_at, i + 1))
                open_at = None
            elif ch == "“":  # a new opening mark without a close: the first quote ended unmarked
                regions.append((open_at, i))
                open_at = i
        if open_at is not None:
            regions.append((open_at, p_end))
    return [(s, e) for s, e in regions if len(_WORD.findall(text[s:e])) >= min_words]


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:") and not after.isspace()


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in re.finditer(r"\n", text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if e > s]


def _mask(text: str, regions: Iterable[tuple[int, int]]) -> str:
    """Blank the inside of each quote (marks kept, offsets unchanged) so cues inside quotes are ignored."""
    chars = list(text)
    for start, end in regions:
        for i in range(start + 1, max(start + 1, end - 1)):
            if chars[i] != "\n":
                chars[i] = " "
        chars[start] = "“"
        if end - 1 > start and text[end - 1] in _QUOTE_CLOSE:
            chars[end - 1] = "”"
    return "".join(chars)


# --------------------------------------------------------------------------- attribution cues
_PASSIVE = re.compile(r"\b(?:was|were|is|are|be|been|being)\s+$")


def find_attributions(sentence: str, offset: int = 0) -> list[Attribution]:
    """Return the attribution cues in one (quote-masked) sentence with their speakers.

    >>> [(a.speaker, a.cue, a.role) for a in find_attributions("Prices will rise, according to analysts at Citi.")]
    [('analysts at Citi', 'according to', 'analysts at Citi')]
    >>> [(a.speaker, a.role) for a in find_attributions("Sen. Ted Cruz, a Texas Republican, said the bill failed.")]
    [('Ted Cruz', 'Sen. Ted Cruz a Texas Republican')]
    """
    found: list[Attribution] = []
    for match in _CUE_RE.finditer(sentence):
        cue = match.group(0).lower()
        if cue == "according to":
            speaker, role = _speaker_after(sentence, match.end())
            if speaker:
                found.append(Attribution(speaker, cue, role, offset + match.start()))
            continue
        before = sentence[:match.start()]
        if cue in _PARTICIPLES:  # "Santorum tried to clarify ..., saying he meant": the clause's subject speaks
            if before.rstrip().endswith(","):
                subject = _sentence_subject(sentence)
                if subject is not None:
                    found.append(Attribution(subject[0], cue, subject[1], offset + match.start(),
                                             pronoun=subject[2]))
            continue
        if _PASSIVE.search(before[-_SETTING_WINDOW:]):  # "was said to be": not a speaker
            continue
        attribution = _subject_before(before, cue, offset + match.start())
        if attribution is None and cue not in _NO_INVERSION and _inverted_ok(before):
            speaker, role = _speaker_after(sentence, match.end())
            if speaker:
                attribution = Attribution(speaker, cue, role, offset + match.start(),
                                          pronoun=speaker.lower() if speaker.lower() in PRONOUNS else None)
        if attribution is not None:
            found.append(attribution)
    return found


_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Settings between a speaker and the cue: "Mr. Obama on Thursday said", "Smith in a statement said".
_SETTING = re.compile(rf"(?:\s+(?:on|late|early|last|this)?\s*{_DAY}(?:\s+(?:night|morning|afternoon|evening))?"
                      r"|\s+(?:in|during)\s+(?:a|an|the|his|her)\s+(?:statement|interview|speech|letter|post|"
                      r"tweet|memo|press conference|news conference|briefing)"
                      r"|\s+(?:last|this)\s+(?:week|month|year)|\s+on\s+Twitter|\s+earlier)$")
# Only this many characters before a cue are searched for settings (the longest setting is ~35).
_SETTING_WINDOW = 60
_SETTING_ENDS = ("day", "night", "morning", "afternoon", "evening", "statement", "interview", "speech", "letter",
                 "post", "tweet", "memo", "conference", "briefing", "week", "month", "year", "Twitter", "earlier")


def _strip_settings(before: str) -> str:
    """Remove settings between a speaker and the cue ("Smith on Friday said" -> "Smith")."""
    while True:
        if not before.endswith(_SETTING_ENDS):  # cheap test first: every setting ends with one of these
            return before
        tail = before[-_SETTING_WINDOW:]
        match = _SETTING.search(tail)
        if not match:
            return before
        before = before[: len(before) - len(tail) + match.start()]


# A dateline opening an article: "WASHINGTON -- ", "BEIJING (Reuters) - ".
_DATELINE = re.compile(r"^[A-Z][A-Z .,’'\-]+(?:\([\w .]+\))?\s*(?:--|—|–|-|:)\s*")


def _sentence_subject(sentence: str) -> tuple[str | None, str, str | None] | None:
    """Return (name, role, pronoun) of the name or pronoun opening a sentence, or None."""
    tokens = _DATELINE.sub("", sentence).split()[:8]
    while tokens and tokens[0].lower().strip(",") in _LEADING and tokens[0] not in ("He", "She", "They"):
        tokens = tokens[1:]
    if tokens and tokens[0].lower() in ("he", "she", "they"):
        return None, "", tokens[0].lower()
    lead: list[str] = []
    for token in tokens:
        if NAME_TOKEN.match(token.rstrip(",’'s")) or token.lower().rstrip(".") in TITLES:
            lead.append(token.rstrip(","))
            if token.endswith(","):
                break
        else:
            break
    name, prefix = _split_name(lead) if lead else (None, "")
    return (name, " ".join(filter(None, [prefix, name or ""])), None) if name else None


def _inverted_ok(before: str) -> bool:
    """Return whether ``said X`` may be inverted here: after a quote, a comma, or at the start."""
    tail = before.rstrip()
    return not tail or tail[-1] in ",”\"’:" or tail.endswith(("” ", '" '))


def _subject_before(before: str, cue: str, position: int) -> Attribution | None:
    """Find the speaker written before the cue verb: ``X said``, ``X, the Y of Z, said``."""
    before = _strip_settings(before.rstrip())
    words = before.rstrip().split()
    while words and words[-1].lower() in _AUX:
        words.pop()
    if not words:
        return None
    head = " ".join(words)
    appositive = ""
    if head.endswith(","):  # "X, the minister of Y, said"
        parts = head[:-1].rsplit(",", 1)
        if len(parts) == 2 and 1 <= len(parts[1].split()) <= MAX_APPOSITIVE_WORDS and _appositive_ok(parts[1]):
            head, appositive = parts[0], parts[1].strip()
        else:
            return None
    anonymous = _ANONYMOUS_SUBJECT.search(head)
    if anonymous:  # "Officials who asked not to be named said": the relative clause belongs to the speaker
        speaker = anonymous.group(1).strip()
        return Attribution(speaker, cue, " ".join(filter(None, [speaker, appositive])), position)
    segment = _last_segment(head)
    place = _PLACE_SUFFIX.search(segment)
    if place and place.start() > 0:  # "Representative Darrell Issa of California": the place joins the role
        appositive = f"{place.group(0).strip()} {appositive}".strip()
        segment = segment[:place.start()]
    tokens = segment.split()
    if not tokens or len(tokens) > MAX_SPEAKER_WORDS:
        return None
    last = tokens[-1].lower()
    if len(tokens) == 1 and last in PRONOUNS:
        return Attribution(None, cue, appositive, position, pronoun=last)
    speaker, prefix = _split_name(tokens)
    if speaker:
        return Attribution(speaker, cue, " ".join(filter(None, [prefix, speaker, appositive])), position)
    common = _common_speaker(tokens)
    if common:
        return Attribution(common, cue, " ".join(filter(None, [common, appositive])), position)
    return None


_PLACE_SUFFIX = re.compile(r"\s+(?:of|from)\s+(?:the\s+)?[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*)*$")


# A group speaker with an unpunctuated relative clause of anonymity before the cue.
_ANONYMOUS_SUBJECT = re.compile(
    r"(?:^|[,;:“”\"]\s*|\bthat\s+)((?:[\w’'\-]+\s+){0,3}?(?:officials?|sources?|people|persons?|aides?|diplomats?)"
    r"\s+(?:who|familiar|close|briefed|with knowledge)\b[^,;“”\"]{0,80}?)\s*$", re.I)


def _appositive_ok(text: str) -> bool:
    """Return whether ``text`` reads as an appositive ('the minister of X', 'who asked not to be named')."""
    words = text.lower().split()
    if words[0] in ("who", "which"):
        return True
    return words[0] not in ("but", "and", "or", "so", "yet", "he", "she", "they", "it", "we", "i") and not any(
        w in _CLAUSE_WORDS or w.endswith("n't") for w in words)


def _last_segment(text: str) -> str:
    """Return the text after the last clause boundary (comma, quote, 'that', 'and' ...)."""
    last = 0
    for match in _BOUNDARY.finditer(text):
        last = match.end()
    return text[last:].strip()


def _split_name(tokens: list[str]) -> tuple[str | None, str]:
    """Split trailing capitalised name tokens from a role prefix: 'Foreign Ministry spokesman Wang Wenbin'."""
    i = len(tokens)
    while i > 0 and NAME_TOKEN.match(tokens[i - 1].rstrip("’'s").rstrip(",")):
        i -= 1
    name_tokens = tokens[i:]
    while name_tokens and (name_tokens[0].lower().rstrip(".") in _LEADING
                           or name_tokens[0].lower() in TITLES or name_tokens[0].lower().rstrip(".") in TITLES):
        name_tokens = name_tokens[1:]
    titled_at = [k for k, t in enumerate(name_tokens) if t.lower().rstrip(".") in TITLES or t.lower() in TITLES]
    if titled_at and titled_at[-1] < len(name_tokens) - 1:  # "White House Press Secretary Josh Earnest"
        name_tokens = name_tokens[titled_at[-1] + 1:]
    if not name_tokens or name_tokens[-1][0].islower():
        return None, ""
    name = " ".join(name_tokens)
    if name.lower() in SPEAKER_HEADS or name.lower() in PRONOUNS:
        return None, ""
    prefix = " ".join(tokens[: len(tokens) - len(name_tokens)])
    if prefix and i > 0 and not _prefix_is_role(tokens[:i]):
        # a lowercase clause before the name ("the bill that Smith said"): keep the name, drop the clause
        prefix = " ".join(t for t in tokens[i:len(tokens) - len(name_tokens)])
    return name, prefix


def _prefix_is_role(tokens: list[str]) -> bool:
    return any(t.lower().strip(",.") in SPEAKER_HEADS or t.lower().strip(",.") in TITLES for t in tokens)


# Finite verbs and auxiliaries: their presence makes a candidate a clause ("people are out sick").
_CLAUSE_WORDS = frozenset("is are was were will would can could may might must should shall did do does not "
                          "won't isn't aren't wasn't".split())


def _common_speaker(tokens: list[str]) -> str | None:
    """Return a common-noun speaker ('a senior official', 'people familiar with the talks') or None."""
    while tokens and tokens[0].lower() in _LEADING - _DETERMINERS:
        tokens = tokens[1:]
    if not tokens:
        return None
    lowered = [t.lower().strip(",.’'") for t in tokens]
    if any(t in _CLAUSE_WORDS or t.endswith("n't") for t in lowered):  # a clause, not a noun phrase
        return None
    if any(t in SPEAKER_HEADS or t.rstrip("s") in SPEAKER_HEADS for t in lowered):
        if lowered[0] in _DETERMINERS or lowered[0] in SPEAKER_HEADS or tokens[0][0].isupper():
            return " ".join(tokens)
    return None


# Where a speaker phrase after a cue ends: a sentence end (not after "Sen." or an initial), a bracket,
# or a conjunction or preposition starting a new clause.
_PHRASE_END = re.compile(r"(?<!\b[A-Z])(?<!Mr|Ms|Dr|Jr|Sr|St|Lt)(?<!Sen|Rep|Gov|Gen|Col|Mrs|Sgt|Adm)[.;:!?”\"]\s"
                         r"|[.;:!?”\"]$|\s\(|\s(?:that|who|when|because|and|but|which|on|in|after)\s")


def _speaker_after(sentence: str, start: int) -> tuple[str | None, str]:
    """Read ``said X, the Y of Z`` / ``according to X``: the speaker and the whole phrase as role."""
    rest = sentence[start:]
    rest = re.sub(r"^\s*(?:on \w+day|in a statement|in an interview|on Twitter|to reporters)\b", "", rest)
    rest = rest.lstrip(" ,")
    phrase = _PHRASE_END.split(rest, maxsplit=1)[0]
    parts = [p.strip() for p in phrase.split(",")]
    head = parts[0]
    tokens = head.split()
    if not tokens or len(tokens) > MAX_SPEAKER_WORDS:
        return None, ""
    if tokens[0].lower() in PRONOUNS and len(tokens) == 1:
        return tokens[0], ""
    role = " ".join(p for p in parts[:2] if p)
    # "according to X of Y" / "said X, the Y of Z": prefer the name when one leads the phrase
    lead = []
    for token in tokens:
        if NAME_TOKEN.match(token.rstrip("’'s")) and token.lower().rstrip(".") not in _LEADING:
            lead.append(token)
        else:
            break
    if lead:
        name, _ = _split_name(lead)
        if name and not _common_speaker(lead):
            return name, role
    common = _common_speaker(tokens)
    if common:
        return common, role
    if tokens[0][0].isupper():
        return head, role
    return None, ""


# --------------------------------------------------------------------------- one article
@lru_cache(maxsize=4)
def _spans(text: str) -> list[tuple[int, int]]:
    return sentences.split_spans(text)


def article_quotes(text: str) -> list[Quote]:
    """Return one :class:`Quote` per quoted sentence of ``text`` (speakers not yet normalised).

    >>> [(q.kind, q.attribution.speaker) for q in article_quotes('"It is over," she said. Smith told CNN it was.')]
    [('direct', None), ('indirect', 'Smith')]
    """
    spans = _spans(text)
    regions = quote_regions(text)
    masked = _mask(text, regions)
    per_sentence = [find_attributions(masked[s:e], s) for s, e in spans]
    quotes: list[Quote] = []
    quoted: set[int] = set()
    for r_start, r_end in regions:
        members = [i for i, (s, e) in enumerate(spans) if s < r_end and e > r_start]
        if not members:
            continue
        candidates = [a for i in members for a in per_sentence[i]]
        attribution = min(candidates, key=lambda a: _distance(a.position, r_start, r_end), default=None)
        if attribution is None:
            attribution = _subject_of_sentence(masked, spans[members[0]], r_start)
        if attribution is None:
            attribution = _inherit(quotes, members[0], masked[spans[members[0]][0]:r_start])
        for i in members:
            if i in quoted:
                continue
            quoted.add(i)
            s, e = spans[i]
            quotes.append(Quote(i, max(s, r_start), min(e, r_end), "direct", attribution))
    for i, attributions in enumerate(per_sentence):
        if i in quoted or not attributions:
            continue
        s, e = spans[i]
        quotes.append(Quote(i, s, e, "indirect", attributions[0]))
    quotes.sort(key=lambda q: (q.sentence_index, q.start))
    return quotes


def _distance(position: int, start: int, end: int) -> int:
    return 0 if start <= position <= end else min(abs(position - start), abs(position - end))


def _subject_of_sentence(masked: str, span: tuple[int, int], quote_start: int) -> Attribution | None:
    """Take a sentence's named subject as the speaker of a quote inside it: 'Trump called it "..."'."""
    before = masked[span[0]:quote_start]
    match = re.match(r"\s*((?:[A-Z][\w’'\-.]*\s+){1,4})(?:\w+ed|wrote|called|described|put it)\b", before)
    if not match:
        return None
    tokens = match.group(1).split()
    if len(tokens) == 1 and tokens[0].lower() in PRONOUNS:
        return Attribution(None, "subject", "", span[0], pronoun=tokens[0].lower())
    name, prefix = _split_name(tokens)
    if not name:
        return None
    return Attribution(name, "subject", " ".join(filter(None, [prefix, name])), span[0])


def _inherit(quotes: list[Quote], sentence_index: int, lead: str) -> Attribution | None:
    """Return the previous quote's attribution when this quote opens its sentence shortly after it."""
    if lead.strip() or not quotes:
        return None
    previous = quotes[-1]
    if previous.attribution is None or sentence_index - previous.sentence_index > INHERIT_SENTENCES:
        return None
    return previous.attribution


# --------------------------------------------------------------------------- normalisation
_TITLE_PREFIX = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Prof|Rev|Adm|Sgt)\.?\s+|"
                           r"(?:President|Senator|Governor|Secretary|Minister|Chancellor|Mayor|Judge|Justice|"
                           r"Professor|Ambassador|Premier|Speaker|Leader)\s+)+")


def _clean_name(name: str) -> str:
    name = _TITLE_PREFIX.sub("", name.strip(" ,.’'"))
    return re.sub(r"(?:’s|'s)$", "", name)


def normalise_speakers(text: str, quotes: list[Quote]) -> list[dict[str, Any]]:
    """Return quote rows with merged speaker names, resolved pronouns, type and country.

    >>> text = 'Robert Bauer said it was legal. "It is common," Mr. Bauer said. He added more.'
    >>> [r["speaker"] for r in normalise_speakers(text, article_quotes(text))]
    ['Robert Bauer', 'Robert Bauer', 'Robert Bauer']
    """
    titled: dict[str, str] = {}
    for match in _TITLED_NAME.finditer(text):
        titled.setdefault(_clean_name(match.group(2)).split()[-1], match.group(1))
    names = [_clean_name(q.attribution.speaker) for q in quotes
             if q.attribution and q.attribution.speaker and is_name(_clean_name(q.attribution.speaker))]
    full = {}
    for name in sorted(set(names), key=lambda n: -len(n.split())):
        if len(name.split()) > 1:
            full.setdefault(name.split()[-1], name)
    types: dict[str, tuple[str, str | None]] = {}
    rows: list[dict[str, Any]] = []
    last_named: dict[str, tuple[str, str, str | None]] = {}
    spans = _spans(text)
    for quote in quotes:
        a = quote.attribution
        speaker: str | None = None
        kind_type, country = "other", None
        if a is not None and a.speaker and a.pronoun is None:
            speaker = _clean_name(a.speaker) if is_name(_clean_name(a.speaker)) else a.speaker
            if is_name(speaker) and len(speaker.split()) == 1:
                speaker = full.get(speaker, speaker)
            sentence = text[spans[quote.sentence_index][0]:spans[quote.sentence_index][1]]
            role = a.role
            surname = speaker.split()[-1] if is_name(speaker) else ""
            if surname in titled:
                role = f"{titled[surname]} {role}"
            kind_type = speaker_type(role, speaker, sentence)
            country = country_of(role) if kind_type == "government" else None
            if speaker in types:  # the first informative mention of a speaker decides its type
                old_type, old_country = types[speaker]
                if old_type != "other":
                    kind_type, country = old_type, old_country or country
            types.setdefault(speaker, (kind_type, country))
            if kind_type != "other" and types[speaker][0] == "other":
                types[speaker] = (kind_type, country)
            group = "person" if is_name(speaker) and kind_type not in ("company", "media") else "org"
            last_named[group] = last_named["any"] = (speaker, kind_type, country)
        elif a is not None and a.pronoun is not None:
            want = {"person": "person", "org": "org"}.get(PRONOUNS.get(a.pronoun, "any"), "any")
            if want in last_named:
                speaker, kind_type, country = last_named[want]
            elif want != "org":  # no named speaker yet: the last person who opened a sentence before this one
                speaker = _last_subject(text, spans, quote.sentence_index, full)
                if speaker is not None:
                    role = f"{titled.get(speaker.split()[-1], '')} {speaker}"
                    kind_type = speaker_type(role, speaker)
                    country = country_of(role) if kind_type == "government" else None
                    last_named["person"] = last_named["any"] = (speaker, kind_type, country)
        rows.append({"sentence_index": quote.sentence_index, "start": quote.start, "end": quote.end,
                     "speaker": speaker, "speaker_type": kind_type if speaker else None,
                     "country": country, "kind": quote.kind, "cue": a.cue if a else None})
    return rows


def _last_subject(text: str, spans: list[tuple[int, int]], index: int, full: dict[str, str]) -> str | None:
    """Return the named subject of the nearest sentence before ``index`` that opens with a name."""
    for i in range(index - 1, max(-1, index - 1 - PRONOUN_LOOKBACK), -1):
        subject = _sentence_subject(text[spans[i][0]:spans[i][1]])
        if subject and subject[0] and is_name(subject[0]):
            name = _clean_name(subject[0])
            return full.get(name, name) if len(name.split()) == 1 else name
    return None


def quote_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the tidy quote table: one row per quoted sentence of each article (QUOTE_COLUMNS).

    >>> quote_table(pd.DataFrame([{"id": "a", "title": "", "text": "Nothing to see."}])).empty
    True
    """
    rows: list[dict[str, Any]] = []
    for article_id, text in zip(articles["id"], articles["text"]):
        text = text or ""
        for row in normalise_speakers(text, article_quotes(text)):
            rows.append({"article_id": article_id, **row})
    frame = pd.DataFrame(rows, columns=list(QUOTE_COLUMNS))
    return frame.astype({"sentence_index": "int64", "start": "int64", "end": "int64"}) if not frame.empty else frame


@register
@dataclass(frozen=True)
class QuoteScorer(Scorer):
    """Who is quoted (rules over quotation marks and attribution cues).

    **quote_share** is the share of an article's sentences that carry a quote:
    direct (in quotation marks, at least three words) or indirect ("X said that
    ...", "according to X", "X told Y"). **direct_quotes** and **indirect_quotes**
    count quoted sentences of each kind. **attributed_share** is the share of
    quoted sentences whose speaker was found. **anonymous_share**,
    **government_share**, **company_share**, **expert_share** and **media_share**
    are shares of the attributed quoted sentences by speaker type, from the titles
    and appositives around the name (minister, spokesperson -> government; CEO,
    Inc. -> company; professor, analyst -> expert; newspaper or agency names ->
    media; "a source", "people familiar with" -> anonymous). **speakers** counts
    distinct speakers after merging "Mr. Bauer" with "Robert Bauer". Every quoted
    sentence is kept as evidence (value 1 direct, 0 indirect). Hand-checked on
    70 news sentences: attribution precision 0.79, recall 0.59; rules miss
    speakers introduced far from their quote and unusual cue verbs.
    """

    name: ClassVar[str] = "quotes"
    version: ClassVar[str] = "1"
    metrics: ClassVar[tuple[str, ...]] = (
        "quote_share", "direct_quotes", "indirect_quotes", "attributed_share", "speakers", "anonymous_share",
        "government_share", "company_share", "expert_share", "media_share",
    )
    default: ClassVar[bool] = True

    def score(self, articles: pd.DataFrame) -> Scores:
        rows: list[tuple[str, str, float | None]] = []
        evidence: list[tuple[str, str, str, int, int, int, float]] = []
        for article_id, text in zip(articles["id"], articles["text"]):
            text = text or ""
            count = len(_spans(text))
            quoted = normalise_speakers(text, article_quotes(text))
            sentence_ids = {q["sentence_index"] for q in quoted}
            attributed = [q for q in quoted if q["speaker"]]
            n_attr = len(attributed)

            def share(kind: str, attributed: list[dict[str, Any]] = attributed, n: int = n_attr) -> float | None:
                return sum(q["speaker_type"] == kind for q in attributed) / n if n else None

            rows += [
                (article_id, "quote_share", len(sentence_ids) / count if count else None),
                (article_id, "direct_quotes", float(sum(q["kind"] == "direct" for q in quoted))),
                (article_id, "indirect_quotes", float(sum(q["kind"] == "indirect" for q in quoted))),
                (article_id, "attributed_share", n_attr / len(quoted) if quoted else None),
                (article_id, "speakers", float(len({q["speaker"] for q in attributed}))),
                (article_id, "anonymous_share", share("anonymous")),
                (article_id, "government_share", share("government")),
                (article_id, "company_share", share("company")),
                (article_id, "expert_share", share("expert")),
                (article_id, "media_share", share("media")),
            ]
            for q in quoted:
                start, end = int(q["start"]), int(q["end"])
                if end > start:
                    evidence.append((article_id, "quote_share", PART_TEXT, int(q["sentence_index"]),
                                     start, end, 1.0 if q["kind"] == "direct" else 0.0))
                    if q["speaker_type"] == "anonymous":
                        evidence.append((article_id, "anonymous_share", PART_TEXT,
                                         int(q["sentence_index"]), start, end, 1.0))
        return Scores(
            articles=pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
            evidence=pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS)),
        )
