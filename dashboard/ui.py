"""The dashboard's edge: cached loaders keyed by the store's data version, and shared widgets.

Caching happens only here (bounded ``st.cache_data``, and ``st.cache_resource`` for a large store's
read-only columns), and every loader opens a short read-only connection: no connection outlives a
call or crosses threads.

The sidebar and the Overview need only the articles' metadata (``meta``); the other pages the
whole catalogue (scores and outlet groups, ``catalogue``), which ``warm`` has a lower-priority
process load while the first page is read, then the Framing page's opening table.
A store of more than ``dashboard_catalogue_max`` articles has no catalogue: its columns
(``keyed_columns``, ``dashboard.columns``) are filtered and summed, a selection of up to
``dashboard_selection_max`` articles is read as rows (``selection``), and ``warm`` reads the outlet
groups and tone arrays in a thread once no page has run for a while.
Loaders that the warm-up calls take the settings as ``_settings`` (not part of the cache key):
a background thread has no session to read them from.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.brief.build import Brief, build_brief
from analysis.digest.build import build_digest, story_thread_ids
from analysis.digest.model import Digest
from analysis.tone.measure import preferred_tone_metric
from core import kept as kept_parts
from core.errors import PressLensError
from core.outlet_profiles import outlet_listing as outlet_listing_of
from core.settings import Settings
from core.store import ArticleFilter
from dashboard import columns as keyed
from dashboard import exports, framing, queries, sets, textviews, warmup

log = logging.getLogger(__name__)

CACHE_ENTRIES = 64
# Evidence tables show a sentence over up to three wrapped lines.
EVIDENCE_ROW_HEIGHT = 72


def settings() -> Settings:
    """Return the validated settings of this session (read once per session from the environment)."""
    if "settings" not in st.session_state:
        st.session_state["settings"] = Settings.load()
    return st.session_state["settings"]


def db() -> str:
    return settings().db


def version() -> int:
    """Return the store's data version (one tiny query per rerun, so a new collection shows at once)."""
    return queries.data_version(db(), settings())


@st.cache_data(max_entries=4, show_spinner="Loading the store ...")
def meta(path: str, data_version: int, _settings: Settings | None = None) -> pd.DataFrame:
    """Return every article's metadata, no scores (the sidebar's and the Overview's table)."""
    return queries.article_meta(path, _settings or settings())


@st.cache_data(max_entries=4, show_spinner="Loading the scores ...")
def catalogue(path: str, data_version: int, _settings: Settings | None = None) -> pd.DataFrame:
    """Return the metadata with every non-lazy score and the outlet groups (``queries.catalogue``).

    Taken from the warm-up process when it has written it; else computed here.
    """
    ready = _warmed_table(path, data_version, "catalogue")
    chosen = _settings or settings()
    table = ready if ready is not None else queries.catalogue(path, chosen, meta=meta(path, data_version, chosen))
    _catalogued.add((path, data_version))
    return table


_catalogued: set[tuple[str, int]] = set()  # store versions whose catalogue has been loaded in this process
TONE_SCORERS = kept_parts.TONE_SCORERS


def catalogue_ready(path: str, data_version: int) -> bool:
    """Return whether the catalogue is loaded, or the warm-up has written it (taking it costs milliseconds)."""
    if (path, data_version) in _catalogued:
        return True
    with _warmups_lock:
        started = _warmups.get((path, data_version))
    return started is not None and started.ready("catalogue")


@st.cache_data(max_entries=4, show_spinner="Loading the tone scores ...")
def tone_catalogue(path: str, data_version: int, _settings: Settings | None = None) -> pd.DataFrame:
    """Return the catalogue with the tone scorers' columns only: what Compare opens on before the whole one is in.

    About half the time of ``catalogue`` on allsides_abp (0.8-1.0 s against 1.8 s on a loaded machine).
    """
    chosen = _settings or settings()
    others = [s for s in scorers_present(path, data_version) if s not in TONE_SCORERS]
    return queries.catalogue(path, chosen, lazy=others, meta=meta(path, data_version, chosen))


