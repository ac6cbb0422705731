"""Overview: coverage volume per outlet over time, the stories, and the data-quality ledger."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, sets, state, ui

flt = state.current_filter()
frame = ui.selection(flt, metadata_only=True)

st.title("Overview")
if frame.empty:
    st.warning("No article matches these filters.")
    st.stop()
days = frame["day"].dropna()
span = f"{days.min()} to {days.max()}" if not days.empty else "no dates"
n_outlets = frame["outlet"].nunique()
st.caption(f"{len(frame):,} articles from {n_outlets:,} outlets · {span}")

st.subheader("Coverage volume")
volume, stories, ledger = ui.overview_tables(ui.db(), ui.version(), flt)
if volume.empty:
    st.info("None of these articles has a publication date.")
else:
    first, stray = sets.trim_stray(frame["day"])
    if stray:
        st.caption(f"{stray} stray early article{'s' if stray > 1 else ''} (before {first}, far from the rest) "
                   "left off the time axis; the tables keep them.")
    ui.show_chart(charts.volume_chart(volume, queries.period_for(frame)), "volume", flt, "volume")
    ui.show_table(volume, "volume", flt, "volume")

st.subheader("Stories")
if stories.empty:
    st.info("No story grouping in this selection: stories come with imported data or from "
            "`python -m analysis stories`.")
else:
    ui.show_table(stories, "stories", flt, "stories")

st.subheader("Data quality")
if ledger.empty:
    st.success("No failed fetches, missing dates or missing headlines in this selection.")
else:
    ui.show_table(ledger, "data-quality", flt, "ledger")
