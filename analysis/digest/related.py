"""The digest's context sections: how we got here, go deeper, more on these topics.

Pure functions over the story's articles and sentences, the store's stories table, and
``related``: one row per (key name, other story) with the number of that story's articles
that mention the name (the store answers it with its full-text index).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.digest.descriptions import describe
from analysis.digest.model import Citation, Entry, Item, Section
from analysis.digest.sections import cite, cite_title

RELATED_COLUMNS = ("entity", "story", "articles")
# An earlier story leads to this one when it shares at least this many of its key names ...
MIN_SHARED_NAMES = 2
# A name links stories only when at most this share of the store's stories mention it.
SPECIFIC_SHARE = 0.25
# ... and is shown among the MAX_EARLIER most recent such stories.
MAX_EARLIER = 8
MAX_RELATED = 8
MAX_QUESTIONS = 5
TOP_MENTION_OUTLETS = 5
RELATED_PER_NAME = 3


def _day(value: Any) -> str:
    return value[:10] if isinstance(value, str) and value else "undated"


def shared_names(related: pd.DataFrame, story: str, n_stories: int) -> pd.DataFrame:
    """Return one row per other story: the specific key names it shares (sorted) and how many.

    A name found in more than SPECIFIC_SHARE of the store's stories (at least one) links
    nothing: "Russia" or "Trump" would tie every story to every other.
    """
    other = related[related["story"] != story]
    spread = other.groupby("entity")["story"].nunique()
    limit = max(1, int(SPECIFIC_SHARE * n_stories))
    other = other[other["entity"].map(spread) <= limit]
    if other.empty:
        return pd.DataFrame(columns=["story", "names", "shared"])
    grouped = other.groupby("story", sort=True)["entity"].agg(lambda names: tuple(sorted(set(names))))
    frame = grouped.reset_index().rename(columns={"entity": "names"})
    frame["shared"] = frame["names"].map(len)
    return frame


def _story_item(row: Any, names: Sequence[str]) -> Item:
    url = row.url if isinstance(getattr(row, "url", None), str) else None
    shares = f"; shares: {', '.join(names)}" if names else "; linked as an earlier chapter of this story"
    return Item(heading=f"{_day(row.first_published)}: {row.label}",
                text=f"{int(row.n_outlets)} outlet{'s' if int(row.n_outlets) != 1 else ''}, "
                     f"{int(row.n_articles)} article{'s' if int(row.n_articles) != 1 else ''} "
                     f"(story {row.story}){shares}", link=url)


def how_we_got_here(story: pd.Series, articles: pd.DataFrame, stories: pd.DataFrame,
                    related: pd.DataFrame, related_terms: pd.DataFrame | None = None,
                    threads: Sequence[str] = ()) -> Section:
    """Return the earlier stories that lead to this one (dated, oldest first) and the story's own timeline.

    The story's *threads* (earlier stories the grouping links to it: analysis.stories.linking)
    come first; any other earlier story must share MIN_SHARED_NAMES specific key names and, when
    ``related_terms`` (the same table for the story's key terms) is given, one specific key term.
    """
    items: list[Item] = []
    first = story.get("first_published")
    shared = shared_names(related, str(story["story"]), len(stories))
    earlier = stories.merge(shared, on="story", how="left" if threads else "inner")
    if related_terms is not None:
        terms = shared_names(related_terms, str(story["story"]), len(stories)).rename(
            columns={"names": "terms", "shared": "shared_terms"})
        earlier = earlier.merge(terms, on="story", how="left" if threads else "inner")
    linked = earlier["story"].isin(set(threads))
    earlier = earlier[linked | earlier["shared"].notna()]
    for column in ("names", "terms"):
        if column in earlier.columns:
            earlier[column] = earlier[column].map(lambda v: v if isinstance(v, tuple | list) else ())
    earlier["shared"] = earlier["shared"].fillna(0)
    if isinstance(first, str) and first:
        earlier = earlier[earlier["first_published"].astype(str).str[:10] < first[:10]]
    else:
        earlier = earlier.iloc[0:0]
    earlier = earlier[(earlier["shared"] >= MIN_SHARED_NAMES) | earlier["story"].isin(set(threads))]
    earlier = earlier.sort_values(["first_published", "story"], kind="mergesort").tail(MAX_EARLIER)
    for row in earlier.itertuples(index=False):
        items.append(_story_item(row, (*row.names, *getattr(row, "terms", ()))))
    notes = []
    if not items:
        needs = " and one of its key terms" if related_terms is not None else ""
        notes.append(f"No earlier story in the store shares {MIN_SHARED_NAMES} or more of this story's key "
                     f"names{needs} (names and terms found in many stories do not count).")
    items.extend(own_timeline(articles))
    if len(articles) < 2:
        notes.append("Too little coverage for a timeline of the story itself: one article.")
    return Section("how_we_got_here", "How we got here", tuple(items), " ".join(notes))


def own_timeline(articles: pd.DataFrame) -> list[Item]:
    """Return the story's first report, busiest day, latest report and the order outlets joined in."""
    dated = articles[articles["published"].map(lambda v: isinstance(v, str) and bool(v))]
    if dated.empty:
        return [Item(heading="This story", text="No article of the story has a date.")]
    dated = dated.sort_values(["published", "id"], kind="mergesort")
    first, last = dated.iloc[0], dated.iloc[-1]
    days = dated["published"].str[:10]
    per_day = days.value_counts()
    peak = min(per_day.index, key=lambda d: (-int(per_day[d]), d))
    peak_outlets = dated[days == peak]["outlet"].nunique()
    order = dated.drop_duplicates("outlet")
    joined = ", ".join(f"{o} ({_day(p)})" for o, p in zip(order["outlet"][:10], order["published"][:10]))
    more = len(order) - 10
    items = [
        Item(heading=f"{_day(first['published'])}: first report", text=f"{first['outlet']} was first.",
             citations=(cite_title(_Row(first)),)),
        Item(heading=f"{peak}: busiest day", text=f"{int(per_day[peak])} articles from {peak_outlets} outlets."),
        Item(heading=f"{_day(last['published'])}: latest report", text=f"{last['outlet']}.",
             citations=(cite_title(_Row(last)),)),
        Item(heading="Outlets in the order they first reported",
             text=joined + (f", and {more} more" if more > 0 else "") + "."),
    ]
    undated = len(articles) - len(dated)
    if undated:
        items.append(Item(heading="Undated", text=f"{undated} article{'s' if undated != 1 else ''} without a date."))
    return items


class _Row:
    """Attribute access to a Series row (for citation helpers that take itertuples rows)."""

    def __init__(self, series: pd.Series) -> None:
        self.id = series["id"]
        self.outlet = series["outlet"]
        self.title = series["title"]
        self.url = series.get("url")


def go_deeper(story: str, table: pd.DataFrame, stories: pd.DataFrame, related: pd.DataFrame) -> Section:
    """Return the questions the coverage itself asks and the other stories that share the key names."""
    items: list[Item] = []
    questions = table[table["sentence"].map(_question)]
    seen: set[str] = set()
    for row in questions.sort_values(["published", "article_id", "start"], kind="mergesort",
                                     na_position="last").itertuples(index=False):
        key = " ".join(row.sentence.lower().split())
        if key in seen:
            continue
        seen.add(key)
        items.append(Item(heading="A question the coverage asks", text=row.sentence, citations=(cite(row),),
                          quoted=True))
        if len(seen) >= MAX_QUESTIONS:
            break
    shared = shared_names(related, story, len(stories))
    linked = stories.merge(shared, on="story").sort_values(["shared", "n_outlets", "story"],
                                                           ascending=[False, False, True], kind="mergesort")
    for row in linked.head(MAX_RELATED).itertuples(index=False):
        items.append(_story_item(row, row.names))
    notes = []
    if questions.empty:
        notes.append("The coverage asks no question of its own (outside quotes).")
    if linked.empty:
        notes.append("No other story in the store shares this story's key names (names found in many stories do "
                     "not count).")
    return Section("go_deeper", "Go deeper", tuple(items), " ".join(notes))


def _question(sentence: str) -> bool:
    text = sentence.strip()
    return (text.endswith("?") and text.count("?") == 1 and not text.endswith(" ?")
            and 5 <= len(text.split()) <= 40 and not text.startswith(("\"", "“", "'", "‘"))
            and "\"" not in text and "“" not in text)


def more_on_topics(names: Sequence[str], entities: pd.DataFrame, table: pd.DataFrame, stories: pd.DataFrame,
                   related: pd.DataFrame, story: str) -> Section:
    """Return the story's key names: a description from the coverage, mentions per outlet, related stories."""
    title = "More on these topics"
    if not names:
        return Section("more_on_topics", title, note="Too little coverage to name the story's key people, "
                       "organisations and places.")
    n_outlets = table["outlet"].nunique()
    labels = dict(zip(stories["story"], stories["label"]))
    firsts = dict(zip(stories["story"], stories["first_published"]))
    items = []
    for name in names:
        mine = entities[entities["entity"] == name]
        per_outlet = mine.groupby("outlet")["mentions"].sum() if not mine.empty else pd.Series(dtype=int)
        ranked = sorted(per_outlet.items(), key=lambda kv: (-int(kv[1]), kv[0]))
        described = describe(name, table)
        citations: tuple[Citation, ...] = ()
        if described is not None:
            row = table[(table["article_id"] == described.article_id)
                        & (table["start"] == described.sentence_start)].iloc[0]
            citations = (cite(row),)
            plural = described.outlets != 1
            text = (f"{described.description.text} ({described.outlets} outlet{'s' if plural else ''} "
                    f"use{'' if plural else 's'} this description)")
        else:
            text = "No description in the coverage."
        total = int(per_outlet.sum()) if len(per_outlet) else 0
        entries = [Entry(label=outlet, text=f"{int(count)} mention{'s' if int(count) != 1 else ''}")
                   for outlet, count in ranked[:TOP_MENTION_OUTLETS]]
        if len(ranked) > TOP_MENTION_OUTLETS:
            entries.append(Entry(label=f"{len(ranked) - TOP_MENTION_OUTLETS} more outlets",
                                 text=f"{sum(int(c) for _, c in ranked[TOP_MENTION_OUTLETS:])} mentions"))
        hits = related[(related["entity"] == name) & (related["story"] != story)]
        hits = hits.sort_values(["articles", "story"], ascending=[False, True], kind="mergesort")
        also = [f"{labels.get(s, s)} ({_day(firsts.get(s))})" for s in hits["story"][:RELATED_PER_NAME]]
        note = f"{total} mentions in {len(ranked)} of {n_outlets} outlets"
        if also:
            note += "; also in " + "; ".join(also)
        items.append(Item(heading=name, text=text, note=note, citations=citations, entries=tuple(entries)))
    return Section("more_on_topics", title, tuple(items),
                   "Key names are the proper-noun phrases most outlets mention; descriptions are appositives and "
                   "titles from the coverage itself (no outside knowledge).")
