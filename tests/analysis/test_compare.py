"""Per-outlet comparison of every metric: intervals, differences to the rest, corrected flags, groups."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare.groups import UNKNOWN, group_of, read_outlet_entries
from analysis.compare.outlets import METRIC_COLUMNS, MIN_TEST_ARTICLES, outlet_metrics
from analysis.compare.stats import adjust_p_values, bootstrap_p_value
from core.outlet_profiles import outlet_groups
from core.settings import Settings
from core.store import ArticleFilter, Store
from tests.conftest import require_shared
from tests.helpers import build_store, run_cli

SEED = Settings().bootstrap_seed


@pytest.fixture(scope="module")
def basil_frames(basil_db: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with Store.open(basil_db, readonly=True) as store:
        return store.articles(columns=("outlet",)), store.scores(), store.outlets()


@pytest.fixture(scope="module")
def basil_table(basil_frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    articles, scores, _ = basil_frames
    return outlet_metrics(articles, scores, samples=2000, seed=SEED)


@pytest.fixture(scope="module")
def groundnews_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = require_shared("corpora", "groundnews_stories", "articles.jsonl")
    return build_store(tmp_path_factory.mktemp("groundnews") / "gn.db", corpus)


def row(table: pd.DataFrame, group: str, metric: str, scorer: str | None = None) -> pd.Series:
    hit = table[(table["group"] == group) & (table["metric"] == metric)]
    if scorer:
        hit = hit[hit["scorer"] == scorer]
    assert len(hit) == 1, f"{group} {metric}: {len(hit)} rows"
    return hit.iloc[0]


def test_every_stored_metric_gets_a_row_per_outlet_with_interval_around_the_mean(basil_table: pd.DataFrame,
                                                                                basil_frames) -> None:
    _, scores, _ = basil_frames
    stored = set(zip(scores["scorer"], scores["metric"]))
    assert list(basil_table.columns) == list(METRIC_COLUMNS)
    assert set(zip(basil_table["scorer"], basil_table["metric"])) == stored
    assert len(basil_table) == 3 * len(stored) and len(stored) > 70  # tone, frames, quotes, length, facets
    spread = basil_table.dropna(subset=["low", "high"])
    assert len(spread) > 200
    assert ((spread["low"] <= spread["mean"] + 1e-12) & (spread["mean"] <= spread["high"] + 1e-12)).all()
    tested = basil_table.dropna(subset=["p_value"])
    assert ((tested["diff_low"] <= tested["diff"] + 1e-12) & (tested["diff"] <= tested["diff_high"] + 1e-12)).all()
    tone = row(basil_table, "Fox News", "tone", "tone_vader")
    assert tone["n"] == 76 and tone["rest_n"] == 152
    assert tone["mean"] == pytest.approx(0.0231, abs=1e-4)  # the same mean the tone report prints
    assert tone["diff"] == pytest.approx(tone["mean"] - tone["rest_mean"])


def test_basil_length_differs_significantly_between_huffpost_and_the_times(basil_table: pd.DataFrame) -> None:
    huffpost = row(basil_table, "HuffPost", "words")
    times = row(basil_table, "The New York Times", "words")
    assert huffpost["mean"] == pytest.approx(540.14, abs=0.01) and times["mean"] == pytest.approx(785.43, abs=0.01)
    assert huffpost["significant"] and huffpost["diff"] < 0 and huffpost["diff_high"] < 0
    assert times["significant"] and times["diff"] > 0 and times["diff_low"] > 0
    # Fox News writes the longest headlines; the tone of its sentences is not significantly different
    assert row(basil_table, "Fox News", "headline_words")["significant"]
    assert not row(basil_table, "Fox News", "tone", "tone_vader")["significant"]


def test_correction_reduces_flags(basil_frames, basil_table: pd.DataFrame) -> None:
    articles, scores, _ = basil_frames
    raw = outlet_metrics(articles, scores, samples=2000, seed=SEED, correction="none")
    holm = outlet_metrics(articles, scores, samples=2000, seed=SEED, correction="holm")
    assert (raw["p_value"].fillna(-1) == basil_table["p_value"].fillna(-1)).all()  # same tests, other thresholds
    flagged_raw, flagged_bh, flagged_holm = raw["significant"].sum(), basil_table["significant"].sum(), \
        holm["significant"].sum()
    assert flagged_raw > flagged_bh >= flagged_holm > 0
    assert flagged_bh >= 5  # word counts, paragraphs, quotes: clear differences survive
    assert (basil_table.loc[basil_table["significant"], "p_value"] <= 0.05).all()


def test_same_input_same_table(basil_frames, basil_table: pd.DataFrame) -> None:
    articles, scores, _ = basil_frames
    again = outlet_metrics(articles.sample(frac=1, random_state=3), scores, samples=2000, seed=SEED)
    pd.testing.assert_frame_equal(again.sort_values(["group", "scorer", "metric"]).reset_index(drop=True),
                                  basil_table.sort_values(["group", "scorer", "metric"]).reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)


def test_groups_pool_their_outlets_articles(basil_frames) -> None:
    articles, scores, outlets = basil_frames
    groups = outlet_groups(outlets)
    assert dict(zip(groups["outlet"], groups["bias3"])) == {"Fox News": "right", "HuffPost": "left",
                                                            "The New York Times": "left"}
    table = outlet_metrics(articles, scores, groups=groups, by="bias3", metrics=["tone_vader.tone", "words"],
                           samples=1000, seed=SEED)
    left = row(table, "left", "tone")
    assert left["articles"] == 152 and left["rest_n"] == 76
    vader = scores[(scores["scorer"] == "tone_vader") & (scores["metric"] == "tone")]
    tone = vader.merge(articles, left_on="article_id", right_on="id")
    pooled = tone.loc[tone["outlet_y"].isin(["HuffPost", "The New York Times"]), "value"].mean()
    assert left["mean"] == pytest.approx(pooled)
    right = row(table, "right", "tone")
    assert right["diff"] == pytest.approx(-left["diff"])
    assert set(table["metric"]) == {"tone", "words"}
    with pytest.raises(ValueError, match="needs the outlet groups"):
        outlet_metrics(articles, scores, by="bias3")


def test_outlets_file_entries_and_unknown_groups() -> None:
    entries = read_outlet_entries()
    assert entries["Fox News"]["bias3"] == "right" and entries["Fox Online News"] is entries["Fox News"]
    assert entries["The New York Times"]["country"] == "US"
    arts = pd.DataFrame({"outlet": ["Fox News", "Nowhere Gazette"]})
    groups = outlet_groups(pd.DataFrame({"name": ["Fox News", "Nowhere Gazette"], "bias": [None, None]}))
    assert group_of(arts, groups, "country").tolist() == ["US", UNKNOWN]


def test_stored_names_find_their_entry_whatever_their_case_spacing_or_domain_spelling() -> None:
    spellings = ["fox news", "FOX  NEWS ", "foxnews.com", "Fox Online News", "Nowhere Gazette"]
    groups = outlet_groups(pd.DataFrame({"name": spellings, "bias": [None] * 5}))
    assert groups["bias3"].tolist() == ["right", "right", "right", "right", UNKNOWN]
    assert groups["outlet"].tolist() == spellings  # the stored names stay as they are


def test_groundnews_story_tests_only_outlets_with_enough_articles(groundnews_db: Path) -> None:
    with Store.open(groundnews_db, readonly=True) as store:
        flt = ArticleFilter(story_id="groundnews-4")
        articles, scores = store.articles(flt, columns=("outlet",)), store.scores(flt)
        groups = outlet_groups(store.outlets())
    table = outlet_metrics(articles, scores, samples=500, seed=SEED)
    assert table["group"].nunique() == 45
    assert table["p_value"].isna().all()  # one or two articles per outlet: nothing is tested
    assert not table["significant"].any()
    single = table[table["n"] == 1]
    assert single["low"].isna().all() and len(single) > 0
    by_bias = outlet_metrics(articles, scores, groups=groups, by="bias3", metrics=["tone_vader.tone"], samples=500,
                             seed=SEED)
    assert set(by_bias["group"]) <= {"left", "center", "right", UNKNOWN}
    assert by_bias["articles"].sum() == 46
    assert (by_bias.loc[by_bias["n"] >= MIN_TEST_ARTICLES, "p_value"].notna()).all()


def test_p_value_adjustment_matches_the_textbook() -> None:
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    assert adjust_p_values(p, "bh").round(4).tolist() == [0.05] * 5
    assert adjust_p_values(p, "holm").round(4).tolist() == [0.05, 0.08, 0.09, 0.09, 0.09]
    assert adjust_p_values([0.001, 0.5, np.nan], "bh").round(4)[:2].tolist() == [0.002, 0.5]
    with pytest.raises(ValueError, match="unknown correction"):
        adjust_p_values(p, "bonferonni")
    assert bootstrap_p_value(np.array([0.0]), np.zeros((50, 1))).tolist() == [1.0]


def test_report_cli_prints_every_metric_per_group(basil_db: Path) -> None:
    done = run_cli("analysis", "report", "--db", str(basil_db), "--metrics", "tone,quote_share", "--by", "bias3",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert {(r["bias3"], r["metric"]) for r in records} == {(g, m) for g in ("left", "right")
                                                            for m in ("tone", "quote_share")}
    assert all({"mean", "low", "high", "diff", "p_value", "p_adjusted", "significant"} <= set(r) for r in records)
    bad = run_cli("analysis", "report", "--db", str(basil_db), "--metrics", "tonez")
    assert bad.returncode == 2 and "no stored metric named tonez" in bad.stderr


def test_the_closed_form_share_interval_matches_resampling_zeros_and_ones() -> None:
    from analysis.compare.stats import bootstrap_mean_ci, bootstrap_share_ci

    values = np.array([1.0] * 30 + [0.0] * 70)
    _, low, high = bootstrap_mean_ci(values, samples=4000, seed=3)
    low_cf, high_cf = bootstrap_share_ci(np.array([30, 1]), np.array([100, 1]), samples=4000, confidence=0.95, seed=3)
    assert low_cf[0] == pytest.approx(low, abs=0.02) and high_cf[0] == pytest.approx(high, abs=0.02)
    assert np.isnan(low_cf[1]) and np.isnan(high_cf[1])  # one article: no interval


# ------------------------------------------------------------------ large stores (issue 21, 11)
def _many_outlets(articles: int, outlets: int, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles spread over outlets like allsides_abp: a few big outlets and a long tail of tiny ones."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, outlets + 1) ** 1.3
    names = rng.choice([f"outlet {k:03d}" for k in range(outlets)], size=articles, p=weights / weights.sum())
    ids = [f"a-{n:06d}" for n in range(articles)]
    scores = pd.concat([pd.DataFrame({"article_id": ids, "scorer": "tone_vader", "metric": m,
                                      "value": rng.normal(0.1 if m == "tone" else 0.0, 0.3, articles)})
                        for m in ("tone", "headline_tone")], ignore_index=True)
    return pd.DataFrame({"id": ids, "outlet": names}), scores


def test_small_groups_are_neither_resampled_nor_tested(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.compare.outlets as compare

    articles, scores = _many_outlets(600, 80)
    sizes = articles["outlet"].value_counts()
    monkeypatch.setattr(compare, "NORMAL_MIN_ARTICLES", 10**9)  # every rest by bootstrap, as below 500 values
    calls: list[int] = []
    real = compare.bootstrap_group_means
    monkeypatch.setattr(compare, "bootstrap_group_means",
                        lambda values, samples, seed: calls.append(len(values)) or real(values, samples, seed))
    table = compare.outlet_metrics(articles, scores, samples=200, seed=SEED)
    own = int((sizes >= compare.MIN_ARTICLES).sum())
    tested = int((sizes >= MIN_TEST_ARTICLES).sum())
    assert (sizes < compare.MIN_ARTICLES).sum() > 10 and own < len(sizes)
    assert len(calls) == own + tested  # each group with a spread once, each testable group's rest once
    small = table[table["n"] < MIN_TEST_ARTICLES]
    assert small["p_value"].isna().all() and small["diff_low"].isna().all()


def test_the_shared_pool_gives_the_intervals_of_one_bootstrap_per_rest() -> None:
    import analysis.compare.outlets as compare

    articles, scores = _many_outlets(3000, 40)
    monkey = pytest.MonkeyPatch()
    monkey.setattr(compare, "NORMAL_MIN_ARTICLES", 10**9)  # the rests by bootstrap, not by the normal law
    try:
        pooled = compare.outlet_metrics(articles, scores, samples=2000, seed=SEED)
        exact = compare.outlet_metrics(articles.iloc[:2000], scores, samples=10, seed=SEED)  # below the pool size
    finally:
        monkey.undo()
    assert len(exact) and 3000 > compare.POOL_MIN_ARTICLES >= 2000
    # against the exact per-rest multinomial bootstrap on the same 3,000 articles
    monkey = pytest.MonkeyPatch()
    monkey.setattr(compare, "NORMAL_MIN_ARTICLES", 10**9)
    monkey.setattr(compare, "POOL_MIN_ARTICLES", 10**9)
    try:
        reference = compare.outlet_metrics(articles, scores, samples=2000, seed=SEED)
    finally:
        monkey.undo()
    tested = pooled["p_value"].notna()
    assert tested.sum() >= 30 and (tested == reference["p_value"].notna()).all()
    width = (pooled["diff_high"] - pooled["diff_low"])[tested]
    ref_width = (reference["diff_high"] - reference["diff_low"])[tested]
    assert np.allclose(width, ref_width, rtol=0.12), (width / ref_width).describe()
    assert np.allclose(pooled["p_value"][tested], reference["p_value"][tested], atol=0.08)
    assert (pooled["significant"] == reference["significant"]).mean() >= 0.95


def test_resampling_memory_is_bounded_by_blocks() -> None:
    import tracemalloc

    from analysis.compare.stats import bootstrap_group_means, poisson_rest_means

    values = np.random.default_rng(1).normal(size=(20_000, 2))
    tracemalloc.start()
    try:
        bootstrap_group_means(values, 2000, seed=1)
        poisson_rest_means(values, [(0, 10), (10, 500)], 2000, seed=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 120 * 2**20, peak / 2**20  # one unblocked draw alone would hold 2,000 x 20,000 x 8 = 320 MB


def test_groups_resampled_in_chunks_give_the_table_of_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    # Above POOL_MIN_ARTICLES the rests of each chunk of groups come from one pass over the pool; the
    # pass draws the same weights whatever the chunk, so chunks of 3 groups give the one-pass table.
    import analysis.compare.outlets as compare

    articles, scores = _many_outlets(3000, 40)
    monkeypatch.setattr(compare, "NORMAL_MIN_ARTICLES", 10**9)  # every rest by the pool's Poisson bootstrap
    one_pass = compare.outlet_metrics(articles, scores, samples=300, seed=SEED)
    calls: list[int] = []
    real = compare.poisson_rest_means
    monkeypatch.setattr(compare, "poisson_rest_means",
                        lambda values, ranges, samples, seed: calls.append(len(ranges)) or real(values, ranges,
                                                                                              samples, seed))
    monkeypatch.setattr(compare, "_REST_CELLS", 300 * 3)  # 3 groups of one metric a chunk
    chunked = compare.outlet_metrics(articles, scores, samples=300, seed=SEED)
    assert len(calls) > 5 and max(calls) <= 3
    assert one_pass["p_value"].notna().sum() >= 30
    pd.testing.assert_frame_equal(chunked, one_pass)


def _skewed_outlets(sizes: list[int], seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outlets of the given sizes whose tone is skewed like VADER's (a third exactly 0, a long positive tail)."""
    rng = np.random.default_rng(seed)
    names = np.repeat([f"outlet {k}" for k in range(len(sizes))], sizes)
    ids = [f"a-{n:06d}" for n in range(len(names))]
    shift = np.repeat(np.linspace(-0.05, 0.05, len(sizes)), sizes)
    tone = np.where(rng.random(len(names)) < 0.33, 0.0, np.clip(rng.exponential(0.3, len(names)) - 0.2 + shift, -1, 1))
    length = rng.lognormal(6.5, 0.6, len(names))
    scores = pd.concat([pd.DataFrame({"article_id": ids, "scorer": "s", "metric": metric, "value": value})
                        for metric, value in (("tone", tone), ("words", length))], ignore_index=True)
    return pd.DataFrame({"id": ids, "outlet": names}), scores


