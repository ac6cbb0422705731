"""``python -m analysis stories`` on the store: ids written, data ids kept, incremental runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.stories.files import pairwise_scores
from analysis.stories.store import group_store
from core.store import Store
from tests.conftest import require_shared
from tests.helpers import run_cli


def _write_without_story_ids(src: Path, dst: Path, keep_every: int = 0) -> dict[str, str]:
    """Copy a corpus to ``dst`` without story ids (every ``keep_every``-th event keeps its id).

    Return the gold story of each source id.
    """
    gold: dict[str, str] = {}
    with src.open(encoding="utf-8") as fh, dst.open("w", encoding="utf-8") as out:
        for line in fh:
            record = json.loads(line)
            gold[record["id"]] = record["story_id"]
            if not (keep_every and hash_bucket(record["story_id"], keep_every)):
                record["story_id"] = None
            out.write(json.dumps(record) + "\n")
    return gold


def hash_bucket(story: str, every: int) -> bool:
    return sum(story.encode()) % every == 0


@pytest.fixture(scope="module")
def basil_plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("stories")
    src = require_shared("corpora", "basil", "articles.jsonl")
    dst = folder / "basil_no_ids.jsonl"
    return dst, _write_without_story_ids(src, dst, keep_every=10)


def _store_state(db: Path) -> tuple[list[str | None], list[str], dict[str, str | None], dict[str, str]]:
    with Store.open(db, readonly=True) as store:
        arts = store.articles(columns=["source_id", "story_id", "story_origin"])
    return (arts["story_id"].tolist(), arts["source_id"].tolist(),
            dict(zip(arts["id"], arts["story_id"])), dict(zip(arts["id"], arts["story_origin"])))


def test_store_grouping_finds_basil_events_and_keeps_data_ids(basil_plain: tuple[Path, dict[str, str]],
                                                               tmp_path: Path) -> None:
    corpus, gold = basil_plain
    db = tmp_path / "s.db"
    assert run_cli("scrapers", "import", str(corpus), "--db", str(db)).returncode == 0
    _, _, before, origin_before = _store_state(db)
    kept = {a: s for a, s in before.items() if origin_before[a] == "data"}
    assert 0 < len(kept) < len(before)

    done = run_cli("analysis", "stories", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "story ids written" in done.stdout
    assert (tmp_path / "s.db.stories.npz").exists()

    stories, sources, after, origin = _store_state(db)
    assert all(s is not None for s in stories)
    for article, story in kept.items():  # the data's own ids are never replaced
        assert after[article] == story and origin[article] == "data"
    scores = pairwise_scores([gold[s] for s in sources], [str(s) for s in stories])
    assert scores["f1"] > 0.9, scores
    with Store.open(db, readonly=True) as store:
        labelled = store.stories()
    grouped = labelled[labelled["origin"] == "grouping"]
    assert len(grouped) > 50 and grouped["label"].str.len().min() > 0
    assert grouped["key_terms"].map(len).max() > 0

    again = run_cli("analysis", "stories", "--db", str(db))
    assert again.returncode == 0 and "no new articles" in again.stdout
    assert _store_state(db)[2] == after


def test_new_articles_join_stories_already_in_the_store(basil_plain: tuple[Path, dict[str, str]],
                                                        tmp_path: Path) -> None:
    corpus, gold = basil_plain
    lines = corpus.read_text(encoding="utf-8").splitlines()
    # the first outlet of every event first, the other two later
    first, later = [], []
    seen: set[str] = set()
    for line in lines:
        story = gold[json.loads(line)["id"]]
        (later if story in seen else first).append(line)
        seen.add(story)
    db = tmp_path / "inc.db"
    part1, part2 = tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"
    part1.write_text("\n".join(first) + "\n", encoding="utf-8")
    part2.write_text("\n".join(later) + "\n", encoding="utf-8")
    with Store.open(db) as store:
        pass
    assert run_cli("scrapers", "import", str(part1), "--db", str(db)).returncode == 0
    with Store.open(db) as store:
        group_store(store, tmp_path / "inc.npz")
    _, _, round1, _ = _store_state(db)
    assert run_cli("scrapers", "import", str(part2), "--db", str(db)).returncode == 0
    with Store.open(db) as store:
        message = group_store(store, tmp_path / "inc.npz")
    assert f"{len(later):,} articles" in message
    stories, sources, round2, _ = _store_state(db)
    assert {a: round2[a] for a in round1} == round1  # nothing regrouped
    scores = pairwise_scores([gold[s] for s in sources], [str(s) for s in stories])
    assert scores["f1"] > 0.85, scores


def test_jsonl_form_writes_one_line_per_input(basil_plain: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    corpus, _ = basil_plain
    out = tmp_path / "out.jsonl"
    done = run_cli("analysis", "stories", "--in", str(corpus), "--out", str(out))
    assert done.returncode == 0, done.stderr
    ids_in = [json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ids_in
    assert all({"id", "story", "event"} <= set(r) and r["story"] and r["event"] for r in rows)


def test_bad_invocations_are_clear_errors(tmp_path: Path) -> None:
    half = run_cli("analysis", "stories", "--in", str(tmp_path / "x.jsonl"))
    assert half.returncode == 2 and "--in and --out go together" in half.stderr
    missing = run_cli("analysis", "stories", "--in", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "o.jsonl"))
    assert missing.returncode == 2 and "x.jsonl" in missing.stderr and "no such file" in missing.stderr
    bad_index = tmp_path / "bad.npz"
    bad_index.write_bytes(b"not an index")
    db = tmp_path / "e.db"
    with Store.open(db):
        pass
    broken = run_cli("analysis", "stories", "--db", str(db), "--index", str(bad_index))
    assert broken.returncode == 2 and "bad.npz" in broken.stderr
