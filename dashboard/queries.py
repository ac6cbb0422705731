"""What the dashboard's pages show, as pure functions: no streamlit here.

The pages load one *catalogue* per store version (every article's metadata and
numeric scores, no text), cache it at the UI edge, and filter it in memory, so a
filter change costs milliseconds; only full-text search and evidence go back to
the store, through short read-only connections. A store too large for that
(``dashboard_catalogue_max``) is served from compact columns instead
(``dashboard.columns``; the ``large_*`` functions here build the same tables from them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import registry
from analysis.compare.outlets import outlet_table, repost_copies
from analysis.compare.stats import bootstrap_mean_ci, stable_seed
from analysis.run import SCORED_LANGUAGES
from analysis.text.sentences import split_spans
from analysis.tone.measure import mark_disagreements, preferred_tone_metric, tone_label
from analysis.tone.target import score_target_tone, target_mentions
from core import kept as kept_parts
from core.encoding import MOJIBAKE_LABEL
from core.errors import StoreError
from core.outlet_profiles import GROUP_FIELDS as OUTLET_GROUP_FIELDS
from core.outlet_profiles import UNKNOWN, name_matches_domain, outlet_groups
from core.settings import Settings
from core.store import ArticleFilter, Store
from core.store import store_exists as store_exists_at
from dashboard import columns as keyed
from dashboard import sets

CATALOGUE_COLUMNS = ["outlet", "host", "title", "published", "url", "topic", "story_id", "event_id", "language",
                     "source", "content_hash"]
# Scorers the catalogue leaves out (the frame sets hold two thirds of all score rows): pages that
# show frames load them on first use. Cold start on allsides_abp: 6.1 s with them, see docs/dashboard.md.
LAZY_SCORERS = ("frames_generic", "frames_policy")
# Period of the volume and tone-over-time charts, by the span of the selection.
DAILY_UP_TO_DAYS = 62
WEEKLY_UP_TO_DAYS = 730
# Beyond two years: months up to five years, quarters up to fifteen, then years (about 60 periods at most from two
# to fifteen years; 15 years of monthly bars per outlet took the browser half a second to draw after a change).
MONTHLY_UP_TO_DAYS = 1827
QUARTERLY_UP_TO_DAYS = 5479


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar offers."""

    stories: tuple[str, ...]
    story_labels: dict[str, str]
    topics: tuple[str, ...]
    outlets: tuple[str, ...]
    groups: tuple[str, ...]
    languages: tuple[str, ...]
    first_day: str | None
    last_day: str | None
    articles: int


def store_exists(db: str) -> bool:
    """Return whether a store file is there to read."""
    return store_exists_at(db)


def store_problem(db: str, settings: Settings) -> str | None:
    """Return why the store cannot be read (not SQLite, empty, foreign, newer schema), or None."""
    if not store_exists(db):
        return None
    try:
        with _open(db, settings):
            return None
    except StoreError as exc:
        return str(exc)


def _open(db: str, settings: Settings) -> Store:
    return Store.open_with(settings, readonly=True, path=db)


def open_store(db: str, settings: Settings) -> Store:
    """Open a short read-only connection (use it in a ``with`` block)."""
    return _open(db, settings)


def data_version(db: str, settings: Settings) -> int:
    """Return the store's data version (grows with every write; the cache key)."""
    if not store_exists(db):
        return -1
    with _open(db, settings) as store:
        return store.data_version()


# The article metadata's own columns the catalogue adds after the scores and outlet groups.
LISTED_COLUMNS = ["listed_bias", "listed_country"]


def article_meta(db: str, settings: Settings, flt: ArticleFilter | None = None) -> pd.DataFrame:
    """Return every article's metadata without scores or inferred outlet groups: what the sidebar and Overview need.

    The columns of ``catalogue`` before its scores, then ``listed_bias`` and ``listed_country``
    (the sidebar's group filter). Reads about a fifth of what the whole catalogue reads.
    ``flt``: only the articles it selects, read by the store (a selection of a large store), with
    their integer ``key``.
    """
    with _open(db, settings) as store:
        if flt is None:
            articles = store.articles(columns=CATALOGUE_COLUMNS)
            stories = store.stories()
            labels = dict(zip(stories["story"], stories["label"]))
            events = store.events()
        else:  # the selection's own stories and events only: a large store holds many
            articles = store.articles(flt, columns=[*CATALOGUE_COLUMNS, "key"])
            labels = store.story_labels(articles["story_id"].dropna().unique().tolist())
            events = store.events(flt)
        outlets = store.outlets()
        copies = repost_copies(store.syndication())
    articles["day"] = articles["published"].str.slice(0, 10)
    # a publisher's re-posted copies of one story (a wire story on ten hosts) count once in comparisons
    articles["repost_copy"] = members(articles["id"], copies)
    # one label per story and per event, the grouping's (its most central headline), used everywhere
    articles["story_label"] = articles["story_id"].map(labels)
    articles["event_label"] = articles["event_id"].map(dict(zip(events["event"], events["label"])))
    # the sidebar's group filter (and the store's ArticleFilter.groups) reads the listed bias and country
    listed = outlets.set_index("name")[["bias", "country"]] if not outlets.empty else None
    for field in ("bias", "country"):
        articles[f"listed_{field}"] = articles["outlet"].map(listed[field]) if listed is not None else None
    return articles


