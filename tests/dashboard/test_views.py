"""The pure views behind Framing, Emphasis, Compare's additions and Story (no streamlit), on the sample store."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.frames.model import frame_shares as analysis_frame_shares
from core.settings import Settings
from core.store import Store
from dashboard import briefs, framing, queries, textviews
from tests.fixtures import corpus

SETTINGS = Settings.load(environ={})
OUTLETS = sorted(corpus.OUTLETS)


@pytest.fixture(scope="module")
def catalogue(sample_db: Path) -> pd.DataFrame:
    return queries.catalogue(str(sample_db), SETTINGS, lazy=())


def test_frame_shares_match_the_scores_and_the_analysis_interval(catalogue: pd.DataFrame) -> None:
    shares = framing.frame_shares(catalogue, "frames_generic", SETTINGS)
    assert sorted(shares["outlet"].unique()) == OUTLETS
    assert list(shares["frame"].unique()) == ["conflict", "human_interest", "economic", "morality", "responsibility"]
    northgate = catalogue[catalogue["outlet"] == "Northgate Tribune"]
    row = shares[(shares["outlet"] == "Northgate Tribune") & (shares["frame"] == "conflict")].iloc[0]
    assert row["articles"] == len(northgate) == 8
    assert row["share"] == pytest.approx(northgate["frames_generic.present_conflict"].mean(), abs=1e-4)
    assert (shares["low"] <= shares["share"]).all() and (shares["share"] <= shares["high"]).all()
    conflict = shares[shares["frame"] == "conflict"].set_index("outlet")["share"]
    assert conflict.idxmax() == "Northgate Tribune"  # blame, critics and a union "holding the region hostage"
    human = shares[shares["frame"] == "human_interest"].set_index("outlet")["share"]
    assert human["Coastline Post"] == 1.0  # neighbours, families, students, the picket line: all four pieces
    # The dashboard and analysis.frames.frame_shares draw the same interval (analysis.compare.stats.bootstrap_share_ci).
    labels = [[k for k in ("conflict",) if v == 1.0] for v in northgate["frames_generic.present_conflict"]]
    reference = analysis_frame_shares(pd.DataFrame({"outlet": "Northgate Tribune", "labels": labels}), "outlet",
                                      frames=["conflict"], samples=2000)
    assert row["low"] == pytest.approx(reference["low"].iloc[0], abs=0.03)
    assert row["high"] == pytest.approx(reference["high"].iloc[0], abs=0.03)
    policy = framing.frame_shares(catalogue, "frames_policy", SETTINGS, kind="primary")
    assert policy["frame"].nunique() == 15
    per_outlet = policy.groupby("outlet")["with_frame"].sum()
    assert (per_outlet == policy.groupby("outlet")["articles"].first()).all()  # one primary frame per article


def test_primary_frames_and_frames_over_time(catalogue: pd.DataFrame) -> None:
    primary = framing.primary_frames(catalogue)
    assert sorted(primary["outlet"]) == OUTLETS
    assert (primary["share"] >= primary["second_share"].fillna(0)).all() and (primary["share"] <= 1).all()
    assert primary["outlet"].tolist()[:2] == ["Harbor Ledger", "Northgate Tribune"]  # largest first
    # Harbor Ledger's nine: three economic, three human interest; a tie is named, with no runner-up
    harbor = primary.set_index("outlet").loc["Harbor Ledger"]
    assert harbor["primary_frame"] == "economic = human_interest (tie)" and pd.isna(harbor["second_frame"])
    for outlet in ("Northgate Tribune", "Coastline Post"):  # outlets whose leading frame has no tie
        rows = catalogue[catalogue["outlet"] == outlet]
        counts = rows[[c for c in rows.columns if c.startswith("frames_generic.primary_")]].sum()
        expected = counts.idxmax().split("primary_", 1)[1]
        assert primary.set_index("outlet").at[outlet, "primary_frame"] == expected
    assert primary.set_index("outlet").at["Coastline Post", "primary_frame"] == "human_interest"
    weekly = framing.frames_over_time(catalogue, "frames_generic", "W")
    conflict = weekly[weekly["frame"] == "conflict"]
    assert conflict["articles"].sum() == catalogue["day"].notna().sum() == 35
    assert conflict["period"].tolist() == ["2026-03-02", "2026-03-09"]  # weeks start on Monday; 9 March is one
    assert conflict.set_index("period").at["2026-03-09", "articles"] == 2
    assert len(framing.frames_over_time(catalogue, "frames_generic", "D")) > len(weekly)


def test_frame_evidence_quotes_the_stored_cue_sentences(sample_db: Path, catalogue: pd.DataFrame) -> None:
    with Store.open(sample_db, readonly=True) as store:
        evidence = framing.frame_evidence(store, catalogue, "Northgate Tribune", "frames_generic", "economic")
        texts = store.articles(ids=evidence["article_id"].unique().tolist(), with_text=True).set_index("id")
    assert not evidence.empty and set(evidence["outlet"]) == {"Northgate Tribune"}
    assert evidence["article_id"].nunique() <= framing.EVIDENCE_ARTICLES
    assert (evidence["cue_hits"] >= 1).all()
    for row in evidence.itertuples():
        source = texts.at[row.article_id, "title"] if row.part == "title" else texts.at[row.article_id, "text"]
        assert row.sentence and row.sentence in source
    assert evidence["article_id"].iloc[0] == corpus.stored_id("sample-15")  # "A $48 million park while ..."


def test_text_sample_is_fixed_and_capped(sample_db: Path, catalogue: pd.DataFrame) -> None:
    picked = textviews.sample(catalogue, size=12)
    assert len(picked) == 12 and sorted(picked["outlet"].unique()) == OUTLETS
    assert picked["outlet"].value_counts().max() == 12 // len(OUTLETS)
    assert picked["id"].tolist() == textviews.sample(catalogue.sample(frac=1, random_state=3), size=12)["id"].tolist()
    assert textviews.sample(catalogue) is catalogue  # 36 articles: fewer than SAMPLE_SIZE, all are read
    with Store.open(sample_db, readonly=True) as store:
        texts = textviews.load_sample(store, catalogue, size=12)
        everything = textviews.load_sample(store, catalogue)
    assert texts.sampled and texts.selected == 36 and "fixed sample of 12 of the 36" in texts.note()
    assert texts.articles["text"].str.len().min() > 0
    assert not everything.sampled and everything.note() == "Computed on all 36 selected articles."


def test_terms_entities_facets_and_speakers(sample_db: Path, catalogue: pd.DataFrame) -> None:
    with Store.open(sample_db, readonly=True) as store:
        texts = textviews.load_sample(store, catalogue).articles
    terms = textviews.distinctive_terms(texts)
    assert sorted(terms["outlet"].unique()) == OUTLETS
    for _, group in terms.groupby("outlet"):
        assert group["z"].is_monotonic_decreasing and group["z"].iloc[0] > 1
    northgate = terms[terms["outlet"] == "Northgate Tribune"].set_index("term")
    assert northgate.at["critics", "count"] == 5 and northgate.at["critics", "other_count"] == 0  # only it wrote it
    entities = textviews.entity_salience(texts)
    assert sorted(entities["outlet"].unique()) == OUTLETS and (entities["salience_share"] <= 1).all()
    assert "Elena Ruiz" in set(entities[entities["outlet"] == "Harbor Ledger"]["entity"])
    facets = textviews.facet_shares(texts, {"money": ["million*", "budget*"], "safety": ["safe*", "inspect*"]})
    assert len(facets) == 12 and facets["share"].between(0, 1).all() and facets["facet_sentences"].sum() > 0
    speakers = textviews.quoted_speakers(texts)
    assert sorted(speakers["outlet"].unique()) == OUTLETS
    assert (speakers.groupby("outlet").size() <= 10).all() and (speakers["quoted_sentences"] >= 1).all()
    assert speakers[speakers["outlet"] == "Valley Courier"].iloc[0]["speaker"] == "Priya Nair"  # the engineer
    assert speakers[speakers["speaker"] == "Marcus Hale"]["outlet"].nunique() >= 3  # the union's voice
    timing = textviews.volume_timing(catalogue).set_index("outlet")
    assert sorted(timing.index) == OUTLETS and timing.at["Harbor Ledger", "first_rank"] == 1
    assert timing.at["Harbor Ledger", "lag_days"] == 0 and timing.at[corpus.NO_METADATA_OUTLET, "pieces"] == 2  # dated


def test_ledger_counts_syndicated_copies(sample_db: Path, tmp_path: Path, catalogue: pd.DataFrame) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(sample_db, db)
    ids = catalogue.sort_values("id")["id"].tolist()[:3]
    groups = pd.DataFrame({"id": ids, "group_id": "g1", "group_size": 3, "n_outlets": 2,
                           "is_original": [True, False, False], "similarity": 0.97, "wire": "AP", "agency": "AP"})
    with Store.open(db) as store:
        store.write_syndication(groups)
    ledger = queries.quality_ledger(str(db), catalogue, SETTINGS)
    copies = ledger[ledger["issue"] == "syndicated copy"]
    outlets = catalogue.set_index("id").loc[ids[1:], "outlet"].value_counts()
    assert copies.set_index("outlet")["count"].to_dict() == outlets.to_dict()
    assert "syndicated copy" not in set(queries.quality_ledger(str(sample_db), catalogue, SETTINGS)["issue"])


def _brief() -> SimpleNamespace:
    citation = SimpleNamespace(article_id="a1", outlet="X", url="javascript:alert(1)", title="T",
                               sentence="<script>x</script> said", start=0, end=10)
    statement = SimpleNamespace(kind="tone", text="X is negative", citations=(citation,))
    outlet = SimpleNamespace(outlet="X", articles=4, statements=(statement,))
    return SimpleNamespace(story=None, outlets=(outlet,), differences=(statement,))


def test_brief_tables_keep_text_plain_and_drop_unsafe_links() -> None:
    statements = briefs.brief_statements(_brief())
    assert statements["outlet"].tolist() == ["X", "(differences)"] and statements["citations"].tolist() == [1, 1]
    citations = briefs.brief_citations(_brief())
    assert citations["url"].isna().all() and citations["sentence"].iloc[0] == "<script>x</script> said"


def test_digest_view_and_cited_articles() -> None:
    citation = {"article_id": "a", "outlet": "X", "title": "A", "url": "https://x.example/a",
                "sentence": "Talks <b>began</b>.", "start": 0, "end": 18}
    bad = {**citation, "article_id": "b", "url": "data:text/html,hi"}
    data = {"story": "s1", "label": "Talks", "articles": 2, "outlets": 2, "first_published": "2025-06-09",
            "last_published": "2025-06-10", "sections": [
                {"key": "whats_happened", "title": "What's happened", "note": "", "items": [
                    {"heading": "", "text": "Talks <b>began</b>.", "note": "", "link": None, "quoted": True,
                     "citations": [citation], "entries": [{"label": "Y", "text": "-0.2", "citations": [bad]}]}]}]}
    header, sections = briefs.digest_view(data)
    assert header == ["Talks", "2 articles from 2 outlets · 2025-06-09 to 2025-06-10"]
    item = sections[0].items[0]
    assert item.text == "Talks <b>began</b>." and item.entries["label"].tolist() == ["Y"]
    assert item.citations["article_id"].tolist() == ["a", "b"]
    assert item.citations["url"].iloc[0] == "https://x.example/a" and pd.isna(item.citations["url"].iloc[1])
    cited = briefs.cited_articles(data)
    assert cited["article_id"].tolist() == ["a", "b"]
    assert cited["url"].iloc[0] == "https://x.example/a" and pd.isna(cited["url"].iloc[1])
    assert briefs.plain_heading("![x](http://evil/i.png)") == "x http://evil/i.png"
