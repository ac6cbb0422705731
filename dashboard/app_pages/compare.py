"""Compare outlets: per-outlet tone with intervals, and the headlines side by side."""

from __future__ import annotations

import json
from dataclasses import replace

import streamlit as st

from analysis.brief.render import brief_markdown
from dashboard import briefs, charts, exports, framing, queries, sets, state, ui

flt = state.current_filter()
st.title("Compare outlets")
# Before the whole catalogue is in (loaded, or written by the warm-up), the tone scores alone: half the time.
tone_only = not ui.catalogue_ready(ui.db(), ui.version())
summed = ui.large_selection(flt)  # a large store's large selection: summed from its columns, not loaded
facts = ui.comparison(flt, tone_only=tone_only)
if facts.articles == 0:
    st.warning("No article matches these filters. Widen the date range or clear the outlet filter.")
    st.stop()

by = state.compare_by(facts.fields)
full = ui.group_counts(ui.db(), ui.version(), flt, by, tone_only)  # articles per outlet or group: the cut ranks
cut = ui.comparison_set(full, by)
rows = sets.ranked(ui.group_view(ui.db(), ui.version(), flt, by, tuple(cut.shown[by]), tone_only), name=by)
table = sets.hide_small_intervals(rows)  # intervals computed for the shown rows only
noun = "outlets" if by == "outlet" else f"{by} groups"
scored = int(full["scored"].sum())
scorer, label = facts.scorer, facts.label
split = ui.sign_split(flt, by, tone_only=tone_only)
table = queries.with_disagreements(table, split, by)  # both measures scored the selection: mark sign splits
interval = ("a 95% bootstrap interval over articles, from the mean's normal law for 500 or more" if summed
            else "a 95% bootstrap interval over articles")
st.caption(
    f"{int(full['articles'].sum()):,} articles from {facts.outlets:,} outlets"
    + ("" if by == "outlet" else f" in {len(full):,} {noun} (no value: `unknown`)")
    + f"; {scored:,} scored for tone. {cut.note} The measure is {label}: scored per sentence, averaged per "
    f"article, then per {by}; the interval is {interval}, shown only from {sets.MIN_ARTICLES_FOR_INTERVAL} articles."
)
if not split.empty and split["signs_disagree"].any():
    flagged = int(split["signs_disagree"].sum())
    st.warning(f"For {flagged} of these {noun} the news model and VADER disagree in sign (column "
               "`measures_disagree`): read their tone as uncertain, and no 'more negative than' from either.")
ui.show_table(table, noun, flt, "outlets")
if scored == 0:
    ui.no_scores("tone_vader")
else:
    metric = st.radio("Measure", ["tone", "headline_tone"], horizontal=True, key="tone_metric",
                      format_func=lambda m: charts.TONE_LABELS[m])
    ui.show_chart(charts.tone_interval_chart(table, metric=metric, name=by,
                                             title=f"Mean {charts.TONE_LABELS[metric]} per {by}, {label} "
                                                   "(95% bootstrap interval; n articles)"),
                  f"{metric}-by-{by}", flt, "tone_interval")

st.subheader("Headlines side by side")
HEADLINES = 2000
if summed:
    shown_filter = flt if by != "outlet" else replace(flt, outlets=tuple(cut.shown["outlet"]))
    headlines = ui.newest_headlines(ui.db(), ui.version(), shown_filter, scorer, HEADLINES).rename(
        columns={"day": "published", f"{scorer}.headline_tone": f"headline_{label}"})
    ui.show_table(headlines, "headlines", flt, "headlines", column_config={"url": st.column_config.LinkColumn("url")})
    st.caption(f"The newest {len(headlines):,} headlines of the outlets shown; narrow the filters to see others.")
else:
    frame = ui.selection(flt, tone_only=tone_only)
    shown = frame if by != "outlet" else frame[frame["outlet"].isin(cut.shown["outlet"])]
    columns = [c for c in ("title", f"{scorer}.headline_tone", "outlet", "day", "url") if c in frame.columns]
    headlines = shown.sort_values(["outlet", "published"])[columns].rename(
        columns={"day": "published", f"{scorer}.headline_tone": f"headline_{label}"})
    ui.show_table(headlines.head(HEADLINES), "headlines", flt, "headlines",
                  column_config={"url": st.column_config.LinkColumn("url")})
    if len(headlines) > HEADLINES:
        st.caption(f"First {HEADLINES:,} of {len(headlines):,} headlines shown; narrow the filters to see the rest.")