@st.cache_data(max_entries=4, show_spinner=False)
def filter_options(path: str, data_version: int) -> queries.FilterOptions:
    if large(path, data_version):
        stories = large_stories(path, data_version, ArticleFilter())  # the Overview's, which opens next
        with queries.open_store(path, settings()) as store:
            return queries.large_filter_options(store, keyed_columns(path, data_version), stories)
    return queries.filter_options(meta(path, data_version))


# A large store (more than dashboard_catalogue_max articles): compact columns instead of the catalogue.
# Held as resources (shared, never copied per run): read-only.

def large(path: str, data_version: int) -> bool:
    """Return whether the store is too large to load whole (``dashboard_catalogue_max``)."""
    return _articles(path, data_version) > settings().dashboard_catalogue_max


@st.cache_data(max_entries=4, show_spinner=False)
def _articles(path: str, data_version: int) -> int:
    with queries.open_store(path, settings()) as store:
        return store.count("articles")


@st.cache_resource(max_entries=2, show_spinner="Reading the store's index ...")
def keyed_columns(path: str, data_version: int, _settings: Settings | None = None) -> kept_parts.Columns:
    with queries.open_store(path, _settings or settings()) as store:
        return queries.large_columns(path, store)


@st.cache_resource(max_entries=2, show_spinner="Reading the outlets ...")
def keyed_groups(path: str, data_version: int, _settings: Settings | None = None) -> pd.DataFrame:
    with queries.open_store(path, _settings or settings()) as store:
        return kept_parts.kept_groups(store, keyed_columns(path, data_version, _settings))


@st.cache_resource(max_entries=8, show_spinner="Reading the scores ...")
def keyed_metric(path: str, data_version: int, scorer: str, metric: str,
                 _settings: Settings | None = None) -> np.ndarray | None:
    """Return one metric over the columns' articles, or None when no article has it."""
    with queries.open_store(path, _settings or settings()) as store:
        values = kept_parts.kept_metric(store, keyed_columns(path, data_version, _settings), scorer, metric)
    return values if np.isfinite(values).any() else None


# Seconds without a page run before the large store's warm-up takes its next step: a browser's first visit
# runs the script two or three times in a row (the page, then the address it writes), all before it is drawn.
WARM_IDLE_S = 1.5


def _wait_idle(seconds: float) -> None:
    """Return once no page run has been in progress for ``seconds``."""
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < seconds:
        time.sleep(0.05)
        if _drawing["runs"]:
            quiet_since = time.monotonic()


def _large_parts(path: str, data_version: int, chosen: Settings) -> list[tuple[str, Callable[[], object]]]:
    """Return what a large store's pages read after its columns, as (kept part, cached loader): the outlet
    groups and both tone measures' arrays."""
    parts: list[tuple[str, Callable[[], object]]] = [("groups", lambda: keyed_groups(path, data_version, chosen))]
    parts += [(kept_parts.metric_part(s, m), lambda s=s, m=m: keyed_metric(path, data_version, s, m, chosen))
              for s in TONE_SCORERS for m in kept_parts.TONE_METRICS]
    return parts


def prepare_large(path: str, data_version: int, chosen: Settings) -> None:
    """Read a large store's columns into the cache, and those of its other parts kept beside it (milliseconds
    each; the others are left to the warm-up, which reads them between page runs)."""
    columns = keyed_columns(path, data_version, chosen)
    for part, load in _large_parts(path, data_version, chosen):
        if kept_parts.is_kept(columns, part):
            load()


def _warm_large(path: str, data_version: int, chosen: Settings) -> None:
    """Read a large store's outlet groups and tone scores in the background while the first page is read."""
    steps = [load for _part, load in _large_parts(path, data_version, chosen)]

    def load() -> None:
        try:
            for step in steps:
                _wait_idle(WARM_IDLE_S)  # a step holds the interpreter for up to a second: never beside a page run
                step()
        except Exception:  # a page that needs them reads them itself and shows the error
            log.exception("warming a large store's columns failed")

    threading.Thread(target=load, name="presslens-warm-up", daemon=True).start()


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def keyed_mask(path: str, data_version: int, flt: ArticleFilter) -> np.ndarray:
    """Return which of a large store's articles the filter selects (a story, a search: keys from the store)."""
    narrow = keyed.narrow_filter(flt)
    keys = None
    if narrow is not None:
        with queries.open_store(path, settings()) as store:
            keys = store.keys_where(narrow)
    return keyed.mask(keyed_columns(path, data_version), flt, keys)


