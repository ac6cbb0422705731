"""Duplicate and syndication detection: one row per article, saying which wire copy it runs.

Two stages, the second engaging only for what the first left apart:

1. **Exact**: articles with the same canonical URL, or the same body once case,
   punctuation and spacing are ignored, are one group (similarity 1.0).
2. **Near**: every body is cut into word shingles (``SHINGLE_WORDS`` words); a
   fixed, content-derived 1-in-``SAMPLE_ONE_IN`` sample of their 64-bit hashes is
   the article's fingerprint (Broder's mod-m sampling, so the same text always
   keeps the same fingerprints whatever else is in the batch). Articles sharing
   fingerprints are compared by *containment* (shared / the smaller fingerprint
   set), which stays high when an outlet trims or extends a wire copy, where
   Jaccard would fall. Pairs above ``CONTAINMENT_THRESHOLD`` are joined
   (union-find).

In each group the earliest published article is the original (same day: the
wire agency's own outlet first). Wire agencies are recognised from bylines,
datelines ("WASHINGTON (AP) —", "(Reuters) -") and sign-offs.

    groups = syndication_groups(articles_df)
    copies = groups[groups.group_size > 1]

All hashing is vectorised with numpy over batches of articles; 28k news articles
take ~15 s on two shared cores.

>>> import pandas as pd
>>> body = " ".join(f"word{i} and then some more text" for i in range(60))
>>> df = pd.DataFrame({"id": ["a", "b", "c"], "outlet": ["AP", "Daily", "Other"],
...                    "published": ["2020-01-01", "2020-01-02", "2020-01-01"],
...                    "text": ["(AP) — " + body, body + " Extra line.", "Different words entirely."]})
>>> syndication_groups(df)[["id", "group_size", "is_original", "agency"]].values.tolist()
[['a', 2, True, 'AP'], ['b', 2, False, 'AP'], ['c', 1, True, None]]
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.urls import canonical_url

log = logging.getLogger(__name__)

# Shingle length in words. 7 words is long enough that two independently written
# articles rarely share one outside quotations, short enough that a wire copy with
# light edits (a changed word every sentence or two) still shares most. On the
# allsides_abp corpus 5, 7 and 9 gave the same groups within 2 %; see the report.
SHINGLE_WORDS = 7
# Keep one shingle hash in 8 as the fingerprint: ~125 fingerprints for a median
# 800-word article, ~19 for a 150-word brief; enough for a containment estimate
# within a few points, and 8 times less pair counting than keeping all.
SAMPLE_ONE_IN = 8
# Fingerprints found in more articles than this are boilerplate (copyright lines,
# newsletter pitches) and ignored. A wire story republished by more outlets than
# this would be missed, so keep it above the outlet count of any one collection.
MAX_DOC_FREQUENCY = 100
# A fingerprint in this many articles of one outlet is that outlet's boilerplate (a standing
# paragraph, a newsletter pitch): on allsides_abp, without this rule, 48 CNN and 27 TIME
# articles chained into two groups through such paragraphs. One outlet re-running one wire
# copy (updates) rarely reaches it.
OUTLET_BOILERPLATE = 4
# Articles with fewer usable fingerprints than this (~50 words) are too short to
# compare by sample; only exact duplicates group them.
MIN_FINGERPRINTS = 6
# A pair must share this many fingerprints before containment is trusted: a shared
# quotation of one sentence yields 1-3.
MIN_SHARED = 4
# Two tiers decide a link, from containment (shared fingerprints / the smaller set, which
# stays high when an outlet trims or extends a copy) and the opening: the first
# LEAD_FINGERPRINTS sampled fingerprints (~130 words) of an article, LEAD_THRESHOLD of which
# must be found in the other.
# - CONTAINMENT_THRESHOLD with both openings shared: a copy keeps the lede, while an article
#   quoting another at length, or a follow-up reusing background, has its own opening.
# - STRONG_CONTAINMENT with one opening shared: an agency page opening with a photo caption
#   that the copy dropped (AP on allsides_abp) still matches when nearly all text is shared.
# Chosen on allsides_abp (28k articles) by hand-checking every group (see the report):
# containment alone at 0.5-0.6 linked mostly quotations and rewrites; pairs fall off smoothly
# with containment, without a valley to put a threshold in.
LEAD_FINGERPRINTS = 16
LEAD_THRESHOLD = 0.5
CONTAINMENT_THRESHOLD = 0.6
STRONG_CONTAINMENT = 0.8
# Wire copies run within days of each other; pairs with known dates further apart
# share recycled background paragraphs (allsides_abp: CNN pieces months apart), not a copy.
# Near-identical texts (IDENTICAL_CONTAINMENT, both openings shared) are grouped whatever
# their dates: a re-run is a duplicate, and corpora carry wrong dates (groundnews: an
# identical copy dated ten months early).
MAX_DAYS_APART = 3
IDENTICAL_CONTAINMENT = 0.95
# Bodies shorter than this are compared exactly (same words) as well: the sampled stage is
# unreliable below ~50 words; longer exact copies reach containment 1.0 there anyway.
SHORT_TEXT_CHARS = 2000
# Batches of about this many characters bound memory (~20 bytes per character).
BATCH_CHARS = 20_000_000

# Wire agencies: (name, patterns on the head of the text, patterns on the tail, byline words).
# The head is the dateline region; the tail the sign-off ("Reporting by ...; Editing by ...").
HEAD_CHARS = 300
TAIL_CHARS = 600
_DASH = r"\s*[—–-]{1,2}"
WIRE_AGENCIES: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None, re.Pattern[str]], ...] = (
    ("AP", re.compile(r"\((?:AP|The Associated Press)\)" + _DASH),
     re.compile(r"(?:Copyright|©)\s*(?:\d{4}\s*)?(?:by\s+)?The Associated Press", re.IGNORECASE),
     re.compile(r"^(?:the\s+)?(?:associated press|ap)$", re.IGNORECASE)),
    ("Reuters", re.compile(r"\(Reuters\)" + _DASH),
     re.compile(r"\bReporting by [^\n]{2,80}(?:Editing|editing) by\b"),
     re.compile(r"^(?:thomson\s+)?reuters$", re.IGNORECASE)),
    ("AFP", re.compile(r"\((?:AFP|Agence France-Presse)\)" + _DASH),
     re.compile(r"(?:[—–-]\s*AFP\s*$|©\s*(?:\d{4}\s*)?(?:AFP|Agence France-Presse))"),
     re.compile(r"^(?:afp|agence france-presse)$", re.IGNORECASE)),
    ("Bloomberg", re.compile(r"\(Bloomberg\)" + _DASH), None, re.compile(r"^bloomberg(?: news)?$", re.IGNORECASE)),
    ("UPI", re.compile(r"\(UPI\)" + _DASH), None, re.compile(r"^(?:upi|united press international)$", re.I)),
    ("Xinhua", re.compile(r"\(Xinhua\)" + _DASH), None, re.compile(r"^xinhua(?: news agency)?$", re.IGNORECASE)),
)
# Outlet names that are the agency itself: on a same-day tie the agency's copy is the original.
AGENCY_OUTLETS = {"AP": ("associated press", "ap "), "Reuters": ("reuters",), "AFP": ("afp", "agence france"),
                  "Bloomberg": ("bloomberg",), "UPI": ("upi", "united press"), "Xinhua": ("xinhua",)}

OUTPUT_COLUMNS = ("id", "group_id", "group_size", "n_outlets", "is_original", "similarity", "wire", "agency")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_SEPARATOR = 0


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs and their fingerprint statistics (row-aligned arrays)."""

    left: np.ndarray
    right: np.ndarray
    shared: np.ndarray
    containment: np.ndarray
    lead_both: np.ndarray  # share of each article's opening fingerprints found in the other: the smaller
    lead_either: np.ndarray  # ... the larger of the two


