"""Store.evidence_of: many articles' evidence in a few reads, in the same rows and order as one read each."""

from __future__ import annotations

import pandas as pd

from core.store import Store


def test_evidence_of_equals_one_read_per_article(sample_db) -> None:
    with Store.open(sample_db, readonly=True) as store:
        ids = store.articles(columns=["outlet"])["id"].tolist()[::-1]
        one_by_one = pd.concat([store.evidence(i) for i in ids], ignore_index=True)
        together = store.evidence_of(ids)
        framed = store.evidence_of(ids, "frames_generic")
    assert len(one_by_one) > 100
    pd.testing.assert_frame_equal(together, one_by_one)
    assert set(framed["scorer"]) == {"frames_generic"}
    assert len(framed) == (one_by_one["scorer"] == "frames_generic").sum()


def test_evidence_of_reads_in_chunks_and_handles_nothing(sample_db, monkeypatch) -> None:
    import core.store

    monkeypatch.setattr(core.store, "EVIDENCE_IDS_PER_READ", 3)
    with Store.open(sample_db, readonly=True) as store:
        ids = store.articles(columns=["outlet"])["id"].tolist()
        assert store.evidence_of(ids).equals(pd.concat([store.evidence(i) for i in ids], ignore_index=True))
        assert store.evidence_of([]).empty and store.evidence_of(["no-such-id"]).empty