def selected_count(flt: ArticleFilter) -> int:
    """Return how many of a large store's articles the filter selects (from the columns' mask)."""
    return int(keyed_mask(db(), version(), flt).sum())


def large_selection(flt: ArticleFilter) -> bool:
    """Return whether this selection is summed from the columns: a large store, and more than
    ``dashboard_selection_max`` articles selected (a smaller selection is loaded as rows)."""
    path, data_version = db(), version()
    return large(path, data_version) and selected_count(flt) > \
        settings().dashboard_selection_max


def keyed_tones(flt: ArticleFilter) -> tuple[str, str, dict[str, np.ndarray]]:
    """Return the tone measure of a large selection (scorer, label) and its tone and headline tone arrays."""
    path, data_version = db(), version()
    keep = keyed_mask(path, data_version, flt)
    found = {s: keyed_metric(path, data_version, s, "tone") for s in TONE_SCORERS}
    cover = pd.DataFrame({f"{s}.tone": values[keep] for s, values in found.items() if values is not None})
    scorer, label = preferred_tone_metric(cover)
    tones = {m: keyed_metric(path, data_version, scorer, m) for m in kept_parts.TONE_METRICS}
    return scorer, label, {m: v for m, v in tones.items() if v is not None}


def too_large(flt: ArticleFilter, what: str) -> None:
    """Say that this part needs a narrower selection of a large store, and how to get one."""
    n = selected_count(flt)
    st.info(f"{what} reads each article of the selection: it holds {n:,} articles, more than the "
            f"{settings().dashboard_selection_max:,} this store's dashboard loads (setting "
            "`dashboard_selection_max`). Pick a story or a topic, fewer outlets or a shorter period.")


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def search_ids(path: str, data_version: int, query: str, _settings: Settings | None = None) -> frozenset[str]:
    return queries.search_ids(path, query, _settings or settings())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Reading the outlets ...")
def outlet_listing(path: str, data_version: int, flt: ArticleFilter) -> pd.DataFrame:
    """Return the selection's outlets with their group values, article counts and hosts, gaps first."""
    with queries.open_store(path, settings()) as store:
        return outlet_listing_of(store, flt)


@st.cache_data(max_entries=4, show_spinner=False)
def scorers_present(path: str, data_version: int) -> list[str]:
    """Return the scorers with scores in the store (a page offers only what it can show)."""
    with queries.open_store(path, settings()) as store:
        return store.scorers_present()


@st.cache_data(max_entries=4, show_spinner=False)
def ledger_facts(path: str, data_version: int) -> queries.LedgerFacts:
    """Return the store's failed fetches, syndication groups and repaired articles (once per store version)."""
    return queries.ledger_facts(path, settings())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def overview(path: str, data_version: int, flt: ArticleFilter) -> queries.Overview:
    """Return the Overview of the selection (cached per filter): counts, volume, stories and the ledger."""
    facts = ledger_facts(path, data_version)
    if large_selection(flt):
        cols = keyed_columns(path, data_version)
        keep = keyed_mask(path, data_version, flt)
        stories = large_stories(path, data_version, flt)
        counts = keyed.day_counts(cols, keep)
        return queries.Overview.of_counts(int(keep.sum()), len(np.unique(cols.codes("outlet")[keep])), counts,
                                          stories, queries.large_ledger(cols, keep, facts))
    frame = selection(flt, metadata_only=True)
    ledger = queries.quality_ledger(path, frame, settings(), facts)
    counts = frame.groupby(["outlet", "day"], observed=True).size().rename("articles").reset_index()
    return queries.Overview.of_counts(len(frame), int(frame["outlet"].nunique()), counts, queries.stories(frame),
                                      ledger)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def large_stories(path: str, data_version: int, flt: ArticleFilter) -> pd.DataFrame:
    """Return the stories of a large store's selection (``queries.large_stories``): the Overview's table and,
    for the whole store, the sidebar's story options."""
    with queries.open_store(path, settings()) as store:
        return queries.large_stories(store, keyed_columns(path, data_version), keyed_mask(path, data_version, flt))


