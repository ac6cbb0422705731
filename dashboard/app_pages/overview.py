"""Overview: coverage volume per outlet over time, the stories, and the data-quality ledger."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, state, ui

flt = state.current_filter()
view = ui.overview(ui.db(), ui.version(), flt)

st.title("Overview")
if view.articles == 0:
    st.warning("No article matches these filters.")
    st.stop()
span = f"{view.first_day} to {view.last_day}" if view.first_day else "no dates"
st.caption(f"{view.articles:,} articles from {view.outlets:,} outlets · {span}")

st.subheader("Coverage volume")
if view.volume.empty:
    st.info("None of these articles has a publication date.")
else:
    if view.stray:
        st.caption(f"{view.stray} stray early article{'s' if view.stray > 1 else ''} (before {view.stray_first}, far "
                   "from the rest) left off the time axis; the tables keep them.")
    ui.show_chart(charts.volume_chart(view.volume, view.period), "volume", flt, "volume")
    ui.show_table(view.volume, "volume", flt, "volume")

st.subheader("Stories")
if view.stories.empty:
    st.info("No story grouping in this selection: stories come with imported data or from "
            "`python -m analysis stories`.")
else:
    if len(view.stories) >= queries.LARGE_STORY_OPTIONS and ui.large(ui.db(), ui.version()):
        st.caption(f"The {len(view.stories):,} stories with the most outlets.")
    ui.show_table(view.stories, "stories", flt, "stories")

st.subheader("Data quality")
if view.ledger.empty:
    st.success("No failed fetches, missing dates or missing headlines in this selection.")
else:
    if ui.large_selection(flt):
        st.caption("Missing headlines, unscored languages and wire copies are counted on selections of up to "
                   f"{ui.settings().dashboard_selection_max:,} articles.")
    ui.show_table(view.ledger, "data-quality", flt, "ledger")
