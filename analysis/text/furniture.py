"""Page furniture in stored article text: bylines, photo credits, captions, datelines, boilerplate.

Extraction keeps some of the page around the story: "Credit...Keith Bradsher/The New York Times",
"hide caption", "(Image: Bloomberg)", "By GEIR MOULSON and KIRSTEN GRIESHABER", "Jan 7, 2025 -
21:00". Such sentences are not coverage: terms, names, speakers and themes leave them out, and
the reporters a byline or a credit names are not the story's people.

>>> is_furniture("Credit...Keith Bradsher/The New York Times")
True
>>> is_furniture("China controls about 90% of rare earth refining.")
False
>>> sorted(byline_names("By Chad Terhune and Jorge Garcia LOS ANGELES (Reuters) - Firefighters braced."))
['Chad Terhune', 'Jorge Garcia']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_TITLE_WORD = r"[A-Z][a-z'’\-]*[a-z][a-zA-Z'’\-]*"
_NAME = (rf"(?:{_TITLE_WORD}(?:\s+[A-Z]\.)?(?:\s+{_TITLE_WORD}){{1,2}}"
         r"|[A-Z][A-Z'’\-]+\s+[A-Z][A-Z'’\-]+)(?![a-z])")
# "By Chad Terhune and Jorge Garcia", "By GEIR MOULSON, KIRSTEN GRIESHABER", "Jeanine Santucci, Karissa Waddick".
_BYLINE = re.compile(rf"(?:^|\n|\s)By\s+({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)")
_CREDIT_NAME = re.compile(
    rf"(?:Credit\W*|Photo(?:graph)?:\s*|Image:\s*|[Pp]hoto by\s+|\(|/\s*|^|\.\s+)({_NAME})\s*/\s*[A-Z]")
# A credit opening the text after a caption: "Jim Vondruska / Getty Images Updated July 7, 2025 ...".
_CREDIT_HEAD = re.compile(rf"{_NAME}\s*/\s*[A-Z]")
# A piece of a credit split over lines ("Jim Vondruska", "/", "Getty Images"), and the words that make it one.
_CREDIT_PIECE = re.compile(r"^(?:/|[A-Z][\w.'’\-]*(?:\s+[A-Z/][\w.'’\-]*)*)$")
_CREDIT_WORDS = re.compile(r"(?i)\b(?:getty|reuters|afp|ap|epa|photo|images|pool|shutterstock|bloomberg)\b")
# A credit closing a caption: "... Patricia Lim/KUT", "(Photo by Patrick T. Fallon / AFP)".
_CREDIT_TAIL = re.compile(rf"{_NAME}\s*/\s*[A-Z][\w&.’' ]{{1,40}}\)?\s*$")
# A sentence that is a caption, a credit or a page prompt, wherever it stands.
_FURNITURE = re.compile(
    r"(?i)(?:^\s*credit\b|\bcredit\.\.\.|hide caption|toggle caption|\bcaption\b|\(image:|\(photo:|\bphoto:|"
    r"\bimage:|\(ap photo|ap photo/|/\s*afp\)|\bafp via getty\b|getty images|\bfile photo\b|\bphoto by\b|"
    r"\(reuters\)\s*$|click here|read more|sign up|subscribe|newsletter|all rights reserved|copyright|©|"
    r"follow us|download the app|advertisement|editor's note|editor’s note|this story has been|"
    r"^\s*updated\b|^\s*published\b|^\s*posted\b|^\s*last updated\b|what we covered here|share this|"
    r"^\s*watch:|^\s*related:|^\s*listen to|^\s*source:)")
# A photo caption: "..., Friday, July 4, 2025, in Kerrville, Texas." / "... on January 11, 2025. (Photo by"
_CAPTION = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+\w+\.?\s+\d{1,2},\s+\d{4},\s+in\s+[A-Z]"
                      # ... or one ending in a full date: "..., in Moscow, Russia, June 15, 2020."
                      r"|,\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},\s+\d{4}\.?\s*$")
# A sentence opening with a byline ("By GEIR MOULSON ...").
_BYLINE_START = re.compile(rf"^\s*By\s+{_NAME}")
# A dateline or time stamp on its own: "Jan 7, 2025 - 21:00", "April 6, 2025 08:48 am".
_STAMP = re.compile(
    r"(?i)^\W*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?(?:\w{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w{3,9}\s+\d{4})"
    r"(?:\s*(?:-|at|,)?\s*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*\w{0,4})?\W*$")
# Interview transcripts: a speaker's turn opens the paragraph ("BLITZER: ...", "Q:").
_TURN = re.compile(r"(?m)^(?:[A-Z][A-Z .'\-]{1,30}|Q|A):\s")
MIN_TURNS = 3  # this many speaker turns make an article a transcript
CREDIT_LINE_WORDS = 8  # a credit line on its own ("Patricia Lim/KUT") is at most this long
CREDIT_PIECES, CREDIT_PIECE_WORDS = 3, 4  # a credit split over lines: up to 3 pieces of up to 4 words


def is_furniture(sentence: str) -> bool:
    """Return True for a caption, credit, byline, time stamp or page prompt (not a sentence of the story)."""
    text = sentence.strip()
    return bool(_FURNITURE.search(text) or _BYLINE_START.match(text) or _STAMP.match(text)
                or _CREDIT_TAIL.search(text) or _CAPTION.search(text))


def furniture_flags(sentences: Sequence[str]) -> list[bool]:
    """Return, per sentence of one article in order, whether it is furniture: itself, or a caption (the
    sentence right before a short credit line such as "Jim Vondruska / Getty Images").

    >>> furniture_flags(["Crews dig at the camp on Sunday.", "Jim Vondruska / Getty Images", "Rain fell."])
    [True, True, False]
    >>> furniture_flags(["Crews dig on Sunday.", "Jim Vondruska / Getty Images Updated July 7, 2025 at 12:44 PM EDT"])
    [True, True]
    >>> furniture_flags(["Crews dig on Sunday.", "Jim Vondruska", "/", "Getty Images", "Rain fell on the town."])
    [True, True, True, True, False]
    """
    flags = [is_furniture(s) for s in sentences]
    for i in range(len(sentences) - 1):
        following = sentences[i + 1].strip()
        if (len(following.split()) <= CREDIT_LINE_WORDS and _CREDIT_TAIL.search(following)) or (
                flags[i + 1] and _CREDIT_HEAD.match(following)):
            flags[i] = True
            continue
        # a credit split over short lines: "Jim Vondruska" / "/" / "Getty Images"
        run = []
        for j in range(i + 1, min(i + 1 + CREDIT_PIECES, len(sentences))):
            piece = sentences[j].strip()
            if len(piece.split()) > CREDIT_PIECE_WORDS or not _CREDIT_PIECE.match(piece):
                break
            run.append(j)
            if piece == "/" or (len(run) >= 2 and _CREDIT_WORDS.search(piece)):
                for k in (i, *run):
                    flags[k] = True
                break
    return flags


def byline_names(text: str) -> set[str]:
    """Return the reporters and photographers a text's bylines and credits name."""
    found: set[str] = set()
    for match in _BYLINE.finditer(text or ""):
        for name in re.split(r"\s*(?:,|\band\b|&)\s*", match.group(1)):
            name = " ".join(name.split())
            if len(name.split()) >= 2:
                found.add(name.title() if name.isupper() else name)
    for match in _CREDIT_NAME.finditer(text or ""):
        found.add(" ".join(match.group(1).split()))
    return found


def staff_names(texts: Iterable[str]) -> set[str]:
    """Return every byline or credit name of these texts, with each name's words (for "Bradsher" alone)."""
    names: set[str] = set()
    for text in texts:
        for name in byline_names(text):
            names.add(name)
            names.update(w for w in name.split() if len(w) > 2)
    return names


def is_transcript(text: str) -> bool:
    """Return True when a text reads as an interview transcript (several speaker turns)."""
    return len(_TURN.findall(text or "")) >= MIN_TURNS
