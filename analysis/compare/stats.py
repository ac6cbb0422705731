"""Small statistics shared by every comparison: bootstrap intervals of means.

News is weakly polar, so outlet differences are small: every per-outlet mean is
reported with a 95% percentile-bootstrap interval and its n.

>>> mean, low, high = bootstrap_mean_ci([0.1, 0.2, 0.3, 0.4], samples=1000, seed=1)
>>> round(mean, 2), low < mean < high
(0.25, True)
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Sequence

import numpy as np

# Resamples are drawn in blocks of at most this many values, to bound memory on big outlets.
_MAX_BLOCK = 4_000_000


def stable_seed(base: int, key: str) -> int:
    """Return a seed that depends on ``base`` and a key (an outlet's name), the same on every run."""
    return (base * 1_000_003 + zlib.crc32(key.encode("utf-8"))) % (2**32)


# From this many values a mean's resamples are drawn from its normal law (mean, s / sqrt(n)), as the central
# limit theorem gives it, instead of by bootstrap: at this n the two agree to the bootstrap's own noise
# (tests/analysis/test_compare.py), and the bootstrap's cost grows with n.
NORMAL_MIN_VALUES = 500


def bootstrap_mean_ci(values: Sequence[float] | np.ndarray, *, samples: int = 2000,
                      confidence: float = 0.95, seed: int = 0,
                      normal_min: int = NORMAL_MIN_VALUES) -> tuple[float, float, float]:
    """Return (mean, low, high): the mean and its percentile-bootstrap interval.

    NaNs are dropped. With fewer than two values the interval is (nan, nan). From ``normal_min`` values
    the resampled means are drawn from the mean's normal law (seeded the same way) instead.
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    if data.size >= normal_min:
        means = mean + data.std(ddof=1) / np.sqrt(data.size) * rng.standard_normal(samples)
    else:
        means = _resampled_means(data, samples, rng)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return mean, float(low), float(high)


def _resampled_means(data: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    per_block = max(1, _MAX_BLOCK // data.size)
    means = np.empty(samples)
    for start in range(0, samples, per_block):
        count = min(per_block, samples - start)
        means[start:start + count] = data[rng.integers(0, data.size, (count, data.size))].mean(axis=1)
    return means


def bootstrap_share_ci(successes: np.ndarray, n: np.ndarray, *, samples: int, confidence: float,
                    seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return percentile-bootstrap intervals (low, high arrays) of shares ``successes / n``.

    Resampling n 0/1 values and averaging is a Binomial(n, p)/n draw, so each interval is the
    interval :func:`bootstrap_mean_ci` gives for 0/1 values, drawn in O(samples) instead of
    O(samples x n) and for many cells at once (frame shares of 400 outlets x 15 frames). Cells
    with n < 2 get NaN.

    >>> low, high = bootstrap_share_ci(np.array([30]), np.array([100]), samples=2000, confidence=0.95, seed=1)
    >>> bool(0.2 < low[0] < 0.3 < high[0] < 0.4)
    True
    """
    successes, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    rng = np.random.default_rng(seed)
    safe_n = np.maximum(n, 1).astype(np.int64)
    draws = rng.binomial(safe_n[:, None], (successes / np.maximum(n, 1))[:, None], (len(n), samples)) / safe_n[:, None]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail], axis=1)
    too_few = n < 2
    low[too_few], high[too_few] = np.nan, np.nan
    return low, high


# Resampled counts are drawn this many cells (resamples x articles) at a time: ~32 MB of float64.
_BLOCK_CELLS = 4_000_000


