"""Per-outlet comparison: pure functions over the store's articles and scores.

* :func:`outlet_table`: one row per outlet, tone and headline tone with intervals (the
  dashboard's table and the default ``python -m analysis report``).
* :func:`outlet_metrics`: every stored metric per outlet (or outlet group), with a bootstrap
  interval, the difference to the rest of the selection, its interval and p-value, and a
  ``significant`` flag after correcting for the number of outlet x metric tests.

>>> arts = pd.DataFrame({"id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
...                      "published": ["2020-01-01", "2020-01-03", "2020-01-02"]})
>>> sc = pd.DataFrame({"article_id": ["a", "b", "c"], "scorer": "tone_vader", "metric": "tone",
...                    "value": [0.1, 0.3, -0.2]})
>>> outlet_table(arts, sc, samples=200)[["outlet", "articles", "tone_mean"]].to_dict("records")
[{'outlet': 'X', 'articles': 2, 'tone_mean': 0.2}, {'outlet': 'Y', 'articles': 1, 'tone_mean': -0.2}]
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.compare.groups import group_of
from analysis.compare.stats import (
    NORMAL_MIN_VALUES,
    adjust_p_values,
    bootstrap_group_means,
    bootstrap_mean_ci,
    bootstrap_p_value,
    poisson_rest_means,
    stable_seed,
)
from core.store import repost_copies as repost_copies  # comparisons count a re-posted copy once

TONE_SCORER = "tone_vader"
# False discovery rate of the significance flags (Benjamini-Hochberg over all group x metric tests).
FDR_Q = 0.05
# A group needs this many articles with a value for its interval: from 2-4 articles a bootstrap interval
# looks precise and is not (two articles can give a spread of zero), so below it only the mean is shown.
MIN_ARTICLES = 5
# ... and this many (the rest too) for a test: below it the bootstrap spread is too coarse and too narrow
# (two articles with the same headline tone give a zero spread, hence any gap looks significant).
MIN_TEST_ARTICLES = 5
# Above this many articles the rests are resampled by one shared Poisson bootstrap of the pool (one pass
# for all groups) instead of one multinomial bootstrap per group: on allsides_abp (28k articles, 431
# outlets) the per-group rests cost 7.6 s each. At or below it the exact per-group bootstrap is cheap.
POOL_MIN_ARTICLES = 2000
# A group (or a rest) with at least this many values of a metric has its mean resampled from the normal law
# the central limit theorem gives it (mean, standard error s / sqrt(n)) instead of by bootstrap: at this n
# the two agree to the bootstrap's own noise (tests/analysis/test_compare.py), and the bootstrap's cost grows
# with n (a million articles: 10^11 draws per pass over the pool). Smaller groups keep the bootstrap.
NORMAL_MIN_ARTICLES = NORMAL_MIN_VALUES
# Score values held at once by outlet_metrics_by_blocks (articles x metrics, float64): 400 MB. allsides_abp
# (28k articles x 81 metrics, 2.3M values) is one block; a million articles take 50 metrics per block.
BLOCK_CELLS = 50_000_000
# Rest resamples kept in memory at once (resamples x metrics x testable groups, float64): 256 MB; each chunk of
# groups costs one pass over the pool (81 metrics and 2,000 resamples: 197 groups a pass).
_REST_CELLS = 32_000_000
METRIC_COLUMNS = (
    "group", "scorer", "metric", "articles", "n", "mean", "low", "high", "rest_n", "rest_mean",
    "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant",
)
OUTLET_COLUMNS = (
    "outlet", "articles", "scored", "tone_mean", "tone_low", "tone_high",
    "headline_tone_mean", "headline_tone_low", "headline_tone_high", "first_published", "last_published",
)


def wide_scores(scores: pd.DataFrame, scorer: str) -> pd.DataFrame:
    """Return one row per article and one column per metric of ``scorer``."""
    mine = scores[scores["scorer"] == scorer]
    if mine.empty:
        return pd.DataFrame(columns=["article_id"])
    return mine.pivot_table(index="article_id", columns="metric", values="value", aggfunc="first").reset_index()


def outlet_table(articles: pd.DataFrame, scores: pd.DataFrame, *, scorer: str = TONE_SCORER,
                 samples: int = 2000, confidence: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Return one row per outlet: article count, tone and headline tone with intervals, date span.

    An interval needs MIN_ARTICLES scored articles; below that only the mean is given.
    ``articles`` needs id, outlet, published; ``scores`` the store's long format
    (article_id, scorer, metric, value). Outlets are sorted by name.
    """
    if articles.empty:
        return pd.DataFrame(columns=list(OUTLET_COLUMNS))
    wide = wide_scores(scores, scorer)
    merged = articles[["id", "outlet", "published"]].merge(wide, how="left", left_on="id", right_on="article_id")
    rows = []
    for outlet, group in merged.groupby("outlet", sort=True):
        row: dict[str, object] = {"outlet": outlet, "articles": int(len(group))}
        tone = group["tone"] if "tone" in group else pd.Series(dtype=float)
        row["scored"] = int(tone.notna().sum())
        for metric in ("tone", "headline_tone"):
            values = group[metric].to_numpy(dtype=float) if metric in group else np.array([])
            if np.isfinite(values).sum() >= MIN_ARTICLES:
                mean, low, high = bootstrap_mean_ci(values, samples=samples, confidence=confidence,
                                                    seed=stable_seed(seed, f"{outlet}|{metric}"))
            else:  # too few for an interval (MIN_ARTICLES): the mean alone
                finite = values[np.isfinite(values)]
                mean, low, high = (float(finite.mean()) if finite.size else np.nan), np.nan, np.nan
            row[f"{metric}_mean"], row[f"{metric}_low"], row[f"{metric}_high"] = mean, low, high
        dates = group["published"].dropna()
        row["first_published"] = dates.min() if not dates.empty else None
        row["last_published"] = dates.max() if not dates.empty else None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(OUTLET_COLUMNS))