def story_events(story_id: str) -> pd.DataFrame:
    """Return the story's events as a dated timeline (from the cached metadata, or the story's rows)."""
    if large(db(), version()):
        return queries.story_events(_large_rows(db(), version(), ArticleFilter(story_id=story_id)), story_id)
    return queries.story_events(meta(db(), version()), story_id)


def selected_stories(flt: ArticleFilter) -> set[str]:
    """Return the ids of the stories with articles in the selection."""
    if large(db(), version()):
        cols = keyed_columns(db(), version())
        codes = np.unique(cols.codes("story")[keyed_mask(db(), version(), flt)])
        names = cols.facets["story"].cat.categories
        return {str(names[c]) for c in codes if c >= 0}
    frame = selection(flt, metadata_only=True)
    return set(frame["story_id"].dropna()) if not frame.empty else set()


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Finding the stories that led here ...")
def story_threads(path: str, data_version: int, story_id: str) -> pd.DataFrame:
    """Return the earlier stories the grouping links to this one (analysis.stories.linking), dated."""
    with queries.open_store(path, settings()) as store:
        stories = store.stories()
        first = stories.loc[stories["story"] == story_id, "first_published"]
        ids = story_thread_ids(store, story_id, first.iloc[0] if len(first) else None)
        return stories[stories["story"].isin(ids)][["story", "label", "first_published", "last_published",
                                                    "n_outlets", "n_articles"]].reset_index(drop=True)


@st.cache_data(max_entries=8, show_spinner="Loading scores ...")
def scorer_columns(path: str, data_version: int, scorer: str, _settings: Settings | None = None) -> pd.DataFrame:
    ready = _warmed_table(path, data_version, scorer) if scorer in warmup.TABLES else None
    return ready if ready is not None else queries.scorer_columns(path, _settings or settings(), scorer)


def selection(flt: ArticleFilter, scorers: tuple[str, ...] = (), *, metadata_only: bool = False,
              tone_only: bool = False, what: str = "This page") -> pd.DataFrame:
    """Return the catalogue rows the shared filters select, with the named lazily loaded scorers' columns.

    ``metadata_only``: the rows of ``meta`` instead (no scores, no outlet groups), for pages that need no more;
    ``tone_only``: those of ``tone_catalogue`` (outlet groups and tone scores only).
    On a large store the selection is read from the store (every non-lazy scorer); a selection of more
    than ``dashboard_selection_max`` articles stops the page with ``too_large`` (``what`` names the part).
    """
    path, data_version = db(), version()
    if large(path, data_version):
        if large_selection(flt):
            too_large(flt, what)
            st.stop()
        frame = _large_rows(path, data_version, flt)
        lazy = [s for s in scorers if s in queries.LAZY_SCORERS]
        return queries.with_scorers(frame, [_large_scorer(path, data_version, flt, s) for s in lazy]) if lazy else frame
    return _select(path, data_version, settings(), flt, scorers, metadata_only, tone_only)


@st.cache_data(max_entries=8, show_spinner="Reading the selection ...")
def _large_rows(path: str, data_version: int, flt: ArticleFilter) -> pd.DataFrame:
    """Return a large store's selection as catalogue rows, read from the store."""
    chosen = settings()
    meta_rows = queries.article_meta(path, chosen, flt)
    return queries.catalogue(path, chosen, meta=meta_rows, groups=keyed_groups(path, data_version))


@st.cache_data(max_entries=8, show_spinner="Reading scores ...")
def _large_scorer(path: str, data_version: int, flt: ArticleFilter, scorer: str) -> pd.DataFrame:
    with queries.open_store(path, settings()) as store:
        keys = store.keys_where(flt)
        return store.score_matrix([scorer], keys=keys)


