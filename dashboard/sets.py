"""What a page compares and how it reads, as pure functions: no streamlit here.

A store of real coverage has dozens to hundreds of outlets with one or two articles each. Pages
open on a *comparison set*: the outlets (or outlet groups) with the most articles, ties broken by
name, the cut said in words; "show all" and a minimum-articles filter widen or narrow it. Every
label carries its n, and no interval is drawn from fewer than MIN_ARTICLES_FOR_INTERVAL articles.
Time axes use whole periods (missing ones filled), leave out periods with too few articles for a
mean, and trim a few stray early articles far from the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The same minimum the comparison's significance tests use (analysis.compare.outlets): below it a
# bootstrap interval over 2-4 articles looks precise and is not.
MIN_ARTICLES_FOR_INTERVAL = 5
DEFAULT_TOP = 15
# A chart never grows past this many rows (a page-wide PNG stays slide-sized); the table has all.
MAX_CHART_ROWS = 40
# A period's mean is drawn only when it rests on at least this many articles.
MIN_ARTICLES_PER_PERIOD = 3
# Leading articles are "stray" when together they are under this share of the dated selection and a
# gap of at least STRAY_GAP_DAYS separates them from the rest.
STRAY_SHARE = 0.02
STRAY_GAP_DAYS = 30
STRAY_SPAN_SHARE = 0.25
PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


@dataclass(frozen=True)
class Cut:
    """The rows a page shows and the sentence that says what was left out."""

    shown: pd.DataFrame
    total: int
    note: str

    @property
    def left_out(self) -> int:
        return self.total - len(self.shown)


def ranked(table: pd.DataFrame, *, name: str = "outlet", count: str = "articles") -> pd.DataFrame:
    """Return ``table`` ordered by ``count`` (most first), ties broken by ``name`` (A to Z).

    >>> t = pd.DataFrame({"outlet": ["b", "a", "c"], "articles": [1, 1, 4]})
    >>> ranked(t)["outlet"].tolist()
    ['c', 'a', 'b']
    """
    if table.empty:
        return table
    order = np.lexsort((table[name].astype(str).str.casefold().to_numpy(), -table[count].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def comparison_set(table: pd.DataFrame, *, top: int = DEFAULT_TOP, min_articles: int = 1, show_all: bool = False,
                   name: str = "outlet", count: str = "articles", noun: str = "outlets") -> Cut:
    """Return the rows to compare: at least ``min_articles`` each, the ``top`` largest unless ``show_all``.

    >>> t = pd.DataFrame({"outlet": list("abcdef"), "articles": [9, 5, 2, 1, 1, 1]})
    >>> cut = comparison_set(t, top=3)
    >>> cut.shown["outlet"].tolist()
    ['a', 'b', 'c']
    >>> cut.note
    'The 3 outlets with the most articles (ties broken by name) of 6; left out: 3 outlets with 1 article each.'
    >>> comparison_set(t, min_articles=2, show_all=True).note
    'All 3 outlets with at least 2 articles of 6; left out: 3 outlets with 1 article each.'
    """
    total = len(table)
    if total == 0:
        return Cut(table, 0, f"No {noun} in this selection.")
    ordered = ranked(table, name=name, count=count)
    kept = ordered[ordered[count] >= min_articles]
    floor = f" with at least {min_articles} articles" if min_articles > 1 else ""
    if show_all or len(kept) <= top:
        shown = kept
        head = f"All {len(shown)} {noun}{floor}" + (f" of {total}" if len(shown) < total else "")
    else:
        shown = kept.head(top)
        head = f"The {len(shown)} {noun}{floor} with the most articles (ties broken by name) of {total}"
    rest = ordered[~ordered[name].isin(shown[name])]
    if rest.empty:
        return Cut(shown.reset_index(drop=True), total, head + ".")
    low, high = int(rest[count].min()), int(rest[count].max())
    each = f"{low} article" + ("s" if low != 1 else "") if low == high else f"{low}-{high} articles"
    return Cut(shown.reset_index(drop=True), total,
               f"{head}; left out: {len(rest)} {noun} with {each} each.")


def with_n(name: object, n: object) -> str:
    """Return a label with its n: ``Reuters (n=12)``.

    >>> with_n("Reuters", 12)
    'Reuters (n=12)'
    """
    return f"{name} (n={int(n)})" if n == n and n is not None else str(name)


def hide_small_intervals(table: pd.DataFrame, *, count: str = "articles",
                         minimum: int = MIN_ARTICLES_FOR_INTERVAL) -> pd.DataFrame:
    """Return ``table`` with every ``*_low``/``*_high`` blanked on rows of fewer than ``minimum`` articles.

    >>> t = pd.DataFrame({"articles": [2, 8], "tone_mean": [0.1, 0.2], "tone_low": [0.0, 0.1], "tone_high": [0.2, 0.3]})
    >>> hide_small_intervals(t)["tone_low"].tolist()
    [nan, 0.1]
    """
    if table.empty or count not in table:
        return table
    out = table.copy()
    small = out[count].fillna(0) < minimum
    bounds = [c for c in out.columns if c.endswith(("_low", "_high")) or c in ("low", "high")]
    out[bounds] = out[bounds].astype(float)
    out.loc[small, bounds] = np.nan
    return out


def chart_rows(table: pd.DataFrame, *, name: str = "outlet", count: str = "articles",
               limit: int = MAX_CHART_ROWS) -> tuple[pd.DataFrame, str]:
    """Return at most ``limit`` rows for a chart (the largest) and a note when rows were left off.

    >>> t = pd.DataFrame({"outlet": list("abc"), "articles": [1, 3, 2]})
    >>> rows, note = chart_rows(t, limit=2)
    >>> rows["outlet"].tolist(), note
    (['b', 'c'], 'The chart shows the 2 rows with the most articles of 3; the table has them all.')
    """
    if len(table) <= limit or count not in table:
        return table, ""
    return (ranked(table, name=name, count=count).head(limit),
            f"The chart shows the {limit} rows with the most articles of {len(table)}; the table has them all.")


def trim_stray(days: pd.Series, *, share: float = STRAY_SHARE,
               gap_days: int = STRAY_GAP_DAYS) -> tuple[str | None, int]:
    """Return the first day to draw and how many stray early articles fall before it.

    Early articles are stray when together they are under ``share`` of the dated articles (one at
    least) and a
    gap of at least ``gap_days``, and at least a quarter of the whole span, separates them from the
    rest (one 2019 article in a 2025 story; not the first month of a nine-year corpus).

    >>> days = pd.Series(["2019-03-02"] + ["2025-06-%02d" % d for d in range(1, 30)] * 2)
    >>> trim_stray(days)
    ('2025-06-01', 1)
    >>> trim_stray(pd.Series(["2025-06-01", "2025-06-02"]))
    (None, 0)
    """
    return trim_stray_counts(days.value_counts(), share=share, gap_days=gap_days)


def trim_stray_counts(counts: pd.Series, *, share: float = STRAY_SHARE,
                      gap_days: int = STRAY_GAP_DAYS) -> tuple[str | None, int]:
    """Return ``trim_stray`` of the articles counted per day (``counts``: articles, indexed by day).

    >>> trim_stray_counts(pd.Series([1, 29, 29], index=["2019-03-02", "2025-06-01", "2025-06-02"]))
    ('2025-06-01', 1)
    """
    stamps = pd.to_datetime(pd.Series(counts.index, dtype=object), errors="coerce")
    per_day = pd.Series(counts.to_numpy(), index=stamps)
    per_day = per_day[per_day.index.notna() & (per_day.to_numpy() > 0)].groupby(level=0).sum().sort_index()
    total = int(per_day.sum())
    if total < 10:
        return None, 0
    limit = max(1, int(total * share))
    needed = max(gap_days, STRAY_SPAN_SHARE * (per_day.index[-1] - per_day.index[0]).days)
    before = per_day.cumsum().to_numpy()  # articles up to and including each day
    gaps = np.diff(per_day.index.to_numpy()).astype("timedelta64[D]").astype(int)  # days to the next day
    for j, gap in enumerate(gaps):  # the article after day j is the (before[j])-th, 0-based
        if before[j] > limit:
            break
        if gap >= needed:
            return per_day.index[j + 1].date().isoformat(), int(before[j])
    return None, 0


def periods(days: pd.Series, period: str) -> pd.Series:
    """Return each day's period start as a ``YYYY-MM-DD`` string (NaN stays NaN).

    >>> periods(pd.Series(["2025-06-04", "2025-06-18", None]), "M").tolist()
    ['2025-06-01', '2025-06-01', nan]
    """
    stamps = pd.to_datetime(days, errors="coerce")
    out = stamps.dt.to_period(period).dt.start_time.dt.strftime("%Y-%m-%d")
    return out.where(stamps.notna())


def all_periods(first: str, last: str, period: str) -> list[str]:
    """Return every period start from ``first``'s period to ``last``'s (none missing).

    >>> all_periods("2025-06-04", "2025-06-20", "W")
    ['2025-06-02', '2025-06-09', '2025-06-16']
    """
    span = pd.period_range(pd.Timestamp(first).to_period(period), pd.Timestamp(last).to_period(period), freq=period)
    return [p.start_time.strftime("%Y-%m-%d") for p in span]


def period_label(start: str, period: str) -> str:
    """Return a reader's label for a period start: ``Jun 4``, ``wk of Jun 2``, ``Jun 2025``, ``Q2 2025``, ``2025``.

    >>> period_label("2025-06-04", "D"), period_label("2025-06-02", "W"), period_label("2025-06-01", "M")
    ('Jun 4, 2025', 'wk of Jun 2, 2025', 'Jun 2025')
    >>> period_label("2025-04-01", "Q"), period_label("2025-01-01", "Y")
    ('Q2 2025', '2025')
    """
    stamp = pd.Timestamp(start)
    if period == "M":
        return stamp.strftime("%b %Y")
    if period == "Q":
        return f"Q{stamp.quarter} {stamp.year}"
    if period == "Y":
        return str(stamp.year)
    day = f"{stamp.strftime('%b')} {stamp.day}, {stamp.year}"
    return f"wk of {day}" if period == "W" else day