def _byte_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    for code in range(256):
        char = chr(code)
        if code >= 0x80 or char.isalnum():  # non-ASCII bytes stay (letters of other scripts)
            table[code] = ord(char.lower()) if code < 0x80 else code
    return table


_TABLE = _byte_table()
_RNG = np.random.default_rng(20250610)  # fixed seed: fingerprints must be stable across runs
_CHAR_WEIGHTS = _RNG.integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
_SHINGLE_WEIGHTS = _RNG.integers(1, 2**63, size=SHINGLE_WORDS, dtype=np.uint64) | np.uint64(1)


def _mix(values: np.ndarray) -> np.ndarray:
    """Scramble 64-bit values (splitmix64 finaliser) so that low and high bits are uniform."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64, copy=True)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z


def _encode(text: str) -> bytes:
    # Typographic punctuation (U+2000-U+206F: dashes, curly quotes) and no-break spaces become spaces,
    # so "“quoted”" and "\"quoted\"" give the same words.
    return _PUNCT.sub(" ", text).encode("utf-8", "replace")


_PUNCT = re.compile(r"[\u2000-\u206f\u00a0\u00ad]")


def _word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (hash of each word, index of its text) for a batch of texts."""
    encoded = [_encode(text) for text in texts]
    data = _TABLE[np.frombuffer(b"\x00".join(encoded), dtype=np.uint8)]
    is_char = data != _SEPARATOR
    if not is_char.any():
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    begins = is_char.copy()
    begins[1:] &= ~is_char[:-1]
    starts = np.flatnonzero(begins)  # byte offset of each word
    chars = data[is_char]
    begins_c = begins[is_char]  # the same flags among word characters only
    word_of_char = np.cumsum(begins_c) - 1
    start_c = np.flatnonzero(begins_c)
    offset = np.arange(len(chars)) - start_c[word_of_char]  # position of a character inside its word
    with np.errstate(over="ignore"):
        weighted = chars.astype(np.uint64) * _CHAR_WEIGHTS[offset % len(_CHAR_WEIGHTS)]
    hashes = _mix(np.add.reduceat(weighted, start_c))
    ends = np.cumsum([len(b) + 1 for b in encoded])  # text boundaries in the joined bytes
    doc = np.searchsorted(ends, starts, side="right")
    return hashes, doc


