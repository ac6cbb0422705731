"""Outlets: who published the selection, what is known of each (listed or inferred), and corrections."""

from __future__ import annotations

import streamlit as st

from core.errors import PressLensError
from core.outlets import TYPES, local_outlets_path, save_override
from dashboard import exports, outlet_edits, state, ui

flt = state.current_filter()
st.title("Outlets")
listing = ui.outlet_listing(ui.db(), ui.version(), flt)
if listing.empty:
    st.warning("No article matches these filters.")
    st.stop()

gaps = int(((listing[["country", "type", "language"]] == "unknown").any(axis=1)).sum())
inferred = int((listing["inferred"] != "").sum())
path = local_outlets_path()
st.caption(f"{len(listing):,} outlets in this selection: {gaps:,} with an unknown country, type or language "
           f"(listed first), {inferred:,} with a value inferred from the domain or the text (column `inferred`). "
           f"Correct a country (ISO code), type, language (ISO code) or owner and press *Save*: your values go "
           f"to {path} and override the shipped table (data/outlets.toml) in every page and report.")
edited = st.data_editor(
    listing, hide_index=True, width="stretch", key="outlet_editor",
    disabled=[c for c in listing.columns if c not in outlet_edits.EDITABLE],
    column_config={"type": st.column_config.SelectboxColumn("type", options=["unknown", *TYPES]),
                   "country": st.column_config.TextColumn("country", max_chars=7),
                   "language": st.column_config.TextColumn("language", max_chars=7)})
pending = outlet_edits.changes(listing, edited)
if st.button(f"Save {len(pending)} change{'s' if len(pending) != 1 else ''}", disabled=not pending,
             key="save_outlets"):
    try:
        for name, change in pending:
            save_override(path, name, change)
    except PressLensError as exc:  # a bad code or type: nothing written for it, say which
        st.error(str(exc))
    else:
        st.cache_data.clear()  # groups are read from the outlets table: every cached view recomputes,
        ui.keyed_groups.clear()  # a large store's groups too (kept beside it under the table's stamp)
        st.success(f"Saved {len(pending)} outlet{'s' if len(pending) != 1 else ''} to {path}.")
st.download_button("Download outlets-listing (CSV)", exports.csv_bytes(listing),
                   file_name=exports.file_stem("outlets-listing", flt) + ".csv", mime="text/csv",
                   key="csv_outlets_listing", on_click="ignore")  # the table above, as listed (before edits)
