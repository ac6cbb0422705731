"""Mojibake is repaired on import: the repaired text is stored and quoted, the original kept, the ledger counts it."""

from __future__ import annotations

import json
from pathlib import Path

from core.encoding import MOJIBAKE_LABEL, repair
from core.settings import Settings
from core.store import Store
from dashboard import queries
from scrapers.importer import import_files

BROKEN_TITLE = "Senate Vote Ã¢â‚¬Å“PresentÃ¢â‚¬â„¢ on the bill"
BROKEN_TEXT = "The senator said todayÃ¢Â\x80Â\x99s vote is about trust \x96 nothing else."
CLEAN = "A naïve “café” review, 10 °C outside – fine."


def test_repair_undoes_wrong_decodings_and_leaves_good_text_alone() -> None:
    assert repair(BROKEN_TITLE) == "Senate Vote “Present’ on the bill"
    assert repair(BROKEN_TEXT) == "The senator said today’s vote is about trust – nothing else."
    assert repair(CLEAN) == CLEAN and repair("") == ""


def test_import_stores_the_repaired_text_keeps_the_original_and_the_ledger_counts_it(tmp_path: Path) -> None:
    rows = [{"id": "a", "outlet": "Daily A", "title": BROKEN_TITLE, "text": BROKEN_TEXT, "published": "2025-01-02"},
            {"id": "b", "outlet": "Daily B", "title": "Plain", "text": CLEAN, "published": "2025-01-02"}]
    corpus = tmp_path / "a.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.db"
    with Store.open(str(db)) as store:
        report = import_files([corpus], store, known={})
        stored = store.articles(with_text=True).set_index("outlet")
    assert report.warnings.get("mojibake repaired") == 1
    assert stored.at["Daily A", "title"] == "Senate Vote “Present’ on the bill"
    assert stored.at["Daily A", "text"].startswith("The senator said today’s vote")
    assert json.loads(stored.at["Daily A", "labels"])[MOJIBAKE_LABEL] == {"title": BROKEN_TITLE, "text": BROKEN_TEXT}
    assert MOJIBAKE_LABEL not in json.loads(stored.at["Daily B", "labels"])
    settings = Settings.load({"db": str(db)})
    ledger = queries.quality_ledger(str(db), queries.catalogue(str(db), settings), settings)
    row = ledger[ledger["issue"].str.startswith("mojibake repaired")]
    assert row[["outlet", "count"]].values.tolist() == [["Daily A", 1]]
