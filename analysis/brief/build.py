"""'What the papers say': a short, extractive brief per outlet for one story.

Each outlet gets up to five statements, each built from numbers the scorers stored and
linked to 1-3 of that outlet's own sentences that show it:

1. **emphasis**: its most distinctive facet of the story (facet file ``data/facets/<story>.toml``)
   or, without one, its most distinctive term (weighted log-odds against the other outlets);
2. **tone**: the VADER tone of its sentences that name each target, or of all its sentences
   when no target is given, against the other outlets' same sentences;
3. **frame**: its most common primary generic frame (cue lexicon);
4. **speaker**: the speaker it quotes in the most sentences;
5. **wire**: whether it ran wire or shared copy (when the store holds syndication groups).

The closing ``differences`` name where outlets differ most: the clearest significant
differences of :func:`analysis.compare.outlets.outlet_metrics` among metrics that rest on sentences.
Nothing is generated: every quoted sentence is ``text[start:end]`` of a stored article, and
where the evidence is too thin a ``note`` says so instead of a claim. Same input, same brief.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis.base import PART_TEXT, PART_TITLE
from analysis.compare.outlets import MIN_TEST_ARTICLES, outlet_metrics
from analysis.emphasis import distinctive_terms, facet_sentences, facets_for_story
from analysis.frames.lexicon import GENERIC_KEYS, load_frameset
from analysis.quotes import quote_table
from analysis.text import sentences
from analysis.text.citations import Citation
from analysis.text.furniture import is_furniture, staff_names
from analysis.tone.measure import tone_label
from analysis.tone.target import target_pattern
from core.errors import InputError, UnknownNameError
from core.settings import Settings
from core.store import ArticleFilter, Store

KIND_EMPHASIS = "emphasis"
KIND_TONE = "tone"
KIND_FRAME = "frame"
KIND_SPEAKER = "speaker"
KIND_WIRE = "wire"
KIND_DIFFERENCE = "difference"
KIND_NOTE = "note"  # an absence or too little evidence: the only kind without citations

# At most this many sentences back a statement (the seed's brief quotes one or two).
MAX_CITATIONS = 3
# Shorter body sentences are captions and bylines ("FILE -", "(CNN) -"), never cited; headlines always may be.
MIN_CITATION_WORDS = 5
# A term must reach this z-score (weighted log-odds against the other outlets, about p < 0.05 one-sided
# is 1.64; 1.96 keeps terms an outlet merely repeats once or twice from being called its emphasis).
MIN_TERM_Z = 1.96
# ... and occur at least this often in the outlet's articles.
MIN_TERM_COUNT = 3
# A facet is an outlet's emphasis when at least this many of its sentences mention it.
MIN_FACET_SENTENCES = 2
# Tone statements need this many of the outlet's sentences (naming the target); fewer is a note.
MIN_TONE_SENTENCES = 2
# Mean tone gaps smaller than VADER's neutral band are reported as "about the same".
TONE_GAP = 0.05
# The brief reads tone sentence by sentence: VADER scores every sentence (the news model a sample of
# 20), so its tone statements are VADER's and say so (analysis.tone.measure labels every figure).
TONE_SCORER, TONE_METRIC = "tone_vader", "tone"
TONE_LABEL = tone_label(TONE_SCORER)
FRAME_SCORER = "frames_generic"
# Metrics whose per-outlet differences can be shown with sentences, for the closing line.
DIFFERENCE_METRICS: tuple[tuple[str, str], ...] = (
    (TONE_SCORER, "tone"), (TONE_SCORER, "headline_tone"), ("quotes", "quote_share"),
    ("quotes", "anonymous_share"), ("facets", "facet_coverage"),
    *((FRAME_SCORER, f"frame_{key}") for key in GENERIC_KEYS),
)
MAX_DIFFERENCES = 2
# A brief reads every sentence of the selection (quotes, terms, evidence): beyond this many articles
# it would take minutes and say little per outlet, so a story or a narrower filter is asked for.
MAX_BRIEF_ARTICLES = 500
# An unknown story lists the known ones when there are at most this many (else the largest ones).
MAX_LISTED_STORIES = 20
METRIC_LABELS = {"tone": "sentence tone", "headline_tone": "headline tone", "quote_share": "share of quoted sentences",
                 "anonymous_share": "share of quotes from anonymous sources",
                 "facet_coverage": "share of sentences on the story's facets"}


@dataclass(frozen=True)
class Statement:
    """One claim about an outlet (or between outlets) and the sentences that show it."""

    kind: str
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class OutletBrief:
    """What one outlet's coverage of the story stands out for."""

    outlet: str
    articles: int
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Brief:
    """The brief of one story (or selection): one entry per outlet and where they differ most."""

    story: str | None
    outlets: tuple[OutletBrief, ...]
    differences: tuple[Statement, ...]
    label: str = ""
    targets: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the brief as plain JSON-ready data."""
        return asdict(self)


# --------------------------------------------------------------------------- the store's side
def build_brief(store: Store, flt: ArticleFilter, settings: Settings, *, targets: Sequence[str] = (),
                articles: pd.DataFrame | None = None) -> Brief:
    """Read the filtered articles, scores, evidence and syndication and return their brief.

    ``articles``: the filtered articles with text when the caller has already read them (the digest).

    An unknown story raises UnknownNameError listing the known ones (InputError naming the largest
    when there are many); an empty selection, or one over ``MAX_BRIEF_ARTICLES``, InputError.
    """
    label = ""
    if flt.story_id:
        stories = store.stories(ArticleFilter(story_id=flt.story_id))
        if stories.empty:
            known = [str(s) for s in store.stories()["story"]]
            if len(known) <= MAX_LISTED_STORIES:
                raise UnknownNameError("story", flt.story_id, known)
            raise InputError(f"unknown story {flt.story_id!r}; the store has {len(known)} stories, the largest: "
                             f"{', '.join(known[:MAX_LISTED_STORIES])}")
        label = str(stories["label"].iloc[0] or "")
    count = len(store.articles(flt, columns=("outlet",)))
    if count == 0:
        raise InputError("no articles match the filter: nothing to brief")
    if count > MAX_BRIEF_ARTICLES:
        raise InputError(f"{count} articles match: a brief covers at most {MAX_BRIEF_ARTICLES}; pick a story "
                         "or narrow the filter")
    articles = store.articles(flt, with_text=True) if articles is None else articles
    scores = store.scores(flt)
    evidence = store.evidence_of(articles["id"].tolist())
    return brief_from_frames(articles, scores, evidence, syndication=store.syndication(flt),
                             facets=facets_for_story(flt.story_id), targets=targets, story=flt.story_id,
                             label=label, samples=settings.bootstrap_samples, confidence=settings.confidence,
                             seed=settings.bootstrap_seed)


# --------------------------------------------------------------------------- the pure core
class _Texts:
    """Article texts, titles and sentence spans, and citations snapped to whole sentences."""

    def __init__(self, articles: pd.DataFrame) -> None:
        self.text = {aid: t if isinstance(t, str) else "" for aid, t in zip(articles["id"], articles["text"])}
        self.title = {aid: t if isinstance(t, str) else "" for aid, t in zip(articles["id"], articles["title"])}
        urls = articles["url"] if "url" in articles else [None] * len(articles)
        self.url = {aid: (u if isinstance(u, str) and u else None) for aid, u in zip(articles["id"], urls)}
        self.outlet = dict(zip(articles["id"], articles["outlet"].astype(str)))
        self.order = {aid: k for k, aid in enumerate(articles["id"])}
        self.spans = {aid: sentences.split_spans(text) for aid, text in self.text.items()}

    def cite(self, article_id: str, part: str, start: int, end: int) -> Citation | None:
        """Return a citation of the whole sentence holding [start, end), or None when out of range."""
        if article_id not in self.text:
            return None
        if part == PART_TITLE:
            title = self.title[article_id]
            if not title.strip():
                return None
            begin, stop = 0, len(title)
            return Citation(article_id, self.outlet[article_id], self.url[article_id], title, title[begin:stop],
                            begin, stop, PART_TITLE)
        text = self.text[article_id]
        for begin, stop in self.spans[article_id]:
            if begin <= start < stop:
                return Citation(article_id, self.outlet[article_id], self.url[article_id], self.title[article_id],
                                text[begin:stop], begin, stop, PART_TEXT)
        return None

    def sentence_count(self, ids: Sequence[str]) -> int:
        return sum(len(self.spans[aid]) for aid in ids)


def _dedupe(citations: Sequence[Citation | None], limit: int = MAX_CITATIONS) -> tuple[Citation, ...]:
    seen: set[tuple[str, str, int]] = set()
    out: list[Citation] = []
    for citation in citations:
        if citation is None or (citation.article_id, citation.part, citation.start) in seen:
            continue
        if citation.part == PART_TEXT and len(citation.sentence.split()) < MIN_CITATION_WORDS:
            continue
        seen.add((citation.article_id, citation.part, citation.start))
        out.append(citation)
        if len(out) == limit:
            break
    return tuple(out)


def _note(text: str) -> Statement:
    return Statement(KIND_NOTE, text, ())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w).replace("'", "['’]") for w in term.split()]
    return re.compile(r"(?<![\w])" + r"[^\w]+".join(words) + r"(?![\w])", re.I)


def emphasis_statement(outlet: str, ids: Sequence[str], texts: _Texts, all_ids: Sequence[str],
                       facets: Mapping[str, Sequence[str]] | None, term_table: pd.DataFrame) -> Statement:
    """Return the outlet's most distinctive facet (with a facet file) or term, with its sentences."""
    total = texts.sentence_count(ids)
    if facets:
        frame = pd.DataFrame({"id": list(all_ids), "text": [texts.text[a] for a in all_ids]})
        hits = facet_sentences(frame, dict(facets))
        others = [a for a in all_ids if a not in set(ids)]
        other_total = texts.sentence_count(others)
        best: tuple[float, str, pd.DataFrame, float] | None = None
        for facet in facets:
            mine = hits[(hits["facet"] == facet) & hits["article_id"].isin(ids)].drop_duplicates(
                ["article_id", "sentence_index"])
            theirs = hits[(hits["facet"] == facet) & hits["article_id"].isin(others)].drop_duplicates(
                ["article_id", "sentence_index"])
            if len(mine) < MIN_FACET_SENTENCES or not total:
                continue
            other_share = len(theirs) / other_total if other_total else 0.0
            gap = len(mine) / total - other_share
            if best is None or gap > best[0]:
                best = (gap, facet, mine, other_share)
        if best is not None and best[0] > 0:
            _, facet, mine, other_share = best
            mine = mine.assign(order=mine["article_id"].map(texts.order)).sort_values(["order", "start"])
            cites = _dedupe([texts.cite(r.article_id, PART_TEXT, int(r.start), int(r.end)) for r in mine.itertuples()])
            return Statement(KIND_EMPHASIS, f"{outlet} emphasised {facet.replace('_', ' ')} ({len(mine)} of {total} "
                             f"sentences on the story; other outlets: {other_share:.0%}).", cites)
    rows = term_table[(term_table["outlet"] == outlet) & (term_table["z"] >= MIN_TERM_Z)
                      & (term_table["count"] >= MIN_TERM_COUNT)]
    own_name = set(re.findall(r"\w+", outlet.lower())) | {"the"}
    for row in rows.itertuples():
        if set(str(row.term).split()) <= own_name:  # "fox news", "huffpost": an outlet naming itself
            continue
        pattern = _term_pattern(str(row.term))
        found: list[Citation | None] = []
        for aid in sorted(ids, key=texts.order.__getitem__):
            if pattern.search(texts.title[aid]):
                found.append(texts.cite(aid, PART_TITLE, 0, len(texts.title[aid])))
            for begin, stop in texts.spans[aid]:
                if pattern.search(texts.text[aid][begin:stop]):
                    found.append(texts.cite(aid, PART_TEXT, begin, stop))
        cites = _dedupe(found)
        if cites:
            others = "the other outlet" if len(set(texts.outlet[a] for a in all_ids)) == 2 else "the other outlets"
            return Statement(KIND_EMPHASIS, f"{outlet} stood out for “{row.term}” ({_plural(int(row.count), 'use')}; "
                             f"{int(row.other_count)} by {others} together).", cites)
    return _note(f"No facet or term sets {outlet} apart from the other outlets (too few repeated words).")


