"""Tone: distribution per outlet, over time, and toward a named target."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, sets, state, ui

flt = state.current_filter()
st.title("Tone")
# Before the whole catalogue is in (loaded, or written by the warm-up), the tone scores alone (shared with Compare).
frame = ui.selection(flt, tone_only=not ui.catalogue_ready(ui.db(), ui.version()))
scorer, label = queries.tone_measure(frame)
metric = f"{scorer}.tone"
if metric not in frame.columns or frame[metric].notna().sum() == 0:
    ui.no_scores("tone_vader")
    st.stop()
st.caption(f"Every figure on this page comes from one measure, here {label}: the news-trained model's where it "
           "scored the whole selection (analysis run adds it on stores of up to the news_tone_max_articles "
           "setting), else VADER's. The two are never mixed.")

st.subheader("Distribution per outlet")
ui.show_chart(charts.tone_distribution_chart(frame, metric), "tone-distribution", flt, "tone_box")

st.subheader("Over time")
counts = frame["outlet"].value_counts().rename_axis("outlet").reset_index(name="articles")
leaders = sets.ranked(counts)["outlet"].head(3).tolist()
chosen = st.multiselect("Lines on the chart", [queries.ALL_SELECTED, *sorted(frame["outlet"].unique())],
                        default=[queries.ALL_SELECTED, *leaders], key="tone_outlets",
                        help="The whole selection pooled, and the outlets you pick (default: the three largest).")
every_period = queries.tone_over_time(frame, chosen, metric)  # the chart's; the table leaves out empty periods
over_time = every_period[every_period["articles"] > 0].reset_index(drop=True)
if over_time.empty:
    st.info("No dated, scored articles for these outlets.")
else:
    period = queries.period_for(frame)
    st.caption(f"A {sets.PERIOD_NAMES[period]}'s mean is drawn from {sets.MIN_ARTICLES_PER_PERIOD} articles; the line "
               "pools each period with its neighbours. Periods without articles are left out of the table.")
    ui.show_chart(charts.tone_time_chart(every_period, period), "tone-over-time", flt, "tone_time")
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
        summary = sets.hide_small_intervals(summary)
        ui.show_chart(charts.interval_chart(summary, label=f"tone toward {target}"), "target-tone", flt,
                      "target_chart")
        ui.show_table(summary, "target-tone", flt, "target_summary")
        st.markdown("**The sentences behind these numbers**")
        ui.show_table(evidence, "target-sentences", flt, "target_evidence", row_height=ui.EVIDENCE_ROW_HEIGHT,
                      column_config={"url": st.column_config.LinkColumn("url"),
                                     "sentence": st.column_config.TextColumn("sentence", width="large")})
