"""The story digest: a news-digest page for any story in the store, built from its articles, every line cited.

Six sections, in the order of the hand-written digest PressLens started from:

1. **What's happened**: three to five lede sentences that together say what the event is
   (central, non-redundant, echoed by other outlets), each with its outlet and article.
2. **Key insights**: the story's aspects (facets from ``data/facets/<story>.toml``, else learned
   from the coverage), the outlets that stress each most, evidence sentences; and **the figures
   the outlets cite** (numbers grouped by what they count, per outlet, each linked to its sentence).
3. **What the papers say**: the per-outlet brief of :mod:`analysis.brief.build`.
4. **How we got here**: earlier stories in the store sharing the key names, and the story's timeline.
5. **Go deeper**: questions the coverage asks, and other stories sharing the key names.
6. **More on these topics**: key people, organisations and places, described in the coverage's
   own words, with mentions per outlet and the other stories that mention them.

Extractive and deterministic: nothing is shown as a quote unless it is ``text[start:end]`` of
the cited article, sections with too little evidence say so, and the same store and story give
the same JSON byte for byte. ``python -m analysis digest --story ID --format md|html|json``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd

from analysis.brief.build import build_brief
from analysis.compare.groups import outlet_groups
from analysis.digest.contrasts import blindspots, contrasts_section, find_contrasts, group_coverage
from analysis.digest.descriptions import key_entities, story_entities
from analysis.digest.facts import Coverage, key_facts
from analysis.digest.model import Digest
from analysis.digest.related import RELATED_COLUMNS, go_deeper, how_we_got_here, more_on_topics
from analysis.digest.render import render_html, render_markdown
from analysis.digest.sections import (
    BackgroundTerms,
    cite,
    figures_section,
    key_insights,
    learned_facets,
    papers_section,
    sentence_table,
    whats_happened,
)
from analysis.digest.short import (
    central_headline,
    fit,
    fit_papers,
    loose_figures,
    short_go_deeper,
    short_how_we_got_here,
    short_more_on_topics,
    themes_section,
    with_short_notes,
)
from analysis.digest.themes import excluded_words, find_themes
from analysis.emphasis import FACETS_DIR, facets_for_story
from analysis.text.furniture import staff_names
from core.errors import InputError, UnknownNameError
from core.settings import Settings
from core.store import ArticleFilter, Store

__all__ = ["build_digest", "digest_from_frames", "render", "story_thread_ids"]

logger = logging.getLogger(__name__)

FORMATS = ("md", "html", "json")
DETAILS = ("short", "full")
# Key names per digest (before the analyst's --target names).
KEY_NAMES = 8
# ... of which at most this many one-word names (places, mostly), so people and organisations show.
MAX_ONE_WORD_NAMES = 4
# Key terms (learned aspects) an earlier story must share one of to lead to this one.
KEY_TERMS = 5
# Names whose words are not aspects: the story's this many most-mentioned names.
ASPECT_NAME_EXCLUSIONS = 30
# Other stories' texts give learned aspects their background; above this many articles, their titles do.
BACKGROUND_MAX_ARTICLES = 2000
# Related stories whose first article's URL is looked up (for links).
MAX_LINKED_STORIES = 16
# An unknown story's error lists this many valid ids (the largest stories).
VALID_IDS_SHOWN = 10


def digest_from_frames(story: pd.Series | dict[str, Any], articles: pd.DataFrame, *, stories: pd.DataFrame,
                       related: pd.DataFrame | None = None, syndication: pd.DataFrame | None = None,
                       facets: dict[str, list[str]] | None = None, facets_source: str = "",
                       background: Sequence[str] | BackgroundTerms = (), brief: Any | None = None,
                       targets: Sequence[str] = (), entities: pd.DataFrame | None = None,
                       related_terms: pd.DataFrame | None = None, detail: str = "short",
                       groups: pd.DataFrame | None = None, store_groups: pd.DataFrame | None = None,
                       store_articles: dict[str, int] | None = None, selection: str = "",
                       threads: Sequence[str] = ()) -> Digest:
    """Build a digest from DataFrames: the story's row of ``Store.stories``, its articles (with text) ...

    ``related`` has one row per (key name, story) with the number of that story's articles
    naming it (RELATED_COLUMNS), ``related_terms`` the same for the story's key terms (an earlier
    story must share one to lead to this story); ``brief`` is an :class:`analysis.brief.build.Brief` or None.
    ``detail`` is "short" (the page a person reads, analysis.digest.short) or "full" (every section in full);
    ``groups`` is analysis.compare.groups.outlet_groups of the story's outlets, ``store_groups`` of every
    outlet in the store (for blindspots, ranked by ``store_articles``, articles per outlet); ``selection``
    says which outlets or groups the articles were limited to; ``threads`` are the earlier stories the
    grouping links to this one (story_thread_ids), which How we got here lists first.
    """
    if detail not in DETAILS:
        raise UnknownNameError("detail", detail, list(DETAILS))
    story = pd.Series(story)
    story_id = str(story["story"])
    articles = articles.sort_values(["id"], kind="mergesort").reset_index(drop=True)
    table = sentence_table(articles)
    related = related if related is not None else pd.DataFrame(columns=list(RELATED_COLUMNS))
    if entities is None:
        entities = story_entities(articles)
    names = key_entities(entities, top=KEY_NAMES, must=targets, max_single=MAX_ONE_WORD_NAMES)
    texts = {str(i): (str(t or ""), str(x or ""))
             for i, t, x in zip(articles["id"], articles["title"], articles["text"])}
    if detail == "short":
        return _short_digest(story, articles, table, entities=entities, names=names, stories=stories,
                             related=related, related_terms=related_terms, syndication=syndication,
                             groups=groups, store_groups=store_groups, store_articles=store_articles,
                             selection=selection, threads=threads,
                             background=background if isinstance(background, BackgroundTerms) else None)
    sections = (
        whats_happened(table, syndication),
        key_insights(table, facets, background=background, facets_source=facets_source,
                     names=key_entities(entities, top=ASPECT_NAME_EXCLUSIONS)),
        figures_section(table),
        papers_section(brief, texts),
        how_we_got_here(story, articles, stories, related, related_terms, threads),
        go_deeper(story_id, table, stories, related),
        more_on_topics(names, entities, table, stories, related, story_id),
    )
    return Digest(story=story_id, label=str(story.get("label") or story_id), articles=int(len(articles)),
                  outlets=int(articles["outlet"].nunique()), first_published=_day(story.get("first_published")),
                  last_published=_day(story.get("last_published")), sections=sections, detail=detail,
                  selection=selection)


def _short_digest(story: pd.Series, articles: pd.DataFrame, table: pd.DataFrame, *, entities: pd.DataFrame,
                  names: Sequence[str], stories: pd.DataFrame, related: pd.DataFrame,
                  related_terms: pd.DataFrame | None, syndication: pd.DataFrame | None,
                  groups: pd.DataFrame | None, store_groups: pd.DataFrame | None,
                  store_articles: dict[str, int] | None, selection: str, threads: Sequence[str] = (),
                  background: BackgroundTerms | None = None) -> Digest:
    """Build the short digest (analysis.digest.short): themes, contrasts, the story's days, within MAX_WORDS."""
    story_id = str(story["story"])
    outlets = sorted(articles["outlet"].astype(str).unique())
    groups = groups if groups is not None else outlet_groups(pd.DataFrame({"name": outlets}), entries={})
    n_articles = articles["outlet"].astype(str).value_counts().to_dict()
    excluded = [*outlets, *sorted(staff_names(str(t or "") for t in articles["text"]))]
    themes = find_themes(table, names=excluded)
    happened = whats_happened(table, syndication)
    skip = {i.text for i in happened.items}
    coverage = Coverage.of(table, sorted(skip), excluded_words(excluded), syndication,  # what the page says so far
                           background)
    insights, carried = themes_section(table, themes, groups, n_articles, skip, coverage)
    skip |= {i.text for i in insights.items}
    facts = key_facts(table, coverage)
    skip |= {i.text for i in facts}
    contrasts, n_tests = find_contrasts(table, themes, articles, groups, skip, coverage.gain)
    blind = blindspots(outlets, store_groups, store_articles) if store_groups is not None else []
    papers = contrasts_section(table, themes, contrasts, blind, cite, n_articles, n_tests,
                               coverage=group_coverage(articles, groups))
    papers = fit_papers(papers, render_markdown)  # at most MAX_PAPERS_WORDS: the quotes the page keeps ...
    skip |= {c.sentence for i in papers.items for c in i.citations}  # ... which a story day never repeats
    sections = (
        replace(happened, items=happened.items + tuple(facts)),  # the ledes, then what else several outlets say
        insights,
        loose_figures(table, carried),
        papers,
        short_how_we_got_here(how_we_got_here(story, articles, stories, related, related_terms, threads), table,
                              skip, coverage),
        short_go_deeper(table, articles),
        short_more_on_topics(more_on_topics(names, entities, table, stories, related, story_id)),
    )
    # the one label the sidebar, report and overview show too: the grouping's (its most central headline)
    label = str(story.get("label") or "") or central_headline(articles, table) or story_id
    digest = Digest(story=story_id, label=label, articles=int(len(articles)), outlets=len(outlets),
                    first_published=_day(story.get("first_published")),
                    last_published=_day(story.get("last_published")), sections=sections, detail="short",
                    selection=selection)
    # trimmed to the word budget by what each line adds to the rest of the page (the story's concept weights)
    return fit(with_short_notes(digest), render_markdown, coverage=Coverage(coverage.weights, set(), coverage.excluded))


