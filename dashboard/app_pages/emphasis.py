"""Emphasis: distinctive terms, entity salience, facet shares, and who published first."""

from __future__ import annotations

import streamlit as st

from analysis.emphasis import facets_for_story
from dashboard import charts, sets, state, textviews, ui

VIEWS = {"terms": "Distinctive terms", "entities": "Entity salience", "facets": "Facet shares",
         "timing": "Volume and timing"}

flt = state.current_filter()
st.title("Emphasis")
frame = ui.selection(flt, metadata_only=True)
if frame.empty:
    st.warning("No article matches these filters.")
    st.stop()

view = st.radio("Show", list(VIEWS), format_func=VIEWS.get, horizontal=True, key="emphasis_view",
                help="One view at a time: terms, entities and facets read article texts.")

if view == "timing":
    st.subheader("Volume and timing")
    timing = textviews.volume_timing(frame)
    if timing.empty:
        st.info("None of these articles has a publication date.")
    else:
        st.caption("Pieces per outlet, its first and last piece, the rank of its first piece (1 = published "
                   "first) and its lag behind the selection's first piece, in days.")
        ui.show_chart(charts.bar_chart(timing.head(30), x="pieces", y="outlet",
                                       title="Pieces per outlet (the 30 that published first)"),
                      "volume-timing", flt, "timing_chart")
        ui.show_table(timing, "volume-timing", flt, "timing")
    st.stop()

sample = ui.text_sample(ui.db(), ui.version(), flt, ui.sample_size(view))  # the cache entry text_view reads
counts = frame["outlet"].value_counts()


def largest_first(outlets: object) -> list[str]:
    """Return the outlets ranked by articles in the selection (ties by name): the picker opens on the largest."""
    present = counts[counts.index.isin(set(outlets))]  # type: ignore[arg-type]
    return sets.ranked(present.rename_axis("outlet").reset_index(name="articles"))["outlet"].tolist()


st.caption(sample.note())

if view == "terms":
    st.subheader("Distinctive terms")
    terms = ui.text_view(ui.db(), ui.version(), flt, "terms")
    if terms.empty:
        st.info("Distinctive terms compare outlets: select at least two outlets with some text.")
        st.stop()
    st.caption("Each outlet's words and two-word phrases against the other outlets of the selection: weighted "
               "log-odds with an informative Dirichlet prior (Monroe et al. 2008); z above 2 is a clear "
               "difference.")
    outlet = st.selectbox("Outlet", largest_first(terms["outlet"].unique()), key="terms_outlet",
                          format_func=lambda o: sets.with_n(o, counts.get(o, 0)))
    mine = terms[terms["outlet"] == outlet]
    ui.show_chart(charts.bar_chart(mine, x="z", y="term", title=f"Most distinctive terms of {outlet} (z)"),
                  f"distinctive-terms-{outlet}", flt, "terms_chart")
    ui.show_table(terms, "distinctive-terms", flt, "terms")
elif view == "entities":
    st.subheader("Entity salience")
    entities = ui.text_view(ui.db(), ui.version(), flt, "entities")
    if entities.empty:
        st.info("No named entity found in these articles.")
        st.stop()
    st.caption("Named people, places and organisations, weighted by where they are mentioned (headline 3, "
               "lede 2, body 1); salience_share is the entity's part of all the outlet's salience.")
    outlet = st.selectbox("Outlet", largest_first(entities["outlet"].unique()), key="entities_outlet",
                          format_func=lambda o: sets.with_n(o, counts.get(o, 0)))
    mine = entities[entities["outlet"] == outlet]
    ui.show_chart(charts.bar_chart(mine, x="salience_share", y="entity", title=f"Most salient entities in {outlet}"),
                  f"entity-salience-{outlet}", flt, "entities_chart")
    ui.show_table(entities, "entity-salience", flt, "entities")
else:
    st.subheader("Facet shares")
    lists = textviews.facet_lists()
    if not lists:
        st.info("No facet list in data/facets: add one (data/facets/README.md) to compare facets.")
        st.stop()
    own = flt.story_id if flt.story_id and facets_for_story(flt.story_id) else None
    names = list(lists)
    chosen = st.selectbox("Facet list", names, index=names.index(own) if own in names else 0, key="facet_list",
                          help="A story's own list (data/facets/<story>.toml) is picked when it exists.")
    if own is None:
        st.caption("This selection has no facet list of its own; the facets below are the chosen list's cues.")
    facets = ui.text_view(ui.db(), ui.version(), flt, "facets", lists[chosen])
    charted = largest_first(facets["outlet"].unique())[:sets.MAX_CHART_ROWS]  # a slide-sized chart
    n_outlets = facets["outlet"].nunique()
    st.caption("Share of each outlet's sentences that mention the facet (any of its cue terms)"
               + (f"; the chart shows the {len(charted)} outlets with the most articles, the table all "
                  f"{n_outlets}." if len(charted) < n_outlets else "."))
    grid = facets[facets["outlet"].isin(charted)].drop(columns="articles", errors="ignore").assign(
        articles=lambda t: t["outlet"].map(counts))  # the outlet's articles, for the row's n
    ui.show_chart(charts.heatmap(grid, row="outlet", column="facet", value="share",
                                 title="Share of sentences per facet"), f"facet-shares-{chosen}", flt, "facets_chart")
    ui.show_table(facets, f"facet-shares-{chosen}", flt, "facets")
    coverage = "facets.facet_coverage"
    if coverage in frame.columns and frame[coverage].notna().any():
        st.caption("Stored `facets` scores: mean share of an article's sentences that mention any facet of its "
                   "story's own list, per outlet.")
        scored = frame.dropna(subset=[coverage]).groupby("outlet")
        table = scored[coverage].agg(["size", "mean"]).round(4).reset_index()
        table.columns = ["outlet", "articles", "facet_coverage"]
        ui.show_table(table, "facet-coverage", flt, "facet_coverage")