def score_matrix(articles: pd.DataFrame, scores: pd.DataFrame,
                 metrics: Sequence[str] | None = None) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Return (values, keys): an articles x metrics array in ``articles`` order and its (scorer, metric) keys.

    ``metrics`` keeps metrics named either ``metric`` or ``scorer.metric``; None keeps every
    numeric metric that has at least one value. Missing scores are NaN.
    """
    ids = articles["id"].astype(str).tolist()
    if scores.empty:
        return np.empty((len(ids), 0)), []
    mine = scores[scores["article_id"].isin(set(ids))]
    mine = mine.assign(value=pd.to_numeric(mine["value"], errors="coerce")).dropna(subset=["value"])
    if metrics:
        wanted = set(metrics)
        mine = mine[mine["metric"].isin(wanted) | (mine["scorer"] + "." + mine["metric"]).isin(wanted)]
    if mine.empty:
        return np.empty((len(ids), 0)), []
    wide = mine.pivot_table(index="article_id", columns=["scorer", "metric"], values="value", aggfunc="first")
    wide = wide.reindex(index=ids).sort_index(axis=1)
    return wide.to_numpy(dtype=float), [(str(a), str(b)) for a, b in wide.columns]


def _normal_draws(seed: int, keys: Sequence[tuple[str, str]], columns: np.ndarray, samples: int) -> np.ndarray:
    """Return standard normal draws (samples x the chosen columns), each metric's from a seed of its own: a
    metric's draws never depend on which other metrics are read beside it (blocks, scorers added)."""
    return np.column_stack([
        np.random.default_rng([seed, 1, zlib.crc32(f"{keys[j][0]}.{keys[j][1]}".encode())]).standard_normal(samples)
        for j in np.flatnonzero(columns)]) if columns.any() else np.empty((samples, 0))


