"""Methodology: every scorer's description, version and what it was measured against."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, state, ui

flt = state.current_filter()
st.title("Methodology")
st.markdown(
    "Every number in PressLens comes from a registered scorer. Scores are stored with the scorer's "
    "name and version, and per sentence where a number rests on sentences, so each per-outlet figure "
    "traces back to the sentences behind it (see *Articles*). Means per outlet carry a 95% percentile "
    f"bootstrap interval over articles ({ui.settings().bootstrap_samples:,} resamples, fixed seed)."
)
table = queries.methodology()
ui.show_table(table.drop(columns=["description"]), "scorers", flt, "scorers")
for row in table.itertuples():
    with st.expander(f"{row.scorer} (version {row.version})", expanded=True):
        st.markdown(row.description)  # our own documentation, not scraped text
