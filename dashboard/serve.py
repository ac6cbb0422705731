"""The Streamlit server of ``python -m dashboard``, which prepares the first page while the browser loads.

    python -m dashboard.serve run APP [Streamlit's options]   (the arguments of ``python -m streamlit``)

Streamlit imports an app's modules and reads its data only once a browser has connected and asked for
the first page. Between the server listening and that moment, the browser fetches and starts
Streamlit's scripts (about half a second to a second) while the server has nothing to do. This starts
Streamlit as ``python -m streamlit`` does and, meanwhile, imports the dashboard's modules (pandas,
plotly and ours: about 0.9 s of processor time) and reads what the first page reads from the store into
the caches the pages use: the articles' metadata, or for a store too large to load whole its columns
(``dashboard.columns``), with its outlet groups and tone arrays when they are kept beside the store (else
the warm-up reads them after the first page). The first page, and Compare after it, then find them done.
Nothing here changes what a page shows: it only runs earlier what the first page would have run.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

log = logging.getLogger(__name__)
RUNTIME_WAIT_S = 60.0  # the preparation gives up when Streamlit has not started by then
POLL_S = 0.02


def prepare() -> None:
    """Once Streamlit's runtime exists, import the pages' modules and read what the first page reads."""
    from streamlit import runtime

    waited = time.monotonic()
    while not runtime.exists():  # the caches the pages use belong to the runtime: never create them before it
        if time.monotonic() - waited > RUNTIME_WAIT_S:
            return
        time.sleep(POLL_S)
    try:
        from core.settings import Settings
        from dashboard import charts, queries, ui  # noqa: F401  (charts: imported for the first page)

        settings = Settings.load()
        if not queries.store_exists(settings.db) or queries.store_problem(settings.db, settings) is not None:
            return  # the page says what is wrong
        with queries.open_store(settings.db, settings) as store:
            large, version = store.count("articles") > settings.dashboard_catalogue_max, store.data_version()
        if large:  # the compact columns every page of a large store filters, and its parts kept beside it
            ui.prepare_large(settings.db, version, settings)
        else:  # the articles' metadata: the sidebar's options and the Overview
            ui.meta(settings.db, version, settings)
    except Exception:  # the first page does the same work itself and shows the error
        log.exception("preparing the dashboard's first page failed")


def main() -> None:
    threading.Thread(target=prepare, name="presslens-prepare", daemon=True).start()
    from streamlit.web.cli import main as streamlit_main

    sys.argv[0] = "streamlit"
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