def _tone_sentences(evidence: pd.DataFrame) -> pd.DataFrame:
    mine = evidence[(evidence["scorer"] == TONE_SCORER) & (evidence["metric"] == TONE_METRIC)
                    & (evidence["part"] == PART_TEXT)]
    return mine.astype({"start": int, "end": int, "value": float})


def tone_statement(outlet: str, ids: Sequence[str], texts: _Texts, tone: pd.DataFrame,
                   target: str | None) -> Statement:
    """Return the outlet's mean sentence tone (toward ``target``: sentences naming it) against the others'."""
    if tone.empty:
        return _note(f"{outlet}: no sentence tone stored (run python -m analysis run).")
    pool = tone
    if target:
        pattern = target_pattern(target)  # the rules of tone toward a target everywhere (analysis/target_tone)
        keep = [bool(pattern.search(texts.text.get(a, "")[s:e])) for a, s, e in
                zip(pool["article_id"], pool["start"], pool["end"])]
        pool = pool[keep]
    mine = pool[pool["article_id"].isin(ids)]
    theirs = pool[~pool["article_id"].isin(ids)]
    about = f"sentences naming {target}" if target else "sentences"
    if len(mine) < MIN_TONE_SENTENCES:
        return _note(f"{outlet} has {_plural(len(mine), 'sentence')} naming {target}: too few for its tone."
                     if target else f"{outlet} has too few scored sentences for its tone.")
    mean = float(mine["value"].mean())
    if theirs.empty:
        direction, rest = 0.0, ""
    else:
        other = float(theirs["value"].mean())
        direction, rest = mean - other, f"; other outlets {other:+.2f} over {len(theirs)}"
    n_articles = len(set(ids))
    if rest and n_articles < MIN_TEST_ARTICLES:  # honest at small n: no "more negative than" from 1-4 articles
        cites = _dedupe([texts.cite(r.article_id, PART_TEXT, r.start, r.end) for r in _extremes(mine).itertuples()])
        subject = f"Toward {target}, {outlet}'s" if target else f"{outlet}'s"
        return Statement(KIND_TONE, f"{subject} {about} had mean {TONE_LABEL} {mean:+.2f} over {len(mine)}{rest}; "
                         f"{_plural(n_articles, 'article')} are too few to compare outlets (a comparison needs "
                         f"{MIN_TEST_ARTICLES}).", cites)
    if direction <= -TONE_GAP:
        verdict, ranked = "more negative than the other outlets'", mine.sort_values(["value", "article_id", "start"])
    elif direction >= TONE_GAP:
        verdict = "more positive than the other outlets'"
        ranked = mine.sort_values(["value", "article_id", "start"], ascending=[False, True, True])
    else:
        verdict = "about as positive or negative as the other outlets'" if rest else "its tone"
        ranked = _extremes(mine)  # its most negative and most positive sentences: the range around the mean
    cites = _dedupe([texts.cite(r.article_id, PART_TEXT, r.start, r.end) for r in ranked.itertuples()])
    subject = f"Toward {target}, {outlet}'s" if target else f"{outlet}'s"
    return Statement(KIND_TONE, f"{subject} {about} were {verdict} (mean {TONE_LABEL} {mean:+.2f} over "
                     f"{len(mine)}{rest}).", cites)