@st.cache_data(max_entries=8, show_spinner=False)
def _select(path: str, data_version: int, _chosen: Settings, flt: ArticleFilter, scorers: tuple[str, ...] = (),
            metadata_only: bool = False, tone_only: bool = False) -> pd.DataFrame:
    """Return the selection (cached: a page asks for it several times per run, and the next page again)."""
    chosen = _chosen
    matching = search_ids(path, data_version, flt.search, chosen) if flt.search else None
    table = (meta(path, data_version, chosen) if metadata_only else
             tone_catalogue(path, data_version, chosen) if tone_only else catalogue(path, data_version, chosen))
    frame = queries.apply_filter(table, flt, matching)
    lazy = [s for s in scorers if s in queries.LAZY_SCORERS]
    return (queries.with_scorers(frame, [scorer_columns(path, data_version, s, chosen) for s in lazy]) if lazy
            else frame)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def outlet_view(path: str, data_version: int, flt: ArticleFilter) -> pd.DataFrame:
    return queries.outlet_view(selection(flt), settings())


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def group_counts(path: str, data_version: int, flt: ArticleFilter, by: str, tone_only: bool = False) -> pd.DataFrame:
    """Return the selection's articles and tone-scored articles per outlet or group (the comparison set's ranking)."""
    if large_selection(flt):
        _scorer, _label, tones = keyed_tones(flt)
        return keyed.group_counts(keyed_columns(path, data_version), keyed_mask(path, data_version, flt),
                                  tones.get("tone"), by, keyed_groups(path, data_version))
    return queries.group_counts(selection(flt, tone_only=tone_only), by)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def group_view(path: str, data_version: int, flt: ArticleFilter, by: str,
               only: tuple[str, ...] | None = None, tone_only: bool = False) -> pd.DataFrame:
    """Return the per-outlet or per-group table of the selection, of only the named rows if given (cached)."""
    if large_selection(flt):
        _scorer, label, tones = keyed_tones(flt)
        return keyed.group_table(keyed_columns(path, data_version), keyed_mask(path, data_version, flt), tones, by,
                                 settings(), label, keyed_groups(path, data_version),
                                 only=set(only) if only is not None else None)
    return queries.group_view(selection(flt, tone_only=tone_only), settings(), by, only=only)


@dataclass(frozen=True)
class Comparison:
    """What Compare says of its selection beside the table: sizes, the tone measure, the groupings it offers."""

    articles: int
    outlets: int
    scorer: str
    label: str
    fields: list[str]


def comparison(flt: ArticleFilter, *, tone_only: bool = False) -> Comparison:
    """Return the selection's ``Comparison`` (``sign_split`` gives the sign splits of the grouping chosen)."""
    path, data_version = db(), version()
    if large_selection(flt):
        cols, keep = keyed_columns(path, data_version), keyed_mask(path, data_version, flt)
        groups = keyed_groups(path, data_version)
        scorer, label, _tones = keyed_tones(flt)
        fields = [f for f in queries.GROUP_FIELDS if f in groups and (groups[f] != queries.UNKNOWN).any()]
        return Comparison(int(keep.sum()), len(np.unique(cols.codes("outlet")[keep])), scorer, label, fields)
    frame = selection(flt, tone_only=tone_only)
    scorer, label = queries.tone_measure(frame)
    return Comparison(len(frame), int(frame["outlet"].nunique()), scorer, label, queries.group_fields(frame))


def sign_split(flt: ArticleFilter, by: str, *, tone_only: bool = False) -> pd.DataFrame:
    """Return both tone measures' mean per ``by`` value of the selection and where their signs disagree."""
    path, data_version = db(), version()
    if large_selection(flt):
        cols, keep = keyed_columns(path, data_version), keyed_mask(path, data_version, flt)
        news, vader = (keyed_metric(path, data_version, s, "tone") for s in ("tone_news", "tone_vader"))
        return keyed.disagreements(cols, keep, news, vader, by, keyed_groups(path, data_version))
    return queries.disagreements(selection(flt, tone_only=tone_only), by)


def _newest(path: str, data_version: int, flt: ArticleFilter, limit: int, columns: list[str]) -> pd.DataFrame:
    """Return the ``limit`` most recently published articles of a large selection (undated last), newest first.

    The columns give the days: only the articles of the newest days that hold ``limit`` are read.
    """
    cols, keep = keyed_columns(path, data_version), keyed_mask(path, data_version, flt)
    with queries.open_store(path, settings()) as store:
        rows = store.articles(columns=[*columns, "key"], keys=keyed.newest_keys(cols, keep, limit))
    rows = rows.sort_values(["published", "key"], ascending=False, na_position="last").head(limit)
    return rows.reset_index(drop=True)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Reading the newest articles ...")
