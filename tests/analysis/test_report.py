"""The per-outlet report: real values on basil, intervals, filters, formula neutralising."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare.outlets import outlet_table
from analysis.compare.report import metrics_report, outlet_report, render
from analysis.compare.stats import bootstrap_mean_ci
from core.errors import InputError
from core.settings import Settings
from core.store import ArticleFilter, Store
from core.tabular import formula_safe, to_csv

BASIL_OUTLETS = ["Fox News", "HuffPost", "The New York Times"]


def report(db: Path, flt: ArticleFilter = ArticleFilter()) -> pd.DataFrame:
    with Store.open(db, readonly=True) as store:
        return outlet_report(store, flt, Settings.load(environ={}))


def test_basil_report_has_three_outlets_with_tone(basil_db: Path) -> None:
    table = report(basil_db)
    assert table["outlet"].tolist() == BASIL_OUTLETS
    assert table["articles"].sum() == 228 - 0  # every basil article is in one outlet row
    assert (table["scored"] == table["articles"]).all()
    assert table["tone_mean"].between(-1, 1).all()
    assert (table["tone_low"] < table["tone_mean"]).all() and (table["tone_mean"] < table["tone_high"]).all()
    assert table["first_published"].min() >= "2010" and table["last_published"].max() <= "2020"


def test_report_filters(basil_db: Path) -> None:
    with Store.open(basil_db, readonly=True) as store:
        story = store.distinct("story_id")[0]
    one_story = report(basil_db, ArticleFilter(story_id=story))
    assert one_story["articles"].sum() <= 3 and set(one_story["outlet"]) <= set(BASIL_OUTLETS)
    fox = report(basil_db, ArticleFilter(outlets=("Fox News",), since="2015-01-01"))
    assert fox["outlet"].tolist() == ["Fox News"]
    assert fox["first_published"].iloc[0] >= "2015-01-01"


def test_bad_dates_are_clear_errors(basil_db: Path) -> None:
    with pytest.raises(InputError, match="--since must be a date like"):
        report(basil_db, ArticleFilter(since="last year"))
    with pytest.raises(InputError, match="is after --until"):
        report(basil_db, ArticleFilter(since="2019-01-01", until="2018-01-01"))


def test_intervals_are_deterministic_and_shrink_with_n() -> None:
    small = bootstrap_mean_ci([0.1, -0.2, 0.3, 0.0] * 3, samples=2000, seed=7)
    large = bootstrap_mean_ci([0.1, -0.2, 0.3, 0.0] * 300, samples=2000, seed=7)
    assert small == bootstrap_mean_ci([0.1, -0.2, 0.3, 0.0] * 3, samples=2000, seed=7)
    assert (large[2] - large[1]) < (small[2] - small[1]) / 5


def test_formula_cells_are_neutralised_numbers_stay_numbers() -> None:
    articles = pd.DataFrame({"id": ["a", "b"], "outlet": ["=cmd|' /C calc'!A0", "@SUM(1)"],
                             "published": ["+2020-01-01", "2020-01-02"]})
    scores = pd.DataFrame({"article_id": ["a", "b"], "scorer": "tone_vader", "metric": "tone",
                           "value": [-0.5, 0.25]})
    table = outlet_table(articles, scores, samples=200)
    text = to_csv(table)
    parsed = pd.read_csv(io.StringIO(text))
    assert set(parsed["outlet"]) == {"'=cmd|' /C calc'!A0", "'@SUM(1)"}
    assert parsed["tone_mean"].tolist() == [-0.5, 0.25]  # numbers stay numbers, negative ones too
    assert parsed["first_published"].iloc[0] == "'+2020-01-01"
    records = json.loads(render(table, "json"))
    assert records[0]["outlet"].startswith("'=") and isinstance(records[0]["tone_mean"], float)
    assert "'@SUM(1)" in render(table, "table")
    assert formula_safe(pd.DataFrame({"x": ["-minus", "ok", "\tTab"]}))["x"].tolist() == ["'-minus", "ok", "'\tTab"]


def test_report_by_bias_pools_outlets_and_default_stays_the_tone_table(basil_db: Path) -> None:
    with Store.open(basil_db, readonly=True) as store:
        by_bias = outlet_report(store, ArticleFilter(), Settings.load(environ={}), by="bias3")
    assert by_bias["bias3"].tolist() == ["left", "right"]  # HuffPost and the Times are left in outlets.toml
    assert by_bias["articles"].tolist() == [152, 76]
    assert by_bias["outlets"].tolist() == [2, 1] and by_bias["inferred"].tolist() == [0, 0]
    default = report(basil_db)
    assert list(by_bias.columns[3:]) == list(default.columns[1:])
    fox = default[default["outlet"] == "Fox News"].iloc[0]
    assert by_bias.iloc[1]["tone_mean"] == fox["tone_mean"]  # one outlet in the group: the same mean


def test_metrics_report_has_every_metric_and_clear_errors(basil_db: Path) -> None:
    settings = Settings.load({"bootstrap_samples": "500"}, environ={})
    with Store.open(basil_db, readonly=True) as store:
        table = metrics_report(store, ArticleFilter(), settings)
        some = metrics_report(store, ArticleFilter(outlets=("Fox News", "HuffPost")), settings,
                              metrics="tone_vader.sentences,quote_share", by="outlet")
        with pytest.raises(InputError, match="unknown grouping 'owner'"):
            metrics_report(store, ArticleFilter(), settings, by="owner")
    assert table["outlet"].nunique() == 3 and table["metric"].nunique() > 70
    assert table["significant"].dtype == bool and table["p_adjusted"].max() <= 1
    assert set(zip(some["scorer"], some["metric"])) == {("tone_vader", "sentences"), ("quotes", "quote_share")}
    assert some["outlet"].tolist() == ["Fox News", "Fox News", "HuffPost", "HuffPost"]
    assert (some["rest_n"] == 76).all()  # the rest is the other outlet of the filter
    assert render(some, "csv").splitlines()[0].startswith("outlet,scorer,metric,articles,n,mean,low,high")


@pytest.mark.parametrize("by", ["outlet", "bias"])
def test_metrics_by_blocks_give_the_table_of_all_scores_at_once(sample_db: Path, by: str) -> None:
    # The bounded report (one metric read at a time, metrics resampled in blocks) against the
    # whole-store computation it replaced: the same rows in the same order, the same numbers.
    from analysis.compare.outlets import outlet_metrics, outlet_metrics_by_blocks
    from analysis.compare.report import stored_metric_keys
    from core.outlet_profiles import store_outlet_groups

    settings = Settings.load({"bootstrap_samples": "300"}, environ={})
    flt = ArticleFilter()
    with Store.open(sample_db, readonly=True) as store:
        articles = store.articles(flt, columns=("outlet", "language"))
        scores = store.scores(flt)
        groups = store_outlet_groups(store, flt) if by != "outlet" else None
        keys = stored_metric_keys(store, flt)
        kwargs = {"groups": groups, "by": by, "samples": 300, "seed": settings.bootstrap_seed}
        whole = outlet_metrics(articles, scores, **kwargs)
        blocks = [outlet_metrics_by_blocks(articles, keys, lambda s, m: store.scores(flt, scorer=s, metrics=(m,)),
                                           max_cells=cells, **kwargs)
                  for cells in (10**9, len(articles) * 3, 1)]  # one block, three metrics a block, one a block
        keyed = store.articles(flt, columns=("outlet", "language", "key"))  # the report's read: keys and values
        blocks.append(outlet_metrics_by_blocks(keyed, keys, lambda s, m: store.metric_values(flt, s, m), **kwargs))
        report_small = metrics_report(store, flt, settings, by=by, max_cells=len(articles) * 7)
        report_one = metrics_report(store, flt, settings, by=by)
    assert len(whole) > 100 and whole["n"].sum() > 0 and whole["p_value"].notna().any()
    assert set(scores["scorer"]) <= {s for s, _ in keys}
    for table in blocks:
        pd.testing.assert_frame_equal(table, whole, check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(report_small, report_one)


def test_metric_values_are_the_scores_of_the_filtered_articles_by_key(sample_db: Path) -> None:
    with Store.open(sample_db, readonly=True) as store:
        for flt in (ArticleFilter(), ArticleFilter(outlets=("Harbor Ledger",)), ArticleFilter(story_id="sample-park")):
            keys, values = store.metric_values(flt, "tone_vader", "tone")
            long = store.scores(flt, scorer="tone_vader", metrics=("tone",))
            key_of = store.articles(flt, columns=("key",)).set_index("id")["key"]
            expected = dict(zip(long["article_id"].map(key_of), long["value"]))
            assert keys.dtype == np.int64 and len(keys) == len(expected) > 0
            assert dict(zip(keys.tolist(), values.tolist())) == pytest.approx(expected)
        assert len(store.metric_values(ArticleFilter(outlets=("Nobody",)), "tone_vader", "tone")[0]) == 0
