"""PressLens dashboard entry point: page config, shared sidebar filters, navigation."""

from __future__ import annotations

import streamlit as st

from core.errors import InputError
from dashboard import access, queries, state, ui

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



def _visitor() -> access.Visitor:
    """Who is reading; a refused visit sees one message and nothing of the store."""
    settings = ui.settings()
    headers = dict(st.context.headers)
    loopback = access.serving_loopback(st.get_option("server.address"), headers)
    if settings.dashboard_auth != "proxy":
        return access.visitor(headers, settings, serving_loopback=loopback)
    try:
        secret = access.read_secret(settings)
    except InputError as exc:
        return access.Visitor(user=None, refused=f"The dashboard's sign-in is not set up: {exc}")
    return access.visitor(headers, settings, serving_loopback=loopback, secret=secret)


st.set_page_config(page_title="PressLens", layout="wide")
who = _visitor()
if who.refused is not None:
    st.title("PressLens")
    st.error(who.refused)
    st.stop()
page = st.navigation(PAGES)
if who.user is not None:
    st.sidebar.caption(f"signed in as {who.user}")
with ui.drawing():  # the background warm-up (ui.warm) waits while a page is drawn
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

    ui.warm(db, ui.version(), ui.settings())  # the other pages' tables load in the background (once)
    options = ui.filter_options(db, ui.version())
    st.session_state["filter"] = state.sidebar_filters(options)
    ui.bundle_button(st.session_state["filter"])
    st.sidebar.caption(f"store: {db} · {options.articles:,} articles")
    page.run()
