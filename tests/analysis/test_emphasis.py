"""Emphasis: distinctive terms, entity salience, facets, volume/timing, length; small cases and real data."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import emphasis
from benchmarks import entities as entity_bench
from tests.conftest import require_shared

# Top-3 recall of basil's main_entities with the rule backend was 342/466 = 0.734 when written
# (spaCy's small pipeline: 0.719); the floor leaves room for small rule changes.
ENTITY_RECALL_FLOOR = 0.68
INJECTED = "zorblax"  # a made-up word no corpus contains


def basil() -> pd.DataFrame:
    return pd.read_json(require_shared("corpora", "basil", "articles.jsonl"), lines=True)


def test_log_odds_puts_each_outlets_word_on_its_side() -> None:
    arts = pd.DataFrame({"outlet": ["X"] * 4 + ["Y"] * 4, "title": "",
                         "text": ["tariffs rise on magnets and tariffs bite"] * 4
                         + ["diplomats hold talks on magnets"] * 4})
    table = emphasis.distinctive_terms(arts, min_count=3, top=None)
    x = table[table.outlet == "X"].set_index("term")
    y = table[table.outlet == "Y"].set_index("term")
    assert x.index[0] == "tariffs" and y.index[0] in ("diplomats", "talks", "diplomats hold", "hold talks")
    assert x.loc["tariffs", "z"] > 0 > y.loc["tariffs", "z"]
    assert abs(x.loc["magnets", "z"]) < x.loc["tariffs", "z"]  # shared words are not distinctive
    assert "on magnets" not in x.index  # bigrams skip stopwords


def test_single_group_or_no_terms_gives_empty_table() -> None:
    arts = pd.DataFrame({"outlet": ["X"], "title": [""], "text": ["tariffs " * 10]})
    assert emphasis.distinctive_terms(arts).empty


def test_injected_term_tops_its_outlet_on_basil() -> None:
    arts = basil()
    fox = arts.index[arts.outlet == "Fox News"]  # once in each Fox piece: as often as "Fox News" itself
    arts.loc[fox, "text"] = arts.loc[fox, "text"] + f"\n\n{INJECTED.title()}."
    table = emphasis.distinctive_terms(arts, top=5)
    assert table[table.outlet == "Fox News"]["term"].iloc[0] == INJECTED
    assert INJECTED not in set(table[table.outlet != "Fox News"]["term"])


def test_rule_entities_weight_headline_lede_body() -> None:
    arts = pd.DataFrame([{"id": "a", "title": "Tesla warns on magnets",
                          "text": "Tesla said supplies were short.\n\nLater, Ford agreed. "
                                  "Ford and Tesla met in Detroit."}])
    table = emphasis.article_entities(arts).set_index("entity")
    assert table.loc["Tesla", "salience"] == 3 + 2 + 1 and table.loc["Ford", "salience"] == 2
    assert table.loc["Tesla", "mentions"] == 3


def test_entity_salience_recall_on_basil_main_entities() -> None:
    arts = basil()
    found, total = entity_bench.recall(arts, emphasis.article_entities(arts), k=3)
    assert total > 400 and found / total >= ENTITY_RECALL_FLOOR
    per_outlet = emphasis.entity_salience(arts, top=5)
    assert set(per_outlet.outlet) == set(arts.outlet)
    assert per_outlet.groupby("outlet")["salience_share"].sum().lt(1.0 + 1e-9).all()


def test_spacy_backend_when_installed() -> None:
    pytest.importorskip("spacy")
    try:
        emphasis._spacy_pipeline(emphasis.SPACY_MODEL)
    except OSError:
        pytest.skip("the spaCy model package is not installed")
    arts = pd.DataFrame([{"id": "a", "title": "Talks in London", "text": "Scott Bessent met He Lifeng in London."}])
    names = set(emphasis.article_entities(arts, backend="spacy")["entity"])
    assert "London" in names


def test_facet_file_loads_and_shares_are_per_sentence() -> None:
    facets = emphasis.load_facets(emphasis.FACETS_DIR / "rare_earths_2025.toml")
    assert {"supply_chains", "defence", "tariffs", "diplomacy", "automakers"} <= set(facets)
    arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "story_id": "rare_earths_2025",
                         "title": "", "text": ["Automakers warned of magnet shortages. Tariffs stay.",
                                               "Negotiators met in London. The F-35 needs magnets. Rain fell."]})
    shares = emphasis.facet_shares(arts, facets).set_index(["outlet", "facet"])["share"]
    assert shares["X", "automakers"] == 0.5 and shares["X", "tariffs"] == 0.5
    assert shares["Y", "defence"] == pytest.approx(1 / 3) and shares["Y", "tariffs"] == 0
    result = emphasis.FacetScorer().score(arts)
    values = result.articles.set_index(["article_id", "metric"])["value"]
    assert values["b", "facet_coverage"] == pytest.approx(2 / 3)
    assert len(result.evidence) == 4  # a: both sentences, b: London talks and the F-35


def test_bad_facet_file_names_the_problem(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "bad.toml"  # type: ignore[operator]
    path.write_text("[facets]\ntariffs = []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tariffs"):
        emphasis.load_facets(path)


def test_volume_timing_on_groundnews() -> None:
    arts = pd.read_json(require_shared("corpora", "groundnews_stories", "articles.jsonl"), lines=True)
    arts = arts[arts.story_id == "groundnews-4"].dropna(subset=["outlet"])
    table = emphasis.volume_timing(arts)
    assert table["pieces"].sum() == len(arts)
    first = table.sort_values("first_published").iloc[0]
    assert first["first_rank"] == 1 and first["lag_days"] == 0
    assert (table["lag_days"] >= 0).all()
    days = emphasis.daily_counts(arts)
    assert days["pieces"].sum() == arts["published"].notna().sum()


def test_length_scorer() -> None:
    arts = pd.DataFrame([{"id": "a", "title": "Rare earths", "text": "One two three. Four!\n\nFive six."}])
    values = emphasis.LengthScorer().score(arts).articles.set_index("metric")["value"]
    assert values.to_dict() == {"words": 6.0, "sentences": 3.0, "paragraphs": 2.0, "headline_words": 2.0}
