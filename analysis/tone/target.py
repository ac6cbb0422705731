"""Tone toward a target the analyst names ('China', 'Trump', 'rare earths'), sentence by sentence.

Two pure steps, so a caller can show the sentences before paying for the model:

1. :func:`target_mentions` finds every body sentence that mentions the target.
2. :func:`score_target_tone` scores the tone *toward the mention* in each of them.

How a mention is matched (decided, not configurable beyond ``aliases``):

* whole words, case-insensitive; a multi-word target matches across any run of white space
  ("rare  earths" in a text matches "rare earths");
* the plain forms of a name: ``s``, ``'s`` and ``’s`` may follow ("Trump's", "tariffs");
* an all-capitals target of up to five letters ("US", "EU", "NATO") matches case-sensitively,
  so "US" does not match the pronoun "us";
* nothing else: "China" does not match "Chinese" or "Beijing", because an adjective or a capital
  often names a people or a government rather than the target. Pass them as ``aliases`` when
  they should count: ``target_mentions(articles, "China", aliases=["Chinese", "Beijing"])``;
* a sentence that mentions the target several times gives one row, for its first mention
  (the target-aware model reads the whole sentence around it anyway).

Scorers: ``news`` (default) is the target-aware model of :mod:`analysis.tone.model` (NewsMTSC
dev macro-F1 0.73 real-world / 0.71 multi-target, ~26 ms per mention on one core); ``vader``
scores the +/-8 words around the mention (macro-F1 0.51 / 0.53, ~0.1 ms). ``tone`` is in
[-1, 1]: P(pos) - P(neg) for ``news``, VADER's compound for ``vader``.

>>> import pandas as pd
>>> articles = pd.DataFrame([{"id": "a1", "outlet": "X", "title": "T",
...     "text": "Talks stalled. Critics praised Trump's deal but mocked China. Markets rose."}])
>>> found = target_mentions(articles, "china")
>>> found[["article_id", "sentence_index", "sentence", "mention_start", "mention_end"]].values.tolist()
[['a1', 1, "Critics praised Trump's deal but mocked China.", 40, 45]]
>>> score_target_tone(found, scorer="vader")[["tone", "label"]].values.tolist()
[[-0.3506, 'neg']]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from analysis.text import sentences
from analysis.tone import sentiment
from core.errors import InputError, UnknownNameError

MENTION_COLUMNS = ("article_id", "outlet", "sentence_index", "start", "end", "sentence",
                   "mention", "mention_start", "mention_end")
TARGET_SCORERS = ("news", "vader")
# Up to this many capitals is read as an acronym and matched case-sensitively ("US", "NATO").
ACRONYM_MAX = 5


def target_pattern(target: str, aliases: Sequence[str] = ()) -> re.Pattern[str]:
    """Return the regular expression that finds ``target`` (and ``aliases``) as whole words.

    >>> bool(target_pattern("rare earth").search("Rare  earths prices"))
    True
    >>> [bool(target_pattern("US").search(t)) for t in ("the US said", "told us")]
    [True, False]
    """
    terms = [t.strip() for t in (target, *aliases) if t and t.strip()]
    if not terms:
        raise InputError("the target is empty: name an entity or a term")
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):  # longest first: "rare earths" before "rare"
        body = r"\s+".join(re.escape(word) for word in term.split())
        body = rf"(?<!\w){body}(?:s|['’]s)?(?!\w)"
        is_acronym = term.isupper() and term.isalpha() and len(term) <= ACRONYM_MAX
        parts.append(body if is_acronym else f"(?i:{body})")
    return re.compile("|".join(parts))


def target_mentions(articles: pd.DataFrame, target: str, *, aliases: Sequence[str] = (),
                    keep: Sequence[str] = ()) -> pd.DataFrame:
    """Return one row per body sentence that mentions ``target`` (see the module doc for the rules).

    ``articles`` needs ``id`` and ``text`` (``outlet`` is copied when present); ``keep`` names
    further article columns to copy onto each row (``title``, ``url`` ...). ``start``/``end``
    locate the sentence in the article's text; ``mention_start``/``mention_end`` locate the
    mention inside ``sentence``.
    """
    pattern = target_pattern(target, aliases)
    missing = [c for c in ("id", "text", *keep) if c not in articles.columns]
    if missing:
        raise InputError(f"articles lack column(s) {missing}")
    outlets = articles["outlet"] if "outlet" in articles.columns else pd.Series([None] * len(articles))
    extra = [articles[c].tolist() for c in keep]
    rows = []
    for k, (article_id, outlet, text) in enumerate(zip(articles["id"], outlets, articles["text"])):
        text = text if isinstance(text, str) else ""  # None or NaN: no text
        if not pattern.search(text):  # most articles: skip the sentence split
            continue
        for index, (start, end) in enumerate(sentences.split_spans(text)):
            sentence = text[start:end]
            match = pattern.search(sentence)
            if match:
                rows.append((article_id, outlet, index, start, end, sentence, match.group(0),
                             match.start(), match.end(), *(column[k] for column in extra)))
    return pd.DataFrame(rows, columns=[*MENTION_COLUMNS, *keep])


def score_target_tone(mentions: pd.DataFrame, scorer: str = "news") -> pd.DataFrame:
    """Return ``mentions`` with ``tone`` (in [-1, 1]) and ``label`` (neg/neu/pos) toward each mention.

    ``mentions`` is :func:`target_mentions`' frame (``sentence``, ``mention_start``,
    ``mention_end`` are used). An unknown scorer raises UnknownNameError listing the valid ones.
    """
    if scorer not in TARGET_SCORERS:
        raise UnknownNameError("target tone scorer", scorer, list(TARGET_SCORERS))
    out = mentions.copy()
    records = [{"id": k, "text": text, "target": {"start": int(s), "end": int(e)}}
               for k, (text, s, e) in enumerate(zip(out["sentence"], out["mention_start"], out["mention_end"]))]
    scored = list(sentiment.score_records(records, scorer))
    out["tone"] = pd.Series([r["score"] for r in scored], index=out.index, dtype="float64")
    out["label"] = pd.Series([r["label"] for r in scored], index=out.index, dtype="object")
    return out
