"""Today's coverage end to end: `collect --latest` from loopback outlets, `analysis stories`, the Overview.

Three outlets publish, within the last hours, three events written for this test: a volcano
eruption (all three outlets), a bridge closure (two) and a museum reopening (one), plus an item
ten days old. After `collect --latest` and `python -m analysis stories`, the Overview's story
table must list the three stories by how many outlets cover them: 3, 2, 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from core.store import Store
from scrapers import latest
from tests.dashboard.test_app import APP
from tests.helpers import run_cli
from tests.scrapers.test_latest import LatestWeb, policy, serve_latest_web

VOLCANO = (
    "A volcano on the southern coast of Iceland erupted before dawn, sending a curtain of lava toward the "
    "fishing town of Grindavik, whose residents had been evacuated the week before.",
    "Civil protection officials said the fissure was about three kilometres long and that lava had crossed "
    "the defensive walls built around the town in the autumn.",
    "Flights at Keflavik airport were not affected, the airport operator said, though the ash cloud was "
    "being watched by the meteorological office.",
    "Geologists said the eruption could last weeks and that the magma tunnel under Grindavik was still "
    "filling, so further fissures could open near the town.",
)
BRIDGE = (
    "The main bridge over the river in the city centre was closed to all traffic after engineers found "
    "cracks in two of its steel girders during a routine inspection.",
    "Buses were diverted through the northern ring road and the city asked drivers to expect long delays "
    "during the morning and evening rush hours.",
    "The transport authority said repairs would take at least six weeks and that a temporary footbridge "
    "would open for pedestrians and cyclists by the weekend.",
)
# The grouping ignores words found in one article only (its minimum document frequency is 2): in a web
# this small, the one-outlet story must share no other word with the rest, or that word alone links it.
MUSEUM = (
    "The national museum of natural history reopened its dinosaur hall after a renovation costing "
    "forty million euros.",
    "Visitors queued to see the restored skeleton of a tyrannosaur, which now stands beside new displays "
    "on feathered dinosaurs and the first birds.",
    "School groups get free admission until December, according to the curator.",
)
EVENTS = [  # outlet, hours ago, headline, paragraphs (each outlet in its own order and words)
    ("alpha", 3, "Volcano erupts near Grindavik, lava crosses defensive walls", VOLCANO),
    ("bravo", 4, "Iceland eruption: lava flows toward evacuated Grindavik", VOLCANO[1:] + VOLCANO[:1]),
    ("charlie", 5, "Lava reaches Grindavik as Icelandic volcano erupts again", VOLCANO[::-1]),
    ("alpha", 6, "City centre bridge closed after cracks found in girders", BRIDGE),
    ("bravo", 8, "Cracked girders shut the main river bridge for six weeks", BRIDGE[::-1]),
    ("charlie", 10, "Dinosaur hall reopens at the natural history museum", MUSEUM),
    ("alpha", 240, "Old news: the harbour festival", ("The harbour festival drew large crowds last month. " * 8,)),
]


def collect_events(web: LatestWeb, folder: Path) -> Path:
    for outlet, hours, headline, paragraphs in EVENTS:
        web.add(outlet, hours, headline, paragraphs)
    settings = Settings.load({"db": str(folder / "today.db")}, environ={})
    with Store.open(settings.db) as store:
        report = latest.collect_latest(store, settings, hours=48, outlets_file=web.outlets_file(folder),
                                       policy=policy(settings), gdelt_api=f"{web.base}/api/v2/doc/doc")
    assert report.inserted == 6, report.summary()
    done = run_cli("analysis", "stories", "--db", settings.db)
    assert done.returncode == 0, done.stderr
    return Path(settings.db)


def test_overview_lists_todays_stories_by_outlet_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_latest_web() as web:
        db = collect_events(web, tmp_path)
    monkeypatch.setenv("PRESSLENS_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    table = next(e.value for e in at.dataframe if "outlets" in e.value.columns and "headline" in e.value.columns)
    assert table["outlets"].tolist() == [3, 2, 1]
    keywords = [next(w for w in ("Grindavik", "bridge", "Dinosaur") if w.lower() in h.lower())
                for h in table["headline"]]
    assert keywords == ["Grindavik", "bridge", "Dinosaur"]
