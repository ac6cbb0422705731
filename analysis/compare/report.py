"""The per-outlet report behind ``python -m analysis report`` and the dashboard's table.

By default one row per outlet with tone and headline tone (:func:`outlet_report`); with
``--metrics`` every stored metric (or the named ones) per outlet or outlet group, with
intervals, the difference to the rest and a corrected significance flag (:func:`metrics_report`).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis import registry
from analysis.compare.groups import GROUP_BY, group_of, group_summary
from analysis.compare.outlets import BLOCK_CELLS, outlet_metrics_by_blocks, outlet_table, repost_copies
from analysis.tone.measure import preferred_tone_metric
from core.errors import InputError, UnknownNameError
from core.outlet_profiles import store_outlet_groups, with_article_languages
from core.settings import Settings
from core.store import ArticleFilter, Store
from core.tabular import to_csv, to_json, to_table

FORMATS = ("csv", "json", "table")
ALL_METRICS = "all"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMALS = 4


def check_filter(flt: ArticleFilter) -> None:
    """Reject malformed dates before they silently filter everything out."""
    for name, value in (("--since", flt.since), ("--until", flt.until)):
        if value and not _DATE.match(value):
            raise InputError(f"{name} must be a date like 2025-06-10, got {value!r}")
    if flt.since and flt.until and flt.since > flt.until:
        raise InputError(f"--since {flt.since} is after --until {flt.until}")


def outlet_report(store: Store, flt: ArticleFilter, settings: Settings, *, by: str = "outlet") -> pd.DataFrame:
    """Return the per-outlet table for the filter, rounded for people.

    ``by`` = country, region, language, type, ownership, bias or bias3 pools each group's
    articles (analysis.compare.groups: ``unknown`` is a group, so the rows add up to the selection); the
    first column is then named after the grouping, followed by the group's ``outlets`` and how
    many of them have an ``inferred`` value.
    """
    check_filter(flt)
    _check_by(by)
    articles = _once_per_publisher(store, flt, store.articles(flt))
    scores = store.scores(flt, metrics=("tone", "headline_tone"))
    # one measure for the whole table: the news model's where it scored every article, else VADER's
    scored = scores[scores["metric"] == "tone"].groupby("scorer")["article_id"].nunique().to_dict()
    scorer, label = preferred_tone_metric(scored, articles=len(articles))
    if by == "outlet":
        return _with_measure(_rounded(outlet_table(articles, scores, scorer=scorer,
                                                   samples=settings.bootstrap_samples,
                                                   confidence=settings.confidence, seed=settings.bootstrap_seed)),
                             label)
    groups = store_outlet_groups(store, flt)
    if by == "language":
        articles = with_article_languages(store, articles)
    summary = group_summary(articles, groups, by)
    articles = articles.assign(outlet=group_of(articles, groups, by))
    table = _rounded(outlet_table(articles, scores, scorer=scorer, samples=settings.bootstrap_samples,
                                  confidence=settings.confidence, seed=settings.bootstrap_seed))
    return _with_measure(_with_summary(table.rename(columns={"outlet": by}), summary, by), label)


def _once_per_publisher(store: Store, flt: ArticleFilter, articles: pd.DataFrame) -> pd.DataFrame:
    """Return the articles without a publisher's re-posted copies (one per syndication group and outlet)."""
    copies = repost_copies(store.syndication(flt))
    return articles[~articles["id"].isin(copies)].reset_index(drop=True) if copies else articles


def _with_measure(table: pd.DataFrame, label: str) -> pd.DataFrame:
    """Return the table with a ``measure`` column naming where its tone figures come from."""
    return table.assign(measure=label)


def _check_by(by: str) -> None:
    if by not in GROUP_BY:
        raise InputError(f"unknown grouping {by!r}; valid: {', '.join(GROUP_BY)}")


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    numeric = table.select_dtypes("number").columns.difference(["articles", "scored"])
    table[numeric] = table[numeric].round(DECIMALS)
    return table


