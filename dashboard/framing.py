"""What the Framing page and Compare's primary frames show, as pure functions: no streamlit here.

Frame presence and primary frames are per-article numbers in the catalogue
(``frames_generic.present_conflict``, ``frames_policy.primary_political`` ...), so
shares per outlet are a groupby over the cached catalogue; only evidence sentences
go back to the store.

>>> cat = pd.DataFrame({"outlet": ["A", "A", "B"], "frames_generic.present_conflict": [1.0, 0.0, 1.0]})
>>> frame_keys(cat, "frames_generic")
['conflict']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.compare.stats import bootstrap_share_ci, stable_seed
from analysis.frames.lexicon import load_frameset
from core.settings import Settings
from core.store import ArticleFilter, Store
from dashboard import sets

FRAME_SCORERS = {"frames_generic": "generic", "frames_policy": "policy"}
SHARE_COLUMNS = ["outlet", "frame", "label", "articles", "with_frame", "share", "low", "high"]
# The heatmap shows this many outlets (the largest in the selection): 400 rows are unreadable.
HEATMAP_OUTLETS = 30
# Evidence: at most this many articles of an outlet, those with the highest share of cue sentences.
EVIDENCE_ARTICLES = 10


def frame_keys(frame: pd.DataFrame, scorer: str) -> list[str]:
    """Return the frame keys whose presence the catalogue holds for a frame scorer, in set order."""
    prefix = f"{scorer}.present_"
    found = [c[len(prefix):] for c in frame.columns if c.startswith(prefix)]
    if scorer in FRAME_SCORERS:
        order = load_frameset(FRAME_SCORERS[scorer]).keys
        return [k for k in order if k in found]
    return found


def frame_labels(scorer: str) -> dict[str, str]:
    """Return the readable label of every frame of a scorer's set (key -> label)."""
    if scorer not in FRAME_SCORERS:
        return {}
    return {f.key: f.label for f in load_frameset(FRAME_SCORERS[scorer]).frames}


def _leaders(frame: pd.DataFrame, top: int) -> list[str]:
    """Return the ``top`` outlets by articles, ties broken by name."""
    counts = frame["outlet"].value_counts().rename_axis("outlet").reset_index(name="articles")
    return sets.ranked(counts)["outlet"].head(top).tolist()


def frame_shares(frame: pd.DataFrame, scorer: str, settings: Settings, *, top: int = HEATMAP_OUTLETS,
                 kind: str = "present") -> pd.DataFrame:
    """Return per outlet and frame the share of scored articles with the frame, with a 95% interval.

    ``kind`` is ``present`` (the frame passes its threshold) or ``primary`` (the article's main
    frame). Only the ``top`` largest outlets of the selection are listed.
    """
    keys = frame_keys(frame, scorer)
    if not keys or frame.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    labels = frame_labels(scorer)
    columns = [f"{scorer}.{kind}_{k}" for k in keys]
    scored = frame.dropna(subset=[columns[0]])
    scored = scored[scored["outlet"].isin(_leaders(scored, top))]
    if scored.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    leaders = _leaders(scored, top)
    sums = scored.groupby("outlet")[columns].sum().loc[leaders]
    sizes = scored.groupby("outlet").size().loc[leaders]
    table = pd.DataFrame({
        "outlet": np.repeat(leaders, len(keys)),
        "frame": keys * len(leaders),
        "label": [labels.get(k, k) for k in keys] * len(leaders),
        "articles": np.repeat(sizes.to_numpy(), len(keys)).astype(int),
        "with_frame": sums.to_numpy().reshape(-1).astype(int),
    })
    low, high = bootstrap_share_ci(table["with_frame"].to_numpy(), table["articles"].to_numpy(),
                                samples=settings.bootstrap_samples, confidence=settings.confidence,
                                seed=stable_seed(settings.bootstrap_seed, f"{scorer}|{kind}"))
    table["share"] = (table["with_frame"] / table["articles"]).round(4)
    table["low"], table["high"] = low.round(4), high.round(4)
    return table[SHARE_COLUMNS]


