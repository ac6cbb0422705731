"""A large store's articles as compact columns: what the dashboard filters and sums when it cannot load a store whole.

On a store of more than ``dashboard_catalogue_max`` articles the dashboard never loads the article
rows, their texts or all their scores. ``core.kept`` reads, once per store version, each article's key,
outlet, day, topic and story from the store's covering index (a few megabytes at a million articles),
and each score a page sums (tone, headline tone) as one array over the same keys. Here a filter is a
boolean mask over those arrays, and counts, means and intervals per outlet or outlet group are
sums over the mask: milliseconds, whatever the store's size. The filters the columns do not
hold (a story, an event, a language, a full-text search) are answered by the store as a set of
keys. Pure functions: no streamlit here.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.compare.outlets import MIN_ARTICLES, OUTLET_COLUMNS
from analysis.compare.stats import NORMAL_MIN_VALUES, bootstrap_mean_ci, stable_seed
from analysis.tone.measure import mark_disagreements
from core.kept import TONE_METRICS, Columns
from core.outlet_profiles import UNKNOWN
from core.settings import Settings
from core.store import ArticleFilter


def narrow_filter(flt: ArticleFilter) -> ArticleFilter | None:
    """Return the part of ``flt`` the columns do not hold (story, event, language, search), or None."""
    part = ArticleFilter(story_id=flt.story_id, event_id=flt.event_id, language=flt.language, search=flt.search)
    return None if part == ArticleFilter() else part


def mask(columns: Columns, flt: ArticleFilter, narrow_keys: np.ndarray | None = None) -> np.ndarray:
    """Return which articles ``flt`` selects; ``narrow_keys``: the keys the store found for ``narrow_filter``."""
    keep = np.ones(columns.articles, dtype=bool)
    outlets = set(flt.outlets)
    if flt.groups:
        wanted = set(flt.groups)
        listed = columns.listed
        chosen = set(listed.loc[listed["bias"].isin(wanted) | listed["country"].isin(wanted), "name"])
        outlets = chosen if not flt.outlets else outlets & chosen
    if flt.outlets or flt.groups:
        keep &= _codes_in(columns, "outlet", outlets)
    if flt.topic:
        keep &= _codes_in(columns, "topic", {flt.topic})
    if flt.since or flt.until:
        days = columns.facets["day"].cat.categories.astype(str)
        codes = columns.codes("day")
        low = np.searchsorted(days, flt.since[:10], side="left") if flt.since else 0
        high = np.searchsorted(days, flt.until[:10], side="right") if flt.until else len(days)
        keep &= (codes >= low) & (codes < high)  # undated articles (code -1) fall out, as in apply_filter
    if narrow_keys is not None:
        if len(narrow_keys):
            at = np.clip(np.searchsorted(narrow_keys, columns.keys), 0, len(narrow_keys) - 1)
            keep &= narrow_keys[at] == columns.keys
        else:
            keep[:] = False
    return keep


def _codes_in(columns: Columns, column: str, wanted: set[str]) -> np.ndarray:
    categories = columns.facets[column].cat.categories
    codes = [categories.get_loc(v) for v in wanted if v in categories]
    return np.isin(columns.codes(column), np.array(codes, dtype=np.int64))


def newest_keys(columns: Columns, keep: np.ndarray, limit: int) -> np.ndarray:
    """Return the keys of the selected articles published on the newest days that hold ``limit`` of them
    (every one of that last day; all of them when undated ones are needed): the rows to read and order by
    publication time for the ``limit`` newest."""
    days, keys = columns.codes("day")[keep], columns.keys[keep]
    if len(keys) <= limit:
        return keys
    boundary = np.sort(days)[::-1][limit - 1]
    return keys if boundary < 0 else keys[days >= boundary]


def group_codes(columns: Columns, groups: pd.DataFrame | None, by: str) -> tuple[np.ndarray, list[str]]:
    """Return each article's group code under ``by`` (its outlet, or its outlet's value; ``unknown`` when none)
    and the group names the codes index."""
    if by == "outlet":
        return columns.codes("outlet"), [str(o) for o in columns.outlets]
    values = (groups[by] if groups is not None and by in groups else pd.Series(dtype=object))
    values = values.reindex(columns.outlets).fillna(UNKNOWN).replace("", UNKNOWN).astype(str)
    codes, names = pd.factorize(values.to_numpy(), sort=True)
    return codes[columns.codes("outlet")], [str(n) for n in names]


def day_counts(columns: Columns, keep: np.ndarray) -> pd.DataFrame:
    """Return the selected articles counted per outlet and day (columns outlet, day, articles; dated only)."""
    days = columns.codes("day")
    dated = keep & (days >= 0)
    n_days = len(columns.facets["day"].cat.categories)
    cell = columns.codes("outlet")[dated].astype(np.int64) * max(n_days, 1) + days[dated]
    counts = np.bincount(cell, minlength=0)
    found = np.flatnonzero(counts)
    day_names = np.asarray(columns.facets["day"].cat.categories, dtype=object)
    outlet_names = np.asarray(columns.outlets, dtype=object)
    return pd.DataFrame({"outlet": outlet_names[found // max(n_days, 1)].astype(str),
                         "day": day_names[found % max(n_days, 1)].astype(str),
                         "articles": counts[found].astype(int)})


def group_counts(columns: Columns, keep: np.ndarray, tone: np.ndarray | None, by: str,
                 groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per outlet (or group) its articles and those scored for tone (re-posted copies counted once)."""
    chosen = keep & ~columns.copies
    codes, names = group_codes(columns, groups, by)
    articles = np.bincount(codes[chosen], minlength=len(names))
    scored = (np.bincount(codes[chosen], weights=np.isfinite(tone[chosen]), minlength=len(names))
              if tone is not None else np.zeros(len(names)))
    present = np.flatnonzero(articles)
    return pd.DataFrame({by: [names[i] for i in present], "articles": articles[present].astype(int),
                         "scored": scored[present].astype(int)})