def _extremes(rows: pd.DataFrame) -> pd.DataFrame:
    """Return rows ordered most negative, most positive, next most negative, ... (ties by position)."""
    low = rows.sort_values(["value", "article_id", "start"]).reset_index(drop=True)
    high = rows.sort_values(["value", "article_id", "start"], ascending=[False, True, True]).reset_index(drop=True)
    order = pd.concat([low.assign(rank=low.index * 2), high.assign(rank=high.index * 2 + 1)])
    return order.sort_values("rank", kind="mergesort")


@lru_cache(maxsize=1)
def _frame_labels() -> dict[str, str]:
    return {frame.key: frame.label for frame in load_frameset("generic").frames}


def frame_statement(outlet: str, ids: Sequence[str], texts: _Texts, scores: pd.DataFrame,
                    evidence: pd.DataFrame) -> Statement:
    """Return the outlet's most common primary generic frame and its cue sentences."""
    mine = scores[(scores["scorer"] == FRAME_SCORER) & scores["article_id"].isin(ids)]
    primary = mine[mine["metric"].str.startswith("primary_") & (mine["value"].astype(float) >= 1)]
    if primary.empty:
        return _note(f"No frame is clearly present in {outlet}'s articles.")
    counts = Counter(primary["metric"].str.removeprefix("primary_"))
    shares = mine[mine["metric"].str.startswith("frame_")].groupby("metric")["value"].mean()
    key = sorted(counts, key=lambda k: (-counts[k], -float(shares.get(f"frame_{k}", 0.0)), k))[0]
    cues = evidence[(evidence["scorer"] == FRAME_SCORER) & (evidence["metric"] == f"frame_{key}")
                    & evidence["article_id"].isin(ids)]
    cues = cues.assign(order=cues["article_id"].map(texts.order)).sort_values(
        ["value", "order", "part", "start"], ascending=[False, True, False, True])
    cites = _dedupe([texts.cite(r.article_id, str(r.part), int(r.start), int(r.end)) for r in cues.itertuples()])
    if not cites:
        return _note(f"{outlet}'s primary frame has no stored cue sentences (rescore with {FRAME_SCORER}).")
    label = _frame_labels().get(key, key.replace("_", " ")).lower()
    sentences_with_cues = len(cues.drop_duplicates(["article_id", "part", "sentence_index"]))
    return Statement(KIND_FRAME, f"{outlet} framed the story mainly as {label} (primary frame of "
                     f"{counts[key]} of {_plural(len(ids), 'article')}; {sentences_with_cues} sentences carry "
                     f"{label} cues).", cites)


