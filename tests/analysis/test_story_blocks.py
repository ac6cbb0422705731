"""Story grouping in date-ordered blocks: the store's block reader, pruning, the same stories as all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.stories import blocks
from analysis.stories.blocks import frame_blocks, group_frame_in_blocks, prune
from analysis.stories.grouping import StoryIndex
from analysis.stories.linking import MAX_GAP_DAYS, group_articles
from analysis.stories.store import MIN_KEEP_DAYS, group_store
from core.store import ArticleFilter, Store
from tests.analysis.test_story_linking import BRIDGE, BUDGET, OTHER, art
from tests.helpers import run_cli

# A wildfire three weeks after the bridge collapse: by then the bridge story can no longer grow.
FIRE = [art(f"w{i}", "ABCD"[i], 24 + i // 2, title, text) for i, (title, text) in enumerate([
    ("Wildfire forces evacuation of hill villages",
     "A wildfire forced the evacuation of three hill villages as strong winds pushed the flames downhill."),
    ("Hill villages evacuated as wildfire spreads",
     "Firefighters fought the wildfire as the hill villages were evacuated and the winds spread the flames."),
    ("Wildfire contained as villagers return home",
     "The wildfire was contained and villagers returned to the hill villages after the winds eased."),
    ("Villagers return as firefighters contain wildfire",
     "Firefighters contained the wildfire; villagers of the hill villages returned home to burnt fields."),
])]
UNDATED = [{**art("u1", "E", 1, "Harbour bridge inquiry hears from engineers",
                  "Engineers told the Harbour bridge inquiry that corroded cables were reported before the collapse."),
            "published": None}]


def partition(ids: list[str], groups: list[str]) -> list[list[str]]:
    """Return the groups as sorted lists of ids (ids themselves do not matter, the partition does)."""
    members: dict[str, list[str]] = {}
    for article_id, group in zip(ids, groups):
        members.setdefault(group, []).append(article_id)
    return sorted(sorted(m) for m in members.values())


def stories_of_whole(grouping: object) -> dict[str, str]:
    return dict(zip(grouping.articles["id"], grouping.articles["story"]))  # type: ignore[attr-defined]


def corpus() -> pd.DataFrame:
    return pd.DataFrame(BRIDGE + BUDGET + OTHER + FIRE)


@pytest.mark.parametrize("size", [6, 10, 100])
def test_blocks_give_the_same_stories_and_events_as_all_at_once(size: int) -> None:
    articles = corpus()
    whole = group_articles(articles).articles
    found, run = group_frame_in_blocks(articles, size)
    ids = articles["id"].tolist()
    assert found["id"].tolist() == ids
    assert partition(ids, found["story"].tolist()) == partition(ids, whole["story"].tolist())
    assert partition(ids, found["event"].tolist()) == partition(ids, whole["event"].tolist())
    assert run.largest_block <= size and run.articles == len(ids)


def test_small_blocks_keep_the_multi_article_stories() -> None:
    """Blocks of three or four articles (days cut in two) still find the bridge, the budget and the fire.

    (Blocks of two merge the budget into the bridge story: a block far smaller than a day decides
    early, from half a day, what a grouping of the whole day would not.)
    """
    articles = corpus()
    ids = articles["id"].tolist()
    for size in (3, 4):
        found, _ = group_frame_in_blocks(articles, size)
        groups = partition(ids, found["story"].tolist())
        story_of = {a: tuple(g) for g in groups for a in g}
        assert {a["id"] for a in BRIDGE} <= set(story_of["b1"])
        assert {a["id"] for a in BUDGET} <= set(story_of["n1"])
        assert set(story_of["w0"]) == {a["id"] for a in FIRE}
        assert story_of["b1"] != story_of["n1"]


def test_an_undated_article_goes_with_the_block_of_its_best_dated_match() -> None:
    articles = pd.DataFrame(BRIDGE + BUDGET + OTHER + FIRE + UNDATED)
    dated, undated = articles[articles["published"].notna()], articles[articles["published"].isna()]
    counts = blocks.count_frequencies(frame_blocks(articles, 5))
    days = blocks.undated_days(frame_blocks(undated, 5), frame_blocks(dated, 5), counts)
    bridge_days = {float((pd.Timestamp(str(a["published"])) - pd.Timestamp("1970-01-01")).days) for a in BRIDGE}
    assert set(days) == {"u1"} and days["u1"] in bridge_days
    whole = group_articles(articles).articles
    found, _ = group_frame_in_blocks(articles, 5)
    story = dict(zip(found["id"], found["story"]))
    assert story["u1"] == story["b1"]  # with the bridge, as all at once
    assert whole.set_index("id").loc["u1", "story"] == whole.set_index("id").loc["b1", "story"]
    # a block holds the dated articles of its days and the undated matched to them
    ordered = list(blocks.with_undated(frame_blocks(dated, 5), frame_blocks(undated, 5), days,
                                       lambda ids: undated[undated["id"].isin(ids)]))
    holder = [b for b in ordered if "u1" in set(b["id"])]
    assert len(holder) == 1 and len(holder[0]) <= 5 + 1
    assert days["u1"] <= max(float((pd.Timestamp(p) - pd.Timestamp("1970-01-01")).days)
                             for p in holder[0]["published"].dropna())


def test_frame_blocks_follow_dates_keep_days_whole_and_put_the_undated_last() -> None:
    articles = pd.DataFrame(BRIDGE + BUDGET + UNDATED)
    parts = list(frame_blocks(articles, 3))
    assert all(len(p) <= 3 for p in parts)
    assert [i for p in parts for i in p["id"]] == ["b1", "b2", "b3", "n1", "n2", "b4", "n3", "b5", "b6", "u1"]
    days = [sorted(set(p["published"].dropna().str[:10])) for p in parts]
    # day 4 holds three articles: a block of three ends before it when a day is cut, so day 3 stays whole
    assert days[:3] == [["2025-03-03"], ["2025-03-04"], ["2025-03-05"]]
    assert parts[-1]["id"].tolist() == ["u1"]


def test_pruning_drops_finished_stories_and_keeps_the_term_weights() -> None:
    articles = corpus()
    index = group_articles(articles).index
    def day(iso: str) -> float:
        return float((pd.Timestamp(iso) - pd.Timestamp("1970-01-01")).days)

    kept, dropped = prune(index, day("2025-03-08"))  # the bridge's last day: nothing ends before it
    assert dropped < len(articles) - len(FIRE) and set(a["id"] for a in BRIDGE) <= set(kept.ids)
    kept, dropped = prune(index, day("2025-03-03"))
    assert dropped == 0 and kept is index
    cutoff = day("2025-03-20")
    kept, dropped = prune(index, cutoff)
    assert set(kept.ids) == {a["id"] for a in FIRE}
    assert dropped == len(articles) - len(FIRE)
    assert kept.documents == index.documents == len(articles)
    assert (kept.body_df == index.body_df).all()
    assert kept.body_tf.shape[0] == len(FIRE) and kept.neighbours.shape[0] == len(FIRE)
    assert set(kept.story_of) == {a["id"] for a in FIRE}


def test_the_least_keep_days_is_the_linking_gap() -> None:
    assert MIN_KEEP_DAYS == MAX_GAP_DAYS
    with pytest.raises(ValueError, match="keep_days"):
        blocks.group_in_blocks([], keep_days=MAX_GAP_DAYS - 1)


def _store(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    db = tmp_path / "s.db"
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = run_cli("scrapers", "import", str(source), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def test_the_store_reads_blocks_of_at_most_n_articles_in_date_order(tmp_path: Path) -> None:
    db = _store(tmp_path, BRIDGE + BUDGET + OTHER + FIRE + UNDATED)
    with Store.open(db) as store:
        everything = store.articles(columns=["source_id", "published"])
        key = dict(zip(everything["id"], everything["source_id"]))
        parts = list(store.article_blocks(["title", "text"], 4))
        assert all(0 < len(p) <= 4 for p in parts)
        read = [key[i] for p in parts for i in p["id"]]
        assert sorted(read) == sorted(everything["source_id"]) and len(read) == len(set(read))
        assert read[-1] == "u1"  # the undated last
        published = [p for part in parts for p in part["published"]]
        dated = [p for p in published if p is not None]
        assert dated == sorted(dated)
        assert set(parts[0].columns) >= {"id", "published", "title", "text"}
        # with every article grouped, nothing is ungrouped
        group_store(store, tmp_path / "s.npz", block_articles=4)
        assert list(store.article_blocks(["title"], 4, ungrouped=True)) == []


def test_group_store_never_groups_more_than_a_block_and_keeps_only_running_stories(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _store(tmp_path, BRIDGE + BUDGET + OTHER + FIRE)
    sizes: list[int] = []
    original = blocks.group_articles

    def counting(articles: pd.DataFrame, **kwargs: object) -> object:
        sizes.append(len(articles))
        return original(articles, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(blocks, "group_articles", counting)
    with Store.open(db) as store:
        message = group_store(store, tmp_path / "s.npz", block_articles=5, keep_days=7)
        assert max(sizes) <= 5 and sum(sizes) == len(BRIDGE + BUDGET + OTHER + FIRE)
        assert "19 articles grouped" in message
        arts = store.articles(columns=["source_id", "story_id", "event_id"])
        story = dict(zip(arts["source_id"], arts["story_id"]))
        assert arts["event_id"].notna().all()
        assert len({story[a["id"]] for a in BRIDGE}) == 1 and story["b1"] != story["n1"]
        members = store.articles(ArticleFilter(story_id=story["b1"]), columns=["source_id"])
        assert set(members["source_id"]) == {a["id"] for a in BRIDGE}
        # the bridge spans blocks; its stored label is the most central headline of all six, as all at once
        whole = group_articles(corpus())
        whole_label = whole.stories.set_index("story").loc[stories_of_whole(whole)["b1"], "label"]
        assert store.stories().set_index("story").loc[story["b1"], "label"] == whole_label
    index = StoryIndex.load(tmp_path / "s.npz")
    # the index keeps the wildfire (still running at the last block) and none of the March 3-9 articles
    assert len(index) == len(FIRE)
    assert index.documents == len(BRIDGE + BUDGET + OTHER + FIRE)


def test_an_incremental_run_reads_back_a_pruned_story_for_a_late_article(tmp_path: Path) -> None:
    """The bridge's last two articles arrive after the wildfire: the saved index no longer holds the bridge."""
    db = _store(tmp_path, BRIDGE[:4] + BUDGET + OTHER + FIRE)
    with Store.open(db) as store:
        group_store(store, tmp_path / "s.npz", block_articles=4, keep_days=7)
        arts = store.articles(columns=["source_id", "story_id"])
        before = dict(zip(arts["source_id"], arts["story_id"]))
    assert "b1" not in set(StoryIndex.load(tmp_path / "s.npz").ids)  # pruned: the bridge ended 3 weeks before
    later = tmp_path / "later.jsonl"
    later.write_text("".join(json.dumps(r) + "\n" for r in BRIDGE[4:]), encoding="utf-8")
    assert run_cli("scrapers", "import", str(later), "--db", str(db)).returncode == 0
    with Store.open(db) as store:
        message = group_store(store, tmp_path / "s.npz", block_articles=4, keep_days=7)
        arts = store.articles(columns=["source_id", "story_id"])
        after = dict(zip(arts["source_id"], arts["story_id"]))
    assert "2 articles grouped" in message
    read_back = int(message.split(" read back")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert read_back >= 4  # at least the bridge's first four articles
    assert {a: after[a] for a in before} == before  # nothing regrouped
    assert after["b5"] == after["b6"] == after["b1"]  # the inquiry joins the bridge story read back


def test_cli_flags_check_the_block_and_the_days(tmp_path: Path) -> None:
    db = _store(tmp_path, BRIDGE)
    bad = run_cli("analysis", "stories", "--db", str(db), "--block-articles", "0")
    assert bad.returncode == 2 and "--block-articles" in bad.stderr
    bad = run_cli("analysis", "stories", "--db", str(db), "--keep-days", "2")
    assert bad.returncode == 2 and "--keep-days" in bad.stderr
    done = run_cli("analysis", "stories", "--db", str(db), "--block-articles", "2", "--keep-days", "9")
    assert done.returncode == 0, done.stderr
    assert "block(s) of at most 2" in done.stdout
