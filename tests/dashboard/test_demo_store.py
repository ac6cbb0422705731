"""The bundled demo store (data/demo/), built as `make run` builds it offline: every page renders on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.store import Store
from scrapers.demo import DEMO_ARTICLES, ensure_demo_store
from tests.dashboard.test_app import APP, PAGES
from tests.helpers import run_cli, run_page

DEMO_OUTLETS = ["Global Voices", "Voice of America", "Wikinews"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store as `make run` leaves it: imported, scored, stories grouped."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    assert ensure_demo_store(db, articles=DEMO_ARTICLES) == 5
    for command in (("analysis", "run"), ("analysis", "stories")):
        done = run_cli(*command, "--db", str(db))
        assert done.returncode == 0, done.stderr
    return db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_store(demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = run_page(demo_db, monkeypatch, page)
    assert at.title[0].value and not at.get("error")


def test_demo_stories_list_their_outlets_and_keep_the_licences(demo_db: Path) -> None:
    with Store.open(demo_db, readonly=True) as store:
        stories = store.stories()
        articles = store.articles()
    assert sorted(set(articles["outlet"])) == DEMO_OUTLETS
    assert stories[["story", "n_articles", "n_outlets"]].values.tolist() == [["haiti-earthquake-2010", 3, 3],
                                                                              ["japan-earthquake-2011", 2, 2]]
    assert {json.loads(labels)["licence"] for labels in articles["labels"]} == {"CC BY 2.5", "CC BY 3.0",
                                                                                 "public domain"}


def test_the_articles_page_shows_each_demo_article_licence(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSLENS_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/articles.py").run()
    shown = [t.value for t in at.text if t.value.startswith("Source and licence: ")]
    assert len(shown) == 1 and any(f", {lic}" in shown[0] for lic in ("CC BY 2.5", "CC BY 3.0", "public domain"))
