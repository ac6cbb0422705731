"""Framing: outlet x frame heatmap per frame set, frame shares over time, and the sentences behind a cell."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, framing, sets, state, ui

SETS = {"frames_generic": "Generic news frames (Semetko & Valkenburg)",
        "frames_policy": "Policy frames (Boydstun et al.)"}
PERIODS = {"W": "week", "M": "month"}

flt = state.current_filter()
st.title("Framing")
if ui.selection(flt, metadata_only=True).empty:
    st.warning("No article matches these filters.")
    st.stop()
present = set(ui.scorers_present(ui.db(), ui.version()))
available = [s for s in SETS if s in present]
if not available:
    ui.no_scores("frames_generic")
    st.stop()

scorer = st.radio("Frame set", available, format_func=SETS.get, horizontal=True, key="frame_set")
# Only the chosen set's columns are loaded, joined to the tone scorers' catalogue until the whole one is in.
tone_only = not ui.catalogue_ready(ui.db(), ui.version())
frame = ui.selection(flt, (scorer,), tone_only=tone_only)
if not framing.frame_keys(frame, scorer) or frame[f"{scorer}.frames_present"].isna().all():
    ui.no_scores(scorer)
    st.stop()
kind = st.radio("Count an article for a frame when the frame is", ["present", "primary"], horizontal=True,
                key="frame_kind", format_func=lambda k: {"present": "present (passes its cue threshold)",
                                                         "primary": "its primary frame"}[k])
shares = sets.hide_small_intervals(ui.frame_shares(ui.db(), ui.version(), flt, scorer, kind, tone_only=tone_only))
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
    outlets_in = frame["outlet"].nunique()
    ui.show_table(over_time.assign(outlets=f"all {outlets_in} selected" if not flt.outlets else
                                   "; ".join(flt.outlets)), f"frames-over-time-{scorer}", flt, "frame_time")

st.subheader("Evidence: the sentences behind a cell")
labels = framing.frame_labels(scorer)
left, right = st.columns(2)
# Open on a cell with evidence: the largest outlet, and its frames in order of share (highest first).
outlets = sets.ranked(frame["outlet"].value_counts().rename_axis("outlet").reset_index(name="articles"))
outlets = [o for o in outlets["outlet"] if o in set(shares["outlet"])] if not shares.empty else []
outlet = left.selectbox("Outlet", outlets, key="frame_outlet",
                        format_func=lambda o: sets.with_n(o, (frame["outlet"] == o).sum()))
mine = shares[shares["outlet"] == outlet].sort_values(["share", "frame"], ascending=[False, True]) \
    if outlet else shares.iloc[:0]
keys = [*mine["frame"], *[k for k in framing.frame_keys(frame, scorer) if k not in set(mine["frame"])]]
key = right.selectbox("Frame", keys, key="frame_key", format_func=lambda k: labels.get(k, k))
if outlet and key:
    evidence = ui.frame_evidence(flt, outlet, scorer, key, tone_only=tone_only)
    if evidence.empty:
        st.info("No cue sentence of this frame in this outlet's articles.")
    else:
        st.caption(f"Cue sentences of the {evidence['article_id'].nunique()} articles of this outlet with the "
                   f"highest share of {labels.get(key, key)} sentences (at most {framing.EVIDENCE_ARTICLES}).")
        ui.show_table(evidence, f"frame-evidence-{key}", flt, "frame_evidence", row_height=ui.EVIDENCE_ROW_HEIGHT,
                      column_config={"url": st.column_config.LinkColumn("url"),
                                     "sentence": st.column_config.TextColumn("sentence", width="large")})
