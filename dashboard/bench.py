"""``python -m dashboard bench``: render every page through a series of filter changes and time it.

Runs the real app in Streamlit's AppTest harness (the script, the caches and
the store exactly as a browser session runs them, minus the websocket). The
first render of a store (loading its catalogue) is reported apart; the figure
that counts is the time to re-render a page after a filter change.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from core.store import store_location
from dashboard import queries

APP = Path(__file__).resolve().parent / "app.py"
PAGES = ("app_pages/overview.py", "app_pages/compare.py", "app_pages/tone.py", "app_pages/framing.py",
         "app_pages/emphasis.py", "app_pages/story.py", "app_pages/articles.py", "app_pages/methodology.py")
TIMEOUT_S = 600


def _scenario(at: AppTest, options: queries.FilterOptions) -> list[tuple[str, Callable[[], object]]]:
    """Return the filter changes an analyst typically makes, as (label, action) pairs."""
    steps: list[tuple[str, Callable[[], object]]] = []
    big = list(options.outlets[:3])
    if options.topics:
        topic = options.topics[len(options.topics) // 2]
        steps += [("scope=Topic", lambda: at.radio(key="scope").set_value("Topic")),
                  (f"topic={topic}", lambda: at.selectbox(key="topic").set_value(topic))]
    steps.append((f"outlets={len(big)}", lambda: at.multiselect(key="outlets").set_value(big)))
    if options.groups:
        group = options.groups[0]
        steps.append((f"group={group}", lambda: at.multiselect(key="groups").set_value([group])))
    steps.append(("outlets=all", lambda: at.multiselect(key="outlets").set_value([])))
    steps.append(("search=election", lambda: at.text_input(key="search").set_value("election")))
    steps.append(("search cleared", lambda: at.text_input(key="search").set_value("")))
    if options.stories:
        story = options.stories[0]
        steps += [("scope=Story", lambda: at.radio(key="scope").set_value("Story")),
                  ("story=largest", lambda: at.selectbox(key="story").set_value(story))]
    steps.append(("scope=All", lambda: at.radio(key="scope").set_value("All articles")))
    return steps


def _page_steps(at: AppTest, page: str) -> list[tuple[str, Callable[[], object]]]:
    """Return the page's own choices an analyst makes after the filters (views, frame sets ...)."""
    radios = {
        "app_pages/compare.py": [("compare_more", v) for v in ("terms", "speakers", "frames")],
        "app_pages/framing.py": [("frame_set", "frames_policy"), ("frame_kind", "primary"), ("frame_period", "W")],
        "app_pages/emphasis.py": [("emphasis_view", v) for v in ("entities", "facets", "timing", "terms")],
    }.get(page, [])

    def choose(key: str, value: str) -> Callable[[], object]:
        return lambda: at.radio(key=key).set_value(value)

    return [(f"{key}={value}", choose(key, value)) for key, value in radios]


def run(db: str) -> int:
    """Render every page through the scenario; print timings and the closing p95 line."""
    os.environ["PRESSLENS_DB"] = store_location(db)
    settings = Settings.load()
    if not queries.store_exists(settings.db):
        print(f"no store at {settings.db}")
        return 2
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    began = time.perf_counter()
    at.run()
    print(f"cold start (the first page of a fresh process): {(time.perf_counter() - began) * 1000:.0f} ms")
    if at.exception:
        print(at.exception)
        return 1
    options = queries.sidebar_options(settings.db, settings)
    all_ms: list[float] = []
    for page in PAGES:
        at.switch_page(page).run()
        timings: list[tuple[str, float]] = []
        for label, action in _scenario(at, options) + _page_steps(at, page):
            action()  # sets the widget's value; the timed run below re-renders the page with it
            began = time.perf_counter()
            at.run()
            elapsed = (time.perf_counter() - began) * 1000
            if at.exception:
                print(f"{page} after {label}: {at.exception}")
                return 1
            timings.append((label, elapsed))
        values = [ms for _, ms in timings]
        all_ms += values
        worst = max(timings, key=lambda t: t[1])
        print(f"{page:28s} median {statistics.median(values):6.0f} ms  max {worst[1]:6.0f} ms ({worst[0]})")
    p95 = float(np.percentile(all_ms, 95))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    print(f"p95_ms={p95:.0f} pages={len(PAGES)}")
    return 0