def newest_articles(path: str, data_version: int, flt: ArticleFilter, limit: int) -> pd.DataFrame:
    """Return a large selection's newest articles with their scores (the Articles page's listing)."""
    rows = _newest(path, data_version, flt, limit, ["outlet", "host", "published", "title", "url"])
    with queries.open_store(path, settings()) as store:
        scores = store.score_matrix(exclude=queries.LAZY_SCORERS, keys=rows["key"].to_numpy())
    rows["published"] = rows["published"].str.slice(0, 10)
    return rows.drop(columns="key").join(scores, on="id")[["id", "outlet", "host", "published", "title", "url",
                                                           *scores.columns]]


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def newest_headlines(path: str, data_version: int, flt: ArticleFilter, scorer: str, limit: int) -> pd.DataFrame:
    """Return a large selection's newest headlines with their headline tone (title, tone, outlet, day, url)."""
    rows = _newest(path, data_version, flt, limit, ["title", "outlet", "published", "url"])
    with queries.open_store(path, settings()) as store:
        tone = store.score_matrix([scorer], keys=rows["key"].to_numpy())
    column = f"{scorer}.headline_tone"
    rows[column] = rows["id"].map(tone[column]) if column in tone else np.nan
    rows["day"] = rows["published"].str.slice(0, 10)
    return rows.sort_values(["outlet", "published"])[["title", column, "outlet", "day", "url"]]


_drawing = {"runs": 0}
_drawing_lock = threading.Lock()


@contextlib.contextmanager
def drawing() -> Iterator[None]:
    """Mark a script run (a page being drawn) for as long as it lasts: the warm-up waits for none to be running."""
    with _drawing_lock:
        _drawing["runs"] += 1
    try:
        yield
    finally:
        with _drawing_lock:
            _drawing["runs"] -= 1


_warmups: dict[tuple[str, int], warmup.Warmup] = {}
_warmed_large: set[tuple[str, int]] = set()
_warmups_lock = threading.Lock()


def warm(path: str, data_version: int, chosen: Settings) -> None:
    """Load the other pages' tables in the background, once per store version.

    Called by every run, it starts once per store version (the first page needs only ``meta``).
    A lowest-priority process (``dashboard.warmup``) computes the catalogue, the generic frames and
    the table Framing opens on; a thread here takes each into the cache as it comes,
    only while no page is being drawn (``drawing``: reading a pickle still holds the interpreter).
    A page that needs one of them before the process has written it computes it itself, and the
    process stops (it would only compete with that page).
    """
    with _warmups_lock:
        if (path, data_version) in _warmed_large:
            return
        if large(path, data_version):  # no catalogue to warm: the columns' groups and tone scores instead
            _warmed_large.add((path, data_version))
            _warm_large(path, data_version, chosen)
            return
        if (path, data_version) in _warmups:
            return
        _warmups[(path, data_version)] = started = warmup.Warmup.start(path, data_version)
    atexit.register(started.close)

    def load() -> None:
        try:
            for name in warmup.TABLES:
                if not started.wait(name):  # outside the cached loader: a page asking meanwhile computes it itself
                    return
                while _drawing["runs"]:
                    time.sleep(0.05)
                _warm_step(path, data_version, name, chosen)
        except Exception:  # a page that needs them loads them itself and shows the error
            log.exception("warming the dashboard's caches failed")

    threading.Thread(target=load, name="presslens-warm-up", daemon=True).start()


def _warmed_table(path: str, data_version: int, name: str) -> pd.DataFrame | None:
    """Return a table the warm-up process has written, or None (and stop the process: the caller computes it)."""
    with _warmups_lock:
        started = _warmups.get((path, data_version))
    if started is None or name in started.taken:
        return None
    table = started.result(name)
    if table is None:
        started.close()  # the caller computes the table now: the process would only compete with it
    return table


@st.cache_data(max_entries=4 * len(warmup.TABLES), show_spinner=False)
def _warm_step(path: str, data_version: int, name: str, _settings: Settings) -> bool:
    # Called inside a cached function, the loaders show no spinner: the warm-up thread has no page to show one on.
    everything = ArticleFilter()
    if name == "catalogue":
        catalogue(path, data_version, _settings)
    elif name == "frames_generic":
        scorer_columns(path, data_version, "frames_generic", _settings)
    elif name == "framing":
        frame_shares(path, data_version, everything, "frames_generic", "present", _settings)
    return True


