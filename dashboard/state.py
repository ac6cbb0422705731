"""The only code that touches session state and query parameters: the shared filters.

Every filter is mirrored into the URL (``?story=...&outlet=A&outlet=B&since=...``),
so a view can be shared and reopened exactly.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.store import ArticleFilter
from dashboard import ui
from dashboard.queries import FilterOptions

ALL = "(all)"
SCOPES = ("All articles", "Story", "Topic")


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value or None


def _param_list(name: str) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _initial_scope(options: FilterOptions) -> str:
    if _param("topic") and options.topics:
        return "Topic"
    if _param("story") and options.stories:
        return "Story"
    return "All articles"


def sidebar_filters(options: FilterOptions) -> ArticleFilter:
    """Draw the shared sidebar filters, mirror them into the URL, return the filter."""
    bar = st.sidebar
    bar.header("Filters")
    scopes = [s for s in SCOPES if s == "All articles" or (s == "Story" and options.stories)
              or (s == "Topic" and options.topics)]
    scope = bar.radio("Scope", scopes, index=scopes.index(_initial_scope(options)), horizontal=True, key="scope")
    story = topic = event = None
    if scope == "Story":
        wanted = _param("story")
        choices = list(options.stories)
        story = bar.selectbox("Story", choices, key="story",
                              index=choices.index(wanted) if wanted in choices else 0,
                              format_func=lambda s: options.story_labels.get(s, s))
        event = _event_choice(bar, story)
    elif scope == "Topic":
        wanted = _param("topic")
        choices = list(options.topics)
        topic = bar.selectbox("Topic", choices, key="topic", index=choices.index(wanted) if wanted in choices else 0)
    outlets = bar.multiselect("Outlets", options.outlets, key="outlets", placeholder="all outlets",
                              default=[o for o in _param_list("outlet") if o in options.outlets])
    groups: list[str] = []
    if options.groups:
        groups = bar.multiselect("Outlet groups (bias rating or country)", options.groups, key="groups",
                                 placeholder="all groups",
                                 default=[g for g in _param_list("group") if g in options.groups])
    language = None
    if len(options.languages) > 1:
        choices = [ALL, *options.languages]
        wanted = _param("language")
        picked = bar.selectbox("Language", choices, key="language",
                               index=choices.index(wanted) if wanted in choices else 0)
        language = None if picked == ALL else picked
    since = until = None
    first, last = _day(options.first_day), _day(options.last_day)
    if first and last:
        start = min(max(_day(_param("since")) or first, first), last)
        end = max(min(_day(_param("until")) or last, last), start)
        picked_days = bar.date_input("Published between", value=(start, end), min_value=first, max_value=last,
                                     key="dates")
        if isinstance(picked_days, (tuple, list)) and len(picked_days) == 2:
            since = picked_days[0].isoformat() if picked_days[0] != first else None
            until = picked_days[1].isoformat() if picked_days[1] != last else None
    search = bar.text_input("Search titles and texts", value=_param("q") or "", key="search",
                            placeholder='e.g. "rare earths" OR magnets', help=(
                                'Words are all required; "quoted phrases" match exactly; OR between terms.'))
    flt = ArticleFilter(story_id=story, event_id=event, topic=topic, outlets=tuple(outlets), groups=tuple(groups),
                        language=language, since=since, until=until, search=search.strip() or None)
    _mirror(flt)
    return flt


FILTER_KEYS = ("story", "event", "topic", "language", "since", "until", "q", "outlet", "group")
WHOLE_STORY = "(the whole story)"


def _event_choice(bar: object, story: str | None) -> str | None:
    """Offer the story's events (its one-or-two-day happenings, by date); return the chosen one or None."""
    if not story:
        return None
    timeline = ui.story_events(story)
    if len(timeline) < 2:
        return None
    labels = {row.event_id: f"{row.first_day} · {str(row.event)[:70]} · {row.outlets} outlets"
              for row in timeline.itertuples(index=False)}
    choices = [WHOLE_STORY, *labels]
    wanted = _param("event")
    picked = bar.selectbox("Event", choices, key=f"event_{story}",  # type: ignore[attr-defined]
                           index=choices.index(wanted) if wanted in choices else 0,
                           format_func=lambda e: labels.get(e, e),
                           help="A story's events: what happened within a day or two; the whole story by default.")
    return None if picked == WHOLE_STORY else picked


def _mirror(flt: ArticleFilter) -> None:
    """Write the filter into the URL; parameters a page owns (``by``, ``target`` ...) are left as they are."""
    wanted: dict[str, str | list[str]] = {}
    for key, value in (("story", flt.story_id), ("event", flt.event_id), ("topic", flt.topic),
                       ("language", flt.language), ("since", flt.since), ("until", flt.until), ("q", flt.search)):
        if value:
            wanted[key] = value
    if flt.outlets:
        wanted["outlet"] = list(flt.outlets)
    if flt.groups:
        wanted["group"] = list(flt.groups)
    current = {k: (st.query_params.get_all(k) if k in ("outlet", "group") else st.query_params.get(k))
               for k in st.query_params.keys()}
    mine = {k: v for k, v in current.items() if k in FILTER_KEYS}
    if mine != wanted:
        st.query_params.from_dict({**{k: v for k, v in current.items() if k not in FILTER_KEYS}, **wanted})


def compare_by(fields: list[str]) -> str:
    """Offer "compare outlets or outlet groups" (``fields``: the groupings with a known value; mirrored in the URL as
    ``by``); return the choice."""
    choices = ["outlet", *fields]
    wanted = st.query_params.get("by")
    by = st.radio("Compare", choices, horizontal=True, key="compare_by",
                  index=choices.index(wanted) if wanted in choices else 0,
                  format_func=lambda c: "outlets" if c == "outlet" else f"by {c}",
                  help="Outlet groups come from the outlets table; an outlet with no value counts as `unknown`.")
    if by == "outlet":
        st.query_params.pop("by", None)
    else:
        st.query_params["by"] = by
    return by


def current_filter() -> ArticleFilter:
    """Return the filter the sidebar set on this run."""
    return st.session_state["filter"]