def _day(value: Any) -> str | None:
    return str(value)[:10] if isinstance(value, str) and value else None


def related_stories(store: Store, names: Sequence[str]) -> pd.DataFrame:
    """Return, per key name, the stories whose articles mention it (full-text search), with article counts."""
    rows = []
    for name in names:
        for story, count in sorted(store.story_hits(f'"{name}"').items()):
            rows.append((name, story, count))
    return pd.DataFrame(rows, columns=list(RELATED_COLUMNS))


def _background(store: Store, story_id: str) -> BackgroundTerms:
    """Return the term counts of the other stories' texts (titles in a large store)."""
    column = "text" if store.count("articles") <= BACKGROUND_MAX_ARTICLES else "title"
    if store.path == ":memory:":
        every, frame = _count_column(store, column)
    else:
        every, frame = _store_terms(store.path, store.data_version(), column)
    own = frame.loc[frame["story_id"] == story_id, "value"].tolist()
    return every.without(own)


def _store_outlets(store: Store) -> tuple[pd.DataFrame, pd.Series]:
    """Return the groups of every outlet in the store and the store's articles per outlet (once per store version)."""
    if store.path == ":memory:":
        return _count_outlets(store)
    return _cached_outlets(store.path, store.data_version())


@lru_cache(maxsize=2)
def _cached_outlets(path: str, version: int) -> tuple[pd.DataFrame, pd.Series]:
    with Store.open(path, readonly=True) as store:
        return _count_outlets(store)


