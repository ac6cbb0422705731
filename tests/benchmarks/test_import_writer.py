"""The import writer's benchmark: stores what the importer would, and never overwrites a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.import_writer import main
from core.store import Store


def _file(tmp_path: Path) -> Path:
    records = [{"id": f"t-{n}", "outlet": "Daily Example", "url": f"https://daily.example/a-{n}",
                "title": f"Headline {n}", "published": "2024-05-01", "text": f"Body {n}. Tariffs rose."}
               for n in range(7)]
    records.append({"id": "bad", "text": ""})  # a bad line is skipped, as the importer rejects it
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.mark.sqlite_only(reason="copies an SQLite file")
def test_stores_the_good_articles_and_a_copy_is_deleted_after(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    assert main([str(path), "--db", str(tmp_path / "s.db")]) == 0
    with Store.open(tmp_path / "s.db", readonly=True) as store:
        assert store.count("articles") == 7
    assert "read 7 articles" in capsys.readouterr().out
    assert main([str(path), "--db", str(tmp_path / "c.db"), "--copy-of", str(tmp_path / "s.db"), "--defaults"]) == 0
    assert not (tmp_path / "c.db").exists()
    assert main([str(path), "--db", str(tmp_path / "s.db"), "--copy-of", str(tmp_path / "s.db")]) == 2
    assert "exists" in capsys.readouterr().err