def speaker_statement(outlet: str, ids: Sequence[str], texts: _Texts, quotes: pd.DataFrame) -> Statement:
    """Return the speaker the outlet quotes in the most sentences, with those sentences.

    The outlet's own staff (names in its bylines and photo credits) and quotes read from captions or
    credits are not speakers.
    """
    mine = quotes[quotes["article_id"].isin(ids) & quotes["speaker"].notna()]
    staff = staff_names(texts.text.get(a, "") for a in ids)
    if not mine.empty:
        keep = [str(sp) not in staff and not is_furniture(texts.text.get(a, "")[int(b):int(e)])
                for sp, a, b, e in zip(mine["speaker"], mine["article_id"], mine["start"], mine["end"])]
        mine = mine[keep]
    if mine.empty:
        return _note(f"No attributed quote found in {outlet}'s articles.")
    counts = mine.drop_duplicates(["article_id", "sentence_index", "speaker"]).groupby("speaker").size()
    speaker = sorted(counts.index, key=lambda s: (-int(counts[s]), str(s)))[0]
    rows = mine[mine["speaker"] == speaker].assign(order=lambda f: f["article_id"].map(texts.order))
    rows = rows.sort_values(["order", "start"])
    cites = _dedupe([texts.cite(r.article_id, PART_TEXT, int(r.start), int(r.end)) for r in rows.itertuples()])
    kind = rows["speaker_type"].dropna()
    role = f", {kind.iloc[0]}" if not kind.empty and kind.iloc[0] != "other" else ""
    return Statement(KIND_SPEAKER, f"{outlet} quoted {speaker} most ({_plural(int(counts[speaker]), 'quoted sentence')}"
                     f"{role}).", cites)


