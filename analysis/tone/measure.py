"""Which tone measure a figure shows, and where the two measures disagree: pure functions.

Two scorers measure tone: ``tone_news`` (the news-trained model, the valid measure: Pearson r 0.63
with people on held-out NYT sentences) and ``tone_vader`` (VADER: r 0.49, but cheap, so always
scored and the fallback). Every view of tone calls :func:`preferred_tone_metric` to pick one
measure for the whole comparison and to label it, and :func:`mark_disagreements` /
:func:`order_conflict` to say where the other measure says the opposite.

>>> preferred_tone_metric(["tone_vader.tone", "tone_news.tone", "quotes.quote_share"])
('tone_news', 'tone (news model)')
>>> preferred_tone_metric({"tone_vader": 120, "tone_news": 80}, articles=120)  # news covers only part
('tone_vader', 'tone (VADER)')
>>> sign_disagreement(news=-0.23, vader=0.09)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

NEWS, VADER = "tone_news", "tone_vader"
# In order of preference: the first measure that covers the whole selection is shown.
PREFERENCE: tuple[str, ...] = (NEWS, VADER)
LABELS: dict[str, str] = {NEWS: "tone (news model)", VADER: "tone (VADER)"}
# Below this magnitude a tone mean is read as neutral, not as a sign: VADER's own sentence neutral
# band (0.05), which is also the news model's cross-validated band: one value serves both.
SIGN_TOLERANCE = 0.05


def _scorer_of(name: str) -> str:
    return str(name).split(".", 1)[0]


def tone_label(scorer: str) -> str:
    """Return the label a figure from ``scorer`` carries ("tone (news model)", "tone (VADER)").

    >>> tone_label("tone_vader")
    'tone (VADER)'
    """
    if scorer not in LABELS:
        raise ValueError(f"{scorer!r} is not a tone measure; tone measures: {', '.join(PREFERENCE)}")
    return LABELS[scorer]


def preferred_tone_metric(available: Iterable[str] | Mapping[str, int] | pd.DataFrame,
                          articles: int | None = None) -> tuple[str, str]:
    """Return (scorer, label) of the tone measure to show for a selection: the news model's where it fits.

    ``available`` is one of:

    * scorer names or ``scorer.metric`` column names (``frame.columns`` of ``Store.score_matrix()``):
      the news model wins whenever it is there. Pass only what covers the whole selection;
    * a mapping {scorer: articles it scored in the selection} with ``articles`` the selection's
      size: a measure counts only if it covers every article (a selection never mixes measures);
    * a score matrix (``scorer.metric`` columns, one row per article of the selection): the news
      model counts only if ``tone_news.tone`` is present wherever ``tone_vader.tone`` is.

    With neither measure present the answer is VADER's (the dashboard's fallback message names it).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"tone_vader.tone": [0.1, 0.2], "tone_news.tone": [0.0, None]})
    >>> preferred_tone_metric(frame)
    ('tone_vader', 'tone (VADER)')
    """
    if isinstance(available, pd.DataFrame):
        columns = set(available.columns)
        base = f"{VADER}.tone"
        needed = int(available[base].notna().sum()) if base in columns else len(available)
        present = {scorer for scorer in PREFERENCE if f"{scorer}.tone" in columns
                   and int(available[f"{scorer}.tone"].notna().sum()) >= needed}
    elif isinstance(available, Mapping):
        present = {_scorer_of(name) for name, count in available.items()
                   if articles is None or int(count) >= articles}
    else:
        present = {_scorer_of(name) for name in available}
    for scorer in PREFERENCE:
        if scorer in present:
            return scorer, LABELS[scorer]
    return VADER, LABELS[VADER]


def tone_sign(value: float | None, tolerance: float = SIGN_TOLERANCE) -> int:
    """Return -1, 0 or +1: the sign of a tone mean, 0 inside +/-``tolerance`` (or when missing).

    >>> tone_sign(-0.2), tone_sign(0.03), tone_sign(None)
    (-1, 0, 0)
    """
    if value is None or pd.isna(value):
        return 0
    if value >= tolerance:
        return 1
    if value <= -tolerance:
        return -1
    return 0


def sign_disagreement(news: float | None, vader: float | None, tolerance: float = SIGN_TOLERANCE) -> bool:
    """Return True when one measure calls a cell positive and the other negative (near zero never disagrees).

    >>> sign_disagreement(-0.23, 0.09), sign_disagreement(-0.23, 0.02), sign_disagreement(0.3, 0.1)
    (True, False, False)
    """
    return tone_sign(news, tolerance) * tone_sign(vader, tolerance) == -1


def mark_disagreements(cells: pd.DataFrame, news: str = NEWS, vader: str = VADER,
                       tolerance: float = SIGN_TOLERANCE) -> pd.DataFrame:
    """Return ``cells`` with ``news_sign``, ``vader_sign`` and ``signs_disagree`` columns added.

    ``cells`` holds one row per cell (an outlet, a group, an outlet x target ...) and the two
    measures' tone means in the columns named ``news`` and ``vader``. A cell is marked when the
    signs are opposite; a mean within +/-``tolerance`` of 0 has no sign, and a missing one neither.

    >>> cells = pd.DataFrame({"outlet": ["Global Times", "BBC"], "tone_news": [-0.23, -0.12],
    ...                       "tone_vader": [0.09, -0.04]})
    >>> mark_disagreements(cells)[["outlet", "signs_disagree"]].values.tolist()
    [['Global Times', True], ['BBC', False]]
    """
    missing = [c for c in (news, vader) if c not in cells.columns]
    if missing:
        raise KeyError(f"cells lack the tone column(s) {missing}; columns: {list(cells.columns)}")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    out = cells.copy()
    out["news_sign"] = [tone_sign(v, tolerance) for v in out[news]]
    out["vader_sign"] = [tone_sign(v, tolerance) for v in out[vader]]
    out["signs_disagree"] = (out["news_sign"] * out["vader_sign"]) == -1
    return out


def order_conflict(first: tuple[float, float], second: tuple[float, float],
                   tolerance: float = SIGN_TOLERANCE) -> bool:
    """Return True when the two measures order two cells oppositely: then say neither is "more negative".

    ``first`` and ``second`` are (news, vader) tone means of two cells. A gap smaller than
    ``tolerance`` on a measure is no order on it.

    >>> order_conflict((-0.20, 0.05), (-0.05, -0.02))  # news: first more negative; VADER: the opposite
    True
    >>> order_conflict((-0.20, -0.10), (-0.05, -0.02))
    False
    """
    news_gap = tone_sign(first[0] - second[0], tolerance)
    vader_gap = tone_sign(first[1] - second[1], tolerance)
    return news_gap * vader_gap == -1