def _count_outlets(store: Store) -> tuple[pd.DataFrame, pd.Series]:
    return outlet_groups(store.outlets()), store.articles(columns=["outlet"])["outlet"].astype(str).value_counts()


@lru_cache(maxsize=2)
def _store_terms(path: str, version: int, column: str) -> tuple[BackgroundTerms, pd.DataFrame]:
    """Count terms over every article once per store version (a dashboard builds many digests)."""
    with Store.open(path, readonly=True) as store:
        return _count_column(store, column)


def _count_column(store: Store, column: str) -> tuple[BackgroundTerms, pd.DataFrame]:
    frame = store.articles(columns=[column, "story_id"])
    frame = pd.DataFrame({"value": [str(t or "") for t in frame[column]], "story_id": frame["story_id"]})
    return BackgroundTerms.of(frame["value"].tolist()), frame


def _with_links(store: Store, stories: pd.DataFrame, wanted: Sequence[str]) -> pd.DataFrame:
    urls = store.first_urls(list(wanted)[:MAX_LINKED_STORIES])
    return stories.assign(url=stories["story"].map(urls))


def story_thread_ids(store: Store, story_id: str, first_published: object) -> list[str]:
    """Return the story's threads (analysis.stories.linking), looked for among the stories of the
    ``thread_days`` before it starts only, so a large store costs a window's articles, not all of them."""
    # imported here: story linking loads scikit-learn (~1 s), which the CLI's other commands never need
    from analysis.stories.linking import LinkParams, story_threads

    if not isinstance(first_published, str) or not first_published:
        return []
    start = date.fromisoformat(first_published[:10])
    since = (start - timedelta(days=LinkParams().thread_days)).isoformat()
    columns = ["outlet", "title", "published", "text", "story_id"]
    window = store.articles(ArticleFilter(since=since, until=start.isoformat()), columns=columns)
    own = store.articles(ArticleFilter(story_id=story_id), columns=columns)
    frame = pd.concat([window[window["story_id"] != story_id], own], ignore_index=True)
    return story_threads(frame, story_id)["story"].astype(str).tolist()