def test_large_groups_and_rests_take_the_normal_law_of_their_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    # At NORMAL_MIN_ARTICLES values and above, a mean is resampled from its normal law (no bootstrap at all);
    # the intervals and p-values agree with the bootstrap's to its own noise, on skewed values.
    import analysis.compare.outlets as compare

    articles, scores = _skewed_outlets([520, 700, 900, 1300, 40, 12])
    threshold = compare.NORMAL_MIN_ARTICLES
    calls: list[str] = []
    real_boot, real_pool = compare.bootstrap_group_means, compare.poisson_rest_means
    monkeypatch.setattr(compare, "bootstrap_group_means",
                        lambda values, samples, seed: calls.append("own") or real_boot(values, samples, seed))
    monkeypatch.setattr(compare, "poisson_rest_means",
                        lambda *args: calls.append("pool") or real_pool(*args))
    normal = compare.outlet_metrics(articles, scores, samples=2000, seed=SEED)
    assert calls == ["own", "own"]  # only the two small outlets (40 and 12 articles) are bootstrapped
    monkeypatch.setattr(compare, "NORMAL_MIN_ARTICLES", 10**9)
    calls.clear()
    bootstrap = compare.outlet_metrics(articles, scores, samples=2000, seed=SEED)
    assert calls.count("own") == 6 and calls.count("pool") == 1  # every own, and the rests from the pool
    pd.testing.assert_series_equal(normal["mean"], bootstrap["mean"])
    big = normal["n"] >= threshold
    assert big.sum() == 8
    width = (normal["high"] - normal["low"])[big]
    assert np.allclose(width, (bootstrap["high"] - bootstrap["low"])[big], rtol=0.08)
    tested = normal["p_value"].notna()
    assert tested.sum() == 12 and (tested == bootstrap["p_value"].notna()).all()
    diff_width = (normal["diff_high"] - normal["diff_low"])[tested]
    assert np.allclose(diff_width, (bootstrap["diff_high"] - bootstrap["diff_low"])[tested], rtol=0.08)
    assert np.allclose(normal["p_value"][tested], bootstrap["p_value"][tested], atol=0.05)
    assert (normal["significant"] == bootstrap["significant"]).all()


