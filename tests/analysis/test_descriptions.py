"""Descriptions of people come from the coverage: appositives and titles, cited."""

from __future__ import annotations

import pandas as pd

from analysis.digest.descriptions import clean_entity, describe, find_descriptions, key_entities, story_entities


def test_appositive_and_title_forms() -> None:
    text = "Li Chenggang, China's vice commerce minister, met Treasury Secretary Scott Bessent in London."
    found = {(d.form, d.text) for name in ("Li Chenggang", "Scott Bessent") for d in find_descriptions(text, name)}
    assert ("appositive", "China's vice commerce minister") in found
    assert ("title", "Treasury Secretary") in found
    for d in find_descriptions(text, "Li Chenggang"):
        assert text[d.start:d.end] == d.text


def test_clauses_and_places_are_not_descriptions() -> None:
    assert find_descriptions("Talks moved to Paris, France, on Monday.", "Paris") == []
    assert find_descriptions("He met Wang Yi, but the talks failed.", "Wang Yi") == []
    assert find_descriptions("Spain lost, the federation announced.", "Spain") == []


def test_most_outlets_win_and_citation_points_at_the_sentence() -> None:
    rows = pd.DataFrame({
        "article_id": ["a", "b", "c"], "outlet": ["X", "Y", "Z"], "start": [0, 5, 0], "end": [60, 65, 60],
        "sentence": ["Maria Lopez, the union leader, spoke.", "Maria Lopez, the union leader, agreed.",
                     "Maria Lopez, a former nurse, spoke."]})
    described = describe("Maria Lopez", rows)
    assert described is not None
    assert described.description.text == "the union leader" and described.outlets == 2
    assert (described.article_id, described.sentence_start) == ("a", 0)


def test_story_entities_merge_short_forms_and_skip_outlets() -> None:
    arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["Daily Example", "Other Paper"], "title": ["", ""],
                         "text": ["Officials said Maria Lopez won. Lopez thanked Daily Example readers.",
                                  "In Madrid, Lopez spoke. The result surprised Madrid."]})
    entities = story_entities(arts)
    assert set(entities["entity"]) == {"Maria Lopez", "Madrid"}
    assert key_entities(entities, top=1) == ["Maria Lopez"]
    assert clean_entity("Spanish Prime Minister Pedro Sanchez") == "Pedro Sanchez"


def test_story_entities_when_every_capitalised_word_starts_a_sentence() -> None:
    """Issue 21 (10): this raised KeyError: 'entity' in the CLI and on the Story page."""
    arts = pd.DataFrame({"id": ["a", "b"], "outlet": ["X", "Y"], "title": ["t", "t"],
                         "text": ["Tactical moves were made. Critics said it was late.",
                                  "Officials agreed. Nobody knew why."]})
    entities = story_entities(arts)
    assert entities.empty and list(entities.columns) == ["entity", "article_id", "outlet", "mentions", "salience"]
    assert key_entities(entities, top=3) == []