def build_digest(store: Store, story_id: str, settings: Settings, *, targets: Sequence[str] = (),
                 detail: str = "short", outlets: Sequence[str] = (), groups: Sequence[str] = ()) -> Digest:
    """Read one story from the store and build its digest; an unknown story raises UnknownNameError.

    ``outlets`` and ``groups`` limit the articles as the dashboard's filters do (core.store.ArticleFilter);
    ``detail`` is "short" (default: the page a person reads) or "full".
    """
    if detail not in DETAILS:
        raise UnknownNameError("detail", detail, list(DETAILS))
    stories = store.stories()
    match = stories[stories["story"] == story_id]
    if match.empty:
        raise UnknownNameError("story", story_id, [str(s) for s in stories["story"][:VALID_IDS_SHOWN]])
    flt = ArticleFilter(story_id=story_id, outlets=tuple(outlets), groups=tuple(groups))
    articles = store.articles(flt, with_text=True)
    if articles.empty:  # the outlet or group filter leaves none of the story's articles
        raise InputError(f"no article of story {story_id} matches the chosen outlets or groups", source="filters")
    selection = "; ".join(part for part in (
        f"outlets {', '.join(outlets)}" if outlets else "", f"groups {', '.join(groups)}" if groups else "") if part)
    entities = story_entities(articles)
    names = key_entities(entities, top=KEY_NAMES, must=targets, max_single=MAX_ONE_WORD_NAMES)
    related = related_stories(store, names)
    mentions = related["story"].value_counts().to_dict()
    linked = sorted(set(mentions) - {story_id}, key=lambda s: (-mentions[s], s))
    stories = _with_links(store, stories, linked)
    background = _background(store, story_id)
    exclude = key_entities(entities, top=ASPECT_NAME_EXCLUSIONS)
    terms = list(learned_facets(sentence_table(articles), background, top=KEY_TERMS, names=exclude))
    related_terms = related_stories(store, terms)
    facets = facets_for_story(story_id)
    source = f"data/facets/{story_id}.toml" if facets is not None and (FACETS_DIR / f"{story_id}.toml").exists() else ""
    threads = story_thread_ids(store, story_id, match.iloc[0].get("first_published"))
    if detail == "short":
        every, per_outlet = _store_outlets(store)
        present = set(per_outlet.index)
        return digest_from_frames(match.iloc[0], articles, stories=stories, related=related,
                                  syndication=store.syndication(flt), targets=targets, entities=entities,
                                  related_terms=related_terms, detail="short",
                                  groups=every[every["outlet"].isin(set(articles["outlet"]))].reset_index(drop=True),
                                  store_groups=every[every["outlet"].isin(present)].reset_index(drop=True),
                                  store_articles={str(k): int(v) for k, v in per_outlet.items()},
                                  selection=selection, threads=threads, background=background)
    brief = build_brief(store, flt, settings, targets=targets, articles=articles)
    return digest_from_frames(match.iloc[0], articles, stories=stories, related=related,
                              syndication=store.syndication(flt), facets=facets, facets_source=source,
                              background=background if facets is None else (), brief=brief,
                              targets=targets, entities=entities, related_terms=related_terms, detail="full",
                              selection=selection, threads=threads)


def render(digest: Digest, fmt: str) -> str:
    """Return the digest in one of FORMATS."""
    if fmt == "json":
        return digest.to_json()
    if fmt == "html":
        return render_html(digest)
    return render_markdown(digest)
