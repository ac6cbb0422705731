"""The dashboard as Streamlit runs it (AppTest), on a store imported from basil."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")


def param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture
def app(basil_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PRESSLENS_DB", str(basil_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_table_shows_the_three_outlets_with_tone(app: AppTest) -> None:
    table = app.dataframe[0].value
    assert table["outlet"].tolist() == ["Fox News", "HuffPost", "The New York Times"]
    assert table["tone_mean"].notna().all()
    assert len(app.get("plotly_chart")) == 1
    assert app.get("download_button")


def test_filters_change_the_table_and_the_url(app: AppTest) -> None:
    app.multiselect(key="outlets").set_value(["HuffPost"]).run()
    assert app.dataframe[0].value["outlet"].tolist() == ["HuffPost"]
    assert param(app, "outlet") == ["HuffPost"]
    story = app.selectbox(key="story").options[1]
    app.selectbox(key="story").set_value(story).run()
    assert param(app, "story") == [story]
    assert app.dataframe[0].value["articles"].sum() <= 1


def test_url_reopens_the_view(basil_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSLENS_DB", str(basil_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["outlet"] = ["Fox News", "HuffPost"]
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["outlet"].tolist() == ["Fox News", "HuffPost"]


def test_empty_store_explains_how_to_fill_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSLENS_DB", str(tmp_path / "empty.db"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "python -m scrapers import" in at.info[0].value
    assert not at.dataframe
