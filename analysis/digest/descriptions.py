"""Who is who, in the coverage's own words: appositives and titles around a name.

No knowledge base and nothing fetched: a name's description is the one its articles give,
in one of two forms, both read from a single sentence:

1. An appositive after the name: "Li Chenggang, China's vice commerce minister, said ...".
   It must open with a determiner or a possessive ("the", "a", "China's") or hold a role word
   (minister, coach, spokesman ...), and read as a noun phrase, not a clause.
2. A title before the name: "Russian President Vladimir Putin", "NATO spokesperson Oana
   Lungescu": capitalised or role words, ending in a role word, right before the name.

The description most outlets use wins (then the longer one, then alphabetical); it is cited
with its sentence. Names are the story's salient proper-noun phrases
(:func:`story_entities`), with "Putin" merged into "Vladimir Putin".

>>> found = find_descriptions("Li Chenggang, China's vice commerce minister, met them.", "Li Chenggang")
>>> [(d.text, d.form) for d in found]
[("China's vice commerce minister", 'appositive')]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.emphasis import LEDE_SENTENCES, STOPWORDS, WEIGHT_BODY, WEIGHT_LEDE, rule_entities
from analysis.text import sentences
from analysis.text.speakers import MEDIA_NAMES

# An appositive longer than this is a clause (basil's longest real ones run ~15 words).
MAX_DESCRIPTION_WORDS = 14
# "Putin" merges into "Vladimir Putin" unless the short form is more than this many times as common.
MERGE_RATIO = 4
# A title before a name has at most this many words ("Spain's football federation president").
MAX_TITLE_WORDS = 5

ROLE_WORDS = frozenset(
    """president minister secretary spokesman spokeswoman spokesperson chief head leader director chairman
    chairwoman chair ceo founder coach manager player striker midfielder defender goalkeeper captain official
    ambassador envoy governor senator representative lawmaker congressman congresswoman mayor premier chancellor
    king queen prince princess general commander colonel professor analyst economist editor journalist reporter
    correspondent lawyer attorney judge justice prosecutor member adviser advisor aide negotiator deputy executive
    officer researcher scientist expert owner candidate nominee speaker dealer spy agent diplomat commissioner
    boss star champion winner citizen national resident pilot dissident activist businessman businesswoman
    billionaire tycoon general-secretary secretary-general czar chairperson administrator host anchor author
    epidemiologist virologist doctor physician strategist investor banker trader consultant founder""".split()
)
_DETERMINER = re.compile(r"^(?:the|a|an|former|then|longtime|veteran|acting|interim)\b|^[A-Z][\w’'\-.]*[’']s\b")
_CLAUSE_WORDS = frozenset(
    """is are was were be been being has have had will would can could may might must should shall did do does
    not said says told who which that and or but he she they it we i if when while because""".split()
)
_WORDS = re.compile(r"[\w’'\-.]+")
_STOP_BEFORE = frozenset(
    "the a an and or by with to from for on in at that as said says told when while after before".split())


@dataclass(frozen=True)
class Description:
    """One description of a name found in a sentence; ``text == sentence[start:end]``."""

    text: str
    form: str  # "appositive" or "title"
    start: int
    end: int


def _is_role(word: str) -> bool:
    return word.lower().strip(".,’'").replace("’", "'").removesuffix("'s") in ROLE_WORDS


def _appositive(sentence: str, name_end: int) -> Description | None:
    match = re.match(r",\s+([^,;:()\"“”—–]+?)(,|;|\.\s|\.$|\)|—|–|\s-\s|$)", sentence[name_end:])
    if not match:
        return None
    text = match.group(1).strip()
    enclosed = match.group(2) in (",", ")", "—", "–") or match.group(2).strip() == "-"
    if not enclosed and not re.match(r"(?:a|an)\s", text):  # "X, the federation announced." is a clause
        return None
    if re.match(r"[a-z][\w\-]*\s+[A-Z]", text) and _is_role(text.split()[0]):  # "researcher Yu Bing": a new name
        return None
    words = _WORDS.findall(text)
    if not words or len(words) > MAX_DESCRIPTION_WORDS or text[-1:] in "'’" or words[0].lower() in _STOP_BEFORE - {
            "the", "a", "an"}:
        return None
    lowered = [w.lower().strip(".") for w in words]
    if any(w in _CLAUSE_WORDS or w.endswith("n't") for w in lowered):
        return None
    if not any(w.islower() for w in words):  # "Paris, France": a place list, not a description
        return None
    if not (_DETERMINER.match(text) or any(_is_role(w) for w in words)):
        return None
    start = name_end + match.start(1)
    return Description(text, "appositive", start, start + len(text))


def _title_before(sentence: str, name_start: int) -> Description | None:
    before = sentence[:name_start]
    if not before.endswith(" "):
        return None
    tokens = list(re.finditer(r"\S+", before))
    kept: list[re.Match[str]] = []
    for token in reversed(tokens):
        word = token.group(0)
        if len(kept) >= MAX_TITLE_WORDS or word[-1] in ",;:.\"“”()" or word.lower() in _STOP_BEFORE:
            break
        if not (word[0].isupper() or _is_role(word) or word.islower()):
            break
        if word.islower() and not _is_role(word) and re.search(r"(?:ed|ing|ly)$", word):
            break  # a verb or adverb ("sacked coach"): the title starts after it
        kept.append(token)
    kept.reverse()
    if not kept or not _is_role(kept[-1].group(0)):  # a title ends in its role word, right before the name
        return None
    while len(kept) > 1 and kept[0].group(0).islower() and not _is_role(kept[0].group(0)) \
            and kept[0].group(0) not in ("former", "acting", "interim", "deputy", "vice"):
        kept = kept[1:]  # a verb before the title ("met Russian President ...")
    start, end = kept[0].start(), kept[-1].end()
    text = sentence[start:end]
    return Description(text, "title", start, end)


def find_descriptions(sentence: str, name: str) -> list[Description]:
    """Return the descriptions of ``name`` (or its last word, for people) in one sentence."""
    found: list[Description] = []
    forms = [name] + ([name.split()[-1]] if len(name.split()) > 1 else [])
    seen: set[tuple[int, int]] = set()
    for form in forms:
        for match in re.finditer(rf"(?<![\w’'\-]){re.escape(form)}(?![\w\-])", sentence):
            after = re.match(r"\s+([\w\-]+)", sentence[match.end():])
            modifier = bool(after and _is_role(after.group(1)))  # "China economist": the name is not the person
            title = _title_before(sentence, match.start()) if len(forms) > 1 and not modifier else None
            for description in (_appositive(sentence, match.end()), title):
                if description and (description.start, description.end) not in seen:
                    seen.add((description.start, description.end))
                    found.append(description)
    return found


def merge_names(names: Sequence[str], lower: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Map each name to the story's fullest form of it: 'Putin' -> 'Vladimir Putin' (most common wins).

    >>> merge_names(["Putin", "Vladimir Putin", "Vladimir Putin", "Russia"])
    {'Putin': 'Vladimir Putin', 'Russia': 'Russia', 'Vladimir Putin': 'Vladimir Putin'}
    """
    counts = Counter(names)
    full: dict[str, str] = {}
    ranked = sorted(counts, key=lambda n: (-counts[n], -len(n.split()), n))
    for position in (-1, 0):  # "Putin" -> "Vladimir Putin"; then "Xi" -> "Xi Jinping"
        for name in ranked:
            if len(name.split()) > 1:
                full.setdefault(name.split()[position], name)
    # A short form far more common than the long one is its own name ("China", not "Mainland China"),
    # unless the long form's other words are never written in lower case ("Vinnik" -> "Alexander Vinnik").
    def merged(name: str) -> str:
        if len(name.split()) != 1 or name not in full:
            return name
        others = [w.lower() for w in full[name].split() if w != name]
        name_like = not any(w in lower or _verb_form(w.capitalize(), lower) for w in others)
        if counts[full[name]] * MERGE_RATIO >= counts[name] or (lower and name_like):
            return full[name]
        return name

    return {name: merged(name) for name in sorted(counts)}


_DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ians|ean|eans|ese|ish|i)|German|Germans|French|Dutch|Greek|Greeks|Thai|"
                      r"Swiss|Welsh|Czech|Turk|Turks|Arab|Arabs)$")
_PARTICLE_NAME = re.compile(r"\b[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?"
                            r"(?:\s+(?:de|la|del|da|di|van|von|der|den|le|dos|das)){1,2}"
                            r"\s+[A-Z][\w’'\-]+")
# Capitalised sentence openers that are not part of a name ("Despite Trump", "Amid China").
_OPENERS = STOPWORDS | frozenset("despite amid during under over about against without within among following "
                                 "unlike like meanwhile however although though yet also".split())
# Capitalised adjectives (and month abbreviations) that are no name on their own.
_ADJECTIVES = frozenset("democratic republican federal national international western eastern northern southern "
                        "conservative liberal progressive jan feb mar apr jun jul aug sep sept oct nov dec".split())
_TITLE_MODIFIERS = frozenset("prime vice foreign deputy former acting defence defense finance trade commerce health "
                             "interior economy state first".split())
_LOWER_JOINERS = frozenset("of the de da del di du van von der den la le al bin".split())


def clean_entity(name: str) -> str | None:
    """Return a proper-noun phrase cut to a name, or None for headline fragments and demonyms.

    >>> [clean_entity(n) for n in ["Russian President Vladimir Putin", "UKRAINE URGES UNSC", "Russians", "NATO"]]
    ['Vladimir Putin', None, None, 'NATO']
    """
    words = name.split()
    def titled(k: int) -> bool:  # a role word, or a modifier leading to one ("Prime Minister")
        while k < len(words) - 1 and words[k].lower() in _TITLE_MODIFIERS:
            k += 1
        return _is_role(words[k])

    while words and (_is_role(words[0]) or words[0].lower() in _STOP_BEFORE or words[0].lower() in _OPENERS
                     or (len(words) > 1 and (words[0].lower() in _TITLE_MODIFIERS or _DEMONYM.match(words[0]))
                         and titled(1))):
        words = words[1:]
    if not words or len(words) > 4:
        return None
    if any(len(w) > 5 and w.isupper() for w in words):  # a headline in capitals, not a name
        return None
    if any(w[0].islower() and w not in _LOWER_JOINERS for w in words):
        return None
    if len(words) == 1 and (_DEMONYM.match(words[0]) or words[0].lower() in _ADJECTIVES):
        return None
    return " ".join(words)


