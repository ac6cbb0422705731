"""The default digest: a page a person reads (at most ~MAX_WORDS words of Markdown, link targets excluded).

Sections, in the order of the full digest:

1. *What's happened*: the lede sentences of analysis.digest.sections.whats_happened.
2. *Key insights*: the 4-6 themes of analysis.digest.themes, each named by its key phrases, stated
   by its best sentence, with its figures and the outlets and groups that stress it most.
   *The figures the outlets cite*: the figure groups no theme carries.
3. *What the papers say*: the contrasts of analysis.digest.contrasts and one line of blindspots.
4. *How we got here*: earlier linked stories, then the story's own days, one cited sentence each.
5. *Go deeper*: questions the coverage asks (headlines first; interview transcripts left out).
6. *More on these topics*: the key names, described in the coverage's own words.

Citations name the outlet, linked to the article, never the headline again. When the page is
longer than MAX_WORDS, the line adding the least the rest of the page does not say, per word, goes
first (fit; past TRIM_FLOORS, the fixed TRIM_ORDER).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.compare.groups import GROUPINGS, UNKNOWN
from analysis.digest.contrasts import group_value
from analysis.digest.facts import FACT_HEADING, Coverage
from analysis.digest.figures import group_claims
from analysis.digest.model import Digest, Entry, Item, Section
from analysis.digest.sections import cite, cite_title, story_claims
from analysis.digest.themes import Theme, stands_alone, theme_of_rows, usable_rows
from analysis.text.furniture import is_furniture, is_transcript

MAX_WORDS = 1200
# Outlets and groups named per theme as stressing it most.
STRESS_OUTLETS = 2
# A theme is stated by the most informative of its this many most typical sentences (multi-day stories: 3-8
# alike, 1 = the most typical only).
STATEMENT_POOL = 5
# Figure groups shown inside a theme, and in the figures section for those no theme carries.
THEME_FIGURES = 1
LOOSE_FIGURES = 3
THEME_FIGURE_VALUES = 2
# How we got here: earlier linked stories, then the story's own days (the busiest, shown in date order).
EARLIER_STORIES = 3
TIMELINE_DAYS = 10
# Go deeper: questions the coverage asks.
QUESTIONS = 3
# More on these topics: names described.
TOPIC_NAMES = 3
# Trimmed first when the page is too long: (section key, items it keeps at least).
# "also": the key facts after What's happened's ledes (analysis.digest.facts).
TRIM_ORDER = (("more_on_topics", 0), ("go_deeper", 1), ("figures", 1), ("how_we_got_here", 3), ("also", 2),
              ("go_deeper", 0), ("figures", 0), ("how_we_got_here", 1), ("also", 1), ("key_insights", 4),
              ("papers", 3), ("also", 0))
# The short page's section notes: a line a reader needs (the methods are in docs/digest.md). A note saying
# why a section is empty is kept as it is.
SHORT_NOTES = {
    "whats_happened": "",
    "key_insights": "Themes of the coverage, each in its most typical sentence; n = an outlet's articles, "
                    "% = share of its sentences.",
    "figures": "",
    "papers": "n = articles. Groups tested (Mann-Whitney, Benjamini-Hochberg); single outlets described, not tested.",
    "how_we_got_here": "",
    "more_on_topics": "",
}
ONE_OUTLET = "Only one outlet covers this story: nothing here is confirmed by a second one."
# What the papers say is at most this many words (the limit).
MAX_PAPERS_WORDS = 350
_LINK_TARGET = re.compile(r"\]\(<[^>]*>\)|\]\([^)]*\)")


def markdown_words(markdown: str) -> int:
    """Count the words of a Markdown page with link targets left out (a word holds a letter or a digit).

    >>> markdown_words("Said by [Reuters](<https://example.com/a b>) today.")
    4
    """
    return sum(1 for token in _LINK_TARGET.sub("]", markdown).split() if any(ch.isalnum() for ch in token))


# ------------------------------------------------------------------------------------------ label
def central_headline(articles: pd.DataFrame, table: pd.DataFrame) -> str | None:
    """Return the headline most central to the whole story: nearest the mean of its sentences (TF-IDF).

    Ties go to the earlier article id; None when no article has a headline.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    titled = articles[articles["title"].map(lambda t: isinstance(t, str) and len(t.split()) >= 4)]
    titled = titled.sort_values("id", kind="mergesort")
    if titled.empty:
        return None
    rows = usable_rows(table)
    body = [str(table.at[int(r), "sentence"]) for r in rows]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][\w\-]+\b")
    try:
        matrix = vectorizer.fit_transform(body + list(titled["title"]))
    except ValueError:
        return str(titled["title"].iloc[0])
    titles = matrix[len(body):]
    # the medoid: the headline most similar to the other headlines (and to the body, which breaks ties)
    centroid = np.asarray(matrix[: len(body)].mean(axis=0)).ravel() if body else np.zeros(matrix.shape[1])
    scores = np.asarray((titles @ titles.T).sum(axis=1)).ravel() + np.asarray(titles @ centroid).ravel()
    best = max(range(len(titled)), key=lambda i: (round(float(scores[i]), 9), -i))
    return str(titled["title"].iloc[best])


