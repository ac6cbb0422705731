"""The digest's coverage sections, as pure functions over a story's articles.

* :func:`whats_happened`: three to five lede sentences that are central to the coverage,
  not redundant with each other, and preferably echoed by other outlets.
* :func:`key_insights`: the story's aspects (facets from ``data/facets/<story>.toml`` or learned
  from the coverage), the outlets that stress each most, and evidence sentences.
* :func:`figures_section`: the figures the outlets cite, grouped by what they count.
* :func:`papers_section`: the per-outlet brief (:mod:`analysis.brief.build`) turned into digest items.

Every function takes the sentence table of :func:`sentence_table` and cites sentences by
their offsets in the stored text; thresholds are named constants with how they were chosen.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.base import PART_TEXT, PART_TITLE
from analysis.digest.figures import SentenceClaim, find_claims, group_claims
from analysis.digest.model import Citation, Entry, Item, Section
from analysis.emphasis import STOPWORDS as _STOP
from analysis.emphasis import facet_pattern, terms
from analysis.text import sentences as splitter
from analysis.text.furniture import furniture_flags, is_furniture
from analysis.text.sentences import as_text

SENTENCE_COLUMNS = ("article_id", "outlet", "url", "title", "published", "index", "start", "end", "sentence",
                    "furniture")

# What's happened: candidates are lede sentences (the first LEDE_SENTENCES of an article) of
# MIN_WORDS..MAX_WORDS words; wire ledes run 20-40 words, 8 keeps short datelined ledes. The consensus
# constants below were tuned on the 847 allsides_abp roundups of the NeuS train split against AllSides'
# own summaries (benchmarks/digest_summary.py --split train): 3 lede sentences, decay 0.9, word weight 1,
# 90 words, 2 sentences gave ROUGE-2 1.40x Lead-3's (3 sentences: 1.36x; 4 or 5 lede sentences, decay 0.8 or
# 1.0, 70-120 words: 1.26-1.38x; the TF-IDF centrality it replaces: 1.27x).
LEDE_SENTENCES = 3
MIN_WORDS = 8
MAX_WORDS = 60
# Two sentences of different outlets "agree" at this TF-IDF cosine (story-fitted idf). On groundnews,
# rewrites of one wire lede score 0.35-0.7 and different facts of one story stay below 0.25.
AGREE_SIMILARITY = 0.3
# A candidate this similar to a chosen sentence says the same thing and is skipped.
REDUNDANT_SIMILARITY = 0.5
# Later lede sentences weigh a little less: score *= POSITION_DECAY ** index.
POSITION_DECAY = 0.9
MAX_HAPPENED = 2
# Consensus: a shared content word counts this much of a shared word pair.
CONSENSUS_WORD_WEIGHT = 1.0
# What's happened stops adding sentences at this many words (AllSides' summaries run ~60-80).
MAX_HAPPENED_WORDS = 90
# A candidate sharing more than this share of its word pairs with a chosen sentence repeats it.
REDUNDANT_OVERLAP = 0.5
# Key insights: how many aspects, outlets named per aspect, evidence sentences per aspect.
MAX_ASPECTS = 5
TOP_OUTLETS = 3
EVIDENCE_SENTENCES = 2
# A learned aspect (a term) must be used by this many outlets ...
MIN_ASPECT_OUTLETS = 2
# What the papers say: statements shown per outlet (the brief's own order), citations per statement;
# "note" statements (the brief saying it found nothing) are left out.
STATEMENTS_PER_OUTLET = 2
CITATIONS_PER_STATEMENT = 1
SILENT_KINDS = frozenset({"note"})
# Figures: how many groups are shown.
MAX_FIGURE_GROUPS = 6
# ... plus this many more where the outlets' figures differ (what an analyst looks for first).
MAX_DISAGREEING_GROUPS = 3

_BOILERPLATE = re.compile(
    r"(?i)\b(?:click here|read more|sign up|subscribe|newsletter|all rights reserved|copyright|©|"
    r"follow us|download the app|advertisement|related:|watch:|photo:|image:|getty images|this story has been)")
_OPENING_QUOTE = re.compile(r"^[\"“‘']")
_WORD = re.compile(r"[a-z0-9]+")
# A lede sentence ends in a full stop or a closing quote: a headline or caption inside the text does not.
_ENDS = re.compile(r"[.!][\"'”’)]*\s*$")
# A sentence opening with a pronoun or a connective leans on the one before it: not a stand-alone fact.
_NEEDS_CONTEXT = re.compile(r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|But|And|Also|So|Yet|Still|"
                            r"However|Meanwhile|Instead|Then)\b")


# ------------------------------------------------------------------------------------------ sentences
def sentence_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Return one row per sentence of each article, with its offsets in the stored text (SENTENCE_COLUMNS).

    ``furniture`` marks bylines, credits, captions and page prompts (analysis.text.furniture).
    """
    rows = []
    ordered = articles.sort_values(["id"], kind="mergesort")
    for row in ordered.itertuples(index=False):
        text = row.text or ""
        spans = splitter.split_spans(text)
        flags = furniture_flags([text[start:end] for start, end in spans])
        for index, ((start, end), furniture) in enumerate(zip(spans, flags)):
            rows.append((str(row.id), str(row.outlet), _url(row), str(row.title or ""), _text(row.published),
                         index, start, end, text[start:end], furniture))
    return pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS))