def _fingerprints(texts: Sequence[str], first_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (fingerprint, article index, rank in the article) for a batch of texts (repeats included)."""
    words, doc = _word_hashes(texts)
    span = SHINGLE_WORDS
    if len(words) < span:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    count = len(words) - span + 1
    with np.errstate(over="ignore"):
        shingle = words[:count] * _SHINGLE_WEIGHTS[0]
        for j in range(1, span):
            shingle += words[j:j + count] * _SHINGLE_WEIGHTS[j]
    shingle = _mix(shingle)
    keep = (shingle % np.uint64(SAMPLE_ONE_IN) == 0) & (doc[:count] == doc[span - 1:])
    owners = doc[:count][keep]
    first_of_doc = np.searchsorted(owners, owners, side="left")
    rank = np.arange(len(owners)) - first_of_doc  # order of the fingerprint inside its article
    return shingle[keep], owners + first_index, rank


def _batches(texts: Sequence[str]) -> Iterable[tuple[int, Sequence[str]]]:
    start, size = 0, 0
    for index, text in enumerate(texts):
        size += len(text)
        if size >= BATCH_CHARS:
            yield start, texts[start:index + 1]
            start, size = index + 1, 0
    if start < len(texts):
        yield start, texts[start:]


def candidate_pairs(texts: Sequence[str], outlets: Sequence[str] | None = None) -> Pairs:
    """Return article pairs that share fingerprints, with their containment.

    Fingerprints in more than ``MAX_DOC_FREQUENCY`` articles, or in
    ``OUTLET_BOILERPLATE`` or more articles of one outlet (when ``outlets`` is
    given), are boilerplate and not counted.

    >>> long = " ".join(f"w{i}" for i in range(400))
    >>> pairs = candidate_pairs([long, long[:1500], "short note"])
    >>> list(zip(pairs.left.tolist(), pairs.right.tolist())), bool(pairs.containment[0] == 1.0)
    ([(0, 1)], True)
    """
    total = len(texts)
    empty = Pairs(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0), np.zeros(0), np.zeros(0))
    parts = [_fingerprints(batch, first) for first, batch in _batches(list(texts))]
    if not parts or not sum(len(p[0]) for p in parts):
        return empty
    prints, owners, rank = (np.concatenate([p[k] for p in parts]) for k in range(3))
    order = np.lexsort((rank, owners, prints))
    prints, owners, rank = prints[order], owners[order], rank[order]
    fresh = np.ones(len(prints), dtype=bool)  # keep a fingerprint's first occurrence in an article
    fresh[1:] = (prints[1:] != prints[:-1]) | (owners[1:] != owners[:-1])
    prints, owners, lead = prints[fresh], owners[fresh], rank[fresh] < LEAD_FINGERPRINTS
    new_print = np.ones(len(prints), dtype=bool)
    new_print[1:] = prints[1:] != prints[:-1]
    group = np.cumsum(new_print) - 1
    starts = np.flatnonzero(new_print)
    sizes = np.diff(np.append(starts, len(prints)))
    usable_group = sizes <= MAX_DOC_FREQUENCY
    if outlets is not None:
        codes = pd.factorize(pd.Series(list(outlets), dtype=object).fillna(""))[0]
        key = group.astype(np.int64) * (codes.max() + 1) + codes[owners]
        _, first, per_outlet = np.unique(key, return_index=True, return_counts=True)
        worst = np.zeros(len(starts), dtype=np.int64)
        np.maximum.at(worst, group[first], per_outlet)
        usable_group &= worst < OUTLET_BOILERPLATE
    usable = usable_group[group]
    per_doc = np.bincount(owners[usable], minlength=total)
    lead_per_doc = np.bincount(owners[usable & lead], minlength=total)
    left_parts, right_parts, lead_left_parts, lead_right_parts = [], [], [], []
    for size in np.unique(sizes[(sizes >= 2) & usable_group]):
        group_starts = starts[(sizes == size) & usable_group]
        cells = group_starts[:, None] + np.arange(size)  # (groups, size), owners sorted per row
        i, j = np.triu_indices(size, k=1)
        left_parts.append(owners[cells][:, i].ravel())
        right_parts.append(owners[cells][:, j].ravel())
        lead_left_parts.append(lead[cells][:, i].ravel())
        lead_right_parts.append(lead[cells][:, j].ravel())
    if not left_parts:
        return empty
    pair_codes, inverse, shared = np.unique(np.concatenate(left_parts) * total + np.concatenate(right_parts),
                                            return_inverse=True, return_counts=True)
    lead_left = np.bincount(inverse, weights=np.concatenate(lead_left_parts), minlength=len(pair_codes))
    lead_right = np.bincount(inverse, weights=np.concatenate(lead_right_parts), minlength=len(pair_codes))
    left, right = pair_codes // total, pair_codes % total
    smaller = np.minimum(per_doc[left], per_doc[right])
    keep = (shared >= MIN_SHARED) & (smaller >= MIN_FINGERPRINTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_left, share_right = lead_left / lead_per_doc[left], lead_right / lead_per_doc[right]
    return Pairs(left[keep], right[keep], shared[keep], shared[keep] / smaller[keep],
                 np.nan_to_num(np.fmin(share_left, share_right)[keep]),
                 np.nan_to_num(np.fmax(share_left, share_right)[keep]))


def normalised_text(text: str) -> str:
    """Return the text reduced to lower-case words (what exact duplicate detection compares).

    >>> normalised_text("  Hello,  “World”! ")
    'hello world'
    """
    return " ".join(re.findall(r"\w+", text.lower()))


def detect_agency(text: str, authors: Any = None) -> str | None:
    """Name the wire agency an article comes from (byline, dateline or sign-off), else None.

    >>> detect_agency("BEIJING (Reuters) - China said on Monday ...")
    'Reuters'
    >>> detect_agency("Some text.", authors=["Associated Press"])
    'AP'
    """
    names = _author_list(authors)
    head, tail = text[:HEAD_CHARS], text[-TAIL_CHARS:]
    for agency, head_pattern, tail_pattern, byline in WIRE_AGENCIES:
        if head_pattern.search(head) or any(byline.match(name) for name in names):
            return agency
        if tail_pattern is not None and tail_pattern.search(tail):
            return agency
    return None


def _author_list(authors: Any) -> list[str]:
    if authors is None or (isinstance(authors, float) and np.isnan(authors)):
        return []
    if isinstance(authors, str):
        text = authors.strip()
        if text.startswith("["):
            try:
                return [str(a).strip() for a in json.loads(text)]
            except ValueError:
                pass
        return [part.strip() for part in re.split(r",| and ", text) if part.strip()]
    if isinstance(authors, Iterable):
        return [str(a).strip() for a in authors]
    return []


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _agency_outlet(outlet: str) -> str | None:
    """Return the agency an outlet is (its own articles are wire copy), else None."""
    return next((agency for agency in AGENCY_OUTLETS if _is_agency_outlet(outlet, agency)), None)


def _is_agency_outlet(outlet: str, agency: str | None) -> bool:
    if agency is None:
        return False
    name = (outlet or "").lower() + " "
    return name.startswith(AGENCY_OUTLETS.get(agency, ()))


def syndication_groups(articles: pd.DataFrame) -> pd.DataFrame:
    """Group exact and near-duplicate articles; mark each group's earliest as the original.

    ``articles`` needs ``id``, ``outlet``, ``published`` and ``text``; ``url`` or
    ``canonical_url`` and ``authors`` are used when present. Returns one row per
    article: ``id, group_id, group_size, n_outlets, is_original, similarity`` (the
    containment of the article in its original, 1.0 for the original), ``wire``
    (the agency detected on this article) and ``agency`` (the group's agency: the
    most common among its members). ``group_id`` is derived from the original's id,
    so it stays the same across runs.

    >>> import pandas as pd
    >>> one = pd.DataFrame({"id": ["x"], "outlet": ["O"], "published": [None], "text": ["t"]})
    >>> syndication_groups(one).group_size.tolist()
    [1]
    """
    missing = {"id", "outlet", "published", "text"} - set(articles.columns)
    if missing:
        raise ValueError(f"syndication_groups needs columns {sorted(missing)}")
    frame = articles.reset_index(drop=True)
    count = len(frame)
    texts = frame["text"].fillna("").astype(str).tolist()
    ids = frame["id"].astype(str).tolist()
    outlets = frame["outlet"].fillna("").astype(str).tolist()
    published = [p if isinstance(p, str) and p else None for p in frame["published"].tolist()]
    authors = frame["authors"].tolist() if "authors" in frame.columns else [None] * count
    wires = [detect_agency(text, author) or _agency_outlet(outlet)
             for text, author, outlet in zip(texts, authors, outlets)]

    union = _UnionFind(count)
    similarity: dict[tuple[int, int], float] = {}
    exact_keys: dict[str, int] = {}
    urls = _canonical_urls(frame)
    for index in range(count):
        short = texts[index].strip() and len(texts[index]) < SHORT_TEXT_CHARS
        keys = [f"text:{hashlib.sha1(normalised_text(texts[index]).encode()).hexdigest()}"] if short else []
        if urls[index]:
            keys.append(f"url:{urls[index]}")
        for key in keys:
            other = exact_keys.setdefault(key, index)
            if other != index:
                union.union(other, index)
                similarity[(other, index)] = 1.0

    pairs = candidate_pairs(texts, outlets)
    days = _days(published)
    apart = np.abs(days[pairs.left] - days[pairs.right])
    copy_like = (((pairs.containment >= CONTAINMENT_THRESHOLD) & (pairs.lead_both >= LEAD_THRESHOLD))
                 | ((pairs.containment >= STRONG_CONTAINMENT) & (pairs.lead_either >= LEAD_THRESHOLD)))
    identical = (pairs.containment >= IDENTICAL_CONTAINMENT) & (pairs.lead_both >= LEAD_THRESHOLD)
    linked = (copy_like & ~(apart > MAX_DAYS_APART)) | identical  # an unknown date (NaN) passes the window
    for a, b, value in zip(pairs.left[linked].tolist(), pairs.right[linked].tolist(),
                           pairs.containment[linked].tolist()):
        union.union(a, b)
        similarity[(a, b)] = max(similarity.get((a, b), 0.0), min(1.0, value))
    log.info("syndication: %d articles, %d candidate pairs, %d linked", count, len(pairs.left), int(linked.sum()))

    best = [0.0] * count
    for (a, b), value in similarity.items():
        best[a], best[b] = max(best[a], value), max(best[b], value)
    members: dict[int, list[int]] = {}
    for index in range(count):
        members.setdefault(union.find(index), []).append(index)

    rows: list[dict[str, Any]] = [{} for _ in range(count)]
    for group in members.values():
        agency_votes = Counter(wires[i] for i in group if wires[i])
        agency = agency_votes.most_common(1)[0][0] if agency_votes else None
        original = min(group, key=lambda i: _original_key(published[i], outlets[i], agency, ids[i]))
        group_id = "g-" + hashlib.sha256(ids[original].encode()).hexdigest()[:16]
        n_outlets = len({outlets[i] for i in group})
        for i in group:
            pair = (min(i, original), max(i, original))
            if i == original:
                value = 1.0
            elif pair in similarity:
                value = similarity[pair]
            else:  # joined through another member: its best direct link
                value = best[i]
            rows[i] = {"id": ids[i], "group_id": group_id, "group_size": len(group), "n_outlets": n_outlets,
                       "is_original": i == original, "similarity": round(float(value), 3), "wire": wires[i],
                       "agency": agency}
    frame_out = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    for column in ("wire", "agency"):  # object dtype keeps None (pandas 3 would make it NaN in a str column)
        frame_out[column] = pd.Series([row[column] for row in rows], dtype=object)
    return frame_out


def _days(published: Sequence[str | None]) -> np.ndarray:
    """Return each date as a day number (NaN when unknown or unreadable)."""
    stamps = pd.to_datetime(pd.Series([p[:10] if p else None for p in published], dtype=object),
                            errors="coerce", format="%Y-%m-%d")
    return ((stamps - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float, na_value=np.nan)


def _original_key(published: str | None, outlet: str, agency: str | None, article: str) -> tuple[Any, ...]:
    # Unknown dates last; on the same day the agency's own outlet first; then the full timestamp, then the id.
    day = published[:10] if published else "9999-99-99"
    return (day, not _is_agency_outlet(outlet, agency), published or "", article)


def _canonical_urls(frame: pd.DataFrame) -> list[str | None]:
    column = "canonical_url" if "canonical_url" in frame.columns else "url" if "url" in frame.columns else None
    if column is None:
        return [None] * len(frame)
    found: list[str | None] = []
    for value in frame[column].tolist():
        try:
            found.append(canonical_url(value) if isinstance(value, str) and value else None)
        except ValueError:
            found.append(None)
    return found


def drop_duplicate_urls(articles: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Keep the first article of each canonical URL; return the rest's count too.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"url": ["https://a.com/x?utm_source=t", "https://a.com/x", "https://a.com/y"]})
    >>> kept, dropped = drop_duplicate_urls(df)
    >>> len(kept), dropped
    (2, 1)
    """
    keys = _canonical_urls(articles)
    seen: set[str] = set()
    keep = []
    for key in keys:
        keep.append(key is None or key not in seen)
        if key is not None:
            seen.add(key)
    mask = np.array(keep, dtype=bool)
    return articles[mask], int((~mask).sum())


def group_summary(groups: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Summarise syndication per group: outlets, members, agency and the original's outlet.

    >>> import pandas as pd
    >>> g = pd.DataFrame({"id": ["a", "b"], "group_id": ["g", "g"], "group_size": [2, 2], "n_outlets": [2, 2],
    ...                   "is_original": [True, False], "similarity": [1.0, 0.9], "wire": ["AP", None],
    ...                   "agency": ["AP", "AP"]})
    >>> group_summary(g, pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"]})).outlets.tolist()
    [['X', 'Y']]
    """
    merged = groups[groups.group_size > 1].merge(articles[["id", "outlet"]], on="id", how="left")
    if merged.empty:
        return pd.DataFrame(columns=["group_id", "size", "outlets", "agency", "original_outlet"])
    summary = merged.groupby("group_id").agg(size=("id", "size"), outlets=("outlet", lambda s: sorted(set(s))),
                                             agency=("agency", "first"))
    originals = merged[merged.is_original].set_index("group_id")["outlet"].rename("original_outlet")
    return summary.join(originals).reset_index().sort_values(["size", "group_id"], ascending=[False, True],
                                                             ignore_index=True)