def _with_summary(table: pd.DataFrame, summary: pd.DataFrame, by: str) -> pd.DataFrame:
    """Insert each group's outlet count and inferred-outlet count after the group column."""
    counts = summary.rename(columns={"group": by})[[by, "outlets", "inferred"]]
    merged = table.merge(counts, on=by, how="left")
    order = [by, "outlets", "inferred", *[c for c in table.columns if c != by]]
    return merged[order]


def metrics_report(store: Store, flt: ArticleFilter, settings: Settings, *, metrics: str = ALL_METRICS,
                   by: str = "outlet", correction: str = "bh", max_cells: int = BLOCK_CELLS) -> pd.DataFrame:
    """Return every metric (or the comma-separated ``metrics``) per outlet or group, rounded for people.

    Columns are :data:`analysis.compare.outlets.METRIC_COLUMNS` with ``group`` renamed after ``by``
    (and, for a grouping other than outlet, the group's ``outlets`` and ``inferred`` counts after it).
    A metric name no scorer stored is an error listing the stored ones.

    Bounded memory: the scores are read one metric at a time (keys and values:
    :meth:`core.store.Store.metric_values`) and resampled in blocks of at most
    ``max_cells`` article x metric values (:func:`analysis.compare.outlets.outlet_metrics_by_blocks`),
    never all score rows at once; the articles (id, outlet, language) are read whole.
    """
    check_filter(flt)
    _check_by(by)
    wanted = None if metrics.strip() in ("", ALL_METRICS) else [m.strip() for m in metrics.split(",") if m.strip()]
    articles = _once_per_publisher(store, flt, store.articles(flt, columns=("outlet", "language", "key")))
    keys = stored_metric_keys(store, flt)
    if wanted:
        unknown = [m for m in wanted if not any(m in (metric, f"{scorer}.{metric}") for scorer, metric in keys)]
        if unknown:
            raise InputError(f"no stored metric named {', '.join(unknown)}; stored: "
                             f"{', '.join(sorted({m for _, m in keys})) or '(none: run python -m analysis run)'}")
        keys = [(scorer, metric) for scorer, metric in keys if metric in wanted or f"{scorer}.{metric}" in wanted]
    groups = store_outlet_groups(store, flt) if by != "outlet" else None
    if by == "language":
        articles = with_article_languages(store, articles)
    table = outlet_metrics_by_blocks(
        articles, keys, lambda scorer, metric: store.metric_values(flt, scorer, metric),
        groups=groups, by=by, samples=settings.bootstrap_samples, confidence=settings.confidence,
        seed=settings.bootstrap_seed, correction=correction, max_cells=max_cells)
    numeric = [c for c in ("mean", "low", "high", "rest_mean", "diff", "diff_low", "diff_high") if c in table]
    table[numeric] = table[numeric].astype(float).round(DECIMALS)
    table[["p_value", "p_adjusted"]] = table[["p_value", "p_adjusted"]].astype(float).round(6)
    table = table.rename(columns={"group": by})
    if groups is None:
        return table
    return _with_summary(table, group_summary(articles, groups, by), by)


def stored_metric_keys(store: Store, flt: ArticleFilter) -> list[tuple[str, str]]:
    """Return the (scorer, metric) pairs the store may hold, sorted: each stored scorer's declared metrics.

    A scorer the registry does not know (an old one) is read once to learn its metrics.
    """
    keys: set[tuple[str, str]] = set()
    for scorer in store.scorers_present():
        try:
            declared = registry.scorer_class(scorer).metrics
        except UnknownNameError:
            declared = tuple(store.scores(flt, scorer=scorer)["metric"].unique())
        keys.update((scorer, str(metric)) for metric in declared)
    return sorted(keys)


def render(table: pd.DataFrame, fmt: str) -> str:
    """Return the table as CSV, JSON or aligned text (formula-safe in every format)."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table) + "\n"
    if fmt == "table":
        return to_table(table) + "\n"
    raise InputError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