def wire_statement(outlet: str, ids: Sequence[str], texts: _Texts, syndication: pd.DataFrame) -> Statement | None:
    """Return whether the outlet ran wire or shared copy; None when no syndication data covers it."""
    if syndication is None or syndication.empty:
        return None
    mine = syndication[syndication["article_id"].isin(ids)]
    wire = mine["wire"].fillna(False).astype(bool) if "wire" in mine else pd.Series(False, index=mine.index)
    shared = (~mine["is_original"].astype(bool)) & (mine["n_outlets"].fillna(1).astype(int) > 1)
    copied = mine[wire | shared].drop_duplicates("article_id")
    if copied.empty:
        return _note(f"None of {outlet}'s {_plural(len(ids), 'article')} matched wire copy or another outlet's text.")
    agencies = sorted({str(a) for a in copied["agency"].dropna() if str(a)}) if "agency" in copied else []
    source = f"{', '.join(agencies)} " if agencies else "wire or shared "
    copied = copied.assign(order=copied["article_id"].map(texts.order)).sort_values("order")
    cites = _dedupe([texts.cite(aid, PART_TEXT, texts.spans[aid][0][0], texts.spans[aid][0][1])
                     for aid in copied["article_id"] if texts.spans.get(aid)])
    if not cites:
        return None
    return Statement(KIND_WIRE, f"{outlet} ran {source}copy: {len(copied)} of {_plural(len(ids), 'article')} "
                     f"(opening sentence shown).", cites)


