"""PressLens dashboard entry point: page config, shared sidebar filters, navigation."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard import queries, state, ui  # noqa: E402  (needs the path set above)

st.set_page_config(page_title="PressLens", layout="wide")

settings = ui.settings()
db = settings.db
pages = [
    st.Page("app_pages/compare.py", title="Compare outlets", default=True),
]
page = st.navigation(pages)

st.session_state["db"] = db
if not queries.store_exists(db) or ui.filter_options(db, ui.version(db)).articles == 0:
    st.title("PressLens")
    st.info(queries.empty_store_help(db))
    st.code(queries.empty_store_help(db).split("\n\n")[1], language="bash")
    st.stop()

options = ui.filter_options(db, ui.version(db))
st.session_state["filter"] = state.sidebar_filters(options)
st.sidebar.caption(f"store: {db} · {options.articles:,} articles")
page.run()