def _url(row: Any) -> str | None:
    url = getattr(row, "url", None)
    return url if isinstance(url, str) and url else None


def _text(value: Any) -> str | None:
    return as_text(value) or None


def cite(row: Any) -> Citation:
    """Return the citation of one sentence-table row."""
    return Citation(str(row.article_id), str(row.outlet), row.url if isinstance(row.url, str) else None,
                    str(row.title), str(row.sentence), int(row.start), int(row.end), PART_TEXT)


def cite_title(article: Any) -> Citation:
    """Return a citation of an article's headline (``part == "title"``)."""
    title = str(article.title or "")
    return Citation(str(article.id), str(article.outlet), _url(article), title, title, 0, len(title), PART_TITLE)


def _vectors(table: pd.DataFrame) -> Any:
    # scikit-learn costs ~1.2 s to import: only a digest build pays it, not every `python -m analysis` start
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][\w\-]+\b")
    try:
        return vectorizer.fit_transform(list(table["sentence"]))
    except ValueError:  # only stop words
        return None


# ------------------------------------------------------------------------------------------ what's happened
def voices(outlets: Sequence[str], article_ids: Sequence[str], syndication: pd.DataFrame | None) -> list[str]:
    """Return who speaks for each sentence: its outlet, or its wire group when the article is syndicated."""
    group_of: dict[str, str] = {}
    if syndication is not None and not syndication.empty:
        sizes = syndication[syndication["group_size"].astype(int) > 1]
        group_of = {str(a): f"group:{g}" for a, g in zip(sizes["article_id"], sizes["group_id"])}
    return [group_of.get(str(a), str(o)) for o, a in zip(outlets, article_ids)]


def _grams(sentence: str) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """Return a sentence's word bigrams and its content words (lower-cased, stop words out of the words)."""
    words = _WORD.findall(sentence.lower())
    return frozenset(zip(words, words[1:])), frozenset(w for w in words if w not in _STOP)