def difference_statements(articles: pd.DataFrame, scores: pd.DataFrame, evidence: pd.DataFrame, texts: _Texts,
                          *, samples: int, confidence: float, seed: int) -> tuple[Statement, ...]:
    """Return where outlets differ most: the clearest significant differences, or a note when none is."""
    keep = {f"{s}.{m}" for s, m in DIFFERENCE_METRICS}
    table = outlet_metrics(articles, scores, metrics=sorted(keep), samples=samples, confidence=confidence, seed=seed)
    if table.empty:
        return (_note("No scores stored for these articles: no comparison between outlets."),)
    table = table[(table["scorer"] + "." + table["metric"]).isin(keep)]
    shown = table[table["significant"] & ((table["diff"] > 0) | table["metric"].isin(["tone", "headline_tone"]))]
    shown = shown.assign(size=shown["diff"].abs()).sort_values(["p_adjusted", "size", "group", "metric"],
                                                                ascending=[True, False, True, True])
    tests = int(table["p_value"].notna().sum())
    out: list[Statement] = []
    for row in shown.itertuples():
        ids = articles.loc[articles["outlet"].astype(str) == row.group, "id"].tolist()
        cites = _metric_citations(str(row.scorer), str(row.metric), float(row.diff), ids, evidence, texts)
        if not cites:
            continue
        label = _metric_label(str(row.metric))
        direction = "higher" if row.diff > 0 else "lower"
        out.append(Statement(KIND_DIFFERENCE, f"Outlets differ most on {label}: {row.group} {row.mean:.2f} against "
                             f"{row.rest_mean:.2f} for the others ({direction} by {abs(row.diff):.2f}, "
                             f"{confidence:.0%} interval {row.diff_low:+.2f} to {row.diff_high:+.2f}; significant "
                             f"after Benjamini-Hochberg correction over {tests} tests).", cites))
        if len(out) == MAX_DIFFERENCES:
            break
    if out:
        return tuple(out)
    per_outlet = articles.groupby("outlet").size()
    span = (_plural(int(per_outlet.min()), "article") if per_outlet.min() == per_outlet.max()
            else f"{int(per_outlet.min())}-{int(per_outlet.max())} articles")
    caveat = (f"No difference between outlets is significant after correcting for {tests} tests ({span} per outlet)"
              if tests else f"With {span} per outlet no difference can be tested (a test needs "
              f"{MIN_TEST_ARTICLES} articles on each side)")
    gap = widest_tone_gap(articles, evidence, texts)
    if gap is not None:
        return (Statement(KIND_DIFFERENCE, f"{caveat}. The widest gap is in sentence tone: {gap[0]}.", gap[1]),)
    return (_note(f"{caveat}: read the statements above as descriptions, not contrasts."),)


def widest_tone_gap(articles: pd.DataFrame, evidence: pd.DataFrame,
                    texts: _Texts) -> tuple[str, tuple[Citation, ...]] | None:
    """Return the most negative and most positive outlet by mean sentence tone, with one sentence of each.

    None when fewer than two outlets have ``MIN_TONE_SENTENCES`` scored sentences or the gap is
    inside VADER's neutral band.
    """
    tone = _tone_sentences(evidence) if not evidence.empty else pd.DataFrame()
    if tone.empty:
        return None
    tone = tone.assign(outlet=tone["article_id"].map(texts.outlet)).dropna(subset=["outlet"])
    stats = tone.groupby("outlet")["value"].agg(["mean", "size"])
    stats = stats[stats["size"] >= MIN_TONE_SENTENCES].reset_index().sort_values(["mean", "outlet"])
    if len(stats) < 2:
        return None
    low, high = stats.iloc[0], stats.iloc[-1]
    if float(high["mean"]) - float(low["mean"]) < TONE_GAP:
        return None
    cites: list[Citation] = []
    for outlet, negative in ((low["outlet"], True), (high["outlet"], False)):
        rows = tone[tone["outlet"] == outlet].sort_values(["value", "article_id", "start"],
                                                          ascending=[negative, True, True])
        found = _dedupe([texts.cite(r.article_id, PART_TEXT, r.start, r.end) for r in rows.itertuples()], limit=1)
        cites.extend(found)
    text = (f"{low['outlet']} {float(low['mean']):+.2f} over {int(low['size'])} sentences against "
            f"{high['outlet']} {float(high['mean']):+.2f} over {int(high['size'])} (its most negative and "
            "the other's most positive sentence shown)")
    return text, tuple(cites)