st.subheader("More comparisons")
BRIEF_MAX_ARTICLES = 60  # the brief reads texts, evidence and quotes of every article: ~1 s per 60 articles
MORE = {"frames": "Primary frames", "terms": "Distinctive terms", "speakers": "Most quoted speakers",
        "brief": "What the papers say"}
more = st.radio("Show", list(MORE), format_func=MORE.get, horizontal=True, key="compare_more", index=None,
                help="One at a time, loaded when picked: frames read the frame scores, terms, speakers and the "
                     "brief the article texts.")
if more is None:
    st.caption("Pick one of these to compare the outlets on it.")
elif summed:
    ui.too_large(flt, MORE[more])
elif more == "frames":
    primary = framing.primary_frames(ui.selection(flt, ("frames_generic",)), "frames_generic")
    if primary.empty:
        ui.no_scores("frames_generic")
    else:
        st.caption("Each outlet's most common primary frame (generic news frames, from cue words) and its share "
                   "of the outlet's scored articles; the Framing page has every frame with intervals.")
        ui.show_table(primary, "primary-frames", flt, "primary_frames")
elif more in ("terms", "speakers"):
    sample = ui.text_sample(ui.db(), ui.version(), flt, ui.sample_size(more))
    st.caption(sample.note())
    table = ui.text_view(ui.db(), ui.version(), flt, more)
    if table.empty:
        st.info("Nothing to compare here: distinctive terms need two outlets with text; speakers need "
                "attributed quotes.")
    elif more == "terms":
        top = table.groupby("outlet", sort=True).head(5)
        summary = top.groupby("outlet")["term"].agg(", ".join).reset_index(name="top_terms")
        st.caption("Five most distinctive terms per outlet (weighted log-odds against the other outlets); "
                   "the Emphasis page has the full lists.")
        ui.show_table(summary, "top-terms", flt, "top_terms")
        ui.show_table(top, "distinctive-terms-top5", flt, "top_terms_long")
    else:
        st.caption("Speakers of attributed direct and indirect quotes (rules over quotation marks and "
                   "attribution cues), ten per outlet.")
        ui.show_table(table, "quoted-speakers", flt, "speakers")
elif not flt.story_id and facts.articles > BRIEF_MAX_ARTICLES:
    st.info(f"The brief reads every selected article: pick a story in the sidebar, or narrow the filters to at "
            f"most {BRIEF_MAX_ARTICLES:,} articles (now {facts.articles:,}).")
else:
    result = ui.brief(ui.db(), ui.version(), flt)
    if isinstance(result, str):
        st.info(f"No brief for this selection: {result}")
    else:
        statements = briefs.brief_statements(result)
        if statements.empty:
            st.info("The brief has nothing to say about this selection.")
        else:
            st.caption("What each outlet says, in sentences taken from the articles (shown as plain text), "
                       "with a citation for every statement.")
            ui.show_table(statements, "brief", flt, "brief_statements",
                          column_config={"statement": st.column_config.TextColumn("statement", width="large")})
            ui.show_table(briefs.brief_citations(result), "brief-citations", flt, "brief_citations",
                          column_config={"url": st.column_config.LinkColumn("url")})
            left, right = st.columns(2)
            left.download_button("Brief as Markdown", brief_markdown(result).encode("utf-8"),
                                 file_name=exports.file_stem("brief", flt) + ".md", mime="text/markdown",
                                 key="brief_md", on_click="ignore", width="stretch")
            right.download_button("Brief as JSON", json.dumps(result.to_dict(), indent=2, ensure_ascii=False,
                                                              default=str).encode("utf-8"),
                                  file_name=exports.file_stem("brief", flt) + ".json", mime="application/json",
                                  key="brief_json", on_click="ignore", width="stretch")
