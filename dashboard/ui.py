"""The dashboard's edge: cached loaders (keyed by the store's data version) and shared widgets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.settings import Settings
from core.store import ArticleFilter
from dashboard import queries

CACHE_ENTRIES = 64


def settings() -> Settings:
    """Return the validated settings of this dashboard process."""
    if "settings" not in st.session_state:
        st.session_state["settings"] = Settings.load()
    return st.session_state["settings"]


def version(db: str) -> int:
    """Return the store's data version (read fresh on every rerun: it is one tiny query)."""
    return queries.data_version(db, settings())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def filter_options(db: str, data_version: int) -> queries.FilterOptions:
    return queries.filter_options(db, settings())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def outlet_view(db: str, data_version: int, flt: ArticleFilter) -> pd.DataFrame:
    return queries.outlet_view(db, flt, settings())


def show_table(frame: pd.DataFrame, **kwargs: object) -> None:
    """Show a table as plain text cells (never rendered as HTML or markdown)."""
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)