def _metric_label(metric: str) -> str:
    if metric.startswith("frame_"):
        key = metric.removeprefix("frame_")
        return f"the {_frame_labels().get(key, key).lower()} frame (share of sentences with its cues)"
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def _metric_citations(scorer: str, metric: str, diff: float, ids: Sequence[str], evidence: pd.DataFrame,
                      texts: _Texts) -> tuple[Citation, ...]:
    rows = evidence[(evidence["scorer"] == scorer) & (evidence["metric"] == metric) & evidence["article_id"].isin(ids)]
    if rows.empty:
        return ()
    rows = rows.assign(order=rows["article_id"].map(texts.order), value=rows["value"].astype(float))
    if scorer == TONE_SCORER:  # the sentences most in the direction of the difference
        rows = rows.sort_values(["value", "order", "start"], ascending=[diff < 0, True, True])
    else:
        rows = rows.sort_values(["order", "part", "start"], ascending=[True, False, True])
    return _dedupe([texts.cite(r.article_id, str(r.part), int(r.start), int(r.end)) for r in rows.itertuples()])


def brief_from_frames(articles: pd.DataFrame, scores: pd.DataFrame, evidence: pd.DataFrame, *,
                      syndication: pd.DataFrame | None = None, facets: Mapping[str, Sequence[str]] | None = None,
                      targets: Sequence[str] = (), story: str | None = None, label: str = "",
                      samples: int = 2000, confidence: float = 0.95, seed: int = 0) -> Brief:
    """Return the brief of these articles (id, outlet, title, text, url) from their scores and evidence.

    ``scores`` is the store's long format, ``evidence`` its sentence evidence (article_id, scorer,
    metric, part, start, end, value), ``syndication`` its syndication groups, ``facets`` the story's
    facet cues (None: distinctive terms instead), ``targets`` names to report tone toward.

    >>> arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "title": ["Tariffs rise", "Talks"], "url": None,
    ...     "text": ["Tariffs on magnets rose again this week. Tariffs hurt carmakers across the region. "
    ...              "Tariffs will stay until the talks end.",
    ...              "Diplomats met in London for new talks. The talks ended without any agreement today."]})
    >>> empty = pd.DataFrame(columns=["article_id", "scorer", "metric", "part", "start", "end", "value"])
    >>> first = brief_from_frames(arts, empty.drop(columns=["part", "start", "end"]), empty).outlets[0].statements[0]
    >>> first.text
    'X stood out for “tariffs” (4 uses; 0 by the other outlet together).'
    >>> [(c.part, c.sentence) for c in first.citations][:2]
    [('title', 'Tariffs rise'), ('text', 'Tariffs on magnets rose again this week.')]
    """
    articles = articles.assign(outlet=articles["outlet"].astype(str)).reset_index(drop=True)
    texts = _Texts(articles)
    all_ids = articles["id"].tolist()
    terms = articles.assign(text=articles["text"].fillna(""), title=articles["title"].fillna(""))
    with np.errstate(all="ignore"):  # a one-word vocabulary has no odds against the rest: z is NaN, never used
        term_table = distinctive_terms(terms, top=50, min_count=MIN_TERM_COUNT)
    tone = _tone_sentences(evidence) if not evidence.empty else pd.DataFrame(columns=["article_id", "start", "end"])
    quotes = quote_table(articles.assign(text=articles["text"].fillna("")))
    outlets = []
    for outlet in sorted(articles["outlet"].unique()):
        ids = articles.loc[articles["outlet"] == outlet, "id"].tolist()
        statements = [emphasis_statement(outlet, ids, texts, all_ids, facets, term_table)]
        statements += [tone_statement(outlet, ids, texts, tone, t) for t in (targets or [None])]
        statements.append(frame_statement(outlet, ids, texts, scores, evidence) if not scores.empty
                          else _note(f"{outlet}: no frame scores stored."))
        statements.append(speaker_statement(outlet, ids, texts, quotes))
        wire = wire_statement(outlet, ids, texts, syndication) if syndication is not None else None
        if wire is not None:
            statements.append(wire)
        outlets.append(OutletBrief(outlet, len(ids), tuple(statements)))
    if scores.empty or articles["outlet"].nunique() < 2:
        differences: tuple[Statement, ...] = (_note("Fewer than two outlets or no scores: nothing to contrast."),)
    else:
        differences = difference_statements(articles, scores, evidence, texts, samples=samples,
                                            confidence=confidence, seed=seed)
    return Brief(story=story, outlets=tuple(outlets), differences=differences, label=label,
                 targets=tuple(targets))


__all__ = ["Brief", "Citation", "OutletBrief", "Statement", "brief_from_frames", "build_brief"]
