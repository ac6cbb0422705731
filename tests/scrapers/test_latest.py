"""``collect --latest``, ``make run``'s first-run decision and the bundled demo store.

A small loopback web (built here, no ../shared) serves three outlets: an RSS feed, an Atom feed
and a news sitemap whose items are dated relative to the moment of the request (2, 5 and 30 hours
ago, plus one item ten days old that no window reaches), article pages written for this test, a
dead feed address (404) and a fake GDELT endpoint. A second outlet file points every source at a
port that refuses connections: the network refused.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from core.errors import InputError
from core.settings import Settings
from core.store import Store
from scrapers import demo, latest
from scrapers.__main__ import main
from scrapers.fetch import FetchPolicy
from scrapers.importer import import_files

OUTLETS = ("alpha", "bravo", "charlie")
# Item ages of each outlet's sources at the first run: three inside the 48-hour window, two outside (75 hours:
# on an earlier day than the window's first, whatever the hour: a first run reaches back no further).
AGES_HOURS = (2, 5, 30, 75, 240)
WINDOW_HOURS = 48
PARAGRAPH = ("The {outlet} desk reports on item {n}: the council met on {day} and agreed a budget for roads, "
             "schools and the harbour after a debate that lasted most of the afternoon. Members said the plan "
             "would be reviewed in the spring, and residents were invited to send comments before the vote.")


@dataclass
class Item:
    outlet: str
    n: int
    published: datetime
    headline: str | None = None  # default: a numbered council story
    paragraphs: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"/{self.outlet}/news/item-{self.n}"

    @property
    def title(self) -> str:
        return self.headline or f"{self.outlet.title()} council agrees budget, item {self.n}"

    def page(self) -> bytes:
        day = f"{self.published:%d %B %Y}"
        paragraphs = self.paragraphs or tuple(f"{PARAGRAPH.format(outlet=self.outlet.title(), n=self.n, day=day)} "
                                              f"Part {k}." for k in range(1, 6))
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return (f'<html><head><title>{escape(self.title)}</title>'
                f'<meta property="article:published_time" content="{self.published.isoformat()}"></head>'
                f'<body><article><h1>{escape(self.title)}</h1>{body}</article></body></html>').encode()


@dataclass
class LatestWeb:
    """Three outlets whose sources list ``items``; add items between runs to simulate the next day."""

    server: ThreadingHTTPServer
    items: list[Item] = field(default_factory=list)
    gdelt_calls: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, outlet: str, hours_ago: float, headline: str | None = None, paragraphs: tuple[str, ...] = ()
            ) -> Item:
        item = Item(outlet, len(self.items) + 1, datetime.now(UTC) - timedelta(hours=hours_ago), headline, paragraphs)
        self.items.append(item)
        return item

    def outlets_file(self, folder: Path) -> Path:
        path = folder / "outlets.toml"
        path.write_text(
            "checked = false\n"
            f'[[outlets]]\nname = "Alpha"\ndomains = ["alpha.test"]\n'
            f'feeds = ["{self.base}/alpha/rss.xml", "{self.base}/alpha/gone.xml"]\n'
            f'[[outlets]]\nname = "Bravo"\ndomains = ["bravo.test"]\nfeeds = ["{self.base}/bravo/atom.xml"]\n'
            f'[[outlets]]\nname = "Charlie"\ndomains = ["charlie.test"]\n'
            f'sitemaps = ["{self.base}/charlie/news-sitemap.xml"]\n', encoding="utf-8")
        return path

    def answer(self, path: str) -> tuple[int, str, bytes]:
        outlet = path.strip("/").split("/")[0]
        mine = [i for i in self.items if i.outlet == outlet]
        if path.startswith("/api/v2/doc/doc"):
            self.gdelt_calls.append(path)
            return 200, "application/json", json.dumps({"articles": []}).encode()
        if path.endswith("/rss.xml"):
            entries = "".join(f"<item><title>{escape(i.title)}</title><link>{self.base}{i.path}</link>"
                              f"<pubDate>{format_datetime(i.published)}</pubDate></item>" for i in mine)
            return 200, "application/rss+xml", f'<rss version="2.0"><channel><title>{outlet}</title>' \
                                               f'{entries}</channel></rss>'.encode()
        if path.endswith("/atom.xml"):
            entries = "".join(f"<entry><title>{escape(i.title)}</title><link href=\"{self.base}{i.path}\"/>"
                              f"<id>{self.base}{i.path}</id><updated>{i.published.isoformat()}</updated></entry>"
                              for i in mine)
            return 200, "application/atom+xml", f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{outlet}</title>' \
                                                f'{entries}</feed>'.encode()
        if path.endswith("/news-sitemap.xml"):
            urls = "".join(f"<url><loc>{escape(self.base + i.path)}</loc><news:news><news:publication_date>"
                           f"{i.published.isoformat()}</news:publication_date><news:title>{escape(i.title)}"
                           f"</news:title></news:news></url>" for i in mine)
            return 200, "application/xml", ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                                            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                                            f'{urls}</urlset>').encode()
        for item in self.items:
            if path == item.path:
                return 200, "text/html; charset=utf-8", item.page()
        return 404, "text/plain", b"not found"


@contextmanager
def serve_latest_web() -> Iterator[LatestWeb]:
    """Start an empty LatestWeb on 127.0.0.1 (port 0); add items with ``add``."""
    state: dict[str, LatestWeb] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            status, kind, body = state["web"].answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["web"] = LatestWeb(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["web"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def web() -> Iterator[LatestWeb]:
    with serve_latest_web() as served:
        for outlet in OUTLETS:
            for hours in AGES_HOURS:
                served.add(outlet, hours)
        yield served


def refused_port() -> int:
    """Return a loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy.from_settings(settings, delay=0.0, allow_private_hosts=True, retries=0, read_timeout=5.0)