def whats_happened(table: pd.DataFrame, syndication: pd.DataFrame | None = None) -> Section:
    """Choose the lede sentences that together say what happened (at most MAX_HAPPENED_WORDS words), each cited.

    Consensus: a candidate (one of an article's first LEDE_SENTENCES) scores the bigrams plus
    CONSENSUS_WORD_WEIGHT x the content words it shares with the average other voice's article,
    over the square root of its bigrams, x POSITION_DECAY ** its index. Copies of one wire story
    count as one voice when syndication groups are known. Picked greedily, skipping a sentence
    sharing more than REDUNDANT_OVERLAP of its bigrams with one already chosen.
    """
    title = "What's happened"
    mask = (table["index"] < LEDE_SENTENCES) & table["sentence"].map(_candidate) & ~table["furniture"].astype(bool)
    if table.empty or not mask.any():
        return Section("whats_happened", title, note="Too little coverage to say what happened: no article "
                       "has a lede sentence of 8-60 words.")
    matrix = _vectors(table)
    if matrix is None:
        return Section("whats_happened", title, note="Too little coverage to say what happened.")
    voice_of = voices(list(table["outlet"]), list(table["article_id"]), syndication)
    voice_grams: dict[str, tuple[set[tuple[str, str]], set[str]]] = {}
    for voice, sentence in zip(voice_of, table["sentence"]):
        bigrams, words = _grams(sentence)
        mine = voice_grams.setdefault(voice, (set(), set()))
        mine[0].update(bigrams)
        mine[1].update(words)
    candidates = table[mask.to_numpy()].reset_index(drop=True)
    cand_voices = [v for v, m in zip(voice_of, mask.to_numpy()) if m]
    cand = matrix[np.flatnonzero(mask.to_numpy())]
    sims = (cand @ cand.T).toarray()
    grams = [_grams(s) for s in candidates["sentence"]]
    scores = []
    for i, (bigrams, words) in enumerate(grams):
        others = [g for v, g in sorted(voice_grams.items()) if v != cand_voices[i]]
        shared = (sum(len(bigrams & g[0]) + CONSENSUS_WORD_WEIGHT * len(words & g[1]) for g in others) / len(others)
                  if others else 0.0)
        scores.append(shared / math.sqrt(max(len(bigrams), 1)) * POSITION_DECAY ** int(candidates.at[i, "index"]))
    support = []
    for i in range(len(candidates)):
        agreeing: dict[str, int] = {}
        for j in np.flatnonzero(sims[i] >= AGREE_SIMILARITY):
            if cand_voices[j] != cand_voices[i] and candidates.at[j, "outlet"] != candidates.at[i, "outlet"]:
                best = agreeing.get(cand_voices[j])
                if best is None or (-sims[i, j], j) < (-sims[i, best], best):
                    agreeing[cand_voices[j]] = int(j)
        support.append(sorted(agreeing.values(), key=lambda j, i=i: (-round(float(sims[i, j]), 9),
                                                                      candidates.at[j, "outlet"], j)))
    order = sorted(range(len(candidates)), key=lambda i: (-round(scores[i], 9), candidates.at[i, "article_id"],
                                                          int(candidates.at[i, "start"])))
    chosen: list[int] = []
    words_used = 0
    for i in order:
        if len(chosen) >= MAX_HAPPENED:
            break
        bigrams = grams[i][0]
        if any(len(bigrams & grams[j][0]) / max(1, min(len(bigrams), len(grams[j][0]))) > REDUNDANT_OVERLAP
               or float(sims[i, j]) >= REDUNDANT_SIMILARITY for j in chosen):
            continue
        length = len(str(candidates.at[i, "sentence"]).split())
        if chosen and words_used + length > MAX_HAPPENED_WORDS:
            continue
        chosen.append(i)
        words_used += length
    items = []
    for i in chosen:
        row = candidates.iloc[i]
        backers = support[i]
        others = sorted({candidates.at[j, "outlet"] for j in backers})
        note = (f"similar sentences in {len(others)} other outlet{'s' if len(others) != 1 else ''}"
                if others else "no other outlet has a similar sentence")
        cites = (cite(row), *(cite(candidates.iloc[j]) for j in backers[:3]))
        items.append(Item(text=str(row["sentence"]), note=note, citations=cites, quoted=True))
    outlets = table["outlet"].nunique()
    note = ("Lede sentences chosen for sharing the most words and word pairs with the other outlets' articles, "
            "without repeating each other" + (" (wire copies count once)." if syndication is not None
                                              and not syndication.empty else "."))
    if outlets < 2:
        note += " Only one outlet covers this story: nothing here is confirmed by a second one."
    return Section("whats_happened", title, tuple(items), note)


def _candidate(sentence: str) -> bool:
    words = len(sentence.split())
    return (MIN_WORDS <= words <= MAX_WORDS and not _BOILERPLATE.search(sentence) and not _NEEDS_CONTEXT.match(sentence)
            and not _OPENING_QUOTE.match(sentence) and not sentence.rstrip().endswith("?")
            and bool(_ENDS.search(sentence)) and not is_furniture(sentence) and sentence.count("/") < 3)


