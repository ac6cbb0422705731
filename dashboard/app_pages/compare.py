"""Compare outlets: the per-outlet table and tone with its interval, exactly as downloaded."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, exports, ui

db = st.session_state["db"]
flt = st.session_state["filter"]

st.title("Compare outlets")
table = ui.outlet_view(db, ui.version(db), flt)
if table.empty:
    st.warning("No article matches these filters. Widen the date range or clear the outlet filter.")
    st.stop()

scored = int(table["scored"].sum())
st.caption(
    f"{int(table['articles'].sum()):,} articles from {len(table):,} outlets; {scored:,} scored for tone. "
    "Tone is VADER's compound score per sentence, averaged per article, then per outlet; "
    "the interval is a 95% bootstrap interval over articles."
)
if scored == 0:
    st.info(f"No tone scores yet: run `python -m analysis run --db {db}`.")

ui.show_table(table)
st.download_button("Download table (CSV)", exports.csv_bytes(table),
                   file_name=exports.file_stem("outlets", flt) + ".csv", mime="text/csv", key="dl_outlets")
if scored:
    metric = st.radio("Measure", ["tone", "headline_tone"], horizontal=True, key="tone_metric",
                      format_func=lambda m: "article tone" if m == "tone" else "headline tone")
    st.plotly_chart(charts.tone_interval_chart(table, metric=metric), width="stretch")
