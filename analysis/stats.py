"""Small statistics shared by every comparison: bootstrap intervals of means.

News is weakly polar, so outlet differences are small: every per-outlet mean is
reported with a 95% percentile-bootstrap interval and its n.

>>> mean, low, high = bootstrap_mean_ci([0.1, 0.2, 0.3, 0.4], samples=1000, seed=1)
>>> round(mean, 2), low < mean < high
(0.25, True)
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

# Resamples are drawn in blocks of at most this many values, to bound memory on big outlets.
_MAX_BLOCK = 4_000_000


def stable_seed(base: int, key: str) -> int:
    """Return a seed that depends on ``base`` and a key (an outlet's name), the same on every run."""
    return (base * 1_000_003 + zlib.crc32(key.encode("utf-8"))) % (2**32)


def bootstrap_mean_ci(values: Sequence[float] | np.ndarray, *, samples: int = 2000,
                      confidence: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """Return (mean, low, high): the mean and its percentile-bootstrap interval.

    NaNs are dropped. With fewer than two values the interval is (nan, nan).
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    if data.size < 2:
        return mean, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    per_block = max(1, _MAX_BLOCK // data.size)
    means = np.empty(samples)
    for start in range(0, samples, per_block):
        count = min(per_block, samples - start)
        means[start:start + count] = data[rng.integers(0, data.size, (count, data.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return mean, float(low), float(high)