def comparison_set(table: pd.DataFrame, by: str = "outlet") -> sets.Cut:
    """Offer the comparison set's controls (largest N, minimum articles, show all); return the cut."""
    noun = "outlets" if by == "outlet" else f"{by} groups"
    with st.expander(f"Which {noun} to show", expanded=False):
        left, middle, right = st.columns(3)
        top = left.number_input("Largest", min_value=1, max_value=500, value=sets.DEFAULT_TOP, step=5,
                                key=f"top_{by}", help="Ranked by articles, ties broken by name.")
        floor = middle.number_input("At least this many articles", min_value=1, max_value=1000, value=1,
                                    key=f"min_{by}")
        show_all = right.checkbox(f"Show all {noun}", key=f"all_{by}")
    return sets.comparison_set(table, top=int(top), min_articles=int(floor), show_all=show_all, name=by,
                               noun=noun)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def frame_shares(path: str, data_version: int, flt: ArticleFilter, scorer: str, kind: str = "present",
                 _settings: Settings | None = None, *, tone_only: bool = False) -> pd.DataFrame:
    """Return per-outlet frame shares with intervals for the selection (cached per filter).

    ``tone_only``: join the frame columns to ``tone_catalogue`` (before the whole catalogue is in).
    """
    opening = (flt, scorer, kind) == (ArticleFilter(), "frames_generic", "present")
    ready = _warmed_table(path, data_version, "framing") if opening else None
    if ready is not None:
        return ready
    chosen = _settings or settings()
    frame = selection(flt, (scorer,), tone_only=tone_only, what="Frames")
    return framing.frame_shares(frame, scorer, chosen, kind=kind)


def frame_evidence(flt: ArticleFilter, outlet: str, scorer: str, key: str, *, tone_only: bool = False) -> pd.DataFrame:
    """Return the stored cue sentences behind one outlet x frame cell."""
    return _frame_evidence(db(), version(), flt, outlet, scorer, key, tone_only)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _frame_evidence(path: str, data_version: int, flt: ArticleFilter, outlet: str, scorer: str,
                    key: str, tone_only: bool = False) -> pd.DataFrame:
    with queries.open_store(path, settings()) as store:
        return framing.frame_evidence(store, selection(flt, (scorer,), tone_only=tone_only), outlet, scorer, key)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Reading article texts ...")
def text_sample(path: str, data_version: int, flt: ArticleFilter,
                size: int = textviews.SAMPLE_SIZE) -> textviews.TextSample:
    """Return the texts of the selection (a fixed sample of ``size`` when it is large), cached per filter."""
    with queries.open_store(path, settings()) as store:
        return textviews.load_sample(store, selection(flt, metadata_only=True), size)


def sample_size(view: str) -> int:
    """Return how many articles a text view reads at most (quoted speakers cost twice the others)."""
    return textviews.SPEAKER_SAMPLE_SIZE if view == "speakers" else textviews.SAMPLE_SIZE


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner="Computing ...")
def text_view(path: str, data_version: int, flt: ArticleFilter, view: str, option: str = "") -> pd.DataFrame:
    """Return one text-heavy table (terms, entities, speakers, facets:<file>) for the selection, cached."""
    texts = text_sample(path, data_version, flt, sample_size(view)).articles
    if view == "terms":
        return textviews.distinctive_terms(texts)
    if view == "entities":
        return textviews.entity_salience(texts)
    if view == "speakers":
        return textviews.quoted_speakers(texts)
    if view == "facets":
        from analysis.emphasis import load_facets

        return textviews.facet_shares(texts, load_facets(option))
    raise ValueError(f"unknown text view {view!r}")


@st.cache_data(max_entries=16, show_spinner="Writing the brief ...")
def brief(path: str, data_version: int, flt: ArticleFilter) -> Brief | str:
    """Return the "what the papers say" brief of the selection, or a message when it cannot be written."""
    with queries.open_store(path, settings()) as store:
        try:
            return build_brief(store, flt, settings())
        except PressLensError as exc:  # an empty selection or an unknown story: say so on the page
            return str(exc)