def _own_resamples(mine: np.ndarray, n: np.ndarray, mean: np.ndarray, samples: int, seed: int,
                   keys: Sequence[tuple[str, str]]) -> np.ndarray:
    """Return a group's resampled means (samples x metrics): normal draws where n >= NORMAL_MIN_ARTICLES, else
    the bootstrap of its rows (only of the metrics that need it; the draws do not depend on which)."""
    large = n >= NORMAL_MIN_ARTICLES
    boot = np.empty((samples, mine.shape[1]))
    if large.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            error = np.nanstd(mine[:, large], axis=0, ddof=1) / np.sqrt(n[large])
        boot[:, large] = mean[large] + error * _normal_draws(seed, keys, large, samples)
    if not large.all():
        boot[:, ~large] = bootstrap_group_means(mine[:, ~large], samples, seed)
    return boot


def _rest_resamples(values: np.ndarray, names: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                    testable: dict[object, np.ndarray], samples: int, seed: int, by: str, *, n_all: np.ndarray,
                    pool_sum: np.ndarray, pool_squares: np.ndarray, keys: Sequence[tuple[str, str]],
                    counts: dict[object, np.ndarray]) -> dict[str, np.ndarray]:
    """Return each testable group's rest resamples (samples x metrics), bounded in memory.

    A rest with NORMAL_MIN_ARTICLES values of a metric or more: normal draws around its mean, with the
    standard error from the pool's sums less the group's (no pass over the pool). The other metrics: small
    pools resample each rest by its own multinomial bootstrap (seeded per group); large pools by one shared
    Poisson bootstrap of the pool, the group's part subtracted, in chunks of groups (the same seed gives the
    same weights in every chunk, so the result does not depend on the chunking).
    """
    wanted = [(name, int(start), int(size)) for name, start, size in zip(names, starts, sizes)
              if testable[name].any()]
    out: dict[str, np.ndarray] = {}
    small: dict[str, np.ndarray] = {}  # the metrics each rest resamples by bootstrap
    rest_counts = {str(name): n_all - counts[name] for name, _, _ in wanted}  # the block counted each group's values
    wanted = [(str(name), start, size) for name, start, size in wanted]
    for group, start, size in wanted:
        mine = values[start:start + size]
        rest_n = rest_counts[group]
        large = rest_n >= NORMAL_MIN_ARTICLES
        boot = np.full((samples, values.shape[1]), np.nan)
        if large.any():
            total = pool_sum[large] - np.nansum(mine[:, large], axis=0)
            squares = pool_squares[large] - np.nansum(mine[:, large] ** 2, axis=0)
            count = rest_n[large].astype(float)
            rest_mean = total / count
            variance = np.maximum(squares - count * rest_mean ** 2, 0.0) / np.maximum(count - 1, 1)
            draws = _normal_draws(stable_seed(seed, f"{by}|{group}|rest"), keys, large, samples)
            boot[:, large] = rest_mean + np.sqrt(variance / count) * draws
        out[group] = boot
        if not large.all():
            small[group] = ~large
    if not small:
        return out
    columns = np.flatnonzero(np.logical_or.reduce(list(small.values())))
    part_values = values[:, columns]
    if values.shape[0] <= POOL_MIN_ARTICLES:
        for group, start, size in wanted:
            if group in small:
                boot = bootstrap_group_means(np.delete(part_values, np.s_[start:start + size], axis=0), samples,
                                             stable_seed(seed, f"{by}|{group}|rest"))
                _fill(out[group], columns, small[group], boot)
        return out
    needing = [(group, start, size) for group, start, size in wanted if group in small]
    chunk = max(1, _REST_CELLS // max(1, samples * len(columns)))
    for first in range(0, len(needing), chunk):
        part = needing[first:first + chunk]
        boots = poisson_rest_means(part_values, [(start, start + size) for _, start, size in part], samples,
                                   stable_seed(seed, f"{by}|pool"))
        for (group, _, _), boot in zip(part, boots):
            _fill(out[group], columns, small[group], boot)
    return out


def _fill(target: np.ndarray, columns: np.ndarray, wanted: np.ndarray, boot: np.ndarray) -> None:
    """Copy the bootstrap resamples of ``columns`` (boot's columns) into ``target`` where ``wanted``."""
    keep = wanted[columns]
    target[:, columns[keep]] = boot[:, keep]


def outlet_metrics(articles: pd.DataFrame, scores: pd.DataFrame, *, groups: pd.DataFrame | None = None,
                   by: str = "outlet", metrics: Sequence[str] | None = None, samples: int = 2000,
                   confidence: float = 0.95, seed: int = 0, correction: str = "bh",
                   q: float = FDR_Q) -> pd.DataFrame:
    """Return one row per group and metric: mean with interval, difference to the rest, p-value, flag.

    ``articles`` needs id and outlet; ``scores`` the store's long format. ``by`` is 'outlet' or a
    grouping of ``groups`` (from :func:`analysis.compare.groups.outlet_groups`: bias, bias3, country,
    ownership); a group pools its outlets' articles. For each group and metric: ``n`` articles with
    a value, ``mean`` and its percentile-bootstrap interval (``low``, ``high``); ``rest_mean`` over
    every other article of the selection; ``diff`` = mean - rest_mean with its bootstrap interval
    and two-sided ``p_value`` (bootstrap standard error, normal approximation); ``p_adjusted`` after
    ``correction`` ('bh' Benjamini-Hochberg, 'holm' or 'none') over all group x metric tests;
    ``significant`` = p_adjusted <= q. Groups with fewer than ``MIN_ARTICLES`` values get no
    interval and no resampling; groups or rests with fewer than ``MIN_TEST_ARTICLES`` no test and
    no resampling of the rest. Above ``POOL_MIN_ARTICLES`` articles the rests come from one shared
    Poisson bootstrap of the pool (:func:`analysis.compare.stats.poisson_rest_means`). Seeded per group,
    articles taken in id order: the same articles give the same table in any order.

    >>> arts = pd.DataFrame({"id": list("abcdefghij"), "outlet": ["X"] * 5 + ["Y"] * 5})
    >>> sc = pd.DataFrame({"article_id": list("abcdefghij"), "scorer": "s", "metric": "m",
    ...                    "value": [0.9, 1.0, 1.1, 1.0, 1.0, 0.0, 0.1, -0.1, 0.0, 0.0]})
    >>> table = outlet_metrics(arts, sc, samples=500)
    >>> table[["group", "mean", "diff", "significant"]].round(2).values.tolist()
    [['X', 1.0, 1.0, True], ['Y', 0.0, -1.0, True]]
    """
    if by != "outlet" and groups is None:
        raise ValueError(f"grouping by {by!r} needs the outlet groups (analysis.compare.groups.outlet_groups)")
    if articles.empty:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    articles = articles.sort_values("id", kind="mergesort")  # resamples must not depend on the query's order
    labels = group_of(articles, groups if groups is not None else pd.DataFrame(columns=["outlet"]), by).to_numpy()
    values, keys = score_matrix(articles, scores, metrics)
    if not keys:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    table = _metrics_block(labels, values, keys, samples=samples, confidence=confidence, seed=seed, by=by)
    return _corrected(table, correction, q)


def outlet_metrics_by_blocks(articles: pd.DataFrame, keys: Sequence[tuple[str, str]],
                             read: Callable[[str, str], pd.DataFrame | tuple[np.ndarray, np.ndarray]], *,
                             groups: pd.DataFrame | None = None,
                             by: str = "outlet", samples: int = 2000, confidence: float = 0.95, seed: int = 0,
                             correction: str = "bh", q: float = FDR_Q,
                             max_cells: int = BLOCK_CELLS) -> pd.DataFrame:
    """Return :func:`outlet_metrics`' table, reading one metric at a time and resampling blocks of metrics.

    ``keys`` are the (scorer, metric) pairs to read; ``read(scorer, metric)`` returns that metric's
    scores in the store's long format (at least article_id and value, the first row of an article counting),
    or, when ``articles`` has the store's ``key`` column, two arrays: article keys and values
    (:meth:`core.store.Store.metric_values`, the last value of an article counting). Memory: one metric's rows at a
    time, and an articles x metrics block of at most ``max_cells`` values (a block holds at least one
    metric). Resampling draws depend on the articles and the seed, not on the metrics beside them,
    so the table is :func:`outlet_metrics`' whatever the blocks; each block costs one pass of
    resampling, so the fewer blocks the faster.
    """
    if by != "outlet" and groups is None:
        raise ValueError(f"grouping by {by!r} needs the outlet groups (analysis.compare.groups.outlet_groups)")
    if articles.empty or not keys:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    articles = articles.sort_values("id", kind="mergesort")
    labels = group_of(articles, groups if groups is not None else pd.DataFrame(columns=["outlet"]), by).to_numpy()
    ids = pd.Index(articles["id"].astype(str))
    position_of_key = _key_positions(articles)
    width = max(1, max_cells // max(len(ids), 1))
    tables = []
    ordered = sorted(set(keys))
    for first in range(0, len(ordered), width):
        block_keys, columns = [], []
        for scorer, metric in ordered[first:first + width]:
            rows = read(scorer, metric)
            if isinstance(rows, tuple):
                column = _keyed_column(rows, position_of_key, len(ids))
            elif rows.empty:
                continue
            else:
                value = pd.to_numeric(rows["value"], errors="coerce")
                column = pd.Series(value.to_numpy(dtype=float), index=rows["article_id"].astype(str).to_numpy())
                column = column[~column.index.duplicated()].reindex(ids).to_numpy(dtype=float)
            if np.isnan(column).all():
                continue  # a metric with no value in the selection has no rows (as score_matrix drops it)
            block_keys.append((scorer, metric))
            columns.append(column)
        if block_keys:
            tables.append(_metrics_block(labels, np.column_stack(columns), block_keys, samples=samples,
                                         confidence=confidence, seed=seed, by=by))
    if not tables:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    table = pd.concat(tables, ignore_index=True)
    table = table.sort_values(["group", "scorer", "metric"], kind="mergesort").reset_index(drop=True)
    return _corrected(table, correction, q)


def _key_positions(articles: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the articles' keys sorted and each one's row (None without a ``key`` column)."""
    if "key" not in articles:
        return None
    keys = articles["key"].to_numpy(dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], order


def _keyed_column(rows: tuple[np.ndarray, np.ndarray], position_of_key: tuple[np.ndarray, np.ndarray] | None,
                  length: int) -> np.ndarray:
    """Return one metric's values in the articles' row order from (keys, values); NaN where none."""
    if position_of_key is None:
        raise ValueError("keyed scores need the articles' key column (Store.articles(columns=('key', ...)))")
    sorted_keys, rows_of = position_of_key
    keys, values = rows
    column = np.full(length, np.nan)
    if not len(keys) or not len(sorted_keys):
        return column
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    hit = sorted_keys[at] == keys  # scores of articles outside the selection are dropped
    column[rows_of[at[hit]]] = values[hit]  # an article's last value wins (the newest version)
    return column


def _corrected(table: pd.DataFrame, correction: str, q: float) -> pd.DataFrame:
    """Return the table with ``p_adjusted`` over all its tests and the ``significant`` flag."""
    table["p_adjusted"] = adjust_p_values(table["p_value"].to_numpy(), correction)
    table["significant"] = (table["p_adjusted"] <= q).fillna(False).astype(bool)
    return table[list(METRIC_COLUMNS)]


def _metrics_block(labels: np.ndarray, values: np.ndarray, keys: Sequence[tuple[str, str]], *, samples: int,
                   confidence: float, seed: int, by: str) -> pd.DataFrame:
    """Return the group x metric rows (no correction yet) of articles in id order: labels and values by row."""
    order = np.argsort(labels, kind="stable")  # each group a contiguous block of rows, ids in order inside
    labels, values = labels[order], values[order]
    names, starts, sizes = np.unique(labels, return_index=True, return_counts=True)
    present = ~np.isnan(values)
    n_all = present.sum(axis=0)
    tail = (1 - confidence) / 2 * 100
    width = len(keys)
    # Only groups that can be tested (n and rest n both at MIN_TEST_ARTICLES for some metric) need the rest's
    # resamples; only groups with MIN_ARTICLES values need their own.
    counts = {name: present[start:start + size].sum(axis=0) for name, start, size in zip(names, starts, sizes)}
    testable = {name: (counts[name] >= MIN_TEST_ARTICLES) & (n_all - counts[name] >= MIN_TEST_ARTICLES)
                for name in names}
    pool_sum = np.nansum(values, axis=0)  # once, not once per group (400 groups x the pool at 100k articles)
    pool_squares = np.nansum(values * values, axis=0)
    # Groups in chunks of at most _REST_CELLS rest resamples (testable groups x resamples x metrics): the rests
    # of one chunk are drawn in one pass over the pool, used, then dropped; the draws do not depend on the chunks.
    per_chunk = max(1, _REST_CELLS // max(1, samples * width))
    chunks: list[list[int]] = []
    current: list[int] = []
    tested = 0
    for index, name in enumerate(names):
        if testable[name].any():
            if tested == per_chunk:
                chunks.append(current)
                current, tested = [], 0
            tested += 1
        current.append(index)
    chunks.append(current)
    frames: list[pd.DataFrame] = []
    for chunk in chunks:
        rest_boots = _rest_resamples(values, names[chunk], starts[chunk], sizes[chunk], testable, samples, seed, by,
                                     n_all=n_all, pool_sum=pool_sum, pool_squares=pool_squares, keys=keys,
                                     counts=counts)
        frames.extend(_group_rows(values, names[chunk], starts[chunk], sizes[chunk], keys, counts, testable,
                                  rest_boots, n_all, pool_sum, samples=samples, tail=tail, seed=seed, by=by))
    # A group with no value for a metric keeps its row (n = 0, no mean): every group is in every metric's
    # rows, so the articles of each metric's rows add up to the selection.
    return pd.concat(frames, ignore_index=True)


def _group_rows(values: np.ndarray, names: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                keys: Sequence[tuple[str, str]], counts: dict[object, np.ndarray], testable: dict[object, np.ndarray],
                rest_boots: dict[str, np.ndarray], n_all: np.ndarray, pool_sum: np.ndarray, *, samples: int,
                tail: float, seed: int, by: str) -> list[pd.DataFrame]:
    """Return one frame per group (rows of ``values`` from ``start``, ``size`` long): its metrics' rows."""
    width = len(keys)
    frames = []
    for name, start, size in zip(names, starts, sizes):
        group = str(name)
        mine = values[start:start + size]
        n = counts[name]
        rest_n = n_all - n
        spread = n >= MIN_ARTICLES
        test = testable[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no value, no interval
            mean = np.nanmean(mine, axis=0)
            rest_sum = pool_sum - np.nansum(mine, axis=0)
            rest_mean = np.where(rest_n > 0, rest_sum / np.maximum(rest_n, 1), np.nan)
            low = high = diff_low = diff_high = p_value = np.full(width, np.nan)
            if spread.any():
                boot = _own_resamples(mine, n, mean, samples, stable_seed(seed, f"{by}|{group}"), keys)
                low, high = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
                if test.any():
                    diffs = boot - rest_boots[group]
                    diff_low, diff_high = np.nanpercentile(diffs, [tail, 100 - tail], axis=0)
                    p_value = bootstrap_p_value(mean - rest_mean, diffs)
        frames.append(pd.DataFrame({
            "group": group, "scorer": [k[0] for k in keys], "metric": [k[1] for k in keys],
            "articles": int(size), "n": n.astype(int),
            "mean": mean, "low": np.where(spread, low, np.nan), "high": np.where(spread, high, np.nan),
            "rest_n": rest_n.astype(int), "rest_mean": rest_mean, "diff": mean - rest_mean,
            "diff_low": np.where(test, diff_low, np.nan), "diff_high": np.where(test, diff_high, np.nan),
            "p_value": np.where(test, p_value, np.nan),
        }))
    return frames