def group_table(columns: Columns, keep: np.ndarray, tones: dict[str, np.ndarray], by: str, settings: Settings,
                label: str, groups: pd.DataFrame | None = None, only: set[str] | None = None) -> pd.DataFrame:
    """Return ``queries.group_view``'s table of the selection from the columns (re-posted copies counted once).

    Means and intervals per outlet or group, for ``tone`` and ``headline_tone``: a 95% bootstrap
    interval over articles below NORMAL_MIN_VALUES values (the in-memory table's estimator), the
    mean's normal law from that many on (as the report does); none below MIN_ARTICLES. First
    and last publication are days. Sums over integer group codes: no per-article row is built.
    """
    codes, names = group_codes(columns, groups, by)
    chosen = keep & ~columns.copies
    if only is not None:
        wanted = np.array([i for i, n in enumerate(names) if n in only], dtype=np.int64)
        chosen &= np.isin(codes, wanted)
    codes = codes[chosen]
    size = len(names)
    articles = np.bincount(codes, minlength=size)
    present = np.flatnonzero(articles)
    table = pd.DataFrame({"outlet": [names[i] for i in present], "articles": articles[present].astype(int)})
    tone = tones.get("tone")
    table["scored"] = (np.bincount(codes, weights=np.isfinite(tone[chosen]), minlength=size)[present].astype(int)
                       if tone is not None else 0)
    z = _z(settings.confidence)
    for m in TONE_METRICS:
        values = tones[m][chosen] if m in tones else np.full(len(codes), np.nan)
        finite = np.isfinite(values)
        mine, vals = codes[finite], values[finite]
        n = np.bincount(mine, minlength=size).astype(float)
        total = np.bincount(mine, weights=vals, minlength=size)
        squares = np.bincount(mine, weights=vals * vals, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n
            sd = np.sqrt(np.maximum(squares - total * mean, 0) / (n - 1))
            half = z * sd / np.sqrt(n)
        normal = n >= NORMAL_MIN_VALUES
        low = np.where(normal, mean - half, np.nan)
        high = np.where(normal, mean + half, np.nan)
        small = np.flatnonzero((n >= MIN_ARTICLES) & ~normal)
        if len(small):  # the bootstrap, as the in-memory table draws it, for the groups that need it
            order = np.argsort(mine, kind="stable")
            starts = np.searchsorted(mine[order], np.arange(size))
            for g in small:
                sample = vals[order[starts[g]:starts[g] + int(n[g])]]
                mean[g], low[g], high[g] = bootstrap_mean_ci(
                    sample, samples=settings.bootstrap_samples, confidence=settings.confidence,
                    seed=stable_seed(settings.bootstrap_seed, f"{names[g]}|{m}"))
        table[f"{m}_mean"], table[f"{m}_low"], table[f"{m}_high"] = mean[present], low[present], high[present]
    days = columns.codes("day")[chosen]
    dated = days >= 0
    first = np.full(size, np.iinfo(np.int64).max)
    last = np.full(size, -1)
    np.minimum.at(first, codes[dated], days[dated])
    np.maximum.at(last, codes[dated], days[dated])
    day_names = np.asarray(columns.facets["day"].cat.categories, dtype=object)
    table["first_published"] = [day_names[d] if d >= 0 and d < len(day_names) else None for d in first[present]]
    table["last_published"] = [day_names[d] if d >= 0 else None for d in last[present]]
    numeric = [c for c in table.columns if c.endswith(("_mean", "_low", "_high"))]
    table[numeric] = table[numeric].astype(float).round(4)
    table = table[list(OUTLET_COLUMNS)].assign(measure=label)
    if by == "outlet":
        return table.reset_index(drop=True)
    pairs = np.unique(codes.astype(np.int64) * (len(columns.outlets) + 1) + columns.codes("outlet")[chosen])
    outlets = np.bincount(pairs // (len(columns.outlets) + 1), minlength=size)
    table = table.rename(columns={"outlet": by})
    table.insert(1, "outlets", outlets[present].astype(int))
    return table.reset_index(drop=True)


def story_table(columns: Columns, keep: np.ndarray, top: int | None = None) -> pd.DataFrame:
    """Return per story of the selection: articles, outlets, first and last day and the outlets' names; most
    outlets first (then articles, first day), the ``top`` first if given."""
    codes = columns.codes("story")
    chosen = keep & (codes >= 0)
    story = codes[chosen]
    size = len(columns.facets["story"].cat.categories)
    articles = np.bincount(story, minlength=size)
    outlet = columns.codes("outlet")[chosen].astype(np.int64)
    width = len(columns.outlets) + 1
    pairs = np.unique(story.astype(np.int64) * width + outlet)
    outlets = np.bincount(pairs // width, minlength=size)
    days = columns.codes("day")[chosen]
    table = pd.DataFrame({"code": np.flatnonzero(articles)})
    table["outlets"] = outlets[table["code"]]
    table["articles"] = articles[table["code"]]
    undated = np.iinfo(np.int64).max
    first = np.full(size, undated)
    np.minimum.at(first, story[days >= 0], days[days >= 0])
    last = np.full(size, -1)
    np.maximum.at(last, story[days >= 0], days[days >= 0])
    table["first"] = first[table["code"]]
    table = table.sort_values(["outlets", "articles", "first"], ascending=[False, False, True])
    if top is not None:
        table = table.head(top)
    day_names = np.asarray(columns.facets["day"].cat.categories, dtype=object)
    names = np.asarray(columns.facets["story"].cat.categories, dtype=object)
    outlet_names = np.asarray(columns.outlets, dtype=object)
    listed: dict[int, list[str]] = {}
    for p in pairs[np.isin(pairs // width, table["code"].to_numpy())].tolist():
        listed.setdefault(p // width, []).append(str(outlet_names[p % width]))
    return pd.DataFrame({
        "story_id": [str(names[c]) for c in table["code"]],
        "outlets": table["outlets"].astype(int).to_numpy(), "articles": table["articles"].astype(int).to_numpy(),
        "first_day": [day_names[d] if d != undated else None for d in table["first"]],
        "last_day": [day_names[d] if d >= 0 else None for d in last[table["code"]]],
        "outlet_names": ["; ".join(sorted(listed.get(int(c), []))) for c in table["code"]],
    })


def disagreements(columns: Columns, keep: np.ndarray, news: np.ndarray | None, vader: np.ndarray | None,
                  by: str, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return ``queries.disagreements`` from the columns: both measures' mean tone per group, and sign splits."""
    empty = pd.DataFrame(columns=[by, "tone_news", "tone_vader", "signs_disagree"])
    if news is None or vader is None or not np.isfinite(news[keep]).any() or not np.isfinite(vader[keep]).any():
        return empty
    codes, names = group_codes(columns, groups, by)
    means = pd.DataFrame({"tone_news": news[keep], "tone_vader": vader[keep]}).groupby(codes[keep]).mean()
    cells = pd.DataFrame({by: [names[i] for i in means.index], "tone_news": means["tone_news"].to_numpy(),
                          "tone_vader": means["tone_vader"].to_numpy()})
    return mark_disagreements(cells)[[by, "tone_news", "tone_vader", "signs_disagree"]]


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)
