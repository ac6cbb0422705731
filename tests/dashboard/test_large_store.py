"""A store too large to load whole: the dashboard filters and sums compact columns, and reads narrow selections.

The sample store is made "large" by the settings (``dashboard_catalogue_max``); every figure is compared
with what the in-memory catalogue gives for the same selection.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.compare.stats import bootstrap_mean_ci, stable_seed
from core import kept as kept_parts
from core.settings import Settings
from core.store import ArticleFilter, Store
from dashboard import columns as keyed
from dashboard import queries
from tests.dashboard.test_app import APP, PAGES, TWO

SETTINGS = Settings()


@pytest.fixture(scope="module")
def loaded(sample_db: Path) -> tuple[kept_parts.Columns, pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    with Store.open(sample_db, readonly=True) as store:
        cols = kept_parts.load(store)
        groups = kept_parts.load_groups(store)
        tones = {m: kept_parts.metric(store, cols, "tone_vader", m) for m in kept_parts.TONE_METRICS}
    return cols, groups, queries.catalogue(str(sample_db), SETTINGS), tones


def _mask(sample_db: Path, cols: kept_parts.Columns, flt: ArticleFilter) -> np.ndarray:
    narrow = keyed.narrow_filter(flt)
    with Store.open(sample_db, readonly=True) as store:
        keys = store.keys_where(narrow) if narrow is not None else None
    return keyed.mask(cols, flt, keys)


def _filters(catalogue: pd.DataFrame) -> list[ArticleFilter]:
    days = sorted(catalogue["day"].dropna().unique())
    story = catalogue["story_id"].dropna().iloc[0]
    return [ArticleFilter(), ArticleFilter(outlets=tuple(TWO)), ArticleFilter(since=days[2], until=days[-3]),
            ArticleFilter(topic="local"), ArticleFilter(groups=("left", "center")), ArticleFilter(story_id=story),
            ArticleFilter(search="Ruiz"), ArticleFilter(outlets=tuple(TWO), since=days[3], story_id=story)]


def test_the_columns_select_what_the_catalogue_selects(sample_db: Path, loaded) -> None:
    cols, _groups, catalogue, _tones = loaded
    assert cols.articles == len(catalogue) == 36
    with Store.open(sample_db, readonly=True) as store:
        ids = dict(zip(store.articles(columns=["key"])["key"], store.articles(columns=["key"])["id"]))
    for flt in _filters(catalogue):
        matching = frozenset(queries.search_ids(str(sample_db), flt.search, SETTINGS)) if flt.search else None
        expected = set(queries.apply_filter(catalogue, flt, matching)["id"])
        chosen = {ids[k] for k in cols.keys[_mask(sample_db, cols, flt)]}
        assert chosen == expected and expected, flt


@pytest.mark.parametrize("by", ["outlet", "bias", "country"])
def test_group_counts_and_means_equal_the_catalogue(sample_db: Path, loaded, by: str) -> None:
    cols, groups, catalogue, tones = loaded
    for flt in _filters(catalogue)[:5]:
        keep = _mask(sample_db, cols, flt)
        frame = queries.apply_filter(catalogue, flt)
        expected = queries.group_counts(frame, by).reset_index(drop=True)
        got = keyed.group_counts(cols, keep, tones["tone"], by, groups)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
        table = keyed.group_table(cols, keep, tones, by, SETTINGS, "tone (VADER)", groups)
        memory = queries.group_view(frame, SETTINGS, by, scorer="tone_vader")
        assert list(table.columns) == list(memory.columns)
        both = memory.merge(table, on=by, suffixes=("", "_columns"))
        assert len(both) == len(memory) == len(table)
        for column in ("articles", "scored", "tone_mean", "headline_tone_mean"):
            assert np.allclose(both[column].astype(float), both[f"{column}_columns"].astype(float), equal_nan=True)
        # an interval exactly where the catalogue draws one (from MIN_ARTICLES scored articles)
        assert (both["tone_low"].isna() == both["tone_low_columns"].isna()).all()
        inside = both.dropna(subset=["tone_low_columns"])
        assert (inside["tone_low_columns"] <= inside["tone_mean"]).all()
        assert (inside["tone_mean"] <= inside["tone_high_columns"]).all()


def test_intervals_are_the_bootstrap_below_500_values_and_the_normal_law_from_500() -> None:
    rng = np.random.default_rng(3)
    big, small = rng.normal(0.1, 0.3, 800), rng.normal(-0.2, 0.2, 40)
    n = len(big) + len(small) + 3
    outlet = np.r_[np.zeros(len(big)), np.ones(len(small)), np.full(3, 2)].astype(int)
    facets = pd.DataFrame({
        "outlet": pd.Categorical.from_codes(outlet, categories=["Big", "Small", "Tiny"]),
        "day": pd.Categorical.from_codes(np.arange(n) % 3, categories=["2025-01-01", "2025-01-02", "2025-01-03"]),
        "topic": pd.Categorical([None] * n), "story": pd.Categorical([None] * n)})
    cols = kept_parts.Columns(keys=np.arange(n), facets=facets, copies=np.zeros(n, dtype=bool),
                         repaired=np.zeros(n, dtype=bool), listed=pd.DataFrame(columns=["name", "bias", "country"]))
    tone = np.r_[big, small, [0.5, 0.4, np.nan]]
    table = keyed.group_table(cols, np.ones(n, dtype=bool), {"tone": tone}, "outlet", SETTINGS, "VADER").set_index(
        "outlet")
    half = 1.959964 * big.std(ddof=1) / np.sqrt(len(big))
    assert table.at["Big", "tone_mean"] == round(big.mean(), 4)
    assert table.at["Big", "tone_low"] == round(big.mean() - half, 4)
    assert table.at["Big", "tone_high"] == round(big.mean() + half, 4)
    mean, low, high = bootstrap_mean_ci(small, samples=SETTINGS.bootstrap_samples, confidence=SETTINGS.confidence,
                                        seed=stable_seed(SETTINGS.bootstrap_seed, "Small|tone"))
    assert (table.at["Small", "tone_low"], table.at["Small", "tone_high"]) == (round(low, 4), round(high, 4))
    assert table.at["Tiny", "scored"] == 2 and np.isnan(table.at["Tiny", "tone_low"])  # too few for an interval
    assert table.at["Tiny", "first_published"] == "2025-01-01" and table.at["Tiny", "last_published"] == "2025-01-03"


def test_volume_and_stories_from_the_columns_equal_the_catalogue(sample_db: Path, loaded) -> None:
    cols, _groups, catalogue, _tones = loaded
    for flt in _filters(catalogue)[:5]:
        keep = _mask(sample_db, cols, flt)
        frame = queries.apply_filter(catalogue, flt)
        pd.testing.assert_frame_equal(queries.volume_of_counts(keyed.day_counts(cols, keep)), queries.volume(frame))
        with Store.open(sample_db, readonly=True) as store:
            got = queries.large_stories(store, cols, keep).reset_index(drop=True)
        expected = queries.stories(frame).reset_index(drop=True)
        pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)


def test_sidebar_options_of_a_large_store_equal_the_catalogue(sample_db: Path) -> None:
    small = queries.sidebar_options(str(sample_db), SETTINGS)
    large = queries.sidebar_options(str(sample_db), Settings(dashboard_catalogue_max=10))
    assert small.outlets == large.outlets and small.topics == large.topics and small.groups == large.groups
    assert (small.first_day, small.last_day, small.articles) == (large.first_day, large.last_day, large.articles)
    assert set(small.stories) == set(large.stories) and small.story_labels == large.story_labels


def _large(monkeypatch: pytest.MonkeyPatch, db: Path, page: str, selection_max: int) -> AppTest:
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    monkeypatch.setenv("PRESSLENS_DASHBOARD_CATALOGUE_MAX", "10")
    monkeypatch.setenv("PRESSLENS_DASHBOARD_SELECTION_MAX", str(selection_max))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_a_large_store_summed_and_narrowed(sample_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                              page: str) -> None:
    at = _large(monkeypatch, sample_db, page, selection_max=20)  # the 36 articles are summed, a story is read
    assert at.title[0].value and not at.get("error")
    at.multiselect(key="outlets").set_value(TWO).run()
    assert not at.exception
    at.radio(key="scope").set_value("Story").run()
    assert not at.exception
    at.selectbox(key="story").set_value(at.selectbox(key="story").options[0]).run()
    assert not at.exception and not at.get("error")


def test_compare_on_a_large_store_shows_the_catalogues_table(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _large(monkeypatch, sample_db, "app_pages/compare.py", selection_max=5)
    shown = next(t.value for t in at.dataframe if "tone_mean" in t.value.columns)
    expected = queries.group_view(queries.catalogue(str(sample_db), SETTINGS), SETTINGS, "outlet")
    assert sorted(shown["outlet"]) == sorted(expected["outlet"])
    assert dict(zip(shown["outlet"], shown["articles"])) == dict(zip(expected["outlet"], expected["articles"]))
    assert np.allclose(shown.set_index("outlet").loc[expected["outlet"], "tone_mean"], expected["tone_mean"])
    assert any("normal law" in c.value for c in at.caption)


def test_a_page_that_reads_rows_asks_for_a_narrower_selection(sample_db: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    at = _large(monkeypatch, sample_db, "app_pages/tone.py", selection_max=5)
    assert any("36 articles, more than the 5" in i.value for i in at.info)
    at.radio(key="scope").set_value("Story").run()
    at.selectbox(key="story").set_value(at.selectbox(key="story").options[0]).run()  # 13 articles: still too many
    assert any("more than the 5" in i.value for i in at.info)


def test_the_newest_articles_are_read_from_the_newest_days_only(sample_db: Path, loaded) -> None:
    cols, _groups, _catalogue, _tones = loaded
    with Store.open(sample_db, readonly=True) as store:
        everything = store.articles(columns=["published", "key"])
        for limit in (1, 7, 20, 36, 50):
            keep = np.ones(cols.articles, dtype=bool)
            read = keyed.newest_keys(cols, keep, limit)
            assert len(read) >= min(limit, 36) and (len(read) < 36 or limit >= 30)
            rows = store.articles(columns=["published", "key"], keys=read)
            got = rows.sort_values(["published", "key"], ascending=False, na_position="last").head(limit)
            expected = everything.sort_values(["published", "key"], ascending=False, na_position="last").head(limit)
            assert got["key"].tolist() == expected["key"].tolist()


def _same_columns(a: kept_parts.Columns, b: kept_parts.Columns) -> None:
    assert np.array_equal(a.keys, b.keys) and np.array_equal(a.copies, b.copies)
    assert np.array_equal(a.repaired, b.repaired)
    pd.testing.assert_frame_equal(a.facets, b.facets)
    pd.testing.assert_frame_equal(a.listed.reset_index(drop=True), b.listed.reset_index(drop=True), check_dtype=False)


def test_the_parts_kept_beside_the_store_are_what_it_holds_until_it_changes(sample_db: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(sample_db, db)
    db.chmod(0o640)
    kept = tmp_path / "copy.db.dashboard"
    with Store.open(db) as store:
        fresh = kept_parts.load(store)
        assert fresh.listed["country"].isna().any() and fresh.facets["day"].isna().any()  # gaps survive the files
        cols = kept_parts.load_kept(store, kept)
        _same_columns(cols, fresh)
        pd.testing.assert_frame_equal(kept_parts.kept_groups(store, cols), kept_parts.load_groups(store))
        tone = kept_parts.kept_metric(store, cols, "tone_vader", "tone")
        assert np.array_equal(tone, kept_parts.metric(store, fresh, "tone_vader", "tone"), equal_nan=True)
        assert np.isfinite(tone).sum() > 30
        assert sorted(p.name for p in kept.iterdir()) == ["columns.npz", "groups.npz", "metric-tone_vader-tone.npz"]
        assert {p.stat().st_mode & 0o777 for p in kept.iterdir()} == {0o640}  # as readable as the store, no more
        assert kept.stat().st_mode & 0o777 == 0o750
        # what the next start reads: the files (the store is not asked), equal to the store's own
        with monkeypatch.context() as patched:
            patched.setattr(kept_parts, "load", lambda _store: pytest.fail("the kept columns were not read"))
            again = kept_parts.load_kept(store, kept)
        no_store = None  # kept parts are read without asking the store
        pd.testing.assert_frame_equal(kept_parts.kept_groups(no_store, again), kept_parts.load_groups(store))
        assert np.array_equal(kept_parts.kept_metric(no_store, again, "tone_vader", "tone"), tone, equal_nan=True)
        _same_columns(again, fresh)
        assert store.upsert_outlets([{"name": "Coastline Post", "country": "NZ"}]) == 1  # a country filled in
        changed = kept_parts.load_kept(store, kept)  # the store changed: every part is read afresh
        assert not changed.kept.has("groups") and not changed.kept.has(kept_parts.metric_part("tone_vader", "tone"))
        assert changed.listed.set_index("name").loc["Coastline Post", "country"] == "NZ"
        _same_columns(changed, kept_parts.load(store))


def test_a_store_built_again_at_the_same_path_never_reads_the_old_columns(sample_db: Path, tmp_path: Path) -> None:
    """Same path, same number of writes and articles: the last write's token (and the first run's start) tell
    the two stores apart."""
    db = tmp_path / "again.db"
    kept = tmp_path / "again.db.dashboard"
    shutil.copy(sample_db, db)
    with Store.open(db) as store:
        first = store.fingerprint()
        kept_parts.load_kept(store, kept)
    with Store.open(db) as store, store._write() as conn:  # the same content, another first run
        conn.execute("UPDATE runs SET started_at = '2001-01-01T00:00:00' WHERE id = (SELECT MIN(id) FROM runs)")
        conn.execute("UPDATE articles SET outlet = 'Another Outlet' WHERE key = (SELECT MIN(key) FROM articles)")
        conn.execute("UPDATE store_state SET value = value - 1 WHERE key = 'data_version'")  # as many writes
    with Store.open(db) as store:
        assert store.data_version() == int(first.split("|")[0]) and store.fingerprint() != first
        assert "Another Outlet" in set(kept_parts.load_kept(store, kept).outlets)


@pytest.mark.parametrize("damage", ["foreign", "empty", "truncated"])
def test_an_unreadable_or_unwritable_kept_part_costs_only_the_read(sample_db: Path, tmp_path: Path,
                                                                   damage: str) -> None:
    kept = tmp_path / "bad"
    with Store.open(sample_db, readonly=True) as store:
        fresh = kept_parts.load(store)
        kept_parts.load_kept(store, kept)
        whole = (kept / "columns.npz").read_bytes()
        (kept / "columns.npz").write_bytes({"foreign": b"not an npz file", "empty": b"",
                                           "truncated": whole[: len(whole) // 2]}[damage])
        _same_columns(kept_parts.load_kept(store, kept), fresh)  # read from the index, the file replaced
        assert kept_parts.Kept.of(store, kept).has("columns")
        _same_columns(kept_parts.load_kept(store, tmp_path / "no-such-dir" / "deeper"), fresh)
        assert not (tmp_path / "no-such-dir").exists()
        odd = kept_parts.Kept.of(store, kept)
        groups = pd.DataFrame({"country": ["a\x00b"]}, index=pd.Index(["X"], name="outlet"))
        encode, decode = kept_parts._frame_arrays, kept_parts._frame_of
        assert odd.get("odd", lambda: groups, encode, decode) is groups  # not kept, not lost
        assert not odd.has("odd")
        plain = kept_parts.load_kept(store, None)  # a PostgreSQL store: nothing kept
        _same_columns(plain, fresh)
        pd.testing.assert_frame_equal(kept_parts.kept_groups(store, plain), kept_parts.load_groups(store))


@pytest.mark.sqlite_only(reason="the parts are kept beside an SQLite store only; a PostgreSQL store keeps none")
def test_the_server_reads_a_large_stores_columns_before_the_first_page(sample_db: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``dashboard.serve`` prepares the first page while the browser loads: the columns are read (and kept
    beside the store) before any page asks, with the groups and tone arrays already kept; the pages then
    take them from the cache."""
    from streamlit import runtime

    from dashboard import serve, ui

    db = tmp_path / "served.db"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    monkeypatch.setenv("PRESSLENS_DASHBOARD_CATALOGUE_MAX", "10")
    monkeypatch.setattr(runtime, "exists", lambda: True)
    kept = tmp_path / "served.db.dashboard"
    with Store.open(db, readonly=True) as store:
        version = store.data_version()
        cols = kept_parts.load_kept(store, kept)
        kept_parts.kept_groups(store, cols)  # as an earlier server left them
        kept_parts.kept_metric(store, cols, "tone_vader", "tone")
    (kept / "columns.npz").unlink()
    serve.prepare()
    assert (kept / "columns.npz").is_file()
    for part in kept.iterdir():
        part.unlink()
    cols = ui.keyed_columns(str(db), version)  # from the caches the preparation filled: nothing read or written
    groups = ui.keyed_groups(str(db), version)
    tone = ui.keyed_metric(str(db), version, "tone_vader", "tone")
    assert cols.articles == 36 and len(groups) == 6 and np.isfinite(tone).sum() > 30
    assert not list(kept.iterdir())


def test_kept_outlet_groups_follow_an_edit_of_the_outlets_table(sample_db: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The groups read the outlets table as well as the store: an edit on the Outlets page (the user's file)
    makes the kept groups stale though the store did not change."""
    from core.outlets import save_override

    local = tmp_path / "outlets.local.toml"
    monkeypatch.setenv("PRESSLENS_OUTLETS_LOCAL", str(local))
    kept = tmp_path / "groups.db.dashboard"
    with Store.open(sample_db, readonly=True) as store:
        cols = kept_parts.load_kept(store, kept)
        before = kept_parts.kept_groups(store, cols)
        assert kept_parts.is_kept(cols, "groups") and before.loc["Valley Courier", "country"] != "NZ"
        save_override(local, "Valley Courier", {"country": "NZ"})
        assert not kept_parts.is_kept(cols, "groups")
        after = kept_parts.kept_groups(store, cols)
        assert after.loc["Valley Courier", "country"] == "NZ"
        pd.testing.assert_frame_equal(after, kept_parts.load_groups(store))
        assert kept_parts.is_kept(cols, "groups")
