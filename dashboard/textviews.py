"""Text-heavy views (distinctive terms, entities, facets, quoted speakers), as pure functions.

These read article texts, which the catalogue leaves out, and cost milliseconds per
article, so they run on the filtered articles only and, when the filter selects many,
on a deterministic sample: ``SAMPLE_SIZE`` articles shared evenly between the
``SAMPLE_OUTLETS`` largest outlets, picked by a hash of the article id (the same
articles on every run).

>>> cat = pd.DataFrame({"id": [f"a{i}" for i in range(5)], "outlet": ["X", "X", "X", "Y", "Y"]})
>>> sample(cat, size=2, outlets=1)["id"].tolist()
['a0', 'a1']
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from analysis import emphasis, quotes
from core.store import Store

# A page must re-render within a second after a filter change: these texts take ~10 ms each
# per analysis on allsides (6,000 characters on average), so about 120 articles fit.
SAMPLE_SIZE = 120
SAMPLE_OUTLETS = 10
# Quote attribution costs ~6 ms an article on allsides, twice the other views: half the sample.
SPEAKER_SAMPLE_SIZE = 60
SPEAKER_COLUMNS = ["outlet", "speaker", "speaker_type", "quoted_sentences", "articles"]


@dataclass(frozen=True)
class TextSample:
    """The articles a text-heavy view read, and how they were picked."""

    articles: pd.DataFrame  # id, outlet, title, text, published
    selected: int  # articles the filter selects
    sampled: bool
    size: int = SAMPLE_SIZE

    def note(self) -> str:
        """Return one line for the page that says what was read."""
        if not self.sampled:
            return f"Computed on all {len(self.articles):,} selected articles."
        outlets = max(1, self.articles["outlet"].nunique())
        return (f"Computed on a fixed sample of {len(self.articles):,} of the {self.selected:,} selected articles: "
                f"up to {self.size // outlets} per outlet from the {outlets} largest outlets, picked by a "
                "hash of the article id (the same articles every time). Narrow the filters to compute on "
                "every article.")


def _rank(article_id: str) -> str:
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).hexdigest()


def sample(frame: pd.DataFrame, *, size: int = SAMPLE_SIZE, outlets: int = SAMPLE_OUTLETS) -> pd.DataFrame:
    """Return the catalogue rows to read: all when few, else a fixed hash-ordered sample per large outlet."""
    if len(frame) <= size:
        return frame
    counts = frame["outlet"].value_counts()
    leaders = sorted(counts.index, key=lambda o: (-counts[o], o))[:outlets]
    per_outlet = max(1, size // len(leaders))
    picked = frame[frame["outlet"].isin(leaders)].assign(_rank=lambda d: d["id"].map(_rank))
    picked = picked.sort_values(["outlet", "_rank"]).groupby("outlet", sort=False).head(per_outlet)
    return picked.drop(columns="_rank")


def load_sample(store: Store, frame: pd.DataFrame, size: int = SAMPLE_SIZE) -> TextSample:
    """Read the texts of the filtered articles (or of their fixed sample of ``size``)."""
    rows = sample(frame, size=size)
    if rows.empty:
        texts = pd.DataFrame(columns=["id", "outlet", "title", "text", "published"])
    else:
        texts = store.articles(ids=rows["id"].tolist(), columns=["outlet", "title", "text", "published"])
    return TextSample(articles=texts, selected=len(frame), sampled=len(rows) < len(frame), size=size)


def distinctive_terms(texts: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Return each outlet's most distinctive terms against the others (weighted log-odds with z)."""
    if texts["outlet"].nunique() < 2:
        return pd.DataFrame(columns=list(emphasis.TERM_COLUMNS))
    min_count = emphasis.MIN_TERM_COUNT if len(texts) >= 50 else 2
    table = emphasis.distinctive_terms(texts, top=top, min_count=min_count)
    table[["log_odds", "z"]] = table[["log_odds", "z"]].round(3)
    return table


def entity_salience(texts: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Return each outlet's most salient named entities (headline 3, lede 2, body 1)."""
    if texts.empty:
        return pd.DataFrame(columns=list(emphasis.ENTITY_COLUMNS))
    table = emphasis.entity_salience(texts, top=top)
    table["salience_share"] = table["salience_share"].round(4)
    return table


def facet_lists() -> dict[str, str]:
    """Return the facet files in data/facets (name -> path)."""
    return {p.stem: str(p) for p in sorted(emphasis.FACETS_DIR.glob("*.toml"))}


def facet_shares(texts: pd.DataFrame, facets: dict[str, list[str]]) -> pd.DataFrame:
    """Return per outlet and facet the share of the outlet's sentences that mention the facet."""
    if texts.empty:
        return pd.DataFrame(columns=list(emphasis.FACET_COLUMNS))
    table = emphasis.facet_shares(texts, facets)
    table["share"] = table["share"].round(4)
    return table


def volume_timing(frame: pd.DataFrame) -> pd.DataFrame:
    """Return per outlet: pieces, first and last publication, who published first, lag in days."""
    table = emphasis.volume_timing(frame.dropna(subset=["published"]))
    if table.empty:
        return table
    table["lag_days"] = table["lag_days"].round(2)
    for column in ("first_published", "last_published"):
        table[column] = table[column].astype(str)
    return table.sort_values(["first_rank", "outlet"]).reset_index(drop=True)


def quoted_speakers(texts: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Return each outlet's most quoted speakers: quoted sentences and articles quoting them.

    >>> arts = pd.DataFrame([{"id": "a", "outlet": "X", "title": "", "text":
    ...     '"We will not back down on this," said Wang Yi, the foreign minister of China.'}])
    >>> quoted_speakers(arts)[["outlet", "speaker", "quoted_sentences"]].values.tolist()
    [['X', 'Wang Yi', 1]]
    """
    if texts.empty:
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
    table = quotes.quote_table(texts)
    table = table[table["speaker"].fillna("") != ""]
    if table.empty:
        return pd.DataFrame(columns=SPEAKER_COLUMNS)
    table = table.merge(texts[["id", "outlet"]], left_on="article_id", right_on="id")
    types = table.groupby(["outlet", "speaker"])["speaker_type"].agg(lambda s: Counter(s).most_common(1)[0][0])
    grouped = table.groupby(["outlet", "speaker"]).agg(
        quoted_sentences=("sentence_index", "size"), articles=("article_id", "nunique")).reset_index()
    grouped["speaker_type"] = [types[(o, s)] for o, s in zip(grouped["outlet"], grouped["speaker"])]
    grouped = grouped.sort_values(["outlet", "quoted_sentences", "articles", "speaker"],
                                  ascending=[True, False, False, True], kind="mergesort")
    return grouped.groupby("outlet", sort=False).head(top).reset_index(drop=True)[SPEAKER_COLUMNS]
