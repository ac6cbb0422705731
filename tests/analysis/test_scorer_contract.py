"""The contract every registered scorer keeps (analysis.base, analysis.registry), run over each of them.

One parametrized test per promise, on the corpus we wrote (tests/fixtures/corpus.py): a frozen
dataclass with a name, a version and declared metrics; a user-facing docstring of its own; score()
returns exactly the declared metrics for the articles it was given, evidence spans that point into
them, and the same answer twice.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis import registry
from analysis.base import EVIDENCE_COLUMNS, SCORE_COLUMNS, Scorer, Scores
from core.errors import UnknownNameError
from tests.fixtures import corpus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Parameters a scorer needs to produce anything on the sample corpus (the corpus's stories have no facet file).
PARAMS: dict[str, dict[str, Any]] = {"facets": {"facets_file": str(FIXTURES / "facets.toml")}}
NAMES = registry.names()


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return pd.DataFrame(corpus.articles())[["id", "title", "text", "outlet", "story_id"]]


@pytest.fixture(scope="module")
def results(articles: pd.DataFrame) -> dict[str, tuple[Scores, Scores]]:
    """Each scorer's output on the corpus, computed twice (the model-backed ones are slow to score)."""
    out = {}
    for name in NAMES:
        scorer = registry.get(name, **PARAMS.get(name, {}))
        out[name] = (scorer.score(articles), scorer.score(articles))
    return out


def test_the_registry_holds_the_built_ins() -> None:
    assert {"facets", "frames_generic", "frames_policy", "length", "quotes", "tone_news", "tone_vader"} <= set(NAMES)
    assert set(registry.default_names()) < set(NAMES) and "tone_news" not in registry.default_names()


def test_unknown_scorer_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown scorer 'tone_vadr'; valid: .*tone_vader"):
        registry.get("tone_vadr")


@pytest.mark.parametrize("name", NAMES)
def test_is_a_frozen_dataclass_with_name_version_and_metrics(name: str) -> None:
    cls = registry.scorer_class(name)
    assert issubclass(cls, Scorer) and dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert cls.name == name
    assert isinstance(cls.version, str) and cls.version
    assert isinstance(cls.metrics, tuple) and cls.metrics and len(set(cls.metrics)) == len(cls.metrics)
    assert all(isinstance(m, str) and m == m.strip() and m for m in cls.metrics)
    scorer = registry.get(name)  # no work in the constructor: every field has a default
    for field in dataclasses.fields(scorer):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(scorer, field.name, getattr(scorer, field.name))


@pytest.mark.parametrize("name", NAMES)
def test_has_a_docstring_of_its_own(name: str) -> None:
    cls = registry.scorer_class(name)
    assert "__doc__" in vars(cls) and cls.__doc__ and cls.__doc__ != Scorer.__doc__
    description = cls.describe()
    assert len(description) > 80 and description.split("\n", 1)[0].strip()  # the methodology page shows it


@pytest.mark.parametrize("name", NAMES)
def test_scores_only_its_declared_metrics_for_the_articles_given(
        name: str, articles: pd.DataFrame, results: dict[str, tuple[Scores, Scores]]) -> None:
    cls = registry.scorer_class(name)
    result, _ = results[name]
    assert tuple(result.articles.columns) == SCORE_COLUMNS
    assert set(result.articles["metric"]) == set(cls.metrics)  # the declared columns are the output columns
    assert set(result.articles["article_id"]) == set(articles["id"])  # every article, no invented id
    assert not result.articles.duplicated(["article_id", "metric"]).any()
    values = result.articles["value"].dropna()
    assert pd.api.types.is_numeric_dtype(values) and values.map(pd.notna).all()


@pytest.mark.parametrize("name", NAMES)
def test_evidence_points_into_the_articles(name: str, articles: pd.DataFrame,
                                           results: dict[str, tuple[Scores, Scores]]) -> None:
    cls = registry.scorer_class(name)
    evidence = results[name][0].evidence
    assert tuple(evidence.columns) == EVIDENCE_COLUMNS
    assert set(evidence["metric"]) <= set(cls.metrics)
    by_id = articles.set_index("id")
    for row in evidence.itertuples():
        source = by_id.loc[row.article_id, row.part]
        assert 0 <= row.start < row.end <= len(source)


@pytest.mark.parametrize("name", NAMES)
def test_is_deterministic(name: str, results: dict[str, tuple[Scores, Scores]]) -> None:
    first, second = results[name]
    pd.testing.assert_frame_equal(first.articles, second.articles)
    pd.testing.assert_frame_equal(first.evidence, second.evidence)


@pytest.mark.parametrize("name", [n for n in registry.default_names() if n != "facets"])  # no facet file here
def test_the_store_holds_what_the_scorer_returns(name: str, sample_db: Path) -> None:
    """analysis.run (which built sample_db) stores each default scorer's values and version as score() gave them."""
    from core.store import Store

    with Store.open(sample_db, readonly=True) as store:
        stored = store.scores(scorer=name)
        texts = store.articles(with_text=True)
    cls = registry.scorer_class(name)
    fresh = registry.get(name).score(texts).articles
    assert set(stored["version"]) == {cls.version} and len(stored) == len(fresh) > 0
    merged = fresh.merge(stored, on=["article_id", "metric"], suffixes=("", "_stored"), validate="one_to_one")
    assert len(merged) == len(fresh)
    pd.testing.assert_series_equal(merged["value_stored"], merged["value"], check_names=False, check_dtype=False)