# ------------------------------------------------------------------------------------------ key insights
def _groups_of(groups: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if groups is None or groups.empty:
        return {}
    out: dict[str, dict[str, str]] = {}
    for grouping in [g for g in GROUPINGS if g in groups]:
        out[grouping] = {str(o): group_value(v) for o, v in zip(groups["outlet"], groups[grouping])}
    return out


def themes_section(table: pd.DataFrame, themes: Sequence[Theme], groups: pd.DataFrame | None,
                   n_articles: dict[str, int], skip: set[str] = frozenset(),
                   coverage: Coverage | None = None) -> tuple[Section, set[int]]:
    """Return *Key insights* from the themes, and the figure groups they carry (their indices).

    A theme is stated by its best sentence that ``skip`` (sentences shown above) does not hold; with
    ``coverage`` (analysis.digest.facts), by the one of its STATEMENT_POOL most typical sentences that adds the
    most the page does not yet say (the most typical on a tie), which then counts as said.
    """
    title = "Key insights"
    if not themes:
        return Section("key_insights", title, note="Too little coverage to find themes: fewer than two outlets or "
                       "too few sentences to cluster."), set()
    assigned = theme_of_rows(table, themes)
    usable = np.zeros(len(table), dtype=bool)
    usable[[i for i, f in enumerate(table["furniture"]) if not f]] = True
    per_outlet = Counter(str(o) for o, u in zip(table["outlet"], usable) if u)
    claims = story_claims(table)
    figure_groups = group_claims([c for c, _ in claims])
    row_of = {(c.key, c.claim.start): r for c, r in claims}
    group_theme: dict[int, int] = {}
    for g, group in enumerate(figure_groups):
        votes = Counter(int(assigned[row_of[(c.key, c.claim.start)]]) for c in group.claims)
        votes.pop(-1, None)
        if votes:
            group_theme[g] = min(votes, key=lambda t: (-votes[t], t))
    by_group = _groups_of(groups)
    n_outlets = table["outlet"].nunique()
    items = []
    carried: set[int] = set()
    for t, theme in enumerate(themes):
        in_theme = Counter(str(table.at[r, "outlet"]) for r in theme.rows)
        # an outlet with one sentence in the theme is not "stressing" it: those with two or more come first
        shares = sorted(((in_theme[o] / per_outlet[o], o) for o in in_theme if per_outlet[o]),
                        key=lambda so: (in_theme[so[1]] < 2, -round(so[0], 9), -n_articles.get(so[1], 0), so[1]))
        stress = [f"{o} (n={n_articles.get(o, 0)}, {share:.0%})"
                  for share, o in shares[:STRESS_OUTLETS]]
        group_line = _group_stress(theme, table, by_group, per_outlet)
        note = f"{len(theme.outlets)} of {n_outlets} outlets; most: " + ", ".join(stress)
        if group_line:
            note += f"; group: {group_line}"
        entries = []
        mine = sorted((g for g, th in group_theme.items() if th == t),
                      key=lambda g: (-len(figure_groups[g].outlets), g))[:THEME_FIGURES]
        for g in mine:
            carried.add(g)
            entries.extend(_figure_entries(figure_groups[g], table, row_of, limit=THEME_FIGURE_VALUES))
        pool = [r for r in theme.statements if str(table.at[r, "sentence"]) not in skip][:STATEMENT_POOL]
        statement = pool[0] if pool else theme.statement
        if coverage is not None and pool:
            statement = max(pool, key=lambda r: (coverage.gain(str(table.at[r, "sentence"])), -pool.index(r)))
            coverage.add(str(table.at[statement, "sentence"]))
        skip = skip | {str(table.at[statement, "sentence"])}
        items.append(Item(heading=theme.label, text=str(table.at[statement, "sentence"]), note=note,
                          citations=(cite(table.iloc[statement]),), entries=tuple(entries), quoted=True))
    note = ("Themes: the story's sentences clustered by meaning (TF-IDF, LSA, Ward), named by their key phrases "
            "(class-based TF-IDF), each stated by its most typical sentence; the outlets giving it the largest share "
            "of their sentences (n = articles).")
    return Section("key_insights", title, tuple(items), note), carried


def _group_stress(theme: Theme, table: pd.DataFrame, by_group: dict[str, dict[str, str]],
                  per_outlet: Counter[str]) -> str:
    """Return the outlet group (of two or more outlets) giving the theme the largest share of its sentences."""
    best: tuple[float, str] | None = None
    in_theme = Counter(str(table.at[r, "outlet"]) for r in theme.rows)
    for grouping, mapping in by_group.items():
        members: dict[str, list[str]] = {}
        for outlet in per_outlet:
            value = mapping.get(outlet, UNKNOWN)
            if value != UNKNOWN:
                members.setdefault(value, []).append(outlet)
        if len(members) < 2:
            continue
        total = sum(per_outlet.values())
        overall = sum(in_theme.values()) / total if total else 0.0
        for value, outlets in sorted(members.items()):
            if len(outlets) < 2:
                continue
            share = sum(in_theme[o] for o in outlets) / sum(per_outlet[o] for o in outlets)
            lift = share - overall
            if lift > 0 and (best is None or lift > best[0] + 1e-9):
                best = (lift, f"{grouping} {value} ({len(outlets)} outlets, {share:.0%} vs {overall:.0%})")
    return best[1] if best else ""


def _figure_entries(group: Any, table: pd.DataFrame, row_of: dict[Any, int], limit: int) -> list[Entry]:
    by_value: dict[str, list[Any]] = {}
    for claim in sorted(group.claims, key=lambda c: (c.outlet, c.key, c.claim.start)):
        members = by_value.setdefault(claim.claim.value, [])
        if all(c.outlet != claim.outlet for c in members):
            members.append(claim)
    entries = []
    for value in sorted(by_value, key=lambda v: (-len(by_value[v]), v))[:limit]:
        members = by_value[value][:3]
        entries.append(Entry(label=value, text=", ".join(c.outlet for c in members),
                             citations=tuple(cite(table.iloc[row_of[(c.key, c.claim.start)]]) for c in members)))
    return entries


def loose_figures(table: pd.DataFrame, carried: set[int]) -> Section:
    """Return the figure groups no theme carries (disagreeing ones first), compactly cited."""
    title = "The figures the outlets cite"
    claims = story_claims(table)
    groups = group_claims([c for c, _ in claims])
    row_of = {(c.key, c.claim.start): r for c, r in claims}
    rest = [g for i, g in enumerate(groups) if i not in carried]
    rest = sorted(rest, key=lambda g: (not g.disagree, -len(g.outlets)))[:LOOSE_FIGURES]
    if not groups:
        return Section("figures", title, note="Too little coverage to compare figures: no number appears in the "
                       "same context in two or more outlets.", level=3)
    items = [Item(heading=g.label, text=("different figures in similar words" if g.disagree else "same figure") +
                  f", {len(g.outlets)} outlets", entries=tuple(_figure_entries(g, table, row_of, limit=4)))
             for g in rest]
    note = "Figures the key insights above do not already show; the full digest lists every group."
    return Section("figures", title, tuple(items), note if items else "Every figure group is shown with its theme.",
                   level=3)


# ------------------------------------------------------------------------------------------ how we got here
def story_days(table: pd.DataFrame, skip: set[str], coverage: Coverage | None = None) -> list[Item]:
    """Return the story's busiest days in date order, each with one lede sentence of that day, cited.

    Without ``coverage``, a day's sentence is the lede (first three sentences) nearest the mean of that day's
    sentences; with it, the lede adding the most the page does not yet say (analysis.digest.facts), the
    nearest to the day's mean breaking ties; each chosen sentence then counts as said, the day adding the most
    filled first (so an early day does not take the words a later day says best).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    dated = table[table["published"].map(lambda p: isinstance(p, str) and len(p) >= 10)]
    days = dated["published"].str[:10]
    if days.nunique() < 2:
        return []
    per_day = days.value_counts()
    per_day_articles = dated.groupby(days)["article_id"].nunique()
    chosen_days = sorted(sorted(per_day.index, key=lambda d: (-int(per_day_articles[d]), d))[:TIMELINE_DAYS])
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][\w\-]+\b")
    try:
        matrix = vectorizer.fit_transform(list(dated["sentence"]))
    except ValueError:
        return []
    positions = {r: i for i, r in enumerate(dated.index)}
    pools: dict[str, tuple[list[tuple[Any, int]], np.ndarray]] = {}
    for day in chosen_days:
        mine = dated[days == day]
        rows = [positions[r] for r in mine.index]
        candidates = [(r, i) for r, i in zip(mine.index, rows) if int(table.at[r, "index"]) < 3
                      and not table.at[r, "furniture"] and stands_alone(str(table.at[r, "sentence"]))
                      and table.at[r, "sentence"] not in skip]
        if candidates:
            pools[day] = (candidates, np.asarray(matrix[rows].mean(axis=0)).ravel())

    def score(ri: tuple[Any, int], centroid: np.ndarray) -> tuple[float, float, int]:
        gain = coverage.gain(str(table.at[ri[0], "sentence"])) if coverage is not None else 0.0
        return gain, round(float((matrix[ri[1]] @ centroid)[0]), 9), -ri[1]

    chosen: dict[str, Any] = {}
    while len(chosen) < len(pools):  # the day whose sentence adds the most is filled first (greedy coverage)
        best_of = {day: max(c, key=lambda ri, m=m: score(ri, m)) for day, (c, m) in pools.items() if day not in chosen}
        day = max(best_of, key=lambda d: (score(best_of[d], pools[d][1])[0], -chosen_days.index(d)))
        chosen[day] = best_of[day][0]
        if coverage is not None:
            coverage.add(str(table.at[chosen[day], "sentence"]))
    items = []
    for day in sorted(chosen):
        best, n = chosen[day], int(per_day_articles[day])
        items.append(Item(heading=day, text=str(table.at[best, "sentence"]), citations=(cite(table.loc[best]),),
                          quoted=True, note=f"{n} article{'s' if n != 1 else ''}"))
    return items


def short_how_we_got_here(full: Section, table: pd.DataFrame, skip: set[str],
                          coverage: Coverage | None = None) -> Section:
    """Return the earlier linked stories of the full section (at most EARLIER_STORIES) and the story's days."""
    earlier = [i for i in full.items if i.link is not None or "(story " in i.text][-EARLIER_STORIES:]
    days = story_days(table, skip, coverage)
    day_line = ("each with the lede sentence adding the most to the page" if coverage is not None else
                "each with its most typical lede sentence")
    note = f"Earlier stories that share this story's key names, then the story's busiest days, {day_line}."
    if not earlier:
        note = "No earlier story in the store shares this story's key names. " + (
            f"The story's busiest days, {day_line}." if days else "")
    return Section("how_we_got_here", "How we got here", tuple(earlier) + tuple(days), note.strip())


# ------------------------------------------------------------------------------------------ go deeper
def _real_question(text: str) -> bool:
    stripped = text.strip()
    return (stripped.endswith("?") and stripped.count("?") == 1 and 5 <= len(stripped.split()) <= 30
            and not stripped.startswith(("\"", "“", "'", "‘")) and "\"" not in stripped and "“" not in stripped
            and not is_furniture(stripped))


def short_go_deeper(table: pd.DataFrame, articles: pd.DataFrame) -> Section:
    """Return questions the coverage asks: headlines first, then sentences; interview transcripts left out."""
    transcripts = {str(i) for i, t in zip(articles["id"], articles["text"]) if is_transcript(str(t or ""))}
    items: list[Item] = []
    seen: set[str] = set()
    for article in articles.sort_values(["published", "id"], kind="mergesort", na_position="last").itertuples():
        title = str(article.title or "")
        if _real_question(title) and title.lower() not in seen and str(article.id) not in transcripts:
            seen.add(title.lower())
            items.append(Item(text=title, citations=(cite_title(article),), quoted=True))
    for row in table.sort_values(["published", "article_id", "start"], kind="mergesort",
                                 na_position="last").itertuples(index=False):
        if len(items) >= QUESTIONS:
            break
        key = row.sentence.lower()
        if row.article_id in transcripts or key in seen or not _real_question(row.sentence):
            continue
        seen.add(key)
        items.append(Item(text=row.sentence, citations=(cite(row),), quoted=True))
    items = items[:QUESTIONS]
    note = "" if items else "The coverage asks no question of its own (outside quotes and interviews)."
    return Section("go_deeper", "Go deeper", tuple(items), note)


# ------------------------------------------------------------------------------------------ the page
def short_more_on_topics(full: Section) -> Section:
    """Return the first TOPIC_NAMES key names with their descriptions (no per-outlet counts)."""
    items = tuple(replace(i, entries=(), note="") for i in full.items if i.citations)[:TOPIC_NAMES]
    if not items:
        return Section("more_on_topics", full.title, note="No key name is described in the coverage itself.")
    return Section("more_on_topics", full.title, items, "Key names as the coverage itself describes them.")


def with_short_notes(digest: Digest) -> Digest:
    """Replace the sections' method notes by SHORT_NOTES (a section with no items keeps its own note, and a
    warning that only one outlet covers the story stays)."""
    def note(section: Section) -> str:
        if section.key not in SHORT_NOTES or not section.items:
            return section.note
        warning = ONE_OUTLET if ONE_OUTLET in section.note else ""
        return " ".join(part for part in (SHORT_NOTES[section.key], warning) if part)

    return replace(digest, sections=tuple(replace(s, note=note(s)) for s in digest.sections))


def fit(digest: Digest, render: Callable[[Digest], str], max_words: int = MAX_WORDS,
        coverage: Coverage | None = None) -> Digest:
    """Drop the least needed lines until the rendered page has at most ``max_words`` words.

    First *What the papers say* loses its last contrasts until it has at most MAX_PAPERS_WORDS words.
    Then, with ``coverage`` (the story's outlet-weighted concepts, analysis.digest.facts), the line that
    says the least the rest of the page does not (trim_value: its concepts no other line holds, weighed,
    per word it costs) goes first, each section keeping TRIM_FLOORS lines; without it, or when the
    floors are reached, TRIM_ORDER's fixed order.
    """
    current = digest
    if any(s.key == "papers" for s in digest.sections):
        current = _with_section(current, fit_papers(current.section("papers"), render))
    if coverage is not None:
        current = _trim_by_value(current, render, max_words, coverage)
    for key, keep in TRIM_ORDER:
        while markdown_words(render(current)) > max_words:
            section = current.section("whats_happened" if key == "also" else key)
            facts = [j for j, i in enumerate(section.items) if i.heading == FACT_HEADING]
            if len(facts if key == "also" else section.items) <= keep:
                break
            drop = facts[-1] if key == "also" else _least_needed(section)
            current = _with_section(current, replace(section, items=tuple(i for j, i in enumerate(section.items)
                                                                          if j != drop)))
        else:
            return current
    return current


def fit_papers(papers: Section, render: Callable[[Digest], str]) -> Section:
    """Return *What the papers say* without its last contrasts until it has at most MAX_PAPERS_WORDS words
    (one contrast stays)."""
    current = Digest("", "", 0, 0, None, None, sections=(papers,), detail="short")
    while section_words(current, "papers", render) > MAX_PAPERS_WORDS:
        section = current.section("papers")
        contrasts = [i for i in section.items if i.heading not in ("Blindspots", "Outlet groups")]
        if len(contrasts) <= 1:
            break
        drop = contrasts[-1]
        current = _with_section(current, replace(section, items=tuple(i for i in section.items if i is not drop)))
    return current.section("papers")


def line_text(item: Item) -> str:
    """Return the words a line shows that can carry a fact: its heading, text, quotes and figure labels."""
    parts = [item.heading, item.text, *(c.sentence for c in item.citations), *(e.label for e in item.entries)]
    return " \n ".join(p for p in parts if p and p != FACT_HEADING)


def trim_value(item: Item, page: Counter[str], coverage: Coverage, words: int) -> float:
    """Return the weight of the concepts only this line holds on the page, per word the line costs.

    ``page`` counts, per concept, the page's lines holding it (this line's included).

    >>> cov = Coverage({"flood": 3, "hydrants": 2, "dry": 2})
    >>> trim_value(Item(text="Hydrants ran dry in the flood."), Counter({"flood": 2, "hydrants": 1, "dry": 1}), cov, 6)
    0.666666667
    """
    unique = sum(coverage.weights[c] for c in coverage.concepts(line_text(item)) if page[c] <= 1)
    return round(unique / max(1, words), 9)


def _trim_by_value(digest: Digest, render: Callable[[Digest], str], max_words: int,
                   coverage: Coverage) -> Digest:
    """Drop, while the page is too long, the trimmable line of least trim_value (TRIM_FLOORS kept); then put
    back, the last dropped first, each dropped line the words left still hold (a long line may have freed more
    than the page was over).

    A line's cost is the words the page loses without it, measured once (a line renders on its own).
    """
    current = digest
    total = markdown_words(render(current))
    cost: dict[Item, int] = {}
    held: dict[Item, set[str]] = {}
    dropped: list[tuple[str, Item]] = []
    while total > max_words:
        lines = [(s.key, j, i) for s in current.sections for j, i in enumerate(s.items)]
        page: Counter[str] = Counter()
        for _, _, item in lines:
            if item not in held:
                held[item] = coverage.concepts(line_text(item))
            page.update(held[item])
        best: tuple[float, int, int, str, int] | None = None
        for key, j, item in lines:
            if not _trimmable(current.section(key), item):
                continue
            if item not in cost:
                cost[item] = total - markdown_words(render(_without(current, key, j)))
            rank = (trim_value(item, page, coverage, cost[item]), _TRIM_RANK.get(key, 0), -j, key, j)
            if best is None or rank < best:
                best = rank
        if best is None:
            break
        dropped.append((best[3], current.section(best[3]).items[best[4]]))
        current = _without(current, best[3], best[4])
        total = markdown_words(render(current))
    for key, item in reversed(dropped[:-1]):  # the last one dropped was needed to fit
        kept = current.section(key).items
        restored = tuple(i for i in digest.section(key).items if i is item or any(i is k for k in kept))
        candidate = _with_section(current, replace(current.section(key), items=restored,
                                                   note=digest.section(key).note))
        if markdown_words(render(candidate)) <= max_words:
            current = candidate
    return current


# The lines a section keeps at least when lines are trimmed by value; What's happened's ledes and the earlier
# stories of How we got here are never trimmed so (key facts "Also" are).
TRIM_FLOORS = {"more_on_topics": 0, "go_deeper": 0, "figures": 1, "how_we_got_here": 1, "whats_happened": 0,
               "key_insights": 4}
# On equal value, the section trimmed first (the lower rank).
_TRIM_RANK = {key: rank for rank, key in enumerate(("more_on_topics", "go_deeper", "figures", "how_we_got_here",
                                                    "whats_happened", "key_insights"))}


def _trimmable(section: Section, item: Item) -> bool:
    if section.key not in TRIM_FLOORS:
        return False
    if section.key == "whats_happened":
        return item.heading == FACT_HEADING
    if section.key == "how_we_got_here":
        days = [i for i in section.items if _DAY.match(i.heading)]
        return bool(_DAY.match(item.heading)) and len(days) > TRIM_FLOORS["how_we_got_here"]
    return len(section.items) > TRIM_FLOORS[section.key]


def _without(digest: Digest, key: str, index: int) -> Digest:
    section = digest.section(key)
    return _with_section(digest, replace(section, items=tuple(i for j, i in enumerate(section.items) if j != index)))


def _least_needed(section: Section) -> int:
    """Return the index of the item to drop first: the last one, but in How we got here the story day with the
    fewest articles (the first day and the later developments stay longest; the earlier day goes on a tie)."""
    if section.key != "how_we_got_here":
        return len(section.items) - 1
    days = [(int(m.group(1)), j) for j, i in enumerate(section.items)
            if _DAY.match(i.heading) and (m := re.match(r"(\d+) article", i.note))]
    if len(days) < 2:
        return len(section.items) - 1
    first = min(j for _, j in days)
    return min((n, j) for n, j in days if j != first)[1]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")


def _with_section(digest: Digest, section: Section) -> Digest:
    if not section.items:
        section = replace(section, note="Left out to keep the page short: the full digest has it (--detail full).")
    return replace(digest, sections=tuple(section if s.key == section.key else s for s in digest.sections))


def section_words(digest: Digest, key: str, render: Callable[[Digest], str]) -> int:
    """Return the words one section adds to the rendered page."""
    without = replace(digest, sections=tuple(s for s in digest.sections if s.key != key))
    return markdown_words(render(digest)) - markdown_words(render(without))