def _verb_form(word: str, lower: set[str] | frozenset[str]) -> bool:
    """Whether a capitalised word is a verb form the story also writes in lower case ('Relaxing': 'relaxed')."""
    match = re.fullmatch(r"([A-Za-z]{3,}?)e?(?:ing|ed|ly)", word)
    return bool(match) and (word.lower() in lower or any(w.startswith(match.group(1).lower()) and len(w) > 3
                                                         for w in lower))


def _common_words_off(name: str, lower: set[str]) -> str | None:
    """Drop a leading verb form ('Relaxing COVID') or a lone common word ('Tactical') the story also writes
    in lower case."""
    words = name.split()
    while len(words) > 1 and _verb_form(words[0], lower):
        words = words[1:]
    if len(words) == 1 and words[0].lower() in lower:
        return None
    return " ".join(words)


def story_entities(articles: pd.DataFrame, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Return one row per (entity, article): the story-level name, outlet, mentions and salience.

    Names are found sentence by sentence in the body (a proper-noun run never crosses a full stop;
    headlines are left out, their title case makes every word look like a name), weighted like
    :func:`analysis.emphasis.article_entities` (first two sentences 2, the rest 1). A single word
    seen only as a sentence's first word ("Tactical") is not a name.
    Media names (agencies, newspapers) and the story's own outlets are left out: they are
    sources, not topics.
    """
    columns = ["entity", "article_id", "outlet", "mentions", "salience"]
    rows: list[tuple[str, str, str, float]] = []
    inside: set[str] = set()  # names seen inside a sentence, not only as its capitalised first word
    for article_id, outlet, text in zip(articles["id"], articles["outlet"], articles["text"]):
        text = text or ""
        parts = [(text[s:e], WEIGHT_LEDE if i < LEDE_SENTENCES else WEIGHT_BODY)
                 for i, (s, e) in enumerate(sentences.split_spans(text))]
        for part, weight in parts:
            for match in _PARTICLE_NAME.finditer(part):  # "Luis de la Fuente": rule_entities stops at "la"
                name = clean_entity(match.group(0))
                if name:
                    rows.append((name, str(article_id), str(outlet), weight))
                    inside.add(name)
            part = _PARTICLE_NAME.sub(lambda m: " " * len(m.group(0)), part)
            for begin, _, found in rule_entities(part):
                if begin == 0 and len(found.split()) > 1 and re.search(r"(?:ing|ed|ly)$", found.split()[0]):
                    found = found.split(" ", 1)[1]  # "Relaxing COVID rules": a verb opening the sentence
                name = clean_entity(found)
                if name:
                    rows.append((name, str(article_id), str(outlet), weight))
                    if begin > 0 or len(name.split()) > 1:
                        inside.add(name)
    if not rows:
        return pd.DataFrame(columns=columns)
    lower = set(re.findall(r"(?<![\w’'\-])[a-z][a-z\-]+", "\n".join(t or "" for t in articles["text"])))
    names = {name: _common_words_off(name, lower) for name in set(n for n, *_ in rows)}
    casing = Counter(n for n, *_ in rows)
    spelling = {}
    for name in sorted(casing, key=lambda n: (-casing[n], n)):  # "Nato" -> "NATO" when NATO is more common
        spelling.setdefault(name.lower(), name)
    rows = [(spelling[n.lower()], *rest) for n, *rest in rows]
    inside = {spelling[n.lower()] for n in inside}
    table = pd.DataFrame(rows, columns=["entity", "article_id", "outlet", "salience"])
    table = table[table["entity"].isin(inside)]
    if table.empty:  # every capitalised word started a sentence: no names
        return pd.DataFrame(columns=columns)
    table = table.assign(entity=table["entity"].map(names)).dropna(subset=["entity"])
    mapping = merge_names(list(table["entity"].dropna()), lower)
    skip = {e.lower() for e in exclude} | {str(o).lower() for o in articles["outlet"].dropna()}
    table = table.assign(entity=table["entity"].map(mapping), mentions=1)
    table = table[~table["entity"].str.lower().isin(skip)]
    table = table[~table["entity"].map(lambda e: bool(MEDIA_NAMES.fullmatch(e)))]
    if table.empty:
        return pd.DataFrame(columns=columns)
    table = (table.groupby(["entity", "article_id", "outlet"], sort=True)
             .agg(mentions=("mentions", "sum"), salience=("salience", "sum")).reset_index())
    return table[columns]


def key_entities(entities: pd.DataFrame, *, top: int = 8, must: Sequence[str] = (),
                 max_single: int | None = None) -> list[str]:
    """Return the story's key entities: most outlets, then most salience, then name; ``must`` first.

    ``max_single`` caps one-word names (mostly places: "Spain", "Europe"), leaving room for people
    and organisations.
    """
    if entities.empty:
        return list(dict.fromkeys(must))
    per = (entities.groupby("entity", sort=True)
           .agg(outlets=("outlet", "nunique"), salience=("salience", "sum")).reset_index())
    per = per.sort_values(["outlets", "salience", "entity"], ascending=[False, False, True], kind="mergesort")
    names = list(dict.fromkeys([*must, *per["entity"]]))
    if max_single is not None:
        singles = [n for n in names if len(n.split()) == 1 and n not in must][max_single:]
        names = [n for n in names if n not in set(singles)]
    return names[:max(top, len(must))]


@dataclass(frozen=True)
class Described:
    """The chosen description of a name, with the sentence it comes from and how many outlets use it."""

    name: str
    description: Description
    article_id: str
    sentence_start: int  # offsets of the sentence in the article text
    sentence_end: int
    outlets: int


def describe(name: str, sentences: pd.DataFrame) -> Described | None:
    """Return the description most outlets give ``name`` in ``sentences``.

    ``sentences`` has columns article_id, outlet, start, end, sentence (the digest's sentence table).

    >>> rows = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "start": [0, 0], "end": [40, 40],
    ...     "sentence": ["Russian President Vladimir Putin spoke.", "Putin, the Russian leader, spoke."]})
    >>> describe("Vladimir Putin", rows).description.text
    'the Russian leader'
    """
    pattern = re.compile(rf"(?<![\w’'\-]){re.escape(name.split()[-1])}(?![\w\-])")
    by_text: dict[str, set[str]] = defaultdict(set)
    first: dict[str, tuple[str, int, int, Description]] = {}
    ordered = sentences.sort_values(["article_id", "start"], kind="mergesort")
    for article_id, outlet, start, end, sentence in zip(ordered["article_id"], ordered["outlet"], ordered["start"],
                                                        ordered["end"], ordered["sentence"]):
        if not pattern.search(sentence):
            continue
        for description in find_descriptions(sentence, name):
            key = description.text.lower().replace("’", "'")
            by_text[key].add(str(outlet))
            first.setdefault(key, (str(article_id), int(start), int(end), description))
    if not by_text:
        return None
    best = min(by_text, key=lambda k: (-len(by_text[k]), -len(k.split()), k))
    article_id, start, end, description = first[best]
    return Described(name, description, article_id, start, end, len(by_text[best]))
