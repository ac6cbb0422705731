"""Framing: outlet x frame heatmap per frame set, frame shares over time, and the sentences behind a cell."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, framing, state, ui

SETS = {"frames_generic": "Generic news frames (Semetko & Valkenburg)",
        "frames_policy": "Policy frames (Boydstun et al.)"}
PERIODS = {"W": "week", "M": "month"}

flt = state.current_filter()
frame = ui.selection(flt)
st.title("Framing")
if frame.empty:
    st.warning("No article matches these filters.")
    st.stop()
available = [s for s in SETS if framing.frame_keys(frame, s) and frame[f"{s}.frames_present"].notna().any()]
if not available:
    ui.no_scores("frames_generic")
    st.stop()

scorer = st.radio("Frame set", available, format_func=SETS.get, horizontal=True, key="frame_set")
kind = st.radio("Count an article for a frame when the frame is", ["present", "primary"], horizontal=True,
                key="frame_kind", format_func=lambda k: {"present": "present (passes its cue threshold)",
                                                         "primary": "its primary frame"}[k])
shares = ui.frame_shares(ui.db(), ui.version(), flt, scorer, kind)
st.caption(
    f"Share of each outlet's scored articles with the frame {kind}, for the {framing.HEATMAP_OUTLETS} largest "
    "outlets of the selection, with a 95% bootstrap interval over articles. Frames come from cue words, "
    "sentence by sentence (see Methodology)."
)
st.subheader("Outlet x frame")
ui.show_chart(charts.heatmap(shares, row="outlet", column="label", value="share",
                             title=f"Share of articles per frame ({kind})"), f"frames-{scorer}-{kind}", flt,
              "frame_heatmap")
ui.show_table(shares, f"frame-shares-{scorer}-{kind}", flt, "frame_shares")

st.subheader("Frame shares over time")
period = st.radio("Period", list(PERIODS), index=1, horizontal=True, key="frame_period", format_func=PERIODS.get)
over_time = framing.frames_over_time(frame, scorer, period)
if over_time.empty:
    st.info("None of these scored articles has a publication date.")
else:
    ui.show_chart(charts.frame_time_chart(over_time, PERIODS[period]), f"frames-over-time-{scorer}", flt,
                  "frame_time")
    ui.show_table(over_time, f"frames-over-time-{scorer}", flt, "frame_time")

st.subheader("Evidence: the sentences behind a cell")
labels = framing.frame_labels(scorer)
left, right = st.columns(2)
outlets = sorted(shares["outlet"].unique()) if not shares.empty else []
outlet = left.selectbox("Outlet", outlets, key="frame_outlet")
key = right.selectbox("Frame", framing.frame_keys(frame, scorer), key="frame_key",
                      format_func=lambda k: labels.get(k, k))
if outlet and key:
    evidence = ui.frame_evidence(flt, outlet, scorer, key)
    if evidence.empty:
        st.info("No cue sentence of this frame in this outlet's articles.")
    else:
        st.caption(f"Cue sentences of the {evidence['article_id'].nunique()} articles of this outlet with the "
                   f"highest share of {labels.get(key, key)} sentences (at most {framing.EVIDENCE_ARTICLES}).")
        ui.show_table(evidence, f"frame-evidence-{key}", flt, "frame_evidence",
                      column_config={"url": st.column_config.LinkColumn("url"),
                                     "sentence": st.column_config.TextColumn("sentence", width="large")})