@st.cache_data(max_entries=16, show_spinner="Writing the digest ...")
def digest(path: str, data_version: int, story_id: str, outlets: tuple[str, ...] = (), groups: tuple[str, ...] = (),
           detail: str = "short") -> Digest | str:
    """Return the story digest of the selected outlets and groups, or a message when it cannot be written."""
    with queries.open_store(path, settings()) as store:
        try:
            return build_digest(store, story_id, settings(), outlets=outlets, groups=groups, detail=detail)
        except PressLensError as exc:
            return str(exc)


@st.cache_resource
def _image_server() -> bool:
    """Start kaleido's browser once per process: later PNG/SVG exports take well under a second."""
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    return True


def _image(figure: go.Figure, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        _image_server()
        return exports.figure_bytes(figure, fmt)

    return render


def show_table(frame: pd.DataFrame, name: str, flt: ArticleFilter, key: str, **kwargs: object) -> None:
    """Show a table (cells as plain text, never HTML) with a CSV download of exactly these rows."""
    st.dataframe(frame, hide_index=True, width="stretch", key=f"table_{key}", **kwargs)
    st.download_button(f"Download {name} (CSV)", _csv(frame),
                       file_name=exports.file_stem(name, flt) + ".csv", mime="text/csv", key=f"csv_{key}",
                       on_click="ignore")


def _csv(frame: pd.DataFrame) -> Callable[[], bytes]:
    """Return the table's CSV as a callable: written when the button is clicked, not on every rerun."""
    return lambda: exports.csv_bytes(frame)


def show_chart(figure: go.Figure, name: str, flt: ArticleFilter, key: str) -> None:
    """Show a chart with PNG, SVG and standalone-HTML downloads of the same figure."""
    st.plotly_chart(figure, width="stretch", key=f"chart_{key}")
    stem = exports.file_stem(name, flt)
    columns = st.columns(3)
    for column, fmt, mime in zip(columns, ("png", "svg", "html"), ("image/png", "image/svg+xml", "text/html")):
        column.download_button(f"Chart as {fmt.upper()}", _image(figure, fmt), file_name=f"{stem}.{fmt}", mime=mime,
                               key=f"{fmt}_{key}", on_click="ignore", width="stretch")


def no_scores(scorer: str) -> None:
    """Say which command produces the missing scores."""
    st.info(f"No `{scorer}` scores for this selection yet: run "
            f"`python -m analysis run --scorer {scorer} --db {db()}`.")


def _bundle(flt: ArticleFilter) -> Callable[[], bytes]:
    def build() -> bytes:
        from dashboard import charts

        frame = selection(flt)
        outlets = queries.with_disagreements(sets.hide_small_intervals(sets.ranked(outlet_view(db(), version(), flt))),
                                             queries.disagreements(frame))  # as Compare shows it, every outlet
        volume = queries.volume(frame)
        articles = frame.drop(columns=[c for c in ("day",) if c in frame.columns])
        tables = {"outlets": outlets, "articles": articles, "volume": volume, "stories": queries.stories(frame)}
        figures = {"volume": charts.volume_chart(volume, queries.period_for(frame))} if not volume.empty else {}
        if outlets["scored"].sum():
            figures["tone-by-outlet"] = charts.tone_interval_chart(outlets)
            figures["headline-tone-by-outlet"] = charts.tone_interval_chart(outlets, metric="headline_tone")
        _image_server()
        methodology = exports.methodology_json(flt, frame, queries.methodology())
        return exports.bundle(tables, figures, methodology)

    return build


def bundle_button(flt: ArticleFilter) -> None:
    """Offer one zip with every table, every chart (PNG, SVG, HTML) and methodology.json for the selection."""
    if large_selection(flt):
        st.sidebar.caption(f"The download bundle holds every article of the selection: narrow it to "
                           f"{settings().dashboard_selection_max:,} articles or fewer. Each table and chart has "
                           "its own download.")
        return
    st.sidebar.download_button("Download bundle (zip)", _bundle(flt), file_name=exports.file_stem("presslens", flt)
                               + ".zip", mime="application/zip", key="bundle", on_click="ignore", width="stretch",
                               help="Tables as CSV, charts as PNG, SVG and HTML, and methodology.json (the query, "
                                    "each article's URL and content hash, scorer names and versions).")
