"""The scale benchmark's replayed corpus: fresh ids, shifted dates, the same texts, streamed."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

from benchmarks.replay import replay_records, write_replay
from core.store import Store
from scrapers.importer import import_files

SOURCE = [
    {"id": "abp-1", "outlet": "Daily Example", "url": "https://daily.example/a/1?page=2", "title": "One",
     "published": "2020-02-27", "topic": "trade", "story_id": "st-1", "text": "First text.\nSecond paragraph.",
     "labels": {"allsides_bias": "center"}},
    {"id": "abp-2", "outlet": "Other Daily", "url": "https://other.example/b", "title": "Two",
     "published": "2019-12-30T08:15:00", "topic": None, "story_id": None, "text": "Another text.", "labels": {}},
    {"id": "abp-3", "outlet": "Other Daily", "url": "https://other.example/c", "title": "Three",
     "published": None, "topic": None, "story_id": "st-1", "text": "A third text.", "labels": {}},
]


def source(tmp_path: Path) -> Path:
    path = tmp_path / "src.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in SOURCE))
    return path


def test_copies_have_fresh_unique_ids_shifted_dates_and_the_same_text(tmp_path: Path) -> None:
    records = list(replay_records(source(tmp_path), 8, shift_days=7))
    assert [copy for copy, _, _ in records] == [0, 0, 0, 1, 1, 1, 2, 2]
    replayed = [r for _, _, r in records]
    assert len({r["id"] for r in replayed}) == 8 and len({r["url"] for r in replayed}) == 8
    assert not {r["id"] for r in replayed} & {r["id"] for r in SOURCE}
    assert replayed[4]["id"] == "abp-2~r1"
    assert replayed[0]["url"] == "https://daily.example/a/1?page=2&presslens_replay=0"
    assert [r["published"] for r in replayed[3:6]] == ["2020-03-05", "2020-01-06T08:15:00", None]
    assert replayed[6]["published"] == "2020-03-12"
    assert replayed[3]["story_id"] == "st-1~r1" and replayed[5]["story_id"] == "st-1~r1"
    for original, copy in ((o, r) for _, o, r in records):
        assert {k: copy[k] for k in ("title", "text", "outlet", "topic", "labels")} == \
               {k: original[k] for k in ("title", "text", "outlet", "topic", "labels")}


def test_every_copy_is_a_new_article_to_the_importer(tmp_path: Path) -> None:
    target = tmp_path / "scale.jsonl"
    assert write_replay(source(tmp_path), target, 7) == 7
    with Store.open(tmp_path / "s.db") as store:
        report = import_files([target], store)
        texts = store.articles(with_text=True)
    assert report.counts.inserted == 7 and not report.rejected
    assert texts["id"].nunique() == 7
    assert sorted(texts["text"].value_counts().tolist()) == [2, 2, 3]  # the texts, unchanged, once per copy


def test_the_source_is_streamed_not_held(tmp_path: Path) -> None:
    # 20 passes over a source of 3 records: memory in use stays that of a few records, not of 60.
    big = [{**r, "text": r["text"] + " word" * 20_000} for r in SOURCE]  # ~100 kB per record
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in big), encoding="utf-8")
    tracemalloc.start()
    count = 0
    for _copy, _original, replayed in replay_records(path, 60):
        count += len(replayed["text"]) > 0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 60
    assert peak < 2_000_000  # 60 records would hold 6 MB of text


def test_an_empty_source_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    assert list(replay_records(path, 5)) == []
