"""What the papers say, as contrasts: what one side of the coverage stressed that the other did not.

A *side* is an outlet group (every grouping analysis.compare.groups knows: bias, country, ownership, and
whatever that module grows) or a prominent outlet (several articles on the story). For each side
and each theme of the story (analysis.digest.themes), the side's articles give the theme a share
of their sentences; the rest of the story's articles give it another.

* **Groups** are tested where the n is: a Mann-Whitney U test of the per-article shares (the
  group's articles against the other known groups' articles), Benjamini-Hochberg over every
  group x theme test of the story (analysis.compare.stats.adjust_p_values). Only a difference with
  q < MAX_Q is stated as a group's.
* **Outlets** with fewer than analysis.compare.stats-worthy n are described, not tested: "gave X 40% of
  its sentences (1 article), the others 8%", with n beside the outlet.

Each contrast names the theme side A stressed most against B and the theme B stressed most
against A, with the sentence that shows each (verbatim, cited). Blindspots: outlet groups present
in the store with no article on this story.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.compare.groups import GROUPINGS, UNKNOWN
from analysis.compare.stats import adjust_p_values
from analysis.digest.model import Item, Section
from analysis.digest.themes import Theme, article_shares, best_row, side_rows

# Contrasts shown (the issue asks for the 3-5 sharpest).
MAX_CONTRASTS, MIN_CONTRASTS = 5, 3
# A group difference is stated when its Benjamini-Hochberg q is below this.
MAX_Q = 0.1
# A group needs this many articles on each side to be tested.
MIN_GROUP_ARTICLES = 2
# An outlet is a side of its own when it has this many articles on the story (a prominent voice), or
# when it belongs to a named type of prominent outlet in the groups table (wire, state media ...).
MIN_OUTLET_ARTICLES = 2
PROMINENT_TYPES = frozenset({"wire", "state_affiliated", "public_broadcaster", "national_newspaper", "broadcaster",
                             "news agency", "state", "state media", "national",
                             "public broadcaster", "newspaper"})
# A side has at least this many sentences (a two-sentence article gives a theme 100% or 0%).
MIN_SIDE_SENTENCES = 8
# The other side's theme is named when it gave that theme at least this much more (5 points).
MIN_B_GAP = 0.05
# A side must give its theme at least this much more of its sentences than the other side (10 points).
MIN_GAP = 0.10
# Blindspots: values named per grouping (one line: the store's largest absent groups).
BLINDSPOT_VALUES = 2
# Groups are "mostly unknown" when the best-known grouping covers less than this share of the story's
# articles: the section then says so in one line instead of showing the largest (untested) gap.
MIN_KNOWN_SHARE = 0.5
# A cited sentence in a contrast is at most this many words (the section has a 350-word budget).
CONTRAST_SENTENCE_WORDS = 35
# With a gain (what a sentence adds to the page), a side's theme is shown by the sentence adding the most among
# its this many most typical (as the themes' statements: analysis.digest.short.STATEMENT_POOL).
QUOTE_POOL = 5


@dataclass(frozen=True)
class Contrast:
    """One difference: side A stressed theme ``a_theme``, side B ``b_theme``; q is None for untested sides."""

    a: str
    b: str
    a_theme: int
    b_theme: int
    a_share: float
    a_rest: float
    b_share: float
    b_rest: float
    a_n: int
    b_n: int
    q: float | None
    a_row: int
    b_row: int | None
    score: float


def group_value(value: object) -> str:
    """Return an outlet's value for a grouping, UNKNOWN for a missing one (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return UNKNOWN
    if str(value).strip().lower() in ("nan", "none", "null"):  # a missing value read as text
        return UNKNOWN
    return str(value)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _mannwhitney(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import mannwhitneyu

    if len(a) < MIN_GROUP_ARTICLES or len(b) < MIN_GROUP_ARTICLES or (np.ptp(np.r_[a, b]) == 0):
        return 1.0
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def _contrast(table: pd.DataFrame, themes: Sequence[Theme], shares: pd.DataFrame, a_ids: set[str],
              b_ids: set[str], a: str, b: str, q_of: dict[int, float] | None,
              skip: Set[str] = frozenset(), gain: Callable[[str], float] | None = None) -> Contrast | None:
    cols = [f"theme_{t}" for t in range(len(themes))]
    in_a = shares["article_id"].isin(a_ids).to_numpy()
    in_b = shares["article_id"].isin(b_ids).to_numpy()
    if int(shares.loc[in_a, "sentences"].sum()) < MIN_SIDE_SENTENCES:  # "100% of its sentences" from one or two
        return None
    mean_a = shares.loc[in_a, cols].mean().to_numpy()
    mean_b = shares.loc[in_b, cols].mean().to_numpy()
    gaps = mean_a - mean_b
    order_a = sorted(range(len(themes)), key=lambda t: (-round(float(gaps[t]), 9), t))
    order_b = sorted(range(len(themes)), key=lambda t: (round(float(gaps[t]), 9), t))

    def row(t: int, ids: set[str]) -> int | None:
        if gain is None:
            return best_row(table, themes[t], ids, max_words=CONTRAST_SENTENCE_WORDS, skip=skip)
        pool = side_rows(table, themes[t], ids, max_words=CONTRAST_SENTENCE_WORDS, skip=skip)[:QUOTE_POOL]
        return max(pool, key=lambda r: (gain(str(table.at[r, "sentence"])), -pool.index(r))) if pool else None

    a_theme = next((t for t in order_a if gaps[t] >= MIN_GAP and (q_of is None or q_of.get(t, 1.0) < MAX_Q)
                    and row(t, a_ids) is not None), None)
    if a_theme is None:
        return None
    a_row = row(a_theme, a_ids)
    if a_row is None:
        return None
    b_theme = next((t for t in order_b if t != a_theme and -gaps[t] >= MIN_B_GAP
                    and row(t, b_ids) is not None), None)
    b_row = None
    if b_theme is not None:
        b_row = row(b_theme, b_ids)
    score = float(gaps[a_theme]) + (float(-gaps[b_theme]) if b_theme is not None else 0.0)
    return Contrast(a, b, a_theme, b_theme if b_theme is not None else -1, float(mean_a[a_theme]),
                    float(mean_b[a_theme]), float(mean_b[b_theme]) if b_theme is not None else 0.0,
                    float(mean_a[b_theme]) if b_theme is not None else 0.0, int(in_a.sum()), int(in_b.sum()),
                    q_of.get(a_theme) if q_of is not None else None, a_row, b_row, score)


def group_coverage(articles: pd.DataFrame, groups: pd.DataFrame) -> tuple[str, int, int]:
    """Return the grouping that knows the most of the story's articles, how many it knows, and the articles.

    >>> group_coverage(pd.DataFrame({"outlet": ["A", "B", "C"]}), pd.DataFrame({"outlet": ["A"], "bias": ["left"]}))
    ('bias', 1, 3)
    """
    outlets = articles["outlet"].astype(str)
    best = ("", 0)
    for grouping in [g for g in GROUPINGS if g in groups]:
        mapping = {str(o): group_value(v) for o, v in zip(groups["outlet"], groups[grouping])}
        known = int(sum(mapping.get(o, UNKNOWN) != UNKNOWN for o in outlets))
        if known > best[1]:
            best = (grouping, known)
    return best[0], best[1], len(outlets)


def groups_mostly_unknown(articles: pd.DataFrame, groups: pd.DataFrame) -> bool:
    """Return True when no grouping knows MIN_KNOWN_SHARE of the story's articles."""
    _, known, total = group_coverage(articles, groups)
    return total > 0 and known < MIN_KNOWN_SHARE * total


def find_contrasts(table: pd.DataFrame, themes: Sequence[Theme], articles: pd.DataFrame,
                   groups: pd.DataFrame, skip: Set[str] = frozenset(),
                   gain: Callable[[str], float] | None = None) -> tuple[list[Contrast], int]:
    """Return the sharpest contrasts of the story (tested group contrasts first, then prominent outlets)
    and the number of group x theme tests made; a sentence in ``skip`` (shown above) is not quoted again.
    With ``gain`` (analysis.digest.facts.Coverage.gain), each side is shown by the one of its QUOTE_POOL most
    typical sentences of the theme that adds the most to the page; else by the most typical.

    With no significant group difference, the largest group gap is kept (with its q) only when the
    groups know most of the story's articles (groups_mostly_unknown)."""
    if len(themes) < 2 or articles["outlet"].nunique() < 2:
        return [], 0
    shares = article_shares(table, themes)
    shares = shares[shares["sentences"] > 0].reset_index(drop=True)
    outlet_of = dict(zip(articles["id"].astype(str), articles["outlet"].astype(str)))
    cols = [f"theme_{t}" for t in range(len(themes))]
    # 1. groups: one test per (grouping, value, theme), BH over all of them
    tests: list[tuple[str, str, str, int, set[str], set[str]]] = []
    for grouping in [g for g in GROUPINGS if g in groups]:
        mapping = dict(zip(groups["outlet"], groups[grouping]))
        value_of = {a: group_value(mapping.get(o)) for a, o in outlet_of.items()}
        known = {a: v for a, v in value_of.items() if v != UNKNOWN}
        for value in sorted(set(known.values())):
            a_ids = {a for a, v in known.items() if v == value}
            b_ids = set(known) - a_ids
            if len(a_ids) < MIN_GROUP_ARTICLES or len(b_ids) < MIN_GROUP_ARTICLES:
                continue
            for t in range(len(themes)):
                tests.append((grouping, value, f"the other {grouping} groups", t, a_ids, b_ids))
    p_values = []
    for _, _, _, t, a_ids, b_ids in tests:
        col = cols[t]
        p_values.append(_mannwhitney(shares.loc[shares["article_id"].isin(a_ids), col].to_numpy(),
                                     shares.loc[shares["article_id"].isin(b_ids), col].to_numpy()))
    q_values = adjust_p_values(np.asarray(p_values), "bh") if p_values else np.array([])
    by_side: dict[tuple[str, str], dict[int, float]] = {}
    side_ids: dict[tuple[str, str], tuple[set[str], set[str], str]] = {}
    for (grouping, value, other, t, a_ids, b_ids), q in zip(tests, q_values):
        by_side.setdefault((grouping, value), {})[t] = float(q)
        side_ids[(grouping, value)] = (a_ids, b_ids, other)
    found: list[Contrast] = []
    for (grouping, value), q_of in sorted(by_side.items()):
        a_ids, b_ids, other = side_ids[(grouping, value)]
        made = _contrast(table, themes, shares, a_ids, b_ids, f"{grouping}: {value}", other, q_of, skip, gain)
        if made is None:  # no significant theme: its largest gap still says where the groups lean, with its q
            loose = _contrast(table, themes, shares, a_ids, b_ids, f"{grouping}: {value}", other, None, skip, gain)
            made = replace(loose, q=q_of.get(loose.a_theme, 1.0)) if loose is not None else None
        if made is not None:
            found.append(made)
    # 2. prominent outlets against the rest of the story, described with their n (not tested)
    counts = articles["outlet"].astype(str).value_counts()
    types = dict(zip(groups["outlet"], groups["type"])) if "type" in groups else {}
    prominent = sorted((o for o in counts.index
                        if counts[o] >= MIN_OUTLET_ARTICLES or str(types.get(o, "")).lower() in PROMINENT_TYPES),
                       key=lambda o: (-int(counts[o]), o))
    for outlet in prominent:
        a_ids = {a for a, o in outlet_of.items() if o == outlet}
        b_ids = set(outlet_of) - a_ids
        made = _contrast(table, themes, shares, a_ids, b_ids, outlet, "the other outlets", None, skip, gain)
        if made is not None:
            found.append(made)
    tested = sorted((c for c in found if c.q is not None and c.q < MAX_Q), key=lambda c: (-round(c.score, 9), c.a))
    # no significant group difference: one group gap is shown, with its q (a lead, not a finding) ...
    # ... the best supported (smallest q, then the largest gap): a 9-article group's lean before a 2-article one's
    leads = sorted((c for c in found if c.q is not None and c.q >= MAX_Q),
                   key=lambda c: (round(c.q if c.q is not None else 1.0, 9), -round(c.score, 9), c.a))
    described = sorted((c for c in found if c.q is None),
                       key=lambda c: (-c.a_n, -round(c.score, 9), c.a))
    show_lead = not tested and not groups_mostly_unknown(articles, groups)
    chosen = _pick([*tested, *(leads[:1] if show_lead else []), *described], [])
    if len(chosen) < MIN_CONTRASTS:  # 3. too few: single-article outlets (MIN_SIDE_SENTENCES+), sharpest first
        rest = []
        for outlet in sorted(set(counts.index) - set(prominent)):
            a_ids = {a for a, o in outlet_of.items() if o == outlet}
            made = _contrast(table, themes, shares, a_ids, set(outlet_of) - a_ids, outlet, "the other outlets", None,
                             skip, gain)
            if made is not None:
                rest.append(made)
        chosen = _pick(sorted(rest, key=lambda c: (-round(c.score, 9), c.a)), chosen, MIN_CONTRASTS)
    return chosen, len(tests)


def _pick(candidates: Sequence[Contrast], chosen: list[Contrast], limit: int = MAX_CONTRASTS) -> list[Contrast]:
    """Add candidates in order, up to ``limit`` in all, skipping one that repeats a chosen pair of themes."""
    out = list(chosen)
    for contrast in candidates:
        if len(out) >= limit:
            break
        if any(c.a_theme == contrast.a_theme and c.b_theme == contrast.b_theme for c in out):
            continue
        out.append(contrast)
    return out


def blindspots(story_outlets: Sequence[str], store_groups: pd.DataFrame,
               store_articles: dict[str, int] | None = None) -> list[str]:
    """Return "grouping: values" for the outlet groups in the store with no outlet in the story, the groups
    with the most articles in the store first (``store_articles``: articles per outlet; else by name)."""
    present = set(map(str, story_outlets))
    out = []
    for grouping in [g for g in GROUPINGS if g in store_groups]:
        size: dict[str, int] = {}
        for outlet, value in zip(store_groups["outlet"], store_groups[grouping]):
            value = group_value(value)
            size[value] = size.get(value, 0) + (store_articles or {}).get(str(outlet), 0)
        values = set(size) - {UNKNOWN}
        covered = {group_value(v) for o, v in zip(store_groups["outlet"], store_groups[grouping]) if str(o) in present}
        missing = sorted(values - covered, key=lambda v: (-size[v], v))
        if missing:
            shown_n = len(missing) if len(missing) <= BLINDSPOT_VALUES + 1 else BLINDSPOT_VALUES  # never "and 1 more"
            more = len(missing) - shown_n
            shown = ", ".join(missing[:shown_n])
            out.append(f"{grouping}: {shown}" + (f" and {more} more" if more > 0 else ""))
    return out


def contrasts_section(table: pd.DataFrame, themes: Sequence[Theme], contrasts: Sequence[Contrast],
                      blind: Sequence[str], cite: object, n_articles: dict[str, int], n_tests: int = 0,
                      coverage: tuple[str, int, int] | None = None) -> Section:
    """Turn contrasts into the short digest's *What the papers say*; ``cite`` maps a table row to a Citation.

    The sharpest significant group contrast leads as the **Main divide**. ``coverage`` (group_coverage:
    the best-known grouping, its known articles, all articles) makes one line say when the groups are
    mostly unknown; a sentence quoted once in the section is not quoted again.
    """
    title = "What the papers say"
    items = []
    significant = [c for c in contrasts if c.q is not None and c.q < MAX_Q]
    quoted: set[int] = set()
    for c in contrasts:
        a_name = _side_name(c.a, n_articles, c.a_n)
        b_name = _side_name(c.b, n_articles, c.b_n)
        a_theme = themes[c.a_theme].label
        whose = "its" if c.a in n_articles else "their"
        text = f"{a_name} gave “{a_theme}” {_pct(c.a_share)} of {whose} sentences, {b_name} {_pct(c.a_rest)}"
        if c.b_theme >= 0 and c.b_row is not None:
            text += f"; they leaned on “{themes[c.b_theme].label}” ({_pct(c.b_share)} vs {_pct(c.b_rest)})"
        text += "."
        heading = ""
        if c.q is not None and c.q < MAX_Q:
            text += f" Tested across articles: q = {c.q:.3f}."
            heading = "Main divide" if c is significant[0] else ""
        elif c.q is not None:
            text += (f" Not significant (q = {c.q:.2f}; none of {n_tests} group tests reached q < {MAX_Q}): "
                     "the best supported gap between groups, not a finding.")
            heading = "Main divide, not significant"
        rows = [r for r in (c.a_row, c.b_row) if r is not None and r not in quoted]
        quoted.update(rows)
        citations = tuple(cite(table.iloc[r]) for r in rows)  # type: ignore[operator]
        items.append(Item(heading=heading, text=text, citations=citations))
    lead_shown = any(c.q is not None for c in contrasts)
    if not significant and not lead_shown and (n_tests or coverage):
        grouping, known, total = coverage or ("", 0, 0)
        tests = f"no difference reached q < {MAX_Q} over {n_tests} tests." if n_tests else "too few articles to test."
        if total and known < MIN_KNOWN_SHARE * total:
            line = f"known for only {known} of {total} articles ({grouping or 'no grouping'}): {tests}"
        elif n_tests:
            line = f"none gave a theme a significantly different share of its sentences ({tests[:-1]})."
        else:
            line = f"{tests[:-1]} (fewer than {MIN_GROUP_ARTICLES} articles a side)."
        items.insert(0, Item(heading="Outlet groups", text=line))
    if blind:
        items.append(Item(heading="Blindspots", text="no article on this story from " + "; ".join(blind) + "."))
    elif contrasts:
        items.append(Item(heading="Blindspots", text="every outlet group in the store covered this story."))
    if not contrasts:
        note = ("No difference between outlets or outlet groups reached a 10-point gap in any theme"
                if len(themes) >= 2 else "Too little coverage to compare outlets: fewer than two themes")
        return Section("papers", title, tuple(items), note + ". The per-outlet brief is in the full digest.")
    return Section("papers", title, tuple(items),
                   "Share of each side's sentences given to a theme (per-article mean; n = articles). Groups are "
                   "tested (Mann-Whitney, Benjamini-Hochberg); single outlets are described, not tested.")


def _side_name(side: str, n_articles: dict[str, int], n: int) -> str:
    if side in n_articles:
        return f"{side} ({n} article{'s' if n != 1 else ''})"
    if side.startswith("the other"):
        return f"{side} ({n} articles)"
    return f"{side} outlets ({n} articles)"