def stored_paths(db: Path) -> set[str]:
    with Store.open(db) as store:
        return {u.split("/", 3)[3] for u in store.articles(columns=["url"])["url"]}


def test_latest_stores_the_window_then_a_second_run_adds_only_the_new_day(web: LatestWeb, tmp_path: Path) -> None:
    settings = Settings.load({"db": str(tmp_path / "s.db")}, environ={})
    outlets = web.outlets_file(tmp_path)
    with Store.open(settings.db) as store:
        first = latest.collect_latest(store, settings, hours=WINDOW_HOURS, outlets_file=outlets,
                                      policy=policy(settings), gdelt_api=f"{web.base}/api/v2/doc/doc")
    inside = {i.path.lstrip("/") for i in web.items if datetime.now(UTC) - i.published < timedelta(hours=WINDOW_HOURS)}
    assert len(inside) == 9
    assert stored_paths(Path(settings.db)) == inside  # the ten-day-old items are outside the window
    assert first.inserted == 9 and first.outlets == {"Alpha", "Bravo", "Charlie"}
    assert first.dropped["outside date range"] == 6
    # The dead feed is a row of the report and of fetch_log, not a crash.
    assert [(url.rsplit("/", 2)[-2:], kind) for url, kind, _m, _o in first.source_failures] == \
        [(["alpha", "gone.xml"], "feed")]
    assert first.messages[0].startswith("window: the last 48 hours")
    assert web.gdelt_calls and "domainis%3Aalpha.test" in web.gdelt_calls[0]

    # The next day's news, and an item dated 20 hours ago that its feed lists only now: a run that continues
    # the last one reaches back a day before its window (at 00:30, a run missed it: it fell on the day before).
    new = [web.add("alpha", 0.5), web.add("charlie", 1), web.add("bravo", 20)]
    with Store.open(settings.db) as store:
        window = latest.latest_window(store, WINDOW_HOURS)
        first_end = latest.last_window_end(store)
        assert not window.first and window.continued and window.start == first_end and first_end is not None
        assert window.end - window.start < timedelta(minutes=5)
        second = latest.collect_latest(store, settings, hours=WINDOW_HOURS, outlets_file=outlets,
                                       policy=policy(settings), gdelt_api=f"{web.base}/api/v2/doc/doc")
        runs = store.runs()
    assert second.inserted == 3 and second.fetched == 3
    assert stored_paths(Path(settings.db)) == inside | {i.path.lstrip("/") for i in new}
    assert second.messages[0].startswith("window: what is new since the last run")
    ends = [json.loads(c).get("window_end") for c in runs["counts"]]
    assert len(ends) == 2 and all(ends) and ends[0] <= ends[1]


def test_network_refused_and_empty_store_opens_the_demo_store(tmp_path: Path) -> None:
    port = refused_port()
    outlets = tmp_path / "outlets.toml"
    outlets.write_text(f'[[outlets]]\nname = "Alpha"\ndomains = ["alpha.test"]\n'
                       f'feeds = ["http://127.0.0.1:{port}/rss.xml"]\n'
                       f'sitemaps = ["http://127.0.0.1:{port}/news-sitemap.xml"]\n', encoding="utf-8")
    settings = Settings.load({"db": str(tmp_path / "s.db")}, environ={})
    demo_db = tmp_path / "demo.db"
    chosen = latest.first_run(settings, demo_db=demo_db, outlets_file=outlets, policy=policy(settings),
                              gdelt_api=f"http://127.0.0.1:{port}/api/v2/doc/doc")
    assert chosen.demo and chosen.store == str(demo_db)
    assert chosen.message.startswith("collection reached no outlet")
    with Store.open(demo_db) as store:
        articles = store.articles(with_text=True)
    assert sorted(set(articles["outlet"])) == ["Global Voices", "Voice of America", "Wikinews"]
    assert set(articles["story_id"]) == {"haiti-earthquake-2010", "japan-earthquake-2011"}
    # A failed window is not recorded: the next run asks the same window again.
    with Store.open(settings.db) as store:
        assert latest.last_window_end(store) is None and store.count("articles") == 0

    # The same path on a store that holds articles keeps the user's store.
    with Store.open(settings.db) as store:
        import_files([demo.DEMO_ARTICLES], store)
    again = latest.first_run(settings, demo_db=demo_db, outlets_file=outlets, policy=policy(settings),
                             gdelt_api=f"http://127.0.0.1:{port}/api/v2/doc/doc")
    assert not again.demo and again.store == settings.db