def bootstrap_group_means(values: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """Return ``samples`` bootstrap means of each column of ``values`` (articles x metrics), NaNs skipped.

    Articles are resampled as whole rows (one multinomial draw of counts per resample, shared by
    every metric), so the cost is one matrix product whatever the number of metrics; the resamples
    are drawn in blocks of at most ``_BLOCK_CELLS`` counts, so memory stays bounded on big groups. A
    resample holding no value of a metric gives NaN for it.

    >>> boot = bootstrap_group_means(np.array([[1.0, np.nan], [3.0, 2.0]]), samples=500, seed=1)
    >>> boot.shape, bool(np.all((boot[:, 0] >= 1) & (boot[:, 0] <= 3)))
    ((500, 2), True)
    """
    data = np.asarray(values, dtype=float)
    rows = data.shape[0]
    if rows == 0:
        return np.full((samples, data.shape[1]), np.nan)
    present = ~np.isnan(data)
    filled = np.where(present, data, 0.0)
    weights = present.astype(float)
    rng = np.random.default_rng(seed)
    out = np.empty((samples, data.shape[1]))
    per_block = max(1, _BLOCK_CELLS // rows)
    for start in range(0, samples, per_block):
        count = min(per_block, samples - start)
        counts = rng.multinomial(rows, np.full(rows, 1.0 / rows), size=count).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:start + count] = (counts @ filled) / (counts @ weights)
    return out


def poisson_rest_means(values: np.ndarray, ranges: Sequence[tuple[int, int]], samples: int,
                       seed: int) -> list[np.ndarray]:
    """Return, for each row range ``(start, stop)``, ``samples`` bootstrap means of the *other* rows' columns.

    One Poisson bootstrap of the whole pool serves every range: each article gets an independent
    Poisson(1) weight per resample, and the rest of a range is the pool's weighted sums minus the
    range's own. Restricted to any subset, a Poisson bootstrap is that subset's own Poisson
    bootstrap (the weights are independent), the standard large-sample form of the bootstrap
    (Hanley & MacGibbon 2006). Cost: one pass over pool x samples, instead of one per range.
    NaNs are skipped; a resample with no weight on a metric gives NaN.

    >>> data = np.arange(10.0)[:, None]
    >>> rest = poisson_rest_means(data, [(0, 5)], samples=400, seed=1)[0]
    >>> rest.shape, bool(6 < np.nanmean(rest) < 8)
    ((400, 1), True)
    """
    data = np.asarray(values, dtype=float)
    rows, width = data.shape
    present = ~np.isnan(data)
    filled = np.where(present, data, 0.0)
    weights = present.astype(float)
    rng = np.random.default_rng(seed)
    out = [np.empty((samples, width)) for _ in ranges]
    per_block = max(1, _BLOCK_CELLS // max(rows, 1))
    for start in range(0, samples, per_block):
        count = min(per_block, samples - start)
        counts = rng.poisson(1.0, size=(count, rows)).astype(float)
        total, total_w = counts @ filled, counts @ weights
        for result, (first, stop) in zip(out, ranges):
            part = counts[:, first:stop]
            with np.errstate(invalid="ignore", divide="ignore"):
                result[start:start + count] = ((total - part @ filled[first:stop])
                                               / (total_w - part @ weights[first:stop]))
    return out


def bootstrap_p_value(observed: np.ndarray, differences: np.ndarray) -> np.ndarray:
    """Return two-sided p-values that each observed difference is zero, from its bootstrap standard error.

    z = observed / sd(resampled differences), p = erfc(|z| / sqrt(2)) (a bootstrap Wald test). A
    count of resamples beyond zero could not resolve p below 1 / samples, which a correction over
    hundreds of outlet x metric tests needs. A zero spread gives p = 1 for a zero difference and 0
    otherwise; fewer than two finite resamples give NaN.

    >>> bootstrap_p_value(np.array([2.0, 0.1]), np.array([[1.0, -1.0], [2.0, 1.0], [3.0, 0.5]])).round(3).tolist()
    [0.046, 0.923]
    """
    diffs = np.asarray(differences, dtype=float)
    finite = (~np.isnan(diffs)).sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(diffs, axis=0, ddof=1)
        z = np.abs(np.asarray(observed, dtype=float)) / spread
    z = np.where(spread > 0, z, np.where(np.asarray(observed) == 0, 0.0, np.inf))
    p = np.array([math.erfc(value / math.sqrt(2)) if not np.isnan(value) else np.nan for value in np.ravel(z)])
    return np.where(finite >= 2, p.reshape(z.shape), np.nan)


CORRECTIONS = ("bh", "holm", "none")


def adjust_p_values(p_values: Sequence[float] | np.ndarray, method: str = "bh") -> np.ndarray:
    """Return p-values adjusted for multiple comparisons: Benjamini-Hochberg, Holm, or none.

    ``bh`` controls the false discovery rate (reject where adjusted p <= q), ``holm`` the
    family-wise error rate. NaNs are left out of the family and stay NaN.

    >>> adjust_p_values([0.01, 0.04, 0.03, np.nan], "bh").round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    >>> adjust_p_values([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}; valid: {', '.join(CORRECTIONS)}")
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    keep = np.flatnonzero(~np.isnan(p))
    if keep.size == 0:
        return out
    values = p[keep]
    m = values.size
    if method == "none":
        out[keep] = values
        return out
    order = np.argsort(values, kind="mergesort")
    ranked = values[order]
    if method == "bh":
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    else:
        scaled = ranked * (m - np.arange(m))
        adjusted = np.maximum.accumulate(scaled)
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[keep] = result
    return out