def catalogue(db: str, settings: Settings, *, lazy: Sequence[str] = LAZY_SCORERS,
              meta: pd.DataFrame | None = None, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return every article's metadata with one column per numeric score (``scorer.metric``) and its outlet's groups.

    The scorers in ``lazy`` (the frame sets: two thirds of all score rows) are left out; pages
    that need them join ``scorer_columns`` (loaded on first use, cached per store version).
    ``meta``: ``article_meta`` of the store when the caller has it (the dashboard caches it); when it
    holds a selection (its ``key`` column), only those articles' scores are read, and ``groups``
    (``core.kept.load_groups``: the whole store's outlet groups) are used as they are.
    """
    meta = article_meta(db, settings) if meta is None else meta
    keys = meta["key"].to_numpy() if "key" in meta else None
    with _open(db, settings) as store:
        scores = store.score_matrix(exclude=lazy, keys=keys)
        outlets = store.outlets()
    articles = meta.drop(columns=[*LISTED_COLUMNS, *(["key"] if keys is not None else [])])
    if len(scores.columns):
        articles = articles.join(scores, on="id")
    if groups is None:
        # every outlet grouping (country, region, language, type, ownership, bias, bias3), listed or inferred,
        # "unknown" when neither: core.outlet_profiles, the same values the report and the digest group by
        evidence = articles[["outlet", "url", "language"]].assign(url=host_urls(articles["url"]))
        groups = outlet_groups(outlets, articles=evidence).set_index("outlet")
    renamed = {"inferred": "inferred_fields", "language": "outlet_language"}  # "language" is the article's own
    articles = articles.join(groups[[*GROUP_FIELDS, "inferred"]].rename(columns=renamed), on="outlet")
    for field in GROUP_FIELDS:
        column = renamed.get(field, field)
        articles[column] = articles[column].fillna(UNKNOWN)
    for column in LISTED_COLUMNS:
        articles[column] = meta[column].to_numpy()
    return articles


def host_urls(urls: pd.Series) -> pd.Series:
    """Return each URL cut after its host (``https://www.bbc.co.uk/news/x`` -> ``https://www.bbc.co.uk``).

    The host of the cut URL is the URL's own (``core.urls.url_host``), and a store holds a few hundred
    of them for tens of thousands of URLs, so host inference parses each once. Values that are not
    ``scheme://`` URLs stay as they are.

    >>> host_urls(pd.Series(["https://www.bbc.co.uk/news/x?y#z", "http://a.example?q=1", "no url", None])).tolist()
    ['https://www.bbc.co.uk', 'http://a.example', 'no url', nan]
    """
    cut = urls.str.extract(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)", expand=False)
    return cut.where(cut.notna(), urls)


def scorer_columns(db: str, settings: Settings, scorer: str) -> pd.DataFrame:
    """Return one scorer's article-level scores, one column per ``scorer.metric``, indexed by article id."""
    with _open(db, settings) as store:
        return store.score_matrix([scorer])


def with_scorers(frame: pd.DataFrame, columns: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Return the catalogue rows with the lazily loaded scorers' columns joined (missing ones only)."""
    for extra in columns:
        new = [c for c in extra.columns if c not in frame.columns]
        if new:
            frame = frame.join(extra[new], on="id")
    return frame


def filter_options(frame: pd.DataFrame) -> FilterOptions:
    """Return the stories, topics, outlets, groups and date span the sidebar offers.

    A story is offered under its one label (the grouping's, else its earliest headline) with its
    outlets and dates; stories with the most outlets first.
    """
    stories = frame.dropna(subset=["story_id"])
    if stories.empty:
        story_labels: dict[str, str] = {}
        counts = pd.Series(dtype=int)
    else:
        ordered = stories.sort_values(["story_id", "published"])
        labels = ordered.groupby("story_id")["story_label"].first() if "story_label" in ordered else None
        titles = ordered.groupby("story_id")["title"].first()
        counts = stories.groupby("story_id")["outlet"].nunique()
        days = stories.groupby("story_id")["day"].agg(["min", "max"])
        story_labels = {}
        for sid, title in titles.items():
            label = labels.get(sid) if labels is not None else None
            label = label if isinstance(label, str) and label else (title or "(untitled)")
            first, last = days.at[sid, "min"], days.at[sid, "max"]
            span = "" if not isinstance(first, str) else f" · {first}" + (f" to {last}" if last != first else "")
            story_labels[sid] = f"{label[:90]} · {counts[sid]} outlets{span}"
    days = frame["day"].dropna()
    groups = sorted({g for col in ("listed_bias", "listed_country") if col in frame
                     for g in frame[col].dropna().unique()})
    return FilterOptions(
        stories=tuple(sorted(story_labels, key=lambda s: (-counts[s], story_labels[s]))),
        story_labels=story_labels,
        topics=tuple(sorted(frame["topic"].dropna().unique())),
        outlets=tuple(sorted(frame["outlet"].dropna().unique())),
        groups=tuple(groups),
        languages=tuple(sorted(frame["language"].dropna().unique())),
        first_day=days.min() if not days.empty else None,
        last_day=days.max() if not days.empty else None,
        articles=len(frame),
    )


def sidebar_options(db: str, settings: Settings) -> FilterOptions:
    """Return the sidebar's options of a store as the dashboard computes them (from its columns on a large store)."""
    with _open(db, settings) as store:
        if store.count("articles") > settings.dashboard_catalogue_max:
            return large_filter_options(store, large_columns(db, store))
    return filter_options(article_meta(db, settings))


def large_columns(db: str, store: Store) -> kept_parts.Columns:
    """Return a large store's columns (``core.kept``), kept beside an SQLite store's file for the next start
    of the same store version (the directory ``DB.dashboard``, with the outlet groups and tone arrays read
    through ``kept_parts.kept_groups`` and ``kept_parts.kept_metric``); read afresh from a PostgreSQL store."""
    return kept_parts.load_kept(store, kept_parts.kept_directory(db, store))


# Stories a large store's sidebar offers (most outlets first); the Overview lists as many of the selection's.
LARGE_STORY_OPTIONS = 1000


def large_filter_options(store: Store, cols: kept_parts.Columns, stories: pd.DataFrame | None = None) -> FilterOptions:
    """Return ``filter_options`` of a store too large to load, from its columns (``dashboard.columns``).

    The sidebar offers the LARGE_STORY_OPTIONS stories with the most outlets: ``stories``, the Overview's
    ``large_stories`` of the whole store when the caller has it (one computation for both), else computed.
    """
    if stories is None:
        stories = large_stories(store, cols, np.ones(cols.articles, dtype=bool))
    story_labels = {}
    for row in stories.itertuples(index=False):
        label = row.headline if isinstance(row.headline, str) and row.headline else "(untitled)"
        span = "" if not isinstance(row.first_day, str) else f" · {row.first_day}" + (
            f" to {row.last_day}" if row.last_day != row.first_day else "")
        story_labels[row.story_id] = f"{label[:90]} · {row.outlets} outlets{span}"
    listed = cols.listed[cols.listed["name"].isin(set(cols.outlets))]
    groups = sorted({g for column in ("bias", "country") for g in listed[column].dropna().unique() if g})
    days = cols.facets["day"].cat.categories
    return FilterOptions(
        stories=tuple(story_labels), story_labels=story_labels,
        topics=tuple(str(t) for t in cols.facets["topic"].cat.categories),
        outlets=tuple(str(o) for o in cols.outlets), groups=tuple(groups),
        languages=tuple(store.distinct("language")),
        first_day=str(days[0]) if len(days) else None, last_day=str(days[-1]) if len(days) else None,
        articles=cols.articles,
    )


def large_stories(store: Store, cols: kept_parts.Columns, keep: np.ndarray) -> pd.DataFrame:
    """Return ``stories`` of a large store's selection (the LARGE_STORY_OPTIONS with the most outlets)."""
    table = keyed.story_table(cols, keep, top=LARGE_STORY_OPTIONS)
    labels = store.story_labels(table["story_id"].tolist())
    table.insert(1, "headline", table["story_id"].map(labels))
    members = store.story_members(table["story_id"].tolist())
    members = members[np.isin(members["key"].to_numpy(), cols.keys[keep])]  # the selection's articles only
    first = members.sort_values(["story_id", "published", "outlet"], na_position="last").drop_duplicates("story_id")
    table["first_outlet"] = table["story_id"].map(dict(zip(first["story_id"], first["outlet"])))
    return table


def large_ledger(cols: kept_parts.Columns, keep: np.ndarray, facts: LedgerFacts) -> pd.DataFrame:
    """Return ``quality_ledger`` of a large store's selection, from its columns: failed fetches, missing dates,
    re-posted copies and repaired text. Missing headlines, unscored languages and wire copies are counted on
    selections small enough to load."""
    rows: list[dict[str, object]] = []
    outlet_names = np.asarray(cols.outlets, dtype=object)
    present = set(outlet_names[np.unique(cols.codes("outlet")[keep])])
    failures = facts.failures
    if not failures.empty:
        mine = failures[members(failures["outlet"], present) | failures["outlet"].isna().to_numpy()]
        for (kind, outlet), group in mine.groupby(["kind", failures["outlet"].fillna("(unknown)")]):
            rows.append({"issue": f"failed: {kind}", "outlet": outlet, "count": len(group)})
    outlet = cols.codes("outlet")
    for issue, flags in (("missing publication date", cols.codes("day") < 0),
                         ("re-posted copy of the outlet's own story (counted once in comparisons)", cols.copies),
                         ("mojibake repaired (original kept in labels)", cols.repaired)):
        counts = np.bincount(outlet[keep & flags], minlength=len(outlet_names))
        rows += [{"issue": issue, "outlet": str(outlet_names[i]), "count": int(counts[i])}
                 for i in np.flatnonzero(counts)]
    table = pd.DataFrame(rows, columns=["issue", "outlet", "count"])
    return table.sort_values(["issue", "count"], ascending=[True, False]).reset_index(drop=True)


def story_events(frame: pd.DataFrame, story_id: str) -> pd.DataFrame:
    """Return a story's events as a dated timeline (earliest first): label, dates, outlets, articles."""
    columns = ["event_id", "first_day", "last_day", "event", "outlets", "articles"]
    rows = frame[(frame["story_id"] == story_id) & frame["event_id"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    table = rows.groupby("event_id").agg(first_day=("day", "min"), last_day=("day", "max"),
                                         event=("event_label", "first"), title=("title", "first"),
                                         outlets=("outlet", "nunique"), articles=("id", "size")).reset_index()
    table["event"] = table["event"].where(table["event"].notna(), table["title"])
    return table.sort_values(["first_day", "event_id"], na_position="last")[columns].reset_index(drop=True)


def search_ids(db: str, query: str, settings: Settings) -> frozenset[str]:
    """Return the ids of articles whose title or text matches a full-text query."""
    with _open(db, settings) as store:
        return frozenset(store.articles(ArticleFilter(search=query), columns=["outlet"])["id"])


def members(values: pd.Series, wanted: Iterable[object]) -> np.ndarray:
    """Return, as a boolean array, which values are among ``wanted``.

    ``Series.isin`` on Arrow-backed strings turns every wanted value into an Arrow scalar first: 70 ms for
    the ids a common search word finds in allsides_abp, against 2 ms for a set lookup.

    >>> members(pd.Series(["a", "b", None]), {"b", "c"}).tolist()
    [False, True, False]
    """
    found = wanted if isinstance(wanted, (set, frozenset)) else set(wanted)
    return np.fromiter(map(found.__contains__, values.tolist()), dtype=bool, count=len(values))


def apply_filter(frame: pd.DataFrame, flt: ArticleFilter, matching: frozenset[str] | None = None) -> pd.DataFrame:
    """Return the catalogue rows the filter selects (``matching``: ids found by full-text search)."""
    keep = np.ones(len(frame), dtype=bool)
    if flt.story_id:
        keep &= (frame["story_id"] == flt.story_id).to_numpy()
    if flt.event_id:
        keep &= (frame["event_id"] == flt.event_id).to_numpy()
    if flt.topic:
        keep &= (frame["topic"] == flt.topic).to_numpy()
    if flt.outlets:
        keep &= frame["outlet"].isin(flt.outlets).to_numpy()
    if flt.groups:
        keep &= (frame["listed_bias"].isin(flt.groups) | frame["listed_country"].isin(flt.groups)).to_numpy()
    if flt.language:
        keep &= (frame["language"] == flt.language).to_numpy()
    if flt.since:
        keep &= (frame["day"] >= flt.since).fillna(False).to_numpy()
    if flt.until:
        keep &= (frame["day"] <= flt.until).fillna(False).to_numpy()
    if matching is not None:
        keep &= members(frame["id"], matching)
    return frame[keep]


def tone_measure(frame: pd.DataFrame) -> tuple[str, str]:
    """Return (scorer, label) of the tone measure for the selection: the news model's where it scored all of it."""
    return preferred_tone_metric(frame[[c for c in frame.columns if c.startswith(("tone_news.", "tone_vader."))]])


def outlet_view(frame: pd.DataFrame, settings: Settings, scorer: str | None = None) -> pd.DataFrame:
    """Return the per-outlet table (the same numbers ``python -m analysis report`` prints).

    ``scorer``: the tone measure (default: ``tone_measure`` of the selection); ``measure`` names it.
    """
    scorer, label = (scorer, tone_label(scorer)) if scorer else tone_measure(frame)
    if "repost_copy" in frame:  # a publisher's story counts once, however many hosts re-posted it
        frame = frame[~frame["repost_copy"].fillna(False).astype(bool)]
    metrics = [c for c in frame.columns if c.startswith(scorer + ".")]
    long = frame[["id", *metrics]].melt(id_vars="id", var_name="metric", value_name="value").dropna()
    long = long.rename(columns={"id": "article_id"})
    long["scorer"] = scorer
    long["metric"] = long["metric"].str.slice(len(scorer) + 1)
    table = outlet_table(frame[["id", "outlet", "published"]], long, scorer=scorer,
                         samples=settings.bootstrap_samples, confidence=settings.confidence,
                         seed=settings.bootstrap_seed)
    numeric = table.select_dtypes("number").columns.difference(["articles", "scored"])
    table[numeric] = table[numeric].round(4)
    return table.assign(measure=label)


def with_disagreements(table: pd.DataFrame, split: pd.DataFrame, by: str = "outlet") -> pd.DataFrame:
    """Return the outlet (or group) table with ``measures_disagree`` from ``disagreements`` (none when it is empty)."""
    if split.empty:
        return table
    flags = split[[by, "signs_disagree"]].rename(columns={"signs_disagree": "measures_disagree"})
    return table.merge(flags, on=by, how="left")


def disagreements(frame: pd.DataFrame, by: str = "outlet") -> pd.DataFrame:
    """Return, per outlet (or group), both measures' mean tone and whether they disagree in sign.

    Empty when the selection lacks either measure. Columns: ``by``, tone_news, tone_vader, signs_disagree.
    """
    columns = ["tone_news.tone", "tone_vader.tone"]
    if not set(columns) <= set(frame.columns) or frame[columns].isna().all().any():
        return pd.DataFrame(columns=[by, "tone_news", "tone_vader", "signs_disagree"])
    keys = frame[by].fillna(UNKNOWN) if by in frame else frame["outlet"]
    means = frame[columns].groupby(keys.to_numpy()).mean()
    cells = pd.DataFrame({by: means.index, "tone_news": means["tone_news.tone"].to_numpy(),
                          "tone_vader": means["tone_vader.tone"].to_numpy()})
    return mark_disagreements(cells)[[by, "tone_news", "tone_vader", "signs_disagree"]]


ALL_SELECTED = "(all selected outlets)"
# Outlet fields a page can compare by, in the order offered (core.outlet_profiles holds them).
GROUP_FIELDS = OUTLET_GROUP_FIELDS


def group_fields(frame: pd.DataFrame) -> list[str]:
    """Return the outlet fields of the catalogue that hold at least one known value."""
    def known(field: str) -> bool:
        values = frame[field] if field != "language" or "outlet_language" not in frame else frame["outlet_language"]
        return bool((values.notna() & (values != UNKNOWN)).any())

    return [f for f in GROUP_FIELDS if f in frame.columns and known(f)]


def group_keys(frame: pd.DataFrame, by: str) -> pd.Series:
    """Return each row's outlet, or its value of the outlet field ``by`` (``unknown`` when it has none)."""
    if by == "outlet":
        return frame["outlet"]
    values = frame[by]
    if by == "language" and "outlet_language" in frame:  # the article's own language, else its outlet's
        values = values.where(values.notna() & (values != ""), frame["outlet_language"])
    return values.fillna(UNKNOWN).replace("", UNKNOWN).astype(str)


def group_counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return per outlet (or group) its articles and those scored for tone, as ``group_view`` counts them.

    Milliseconds where ``group_view``'s intervals take about a second on 431 outlets: a page ranks and
    cuts on these counts, then asks ``group_view`` for the rows it shows.
    """
    scorer, _ = tone_measure(frame)
    if "repost_copy" in frame:  # as outlet_view: a publisher's story counts once
        frame = frame[~frame["repost_copy"].fillna(False).astype(bool)]
    tone = frame[f"{scorer}.tone"] if f"{scorer}.tone" in frame else pd.Series(np.nan, index=frame.index)
    counts = pd.DataFrame({by: group_keys(frame, by).to_numpy(), "scored": tone.notna().to_numpy()})
    table = counts.groupby(by, sort=True).agg(articles=("scored", "size"), scored=("scored", "sum")).reset_index()
    return table.astype({"articles": int, "scored": int})


def group_view(frame: pd.DataFrame, settings: Settings, by: str, scorer: str | None = None,
               only: Iterable[str] | None = None) -> pd.DataFrame:
    """Return the per-group table: ``outlet_view`` over outlet groups, ``unknown`` a group of its own.

    The rows add up to the selection: an outlet with no value for ``by`` counts under ``unknown``.
    ``only``: the rows of just these outlets or groups (each row's numbers are its own, the tone
    measure the whole selection's).
    """
    scorer = scorer or tone_measure(frame)[0]
    if only is not None:
        frame = frame[group_keys(frame, by).isin(set(only)).to_numpy()]
    if by == "outlet":
        return outlet_view(frame, settings, scorer)
    grouped = frame.assign(outlet=group_keys(frame, by))
    table = outlet_view(grouped, settings, scorer).rename(columns={"outlet": by})
    outlets = frame.assign(group=grouped["outlet"]).groupby("group")["outlet"].nunique()
    table.insert(1, "outlets", table[by].map(outlets).fillna(0).astype(int))
    return table


@dataclass(frozen=True)
class Overview:
    """What the Overview shows of a selection."""

    articles: int
    outlets: int
    first_day: str | None
    last_day: str | None
    stray_first: str | None  # the first day drawn when a few stray early articles are left off the time axis
    stray: int
    period: str
    volume: pd.DataFrame
    stories: pd.DataFrame
    ledger: pd.DataFrame

    @classmethod
    def of_counts(cls, articles: int, outlets: int, counts: pd.DataFrame, stories: pd.DataFrame,
                  ledger: pd.DataFrame) -> Overview:
        """Build it from the selection's articles counted per outlet and day (``counts``)."""
        dated = counts.dropna(subset=["day"])
        per_day = dated.groupby("day")["articles"].sum()
        first, stray = sets.trim_stray_counts(per_day)
        first_day = str(per_day.index.min()) if len(per_day) else None
        last_day = str(per_day.index.max()) if len(per_day) else None
        kept = dated[dated["day"] >= first] if first else dated
        return cls(articles=articles, outlets=outlets, first_day=first_day, last_day=last_day, stray_first=first,
                   stray=stray, period=period_between(kept["day"].min(), kept["day"].max()) if len(kept) else "D",
                   volume=volume_of_counts(counts), stories=stories, ledger=ledger)


def period_for(frame: pd.DataFrame) -> str:
    """Return the pandas period (D, W, M, Q or Y) that suits the selection's date span, stray early articles
    left off as the time charts leave them (``sets.trim_stray``): the period their axes use."""
    days = frame["day"].dropna()
    first, _ = sets.trim_stray(days)
    if first:
        days = days[days >= first]
    return period_between(days.min(), days.max()) if not days.empty else "D"


def period_between(first: str | None, last: str | None) -> str:
    """Return the pandas period (D, W, M, Q or Y) for a span of days given as ``YYYY-MM-DD`` (or None)."""
    stamps = pd.to_datetime(pd.Series([first, last], dtype=object), errors="coerce")
    if stamps.isna().any():
        return "D"
    span = (stamps[1] - stamps[0]).days
    for period, most in (("D", DAILY_UP_TO_DAYS), ("W", WEEKLY_UP_TO_DAYS), ("M", MONTHLY_UP_TO_DAYS),
                         ("Q", QUARTERLY_UP_TO_DAYS)):
        if span <= most:
            return period
    return "Y"


def volume(frame: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Return articles per outlet per period (outlets beyond the ``top`` largest pooled as 'other').

    Every period between the first and the last is there (zero when empty); a few stray early
    articles far from the rest are left off (``sets.trim_stray``; the page says so).
    """
    counts = frame.groupby(["outlet", "day"], observed=True).size().rename("articles").reset_index()
    return volume_of_counts(counts, top)


def volume_of_counts(counts: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Return ``volume`` from the articles counted per outlet and day (columns outlet, day, articles)."""
    columns = ["period", "outlet", "articles"]
    dated = counts[counts["day"].notna() & (counts["articles"] > 0)].astype({"outlet": str, "day": str})
    if dated.empty:
        return pd.DataFrame(columns=columns)
    first, _ = sets.trim_stray_counts(dated.groupby("day")["articles"].sum())
    if first:
        dated = dated[dated["day"] >= first]
    per_outlet = dated.groupby("outlet")["articles"].sum()
    leaders = sets.ranked(per_outlet.rename_axis("outlet").reset_index(name="articles"))["outlet"].head(top)
    outlet = dated["outlet"].where(dated["outlet"].isin(set(leaders)), "(other outlets)")
    period = period_between(dated["day"].min(), dated["day"].max())
    days = pd.Series(dated["day"].unique())
    stamp = dated["day"].map(dict(zip(days, sets.periods(days, period))))
    table = dated.assign(period=stamp, outlet=outlet).groupby(["period", "outlet"])["articles"].sum().unstack(
        fill_value=0)
    table = table.reindex(sets.all_periods(dated["day"].min(), dated["day"].max(), period), fill_value=0)
    table = table.rename_axis(index="period", columns="outlet").stack().rename("articles").reset_index()
    return table[columns].astype({"articles": int})


def stories(frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per story: label, outlets, articles, first and last day, first outlet."""
    grouped = frame.dropna(subset=["story_id"]).sort_values(["published", "outlet"])
    if grouped.empty:
        return pd.DataFrame(columns=["story_id", "headline", "outlets", "articles", "first_day", "last_day",
                                     "first_outlet", "outlet_names"])
    table = grouped.groupby("story_id").agg(
        headline=("title", "first"), outlets=("outlet", "nunique"), articles=("id", "size"),
        first_day=("day", "min"), last_day=("day", "max"), first_outlet=("outlet", "first"),
        outlet_names=("outlet", lambda names: "; ".join(sorted(set(names)))),
    ).reset_index()
    if "story_label" in grouped:  # the story's one label (the grouping's), as the sidebar and the digest show it
        labels = table["story_id"].map(grouped.groupby("story_id")["story_label"].first())
        table["headline"] = labels.where(labels.notna() & (labels != ""), table["headline"])
    return table.sort_values(["outlets", "articles", "first_day"], ascending=[False, False, True])


@dataclass(frozen=True)
class LedgerFacts:
    """What the data-quality ledger reads from the store beyond the catalogue (cached per store version)."""

    failures: pd.DataFrame
    syndicated: pd.DataFrame
    repaired: pd.DataFrame


def ledger_facts(db: str, settings: Settings) -> LedgerFacts:
    """Read the failed fetches, syndication groups and repaired articles of the store."""
    with _open(db, settings) as store:
        return LedgerFacts(store.failures(), store.syndication(), store.with_label(MOJIBAKE_LABEL))


def quality_ledger(db: str, frame: pd.DataFrame, settings: Settings, facts: LedgerFacts | None = None) -> pd.DataFrame:
    """Return what could not be collected or is incomplete, by kind, with counts per outlet.

    ``facts``: the store's ledger facts when the caller has them cached (the dashboard); else read here.
    """
    facts = ledger_facts(db, settings) if facts is None else facts
    failures, syndicated, repaired = facts.failures, facts.syndicated, facts.repaired
    rows: list[dict[str, object]] = []
    if not failures.empty:
        mine = failures[members(failures["outlet"], frame["outlet"]) | failures["outlet"].isna().to_numpy()]
        for (kind, outlet), group in mine.groupby(["kind", failures["outlet"].fillna("(unknown)")]):
            rows.append({"issue": f"failed: {kind}", "outlet": outlet, "count": len(group)})
    gaps = pd.DataFrame({"outlet": frame["outlet"], "undated": frame["day"].isna(),
                         "untitled": frame["title"].fillna("") == ""}).groupby("outlet").sum()
    for issue, column in (("missing publication date", "undated"), ("missing headline", "untitled")):
        rows += [{"issue": issue, "outlet": outlet, "count": int(count)}
                 for outlet, count in gaps[column].items() if count]
    rows += syndication_rows(syndicated, frame)
    rows += reposted_rows(frame)
    if "repost_copy" in frame:
        copies = frame[frame["repost_copy"].fillna(False).astype(bool)]
        rows += [{"issue": "re-posted copy of the outlet's own story (counted once in comparisons)", "outlet": outlet,
                  "count": len(group)} for outlet, group in copies.groupby("outlet")]
    languages = frame["language"].fillna("").astype(str).str.lower().str[:2]
    foreign = frame[(languages != "") & ~languages.isin(SCORED_LANGUAGES)]
    for (language, outlet), group in foreign.groupby([languages[foreign.index], "outlet"]):
        rows.append({"issue": f"left unscored: written in {language} (no scorer reads it)", "outlet": outlet,
                     "count": len(group)})
    mine = repaired[members(repaired["id"], frame["id"])]
    rows += [{"issue": "mojibake repaired (original kept in labels)", "outlet": outlet, "count": len(group)}
             for outlet, group in mine.groupby("outlet")]
    table = pd.DataFrame(rows, columns=["issue", "outlet", "count"])
    return table.sort_values(["issue", "count"], ascending=[True, False]).reset_index(drop=True)


def reposted_rows(frame: pd.DataFrame, listed: int = 3) -> list[dict[str, object]]:
    """Return ledger rows counting, per publisher, the articles read on another site, naming the sites.

    >>> reposted_rows(pd.DataFrame({"outlet": ["Reuters", "Reuters", "AP", "Coastline Post"],
    ...                             "host": ["MSN", "Reuters", None, "coastlinepost.example"]}))
    [{'issue': 'read on another site: MSN', 'outlet': 'Reuters', 'count': 1}]
    """
    if "host" not in frame:
        return []
    hosted = frame[frame["host"].notna() & (frame["host"] != frame["outlet"])]
    # a host that is the publisher's own site under its domain name ("coastlinepost.com") is no re-post
    away = hosted[np.array([not name_matches_domain(str(o), str(h)) for o, h in zip(hosted["outlet"], hosted["host"])],
                           dtype=bool)]
    rows = []
    for outlet, group in away.groupby("outlet"):
        hosts = group["host"].value_counts()
        named = ", ".join(hosts.index[:listed]) + (f" and {len(hosts) - listed} more" if len(hosts) > listed else "")
        rows.append({"issue": f"read on another site: {named}", "outlet": outlet, "count": len(group)})
    return rows


def syndication_rows(groups: pd.DataFrame | None, frame: pd.DataFrame) -> list[dict[str, object]]:
    """Return ledger rows counting, per outlet, the selected articles that are copies of another's piece.

    >>> groups = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "Y", "Z"],
    ...                        "is_original": [True, False, False], "wire": ["AP"] * 3})
    >>> syndication_rows(groups, pd.DataFrame({"id": ["a", "b"]}))
    [{'issue': 'syndicated copy', 'outlet': 'Y', 'count': 1}]
    """
    if groups is None or groups.empty:
        return []
    copies = groups[members(groups["article_id"], frame["id"]) & ~groups["is_original"].astype(bool).to_numpy()]
    return [{"issue": "syndicated copy", "outlet": outlet, "count": len(group)}
            for outlet, group in copies.groupby("outlet")]


def tone_over_time(frame: pd.DataFrame, outlets: list[str], metric: str = "tone_vader.tone",
                   minimum: int = sets.MIN_ARTICLES_PER_PERIOD, drop_empty: bool = False) -> pd.DataFrame:
    """Return mean tone per outlet per period with n; ``tone`` is blank where n < ``minimum``.

    ``ALL_SELECTED`` among ``outlets`` adds one line for the whole selection pooled.

    ``smoothed`` is the mean over the period and its two neighbours (articles pooled), so one
    article's swing does not make a line jump; it too needs ``minimum`` articles.
    """
    columns = ["period", "outlet", "articles", "tone", "smoothed"]
    frame = frame[["outlet", "day", metric]]  # only what is drawn: the concatenation copies it
    pooled_all = frame.assign(outlet=ALL_SELECTED) if ALL_SELECTED in outlets else frame.iloc[:0]
    data = pd.concat([pooled_all, frame[frame["outlet"].isin(outlets)]], ignore_index=True).dropna(
        subset=["day", metric])
    if data.empty:
        return pd.DataFrame(columns=columns)
    first, _ = sets.trim_stray(data["day"])
    if first:
        data = data[data["day"] >= first]
    period = period_between(data["day"].min(), data["day"].max())  # trimmed already: as period_for(frame)
    spine = sets.all_periods(data["day"].min(), data["day"].max(), period)
    stamp = sets.periods(data["day"], period)
    rows = []
    for outlet, group in data.groupby("outlet", sort=False):
        sums = group[metric].groupby(stamp.loc[group.index]).agg(["sum", "size"]).reindex(spine, fill_value=0)
        pooled = sums.rolling(3, center=True, min_periods=1).sum()
        for start, total, n, total3, n3 in zip(spine, sums["sum"].to_numpy(), sums["size"].to_numpy(),
                                               pooled["sum"].to_numpy(), pooled["size"].to_numpy()):
            n, n3 = int(n), int(n3)
            rows.append({"period": start, "outlet": outlet, "articles": n,
                         "tone": round(total / n, 4) if n >= minimum else np.nan,
                         "smoothed": round(total3 / n3, 4) if n3 >= minimum else np.nan})
    table = pd.DataFrame(rows, columns=columns)
    return table[table["articles"] > 0].reset_index(drop=True) if drop_empty else table


# The news model costs ~25-90 ms per mention on one core: the dashboard scores at most this many.
NEWS_TARGET_MAX_MENTIONS = 300


def target_tone(db: str, frame: pd.DataFrame, target: str, settings: Settings, max_articles: int = 3000,
                scorer: str = "vader") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return tone toward a named target per outlet (with interval) and the sentences behind it.

    Mentions are found by analysis.tone.target (whole words, plural and possessive forms,
    acronyms in capitals only); ``vader`` scores the words around each mention, ``news``
    the target-aware news model (on at most NEWS_TARGET_MAX_MENTIONS mentions, the
    earliest articles first). Tone is averaged per article, then per outlet, with a
    bootstrap interval over articles.
    """
    term = target.strip()
    if not term:
        return pd.DataFrame(), pd.DataFrame()
    ids = search_ids(db, f'"{term}"', settings) & frozenset(frame["id"])
    ids_list = sorted(ids)[:max_articles]
    with _open(db, settings) as store:
        texts = store.articles(ids=ids_list, columns=["outlet", "title", "text", "url", "published"])
    # earliest articles first (undated last), so the news model's mention cap keeps the first ones
    texts = texts.sort_values(["published", "id"], na_position="last", kind="stable")
    found = target_mentions(texts, term, keep=["title", "url"])
    if scorer == "news":
        found = found.head(NEWS_TARGET_MAX_MENTIONS)
    columns = ["sentence", "tone", "outlet", "title", "url", "article_id", "sentence_index"]
    evidence = score_target_tone(found, scorer)[columns] if not found.empty else pd.DataFrame(columns=columns)
    summary = []
    for outlet, group in evidence.groupby("outlet"):
        per_article = group.groupby("article_id")["tone"].mean()
        mean, low, high = bootstrap_mean_ci(per_article.to_numpy(), samples=settings.bootstrap_samples,
                                            confidence=settings.confidence,
                                            seed=stable_seed(settings.bootstrap_seed, f"{outlet}|{term}"))
        summary.append({"outlet": outlet, "target": term, "scorer": scorer, "articles": len(per_article),
                        "sentences": len(group), "tone_mean": round(mean, 4), "tone_low": round(low, 4),
                        "tone_high": round(high, 4)})
    return pd.DataFrame(summary), evidence


def article_sentences(db: str, article_id: str, settings: Settings) -> tuple[pd.Series, pd.DataFrame]:
    """Return one article's metadata and its sentences with every sentence-level score beside them."""
    with _open(db, settings) as store:
        found = store.articles(ids=[article_id], with_text=True)
        evidence = store.evidence(article_id)
    if found.empty:
        raise KeyError(article_id)
    article = found.iloc[0]
    spans = split_spans(article["text"])
    table = pd.DataFrame({"sentence_index": range(len(spans)),
                          "sentence": [article["text"][s:e] for s, e in spans]})
    body = evidence[evidence["part"] == "text"] if not evidence.empty else evidence
    if not body.empty:
        wide = body.pivot_table(index="sentence_index", columns=["scorer", "metric"], values="value",
                                aggfunc="first")
        wide.columns = [f"{scorer}.{metric}" for scorer, metric in wide.columns]
        table = table.join(wide, on="sentence_index")
    return article, table


def attribution(article: pd.Series) -> str | None:
    """Return the licence line an article carries (the demo store's openly licensed texts), if any.

    >>> attribution(pd.Series({"labels": '{"attribution": "Text by X, CC BY 2.5"}'}))
    'Text by X, CC BY 2.5'
    >>> attribution(pd.Series({"labels": '{"licence": "public domain"}', "authors": '["VOA News"]'}))
    'VOA News; licence: public domain'
    >>> attribution(pd.Series({"labels": "{}"})) is None
    True
    """
    try:
        labels = json.loads(article.get("labels") or "{}")
        authors = json.loads(article.get("authors") or "[]")
    except (TypeError, ValueError):
        return None
    if not isinstance(labels, dict):
        return None
    if labels.get("attribution"):
        return str(labels["attribution"])
    if labels.get("licence"):
        return "; ".join([", ".join(map(str, authors))] * bool(authors) + [f"licence: {labels['licence']}"])
    return None


def methodology() -> pd.DataFrame:
    """Return every registered scorer's name, version, metrics and description."""
    rows = []
    for name in registry.names():
        cls = registry.scorer_class(name)
        rows.append({"scorer": name, "version": cls.version, "default": cls.default,
                     "metrics": ", ".join(cls.metrics), "description": cls.describe()})
    return pd.DataFrame(rows)


def empty_store_help(db: str) -> str:
    """Return the exact commands that fill an empty store: today's news, the demo store, or your own files."""
    return (
        "This store has no articles yet. Collect the latest news from the default outlets (needs the "
        "network), then score and group them:\n\n"
        f"    python -m scrapers collect --latest --db {db}\n"
        f"    python -m analysis run --db {db}\n"
        f"    python -m analysis stories --db {db}\n\n"
        "or import articles of your own (JSON Lines or CSV, see the README):\n\n"
        f"    python -m scrapers import FILE.jsonl --db {db}\n\n"
        "then reload this page. Offline, `make run` opens the bundled demo store "
        "(real, openly licensed coverage of one story) instead."
    )