def test_first_run_command_prints_the_store_to_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = refused_port()
    outlets = tmp_path / "outlets.toml"
    outlets.write_text(f'[[outlets]]\nname = "A"\nfeeds = ["http://127.0.0.1:{port}/rss.xml"]\n', encoding="utf-8")
    status = main(["first-run", "--db", str(tmp_path / "s.db"), "--demo-db", str(tmp_path / "demo.db"),
                   "--outlets", str(outlets), "--allow-private-hosts", "--delay", "0", "--no-progress",
                   "--gdelt-api", f"http://127.0.0.1:{port}/api"])
    out, err = capsys.readouterr()
    assert status == 0 and out.strip() == str(tmp_path / "demo.db")
    assert "opening the bundled demo store" in err.strip().splitlines()[-1]


def test_choose_store_only_falls_back_on_an_empty_unreachable_store() -> None:
    from scrapers.collect_report import CollectReport

    refused = CollectReport(source_failures=[("https://e.com/rss", "feed", "HTTP 403", "E")])
    assert latest.choose_store("s.db", 0, refused, "d.db").demo  # every request refused
    assert not latest.choose_store("s.db", 0, CollectReport(sources_reached=1), "d.db").demo  # a quiet day
    assert not latest.choose_store("s.db", 5, None, "d.db").demo  # offline, but the store has articles


def test_bad_latest_arguments_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.db")
    assert main(["collect", "--latest", "--feed", "https://e.com/rss", "--db", db]) == 2
    assert main(["collect", "--latest", "--hours", "0", "--db", db]) == 2
    assert main(["collect", "--latest", "--outlets", str(tmp_path / "none.toml"), "--db", db]) == 2
    assert main(["collect", "--feed", "https://e.com/rss", "--hours", "5", "--db", db]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 4 and "--latest collects the default outlets' latest news: drop --feed" in lines[0]
    assert "--hours must be at least 1" in lines[1] and "no such outlets file" in lines[2]


def test_outlets_file_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "o.toml"
    path.write_text('[[outlets]]\nname = "E"\nfeeds = ["not a url"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"outlets\[0\]\.feeds: 'not a url'"):
        latest.load_latest_outlets(path)
    path.write_text('[[outlets]]\nname = "E"\ndomains = ["e.com"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="has no feeds and no sitemaps"):
        latest.load_latest_outlets(path)


def test_default_outlets_file_spans_countries_and_is_marked_unchecked() -> None:
    outlets = latest.load_latest_outlets()
    text = latest.LATEST_OUTLETS.read_text(encoding="utf-8")
    countries = {line.split('"')[1] for line in text.splitlines() if line.startswith("country = ")}
    assert 28 <= len(outlets) <= 40 and len(countries) >= 15
    assert "checked = false" in text and "UNCHECKED" in text
    assert all(o.domains for o in outlets)


# --- the demo store -------------------------------------------------------------------------------

def test_demo_articles_file_is_built_from_its_sources(tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    assert demo.build_demo_articles(demo.DEMO_SOURCES, out) == 5
    assert out.read_text(encoding="utf-8") == demo.DEMO_ARTICLES.read_text(encoding="utf-8")


def test_demo_store_imports_cleanly_with_attribution(tmp_path: Path) -> None:
    with Store.open(tmp_path / "d.db") as store:
        report = import_files([demo.DEMO_ARTICLES], store)
        articles = store.articles(with_text=True)
    assert report.rejected == [] and not report.warnings and report.counts.inserted == 5
    outlets = articles.groupby("story_id")["outlet"].nunique().to_dict()
    assert outlets == {"haiti-earthquake-2010": 3, "japan-earthquake-2011": 2}
    for row in articles.itertuples(index=False):
        labels = json.loads(row.labels)
        assert labels["licence"] in demo.ALLOWED_LICENCES and labels["source_url"] == row.url
        assert labels["licence_evidence"].startswith("https://") and row.title in labels["attribution"]
        assert len(row.text.split()) > 80
    readme = (demo.DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert all(u in readme for u in articles["url"]) and all(json.loads(lab)["licence"] in readme
                                                             for lab in articles["labels"])


def test_demo_sources_refuse_a_licence_that_forbids_republishing(tmp_path: Path) -> None:
    text = demo.DEMO_SOURCES.read_text(encoding="utf-8").replace('licence = "CC BY 3.0"', 'licence = "CC BY-NC 4.0"')
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"articles\[2\]\.licence: 'CC BY-NC 4.0' does not allow republishing"):
        demo.load_demo_sources(path)
