"""Per-outlet comparison: pure functions over the store's articles and scores.

>>> arts = pd.DataFrame({"id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
...                      "published": ["2020-01-01", "2020-01-03", "2020-01-02"]})
>>> sc = pd.DataFrame({"article_id": ["a", "b", "c"], "scorer": "tone_vader", "metric": "tone",
...                    "value": [0.1, 0.3, -0.2]})
>>> outlet_table(arts, sc, samples=200)[["outlet", "articles", "tone_mean"]].to_dict("records")
[{'outlet': 'X', 'articles': 2, 'tone_mean': 0.2}, {'outlet': 'Y', 'articles': 1, 'tone_mean': -0.2}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats import bootstrap_mean_ci, stable_seed

TONE_SCORER = "tone_vader"
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
            mean, low, high = bootstrap_mean_ci(values, samples=samples, confidence=confidence,
                                                seed=stable_seed(seed, f"{outlet}|{metric}"))
            row[f"{metric}_mean"], row[f"{metric}_low"], row[f"{metric}_high"] = mean, low, high
        dates = group["published"].dropna()
        row["first_published"] = dates.min() if not dates.empty else None
        row["last_published"] = dates.max() if not dates.empty else None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(OUTLET_COLUMNS))
