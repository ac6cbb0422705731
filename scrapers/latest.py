"""Today's coverage: collect what is new since the last ``--latest`` run, from a default set of outlets.

``collect --latest`` reads the outlets file (``data/latest_outlets.toml``: each outlet's feeds,
news sitemaps and domains), asks every feed and sitemap plus GDELT's article list for the
outlets' domains, and keeps whatever was published in the window:

1. The window starts where the last ``--latest`` run that finished ended (its ``window_end``
   is in ``runs.counts``); the first time, ``hours`` (the ``latest_hours`` setting, 48) before
   now. It ends now. Discovery filters by day; a window that starts where the last run ended
   reaches back ``LATE_HOURS`` more, because an item can reach a feed hours after its
   publication time (one dated 23:50 and listed at 00:10 fell before the next run's window).
   Articles stored before are skipped by URL, so a second run adds only new ones. A first
   window, or one cut to ``hours`` after a long pause, reaches back no further than ``hours``.
2. ``scrapers.pipeline.collect`` does the rest; a dead address is a row of the collection
   report (``source_failures``), never a crash. A run without any network raises
   ``NetworkUnavailable`` and records no window end: the next run asks the same window again.

``first_run`` is what ``make run`` does before the dashboard: collect the latest news, and when
that reached no outlet at all and the store is empty, open the bundled demo store instead
(``scrapers.demo``).

    with Store.open("data/presslens.db") as store:
        report = collect_latest(store, settings, outlets_file=LATEST_OUTLETS)
    print(report.summary())
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.settings import REPO_ROOT, Settings
from core.store import Store
from core.tomlfile import read_toml
from core.urls import canonical_url
from scrapers import demo, pipeline
from scrapers.collect_report import CollectReport, NetworkUnavailable
from scrapers.discover.sources import GDELT_API, Query, Story, StoryOutlet
from scrapers.fetch import FetchPolicy, Resolver

log = logging.getLogger(__name__)

LATEST_OUTLETS = REPO_ROOT / "data" / "latest_outlets.toml"
# The command recorded with each run; the next run finds its window end by this prefix.
LATEST_COMMAND = "scrapers collect --latest"
OUTLET_KEYS = {"name", "domains", "feeds", "sitemaps", "country", "type", "language"}
FILE_KEYS = {"checked", "note", "outlets"}
# How far before a window's start discovery still looks: items listed late in feeds and sitemaps.
LATE_HOURS = 24

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Window:
    """The time window of one ``--latest`` run (naive UTC) and whether it is the first."""

    start: datetime
    end: datetime
    first: bool
    continued: bool = False  # starts where the last run ended: discovery also looks LATE_HOURS earlier

    def describe(self) -> str:
        """Return the window in words.

        >>> Window(datetime(2026, 12, 5, 9), datetime(2026, 12, 7, 9), True).describe()
        'the last 48 hours (2026-12-05 09:00 to 2026-12-07 09:00 UTC)'
        """
        span = f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"
        if self.first:
            return f"the last {round((self.end - self.start).total_seconds() / 3600)} hours ({span})"
        return f"what is new since the last run ({span})"


def load_latest_outlets(path: Path = LATEST_OUTLETS) -> tuple[StoryOutlet, ...]:
    """Read the outlets file of ``--latest``; raise InputError naming the file and the key at fault.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "o.toml"
    >>> _ = p.write_text('[[outlets]]\\nname = "E"\\ndomains = ["e.com"]\\nfeeds = ["https://e.com/rss"]\\n')
    >>> [(o.name, o.feeds) for o in load_latest_outlets(p)]
    [('E', ('https://e.com/rss',))]
    """
    source = str(path)
    data = read_toml(path, "outlets file")
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(FILE_KEYS))}", source=source)
    entries = data.get("outlets")
    if not isinstance(entries, list) or not entries:
        raise InputError("outlets: missing: one [[outlets]] table per outlet", source=source)
    outlets: list[StoryOutlet] = []
    for number, entry in enumerate(entries):
        key = f"outlets[{number}]"
        if not isinstance(entry, dict):
            raise InputError(f"{key}: must be a table", source=source)
        bad = sorted(set(entry) - OUTLET_KEYS)
        if bad:
            raise InputError(f"{key}: unknown key(s) {', '.join(bad)}; valid: {', '.join(sorted(OUTLET_KEYS))}",
                             source=source)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{key}.name: missing or empty", source=source)
        lists = {field: _strings(entry.get(field, []), f"{key}.{field}", source)
                 for field in ("domains", "feeds", "sitemaps")}
        for field in ("feeds", "sitemaps"):
            for url in lists[field]:
                try:
                    canonical_url(url)
                except ValueError:
                    raise InputError(f"{key}.{field}: {url!r} is not an absolute http(s) URL", source=source) from None
        if not (lists["feeds"] or lists["sitemaps"]):
            raise InputError(f"{key}: outlet {name!r} has no feeds and no sitemaps", source=source)
        outlets.append(StoryOutlet(name=name.strip(), domains=tuple(d.lower().removeprefix("www.")
                                                                    for d in lists["domains"]),
                                   feeds=lists["feeds"], sitemaps=lists["sitemaps"]))
    names = [o.name for o in outlets]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"outlets listed twice: {', '.join(twice)}", source=source)
    return tuple(outlets)


def _strings(value: Any, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"{key}: must be a list of non-empty strings", source=source)
    return tuple(v.strip() for v in value)


def last_window_end(store: Store) -> datetime | None:
    """Return where the last finished ``--latest`` run's window ended (naive UTC), or None."""
    runs = store.runs()
    if runs.empty:
        return None
    done = runs[runs["command"].str.startswith(LATEST_COMMAND) & (runs["status"] == "done")]
    for counts in reversed(done["counts"].tolist()):
        end = json.loads(counts or "{}").get("window_end")
        if end:
            return datetime.fromisoformat(end)
    return None


