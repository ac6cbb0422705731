"""PressLens dashboard entry point: page config, shared sidebar filters, navigation."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, state, ui

OVERVIEW = st.Page("app_pages/overview.py", title="Overview", url_path="overview")


def _home() -> None:
    """``/`` opens the Overview at ``/overview``, query parameters kept, so both addresses work when shared."""
    st.switch_page(OVERVIEW, query_params={k: st.query_params.get_all(k) for k in st.query_params.keys()})


PAGES = [
    st.Page(_home, title="Home", url_path="home", default=True, visibility="hidden"),
    OVERVIEW,
    st.Page("app_pages/compare.py", title="Compare outlets", url_path="compare"),
    st.Page("app_pages/tone.py", title="Tone", url_path="tone"),
    st.Page("app_pages/framing.py", title="Framing", url_path="framing"),
    st.Page("app_pages/emphasis.py", title="Emphasis", url_path="emphasis"),
    st.Page("app_pages/story.py", title="Story digest", url_path="story"),
    st.Page("app_pages/articles.py", title="Articles", url_path="articles"),
    st.Page("app_pages/outlets.py", title="Outlets", url_path="outlets"),
    st.Page("app_pages/methodology.py", title="Methodology", url_path="methodology"),
]

st.set_page_config(page_title="PressLens", layout="wide")
page = st.navigation(PAGES)
db = ui.db()
problem = queries.store_problem(db, ui.settings())
if problem is not None:
    st.title("PressLens")
    st.error(problem)
    st.stop()
if not queries.store_exists(db) or ui.filter_options(db, ui.version()).articles == 0:
    st.title("PressLens")
    st.info(queries.empty_store_help(db))
    st.stop()

options = ui.filter_options(db, ui.version())
st.session_state["filter"] = state.sidebar_filters(options)
ui.bundle_button(st.session_state["filter"])
st.sidebar.caption(f"store: {db} · {options.articles:,} articles")
page.run()