def test_a_mean_interval_from_500_values_is_the_normal_laws_and_the_bootstraps_below() -> None:
    from analysis.compare.stats import NORMAL_MIN_VALUES, bootstrap_mean_ci

    rng = np.random.default_rng(3)
    skewed = np.where(rng.random(900) < 0.33, 0.0, np.clip(rng.exponential(0.3, 900) - 0.2, -1, 1))
    normal = bootstrap_mean_ci(skewed, samples=4000, seed=1)
    resampled = bootstrap_mean_ci(skewed, samples=4000, seed=1, normal_min=10**9)
    assert normal[0] == resampled[0] == pytest.approx(skewed.mean())
    assert normal[2] - normal[1] == pytest.approx(resampled[2] - resampled[1], rel=0.06)
    assert normal[1] == pytest.approx(resampled[1], abs=0.004) and normal[2] == pytest.approx(resampled[2], abs=0.004)
    few = skewed[:NORMAL_MIN_VALUES - 1]
    assert bootstrap_mean_ci(few, samples=500, seed=2) == bootstrap_mean_ci(few, samples=500, seed=2, normal_min=10**9)


def test_normal_draws_of_a_metric_do_not_depend_on_the_metrics_beside_it() -> None:
    # Outlet A has 300 values of m1 (bootstrap) and 700 of m2 and m3 (normal law): one block of all three
    # metrics, one metric a block and the whole-table path give the same table.
    from analysis.compare.outlets import outlet_metrics, outlet_metrics_by_blocks

    rng = np.random.default_rng(0)
    n = 1500
    outlets = np.where(np.arange(n) < 700, "A", np.where(np.arange(n) < 1400, "B", "C"))
    articles = pd.DataFrame({"id": [f"a{i:05d}" for i in range(n)], "outlet": outlets, "key": np.arange(1, n + 1)})
    values = {m: rng.normal(size=n) for m in ("m1", "m2", "m3")}
    values["m1"][:400] = np.nan

    def read(scorer: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        present = ~np.isnan(values[metric])
        return articles["key"].to_numpy()[present], values[metric][present]

    keys = [("s", "m1"), ("s", "m2"), ("s", "m3")]
    one_block = outlet_metrics_by_blocks(articles, keys, read, samples=400)
    per_metric = outlet_metrics_by_blocks(articles, keys, read, samples=400, max_cells=n)
    pd.testing.assert_frame_equal(one_block, per_metric)
    scores = pd.concat([pd.DataFrame({"article_id": articles["id"], "scorer": "s", "metric": m, "value": v})
                        for m, v in values.items()]).dropna(subset=["value"])
    whole = outlet_metrics(articles, scores, samples=400)
    pd.testing.assert_frame_equal(one_block, whole, check_exact=False, rtol=1e-9, atol=1e-12)
    assert (one_block["n"] >= 500).any() and (one_block["p_value"].notna()).all()