# ------------------------------------------------------------------------------------------ key insights
@dataclass(frozen=True)
class BackgroundTerms:
    """Document frequencies of uni- and bigrams over ``n`` background texts (precomputed, reusable).

    ``minus`` holds the counts of texts taken out again (cheaper than copying ``counts``).
    """

    counts: Counter[str]
    n: int
    minus: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: Sequence[str]) -> BackgroundTerms:
        """Count, for each term, the texts that use it."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(terms(text or "", (1, 2))))
        return cls(counts, len(texts))

    def without(self, texts: Sequence[str]) -> BackgroundTerms:
        """Return these counts with ``texts`` (a subset of the counted ones) taken out."""
        return BackgroundTerms(self.counts, self.n - len(texts), self.minus + BackgroundTerms.of(texts).counts)

    def count(self, term: str) -> int:
        """Return how many background texts use ``term``."""
        return self.counts.get(term, 0) - self.minus.get(term, 0)


def learned_facets(table: pd.DataFrame, background: Sequence[str] | BackgroundTerms = (),
                   top: int = MAX_ASPECTS * 2, *,
                   names: Sequence[str] = ()) -> dict[str, list[str]]:
    """Return aspects learned from the coverage: terms many outlets use that the rest of the store rarely does.

    score = log(1 + distinct sentences using it) x sqrt(outlets using it) x log((B + 1) / (b + 1) + 1),
    where b of B background texts use it (identical sentences count once, so wire copy does not make
    an aspect); bigrams weigh 1.5x, and a term sharing a word with a better one is skipped. Terms made only of
    the words of the story's key ``names`` are left to "More on these topics".
    """
    name_words = {w for n in names for w in terms(n, (1,))}
    outlets_of: dict[str, set[str]] = defaultdict(set)
    distinct: Counter[str] = Counter()  # distinct sentences using the term: wire copy counts once
    seen_sentences: set[str] = set()
    for outlet, sentence in zip(table["outlet"], table["sentence"]):
        found = set(terms(sentence, (1, 2)))
        for term in found:
            outlets_of[term].add(str(outlet))
        key = " ".join(sentence.lower().split())
        if key not in seen_sentences:
            seen_sentences.add(key)
            distinct.update(found)
    known = background if isinstance(background, BackgroundTerms) else BackgroundTerms.of(background)
    n_back = known.n

    def weight(term: str) -> float:
        rarity = math.log((n_back + 1) / (known.count(term) + 1) + 1)
        return math.log1p(distinct[term]) * math.sqrt(len(outlets_of[term])) * rarity * (1.5 if " " in term else 1.0)

    ranked = sorted((t for t, o in outlets_of.items() if len(o) >= MIN_ASPECT_OUTLETS and not re.search(r"\d", t)
                     and not set(t.split()) <= name_words),
                    key=lambda t: (-round(weight(t), 9), t))
    chosen: list[str] = []
    for term in ranked:
        words = set(term.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) >= top:
            break
    return {term: [term] for term in chosen}


def key_insights(table: pd.DataFrame, facets: dict[str, list[str]] | None, *,
                 background: Sequence[str] | BackgroundTerms = (), facets_source: str = "",
                 names: Sequence[str] = ()) -> Section:
    """Return the story's main aspects, the outlets that stress each most, and evidence sentences."""
    title = "Key insights"
    outlets = sorted(table["outlet"].unique()) if not table.empty else []
    if len(outlets) < 2:
        return Section("key_insights", title, note="Too little coverage to compare aspects: fewer than two outlets.")
    learned = facets is None
    use = learned_facets(table, background, names=names) if learned else facets
    totals = table.groupby("outlet").size().to_dict()
    matrix = _vectors(table)
    centroid = np.asarray(matrix.mean(axis=0)).ravel() if matrix is not None else None
    central = (matrix @ centroid) if matrix is not None else np.zeros(len(table))
    aspects = []
    for name, cues in (use or {}).items():
        pattern = facet_pattern(cues)
        hits = table["sentence"].map(lambda s, p=pattern: bool(p.search(s))).to_numpy()
        if hits.sum() == 0:
            continue
        per = Counter(table.loc[hits, "outlet"])
        if len(per) < MIN_ASPECT_OUTLETS:
            continue
        shares = sorted(((per[o] / totals[o], o) for o in per), key=lambda x: (-round(x[0], 9), x[1]))
        aspects.append((name, int(hits.sum()), per, shares, hits))
    aspects.sort(key=lambda a: (-len(a[2]), -a[1], a[0]))
    items = []
    for name, n_hits, per, shares, hits in aspects[:MAX_ASPECTS]:
        top = shares[:TOP_OUTLETS]
        stressed = ", ".join(f"{o} ({per[o]} of {totals[o]} sentences, {share:.0%})" for share, o in top)
        evidence = []
        for _, outlet in top[:EVIDENCE_SENTENCES]:
            rows = np.flatnonzero(hits & (table["outlet"] == outlet).to_numpy())
            best = min(rows, key=lambda r: (-round(float(central[r]), 9), table.at[r, "article_id"],
                                            int(table.at[r, "start"])))
            evidence.append(cite(table.iloc[best]))
        items.append(Item(heading=name.replace("_", " "),
                          text=f"{n_hits} sentences in {len(per)} of {len(outlets)} outlets; stressed most by "
                               f"{stressed}.", citations=tuple(evidence)))
    if not items:
        return Section("key_insights", title, note="Too little coverage to find aspects that two or more outlets "
                       "share.")
    if learned:
        note = ("Aspects learned from the coverage: terms that many of this story's outlets use and the rest of the "
                "store rarely does (no facet file for this story). Outlets are ranked by the share of their "
                "sentences that mention the aspect.")
    else:
        note = (f"Aspects from the facet file {facets_source or 'for this story'}; outlets are ranked by the share "
                "of their sentences that mention the aspect.")
    return Section("key_insights", title, tuple(items), note)


