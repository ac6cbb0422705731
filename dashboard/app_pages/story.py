"""Story: the digest of one story, with a link to every cited article, as Markdown, HTML or JSON."""

from __future__ import annotations

import streamlit as st

from analysis.digest.model import Digest
from analysis.digest.render import render_html, render_markdown
from core.store import ArticleFilter
from dashboard import briefs, exports, state, ui

flt = state.current_filter()
st.title("Story digest")
options = ui.filter_options(ui.db(), ui.version())
if not options.stories:
    st.info("This store has no stories: they come with imported data or from `python -m analysis stories`.")
    st.stop()

in_selection = ui.selected_stories(flt)
choices = [s for s in options.stories if s in in_selection] or list(options.stories)
if flt.story_id in choices:
    story = flt.story_id
    st.caption("The story chosen in the sidebar.")
else:
    # No default: a digest reads the whole story and related ones (seconds), so it waits for a choice.
    wanted = st.query_params.get("digest")
    story = st.selectbox("Story", choices, index=choices.index(wanted) if wanted in choices else None,
                         key="digest_story", placeholder="choose a story",
                         format_func=lambda s: options.story_labels.get(s, s)[:160])
    if story is None:
        st.info("Choose a story here, or the Story scope in the sidebar.")
        st.stop()
    st.query_params["digest"] = story

full = st.toggle("Full digest (every section in full, with the per-outlet brief)", key="digest_full")
digest = ui.digest(ui.db(), ui.version(), story, tuple(flt.outlets), tuple(flt.groups), "full" if full else "short")
if isinstance(digest, str):
    st.info(f"No digest for this story: {digest}")
    st.stop()

stem = exports.file_stem("digest", ArticleFilter(story_id=story))
columns = st.columns(3)
for column, (fmt, mime, render) in zip(columns, (("md", "text/markdown", render_markdown),
                                                  ("html", "text/html", render_html),
                                                  ("json", "application/json", Digest.to_json))):
    # written when clicked, not on every rerun
    column.download_button(f"Digest as {fmt.upper()}", lambda render=render: render(digest).encode("utf-8"),
                           file_name=f"{stem}.{fmt}", mime=mime, key=f"digest_{fmt}", on_click="ignore",
                           width="stretch")

data = digest.to_dict()
header, sections = briefs.digest_view(data)
for line in header:
    st.text(line)
if digest.selection:
    st.caption(briefs.plain_heading(f"Limited to {digest.selection} (the sidebar's filters)."))
# Scraped sentences, titles and outlet names are shown with st.text or in dataframes (plain text), never as
# markdown or HTML; links only to http(s) URLs (issue #8).
for s_index, section in enumerate(sections):
    box = st.expander(briefs.plain_heading(section.title), expanded=s_index < 4)
    if section.note:
        box.caption(briefs.plain_heading(section.note))
    for i_index, item in enumerate(section.items):
        key = f"digest_{s_index}_{i_index}"
        if item.heading:
            box.text(item.heading)
        if item.text:
            box.text(item.text)
        if item.note:
            box.text(item.note)
        if item.link and item.link not in set(item.citations["url"]):
            box.dataframe({"article": [item.link]}, hide_index=True, key=f"{key}_link",
                          column_config={"article": st.column_config.LinkColumn("article")})
        if not item.entries.empty:
            box.dataframe(item.entries, hide_index=True, width="stretch", key=f"{key}_entries")
        if not item.citations.empty:
            box.dataframe(item.citations, hide_index=True, width="stretch", key=f"{key}_citations",
                          column_config={"url": st.column_config.LinkColumn("url"), "article_id": None,
                                         "sentence": st.column_config.TextColumn("sentence", width="large")})

st.subheader("Cited articles")
cited = briefs.cited_articles(data)
if cited.empty:
    st.info("The digest cites no article.")
else:
    ui.show_table(cited, "digest-articles", flt, "digest_articles",
                  column_config={"url": st.column_config.LinkColumn("url")})

timeline = ui.story_events(story)
threads = ui.story_threads(ui.db(), ui.version(), story)
if len(timeline) or not threads.empty:
    st.subheader("Timeline")
    st.caption("An event is what happened within a day or two; the story links events that continue one another "
               "over days or weeks. Pick one in the sidebar's Event filter to narrow every page to it.")
    if len(timeline):
        ui.show_table(timeline.drop(columns=["event_id"]), "story-events", flt, "story_events")
    else:  # linked stories but no events grouped: no empty table, no empty download
        st.caption("This story's articles are not grouped into events.")
    if threads.empty:
        st.caption("No earlier story in the store is linked to this one.")
    else:
        st.caption("How we got here: the earlier stories the grouping links to this one.")
        ui.show_table(threads, "story-threads", flt, "story_threads")
