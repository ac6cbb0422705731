"""Articles: a sortable, searchable table, and each article's sentences with their scores."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries, state, ui

MAX_ROWS = 5000

flt = state.current_filter()
st.title("Articles")
if ui.large_selection(flt):  # a large store's large selection: the newest rows, read from the store
    total = ui.selected_count(flt)
    listing = ui.newest_articles(ui.db(), ui.version(), flt, MAX_ROWS)
else:
    frame = ui.selection(flt)  # frame scores are per sentence below; the listing keeps the light ones
    total = len(frame)
    scores = [c for c in frame.columns if "." in c]
    listing = frame.sort_values("published", ascending=False)[["id", "outlet", "host", "day", "title", "url", *scores]]
    listing = listing.rename(columns={"day": "published"})
if total == 0:
    st.warning("No article matches these filters.")
    st.stop()
st.caption(f"{total:,} articles" + (f"; the newest {MAX_ROWS:,} listed" if total > MAX_ROWS else ""))
ui.show_table(listing.head(MAX_ROWS), "articles", flt, "articles",
              column_config={"url": st.column_config.LinkColumn("url"), "id": None})

st.subheader("Evidence")
shown = listing.head(MAX_ROWS)
labels = dict(zip(shown["id"], shown["outlet"] + " · " + shown["published"].fillna("") + " · " + shown["title"]))
wanted = st.query_params.get("article")
choices = list(labels)
article_id = st.selectbox("Article", choices, index=choices.index(wanted) if wanted in choices else 0,
                          format_func=lambda i: labels[i][:160], key="article")
st.query_params["article"] = article_id
article, sentences = queries.article_sentences(ui.db(), article_id, ui.settings())
st.text(f"{article['outlet']} · {article['published'] or 'no date'}")  # scraped: never markdown
st.text(article["title"])  # scraped text is shown as text, never as markdown or HTML
licence = queries.attribution(article)
if licence:
    st.text(f"Source and licence: {licence}")
if article["url"]:
    st.link_button("Open the original", article["url"])
tone_columns = [c for c in sentences.columns if c.startswith("tone_")]  # -1..+1: the red-blue tone scale
count_columns = [c for c in sentences.columns if "." in c and c not in tone_columns]  # cue and quote counts
styled = sentences.style.map(charts.tone_cell_style, subset=tone_columns).map(charts.count_cell_style,
                                                                             subset=count_columns)
st.caption("Tone cells: red below zero, blue above. Other cells count cues or quotes: the darker, the more.")
st.dataframe(styled, hide_index=True, width="stretch", key="evidence", row_height=ui.EVIDENCE_ROW_HEIGHT,
             column_config={"sentence": st.column_config.TextColumn("sentence", width="large")})