def latest_window(store: Store, hours: int, now: datetime | None = None) -> Window:
    """Return the window of the next ``--latest`` run: from the last run's end, else ``hours`` back.

    ``hours`` also caps the reach after a long pause: the window never starts earlier than
    ``hours`` before now, because feeds and news sitemaps no longer list older items anyway.
    """
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    earliest = end - timedelta(hours=hours)
    last = last_window_end(store)
    if last is None:
        return Window(earliest, end, first=True)
    return Window(max(min(last, end), earliest), end, first=False, continued=last > earliest)


def latest_story(outlets: tuple[StoryOutlet, ...], window: Window, *, gdelt: bool = True) -> Story:
    """Return the story ``collect`` runs for a window: every item of every outlet, no query.

    A window that continues the last run's starts on the day ``LATE_HOURS`` before it, for items listed late.

    >>> w = Window(datetime(2026, 12, 5, 9), datetime(2026, 12, 7, 9), True)
    >>> s = latest_story((StoryOutlet("E", domains=("e.com",), feeds=("https://e.com/rss",)),), w)
    >>> s.start, s.end, s.query.matches("anything"), s.name
    (datetime.date(2026, 12, 5), datetime.date(2026, 12, 7), True, '')
    >>> latest_story((), Window(datetime(2026, 12, 8, 0, 33), datetime(2026, 12, 8, 0, 34), False, True)).start
    datetime.date(2026, 12, 7)
    """
    start = (window.start - timedelta(hours=LATE_HOURS if window.continued else 0)).date()
    return Story(name="", title=f"latest news: {window.describe()}", start=start,
                 end=window.end.date(), query=Query(all_of=()), outlets=outlets, gdelt=gdelt)


def collect_latest(store: Store, settings: Settings, *, hours: int | None = None,
                   outlets_file: Path = LATEST_OUTLETS, policy: FetchPolicy | None = None,
                   progress: Progress | None = None, resolver: Resolver | None = None,
                   gdelt_api: str = GDELT_API, now: datetime | None = None) -> CollectReport:
    """Collect what the default outlets published since the last ``--latest`` run (see the module docstring).

    Raises ``NetworkUnavailable`` when no source could be reached, ``InputError`` for a bad outlets file.
    """
    outlets = load_latest_outlets(outlets_file)
    window = latest_window(store, hours or settings.latest_hours, now)
    story = latest_story(outlets, window)
    log.info("collect --latest: %s from %d outlets", window.describe(), len(outlets))
    report = pipeline.collect(store, story, settings, policy=policy, progress=progress, resolver=resolver,
                              gdelt_api=gdelt_api, command=f"{LATEST_COMMAND} {outlets_file}",
                              window_end=window.end.isoformat())
    report.messages.insert(0, f"window: {window.describe()}")
    return report


# --- make run -----------------------------------------------------------------------------------

@dataclass
class FirstRun:
    """What ``make run`` collected and which store the dashboard should open."""

    store: str  # the store to open
    demo: bool  # the bundled demo store instead of the user's
    message: str  # one line for the user
    report: CollectReport | None = None


def choose_store(db: str, articles_in_store: int, report: CollectReport | None, demo_db: str) -> FirstRun:
    """Decide which store ``make run`` opens: the demo store only when nothing was reached and the store is empty.

    ``report`` is None when collection raised ``NetworkUnavailable``.

    >>> choose_store("s.db", 0, None, "demo.db").store
    'demo.db'
    >>> choose_store("s.db", 12, None, "demo.db").store
    's.db'
    >>> choose_store("s.db", 0, CollectReport(sources_reached=3), "demo.db").demo
    False
    """
    reached_nothing = report is None or report.reached_nothing
    if reached_nothing and articles_in_store == 0:
        return FirstRun(demo_db, True, "collection reached no outlet (no network, or every request refused) and "
                                       f"{db} is empty: opening the bundled demo store {demo_db} instead", report)
    if reached_nothing:
        return FirstRun(db, False, f"collection reached no outlet (no network?): opening {db} as it is "
                                   f"({articles_in_store} articles)", report)
    return FirstRun(db, False, f"collected the latest news into {db} ({articles_in_store} articles)", report)


def first_run(settings: Settings, *, demo_db: Path = demo.DEMO_DB, outlets_file: Path = LATEST_OUTLETS,
              policy: FetchPolicy | None = None, progress: Progress | None = None,
              resolver: Resolver | None = None, gdelt_api: str = GDELT_API,
              now: datetime | None = None) -> FirstRun:
    """Collect the latest news into ``settings.db``; fall back to the demo store when that reached nothing.

    The demo store is built from ``data/demo/articles.jsonl`` the first time it is needed.
    """
    with Store.open_with(settings) as store:
        report: CollectReport | None
        try:
            report = collect_latest(store, settings, outlets_file=outlets_file, policy=policy, progress=progress,
                                    resolver=resolver, gdelt_api=gdelt_api, now=now)
        except NetworkUnavailable as exc:
            log.info("collect --latest: %s", exc)
            report = None
        chosen = choose_store(settings.db, store.count("articles"), report, str(demo_db))
    if chosen.demo:
        demo.ensure_demo_store(demo_db, settings)
    return chosen
