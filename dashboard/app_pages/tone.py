"""Tone: distribution per outlet, over time, and toward a named target."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, state, ui

flt = state.current_filter()
frame = ui.selection(flt)
st.title("Tone")
metric = "tone_vader.tone"
if metric not in frame.columns or frame[metric].notna().sum() == 0:
    ui.no_scores("tone_vader")
    st.stop()

st.subheader("Distribution per outlet")
ui.show_chart(charts.tone_distribution_chart(frame, metric), "tone-distribution", flt, "tone_box")

st.subheader("Over time")
leaders = frame["outlet"].value_counts().index[:8].tolist()
chosen = st.multiselect("Outlets on the chart", sorted(frame["outlet"].unique()), default=leaders, key="tone_outlets")
over_time = queries.tone_over_time(frame, chosen, metric)
if over_time.empty:
    st.info("No dated, scored articles for these outlets.")
else:
    ui.show_chart(charts.tone_time_chart(over_time), "tone-over-time", flt, "tone_time")
    ui.show_table(over_time, "tone-over-time", flt, "tone_time")

st.subheader("Tone toward a target")
target = st.text_input("Target (a person, country, organisation or term)", key="target",
                       value=st.query_params.get("target", ""), placeholder="e.g. China")
if target.strip():
    st.query_params["target"] = target.strip()
    cap = queries.NEWS_TARGET_MAX_MENTIONS
    how = st.radio("Scored by", ["VADER around the mention (fast)",
                                 f"news model, target-aware (slower; first {cap} mentions)"],
                   key="target_scorer", horizontal=True)
    scorer = "news" if how.startswith("news") else "vader"
    summary, evidence = queries.target_tone(ui.db(), frame, target, ui.settings(), scorer=scorer)
    if summary.empty:
        st.info(f"No sentence in this selection mentions {target!r}.")
    else:
        st.caption("Tone toward the target in each sentence that mentions it (VADER over the words around the "
                   "mention, or the news model told where the mention is), averaged per article, then per outlet, "
                   "with a 95% bootstrap interval over articles.")
        ui.show_chart(charts.interval_chart(summary, label=f"tone toward {target}"), "target-tone", flt,
                      "target_chart")
        ui.show_table(summary, "target-tone", flt, "target_summary")
        st.markdown("**The sentences behind these numbers**")
        ui.show_table(evidence, "target-sentences", flt, "target_evidence",
                      column_config={"url": st.column_config.LinkColumn("url")})