def primary_frames(frame: pd.DataFrame, scorer: str = "frames_generic") -> pd.DataFrame:
    """Return per outlet its most common primary frame, that frame's share and the runner-up.

    Frames tied for first are all named (``conflict = economic (tie)``); an outlet none of whose
    articles has a primary frame gets none (not a frame with share 0).

    >>> cat = pd.DataFrame({"outlet": ["A", "A", "A"],
    ...     "frames_generic.primary_conflict": [1.0, 1.0, 0.0], "frames_generic.primary_economic": [0.0, 0.0, 1.0]})
    >>> primary_frames(cat)[["outlet", "primary_frame", "share", "second_frame"]].values.tolist()
    [['A', 'conflict', 0.6667, 'economic']]
    >>> tie = cat.assign(**{"frames_generic.primary_economic": [0.0, 1.0, 1.0],
    ...                     "frames_generic.primary_conflict": [1.0, 0.0, 1.0]})
    >>> primary_frames(tie)[["primary_frame", "share", "second_frame"]].values.tolist()
    [['conflict = economic (tie)', 0.6667, None]]
    """
    columns = ["outlet", "articles", "primary_frame", "share", "second_frame", "second_share"]
    keys = [c.split(".primary_", 1)[1] for c in frame.columns if c.startswith(f"{scorer}.primary_")]
    if not keys:
        return pd.DataFrame(columns=columns)
    cols = [f"{scorer}.primary_{k}" for k in keys]
    scored = frame.dropna(subset=[cols[0]])
    if scored.empty:
        return pd.DataFrame(columns=columns)
    sums = scored.groupby("outlet")[cols].sum()
    sizes = scored.groupby("outlet").size()
    rows = []
    for outlet, row in sums.iterrows():
        ranked = [kv for kv in sorted(zip(keys, row.to_numpy()), key=lambda kv: (-kv[1], kv[0])) if kv[1] > 0]
        n = int(sizes[outlet])
        first = [k for k, v in ranked if v == ranked[0][1]] if ranked else []
        rest = ranked[len(first):]
        rows.append({"outlet": outlet, "articles": n,
                     "primary_frame": " = ".join(first) + (" (tie)" if len(first) > 1 else "") if first else None,
                     "share": round(ranked[0][1] / n, 4) if ranked else None,
                     "second_frame": rest[0][0] if rest else None,
                     "second_share": round(rest[0][1] / n, 4) if rest else None})
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["articles", "outlet"], ascending=[False, True]).reset_index(drop=True)


def frames_over_time(frame: pd.DataFrame, scorer: str, period: str = "M",
                     minimum: int = sets.MIN_ARTICLES_PER_PERIOD) -> pd.DataFrame:
    """Return per period (``W`` week, ``M`` month) and frame the share of scored articles with the frame.

    ``share`` is blank for a period of fewer than ``minimum`` articles; stray early articles are
    left out (``sets.trim_stray``).

    >>> cat = pd.DataFrame({"outlet": "A", "day": ["2020-01-02", "2020-01-20", "2020-02-03"],
    ...                     "frames_generic.present_conflict": [1.0, 0.0, 1.0]})
    >>> frames_over_time(cat, "frames_generic", minimum=1)[["period", "share", "articles"]].values.tolist()
    [['2020-01-01', 0.5, 2], ['2020-02-01', 1.0, 1]]
    >>> frames_over_time(cat, "frames_generic")["share"].isna().all()
    np.True_
    """
    keys = frame_keys(frame, scorer)
    out_columns = ["period", "frame", "label", "share", "articles"]
    if not keys:
        return pd.DataFrame(columns=out_columns)
    columns = [f"{scorer}.present_{k}" for k in keys]
    data = frame.dropna(subset=["day", columns[0]])
    if data.empty:
        return pd.DataFrame(columns=out_columns)
    first, _ = sets.trim_stray(data["day"])
    if first:
        data = data[data["day"] >= first]
    grouped = data[columns].groupby(sets.periods(data["day"], period).to_numpy())
    means = grouped.mean().round(4)
    means[grouped.size() < minimum] = float("nan")  # a share from one or two articles swings 0 to 1
    means.columns = keys
    table = means.reset_index(names="period").melt(id_vars="period", var_name="frame", value_name="share")
    table["articles"] = table["period"].map(grouped.size()).astype(int)
    labels = frame_labels(scorer)
    table["label"] = table["frame"].map(lambda k: labels.get(k, k))
    return table.sort_values(["period", "frame"], key=lambda c: c.map(keys.index) if c.name == "frame" else c,
                             kind="mergesort").reset_index(drop=True)[out_columns]


def frame_evidence(store: Store, frame: pd.DataFrame, outlet: str, scorer: str, key: str,
                   limit: int = EVIDENCE_ARTICLES) -> pd.DataFrame:
    """Return the cue sentences behind one outlet x frame cell: the stored evidence, sentence by sentence.

    Reads the ``limit`` articles of the outlet with the highest share of the frame's cue sentences.
    """
    columns = ["sentence", "cue_hits", "outlet", "title", "url", "published", "frame_share", "part",
               "sentence_index", "article_id"]
    share = f"{scorer}.frame_{key}"
    if share not in frame.columns:
        return pd.DataFrame(columns=columns)
    mine = frame[(frame["outlet"] == outlet) & (frame[share] > 0)]
    mine = mine.sort_values([share, "id"], ascending=[False, True]).head(limit)
    if mine.empty:
        return pd.DataFrame(columns=columns)
    texts = store.articles(ids=mine["id"].tolist(), columns=["title", "text"], flt=ArticleFilter())
    texts = texts.set_index("id")
    shares = dict(zip(mine["id"], mine[share]))
    rows = []
    every = store.evidence_of(mine["id"].tolist(), scorer)
    every = every[every["metric"] == f"frame_{key}"]
    for art in mine.itertuples(index=False):
        evidence = every[every["article_id"] == art.id]
        title, text = texts.at[art.id, "title"] or "", texts.at[art.id, "text"] or ""
        for ev in evidence.itertuples(index=False):
            source = title if ev.part == "title" else text
            rows.append({"outlet": outlet, "article_id": art.id, "title": title, "url": art.url,
                         "published": art.day, "frame_share": round(float(shares[art.id]), 4),
                         "part": ev.part, "sentence_index": int(ev.sentence_index), "cue_hits": int(ev.value),
                         "sentence": source[int(ev.start):int(ev.end)]})
    return pd.DataFrame(rows, columns=columns)
