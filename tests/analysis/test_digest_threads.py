"""How we got here lists the story's threads (earlier stories the grouping links to it), dated, first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.digest.build import build_digest, story_thread_ids
from analysis.digest.related import how_we_got_here
from core.schema import Article, article_id
from core.settings import Settings
from core.store import Store

TRUCE = ("Negotiators from both countries agreed in Geneva to cut tariffs for ninety days while talks on rare "
         "earth exports continue. The truce lowers duties on magnets and minerals. Officials said the Geneva "
         "talks on rare earth licences would resume.")
TALKS = ("Negotiators from both countries met in London to finish the framework on rare earth exports agreed "
         "in Geneva. Officials said licences for magnets and minerals would follow. The London talks on rare "
         "earth licences ended late.")
OTHER = "A football club won the league title after a late goal in the final match of the season on Sunday."


def _store(tmp_path: Path) -> Path:
    db = tmp_path / "s.db"
    rows = [(f"https://o{i}.example/truce", f"Outlet {i}", "Geneva truce on tariffs", TRUCE, "2025-05-12", "truce")
            for i in range(3)]
    rows += [(f"https://o{i}.example/talks", f"Outlet {i}", "London talks on rare earths", TALKS, "2025-06-10",
              "talks") for i in range(3)]
    rows += [("https://o9.example/ball", "Outlet 9", "Title won late", OTHER, "2025-06-01", "ball")]
    with Store.open(str(db)) as store:
        store.upsert_articles([Article(id=article_id(u, None), outlet=o, title=t, text=x, url=u, published=d,
                                       story_id=s) for u, o, t, x, d, s in rows])
    return db


def test_the_truce_is_a_thread_of_the_talks_and_heads_how_we_got_here(tmp_path: Path) -> None:
    db = _store(tmp_path)
    with Store.open(str(db), readonly=True) as store:
        assert story_thread_ids(store, "talks", "2025-06-10") == ["truce"]
        assert story_thread_ids(store, "truce", "2025-05-12") == []  # threads lead to a story, never after it
        digest = build_digest(store, "talks", Settings.load({"db": str(db)}))
    items = digest.section("how_we_got_here").items
    assert items[0].heading.startswith("2025-05-12: ") and "(story truce)" in items[0].text


def test_a_thread_needs_no_shared_names() -> None:
    story = pd.Series({"story": "b", "first_published": "2025-06-10"})
    stories = pd.DataFrame({"story": ["a", "b"], "label": ["A", "B"], "first_published": ["2025-05-01", "2025-06-10"],
                            "n_outlets": [2, 3], "n_articles": [2, 3]})
    related = pd.DataFrame(columns=["entity", "story", "articles"])
    articles = pd.DataFrame({"id": ["x"], "outlet": ["O"], "published": ["2025-06-10"], "title": ["t"]})
    without = how_we_got_here(story, articles, stories, related)
    assert not any(i.heading.endswith(": A") for i in without.items)
    linked = how_we_got_here(story, articles, stories, related, threads=["a"])
    assert linked.items[0].heading == "2025-05-01: A" and "earlier chapter" in linked.items[0].text
