"""The only code that touches session state and query parameters: the shared filters.

Every filter is mirrored into the URL, so a view can be shared and reopened.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.store import ArticleFilter
from dashboard.queries import FilterOptions

ALL = "(all)"


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


def sidebar_filters(options: FilterOptions) -> ArticleFilter:
    """Draw the shared sidebar filters, mirror them into the URL, return the filter."""
    bar = st.sidebar
    bar.header("Filters")
    scope_choices = ["Story", "Topic"] if options.topics else ["Story"]
    scope = bar.radio("Group by", scope_choices, horizontal=True, key="scope",
                      index=scope_choices.index("Topic") if _param("topic") and "Topic" in scope_choices else 0)
    story = topic = None
    if scope == "Story":
        choices = [ALL, *options.stories]
        wanted = _param("story")
        story = bar.selectbox("Story", choices, key="story",
                              index=choices.index(wanted) if wanted in choices else 0)
    else:
        choices = [ALL, *options.topics]
        wanted = _param("topic")
        topic = bar.selectbox("Topic", choices, key="topic",
                              index=choices.index(wanted) if wanted in choices else 0)
    wanted_outlets = [o for o in _param_list("outlet") if o in options.outlets]
    outlets = bar.multiselect("Outlets", options.outlets, default=wanted_outlets, key="outlets",
                              placeholder="all outlets")
    first, last = _day(options.first_day), _day(options.last_day)
    since = until = None
    if first and last:
        start = _day(_param("since")) or first
        end = _day(_param("until")) or last
        picked = bar.date_input("Published between", value=(max(first, min(start, last)), min(last, max(end, first))),
                                min_value=first, max_value=last, key="dates")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            since = picked[0].isoformat() if picked[0] != first else None
            until = picked[1].isoformat() if picked[1] != last else None
    flt = ArticleFilter(
        story_id=None if story in (None, ALL) else story,
        topic=None if topic in (None, ALL) else topic,
        outlets=tuple(outlets),
        since=since,
        until=until,
    )
    _mirror(flt)
    return flt


def _mirror(flt: ArticleFilter) -> None:
    wanted: dict[str, str | list[str]] = {}
    if flt.story_id:
        wanted["story"] = flt.story_id
    if flt.topic:
        wanted["topic"] = flt.topic
    if flt.outlets:
        wanted["outlet"] = list(flt.outlets)
    if flt.since:
        wanted["since"] = flt.since
    if flt.until:
        wanted["until"] = flt.until
    current = {k: (st.query_params.get_all(k) if k == "outlet" else st.query_params.get(k))
               for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)
