"""Compare outlets: per-outlet tone with intervals, and the headlines side by side."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state, ui

flt = state.current_filter()
st.title("Compare outlets")
table = ui.outlet_view(ui.db(), ui.version(), flt)
if table.empty:
    st.warning("No article matches these filters. Widen the date range or clear the outlet filter.")
    st.stop()

scored = int(table["scored"].sum())
st.caption(
    f"{int(table['articles'].sum()):,} articles from {len(table):,} outlets; {scored:,} scored for tone. "
    "Tone is VADER's compound score per sentence, averaged per article, then per outlet; "
    "the interval is a 95% bootstrap interval over articles."
)
ui.show_table(table, "outlets", flt, "outlets")
if scored == 0:
    ui.no_scores("tone_vader")
else:
    metric = st.radio("Measure", ["tone", "headline_tone"], horizontal=True, key="tone_metric",
                      format_func=lambda m: charts.TONE_LABELS[m])
    ui.show_chart(charts.tone_interval_chart(table, metric=metric), f"{metric}-by-outlet", flt, "tone_interval")

st.subheader("Headlines side by side")
frame = ui.selection(flt)
columns = [c for c in ("outlet", "day", "title", "tone_vader.headline_tone", "url") if c in frame.columns]
headlines = frame.sort_values(["outlet", "published"])[columns].rename(
    columns={"day": "published", "tone_vader.headline_tone": "headline_tone"})
ui.show_table(headlines.head(2000), "headlines", flt, "headlines",
              column_config={"url": st.column_config.LinkColumn("url")})
if len(headlines) > 2000:
    st.caption(f"First 2,000 of {len(headlines):,} headlines shown; narrow the filters to see the rest.")