# ------------------------------------------------------------------------------------------ figures
def story_claims(table: pd.DataFrame) -> list[tuple[SentenceClaim, int]]:
    """Return every numeric claim of the story with the row of its sentence in ``table``."""
    found = []
    for row_index, (article_id, outlet, start, end, sentence) in enumerate(zip(
            table["article_id"], table["outlet"], table["start"], table["end"], table["sentence"])):
        for claim in find_claims(sentence):
            found.append((SentenceClaim((str(article_id), int(start), int(end)), str(outlet), sentence, claim),
                          row_index))
    return found


def figures_section(table: pd.DataFrame) -> Section:
    """Return the figures outlets cite, grouped by what they count, with each outlet's figure cited."""
    title = "The figures the outlets cite"
    claims = story_claims(table)
    row_of = {(c.key, c.claim.start): r for c, r in claims}
    groups = group_claims([c for c, _ in claims])
    if not groups:
        return Section("figures", title, note="Too little coverage to compare figures: no number (percentage, "
                       "amount or count) appears in the same context in two or more outlets.", level=3)
    shown = groups[:MAX_FIGURE_GROUPS]
    shown += [g for g in groups[MAX_FIGURE_GROUPS:] if g.disagree][:MAX_DISAGREEING_GROUPS]
    items = []
    for group in shown:
        by_value: dict[str, list[SentenceClaim]] = defaultdict(list)
        for claim in sorted(group.claims, key=lambda c: (c.outlet, c.key, c.claim.start)):
            if all(c.outlet != claim.outlet for c in by_value[claim.claim.value]):
                by_value[claim.claim.value].append(claim)
        entries = []
        for value in sorted(by_value, key=lambda v: (-len(by_value[v]), v)):
            members = by_value[value]
            entries.append(Entry(label=value, text=", ".join(c.outlet for c in members),
                                 citations=tuple(cite(table.iloc[row_of[(c.key, c.claim.start)]]) for c in members)))
        verdict = (("different figures in similar words (check what each counts): " + ", ".join(group.values))
                   if group.disagree else "all give the same figure")
        items.append(Item(heading=group.label, text=f"{group.kind}; {len(group.outlets)} outlets; {verdict}",
                          entries=tuple(entries)))
    note = ("Numbers found by pattern (percentages, amounts, counts) and grouped when the words around them match; "
            "the heading is the clause of the most typical sentence. Each figure is shown as its sentence has it.")
    return Section("figures", title, tuple(items), note, level=3)


# ------------------------------------------------------------------------------------------ what the papers say
def papers_section(brief: Any | None, texts: dict[str, tuple[str, str]]) -> Section:
    """Turn a :class:`analysis.brief.build.Brief` into digest items; ``texts`` maps article id -> (title, text).

    Citations whose sentence is not its article's ``text[start:end]`` (or title) are dropped, so the
    digest never shows a quote that is not in the store.
    """
    title = "What the papers say"
    if brief is None:
        return Section("papers", title, note="No per-outlet brief was given.")

    def checked(citations: Sequence[Any]) -> tuple[Citation, ...]:
        out = []
        for c in citations:
            part = getattr(c, "part", PART_TEXT) or PART_TEXT
            stored = texts.get(c.article_id, ("", ""))[1 if part != PART_TITLE else 0]
            if stored[c.start:c.end] == c.sentence:
                out.append(Citation(c.article_id, c.outlet, c.url, c.title, c.sentence, int(c.start), int(c.end),
                                    PART_TITLE if part == PART_TITLE else PART_TEXT))
        return tuple(out)

    items = []
    quiet = []
    for outlet in brief.outlets:
        said = [s for s in outlet.statements if s.kind not in SILENT_KINDS][:STATEMENTS_PER_OUTLET]
        entries = tuple(Entry(label=s.kind, text=s.text, citations=checked(s.citations)[:CITATIONS_PER_STATEMENT])
                        for s in said)
        if not entries:
            quiet.append(outlet.outlet)
            continue
        items.append(Item(heading=outlet.outlet, text=f"{outlet.articles} article{'s' if outlet.articles != 1 else ''}",
                          entries=entries))
    if quiet:
        items.append(Item(heading="Nothing distinctive found", text=", ".join(quiet)))
    if brief.differences:
        items.append(Item(heading="Where the outlets differ most",
                          entries=tuple(Entry(label=s.kind, text=s.text, citations=checked(s.citations))
                                        for s in brief.differences)))
    if not items:
        return Section("papers", title, note="Too little coverage for a per-outlet brief.")
    return Section("papers", title, tuple(items), "Each outlet's brief (analysis.brief.build) is built from its own "
                   f"sentences; up to {STATEMENTS_PER_OUTLET} statements per outlet, each with a cited sentence.")
