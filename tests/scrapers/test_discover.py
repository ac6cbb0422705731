"""Discovery: feeds, sitemaps, GDELT slicing, URL lists, story files and filtering, all offline."""

from __future__ import annotations

import gzip
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from core.errors import InputError
from core.outlets import load_outlets
from core.urls import registered_domain
from scrapers.discover.sources import (
    GDELT_CAP,
    Candidate,
    Query,
    SitemapLink,
    Story,
    StoryOutlet,
    discover,
    filter_candidates,
    gdelt_slices,
    load_story,
    parse_feed,
    parse_sitemap,
    read_url_list,
    sitemap_may_hold,
    slug_text,
    url_date,
)
from scrapers.outlets import outlet_for_url
from tests.conftest import REPO_ROOT

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Business</title><link>https://news.example.com/</link>
<item><title>China eases rare-earth export curbs after London talks</title>
  <link>https://news.example.com/business/china-rare-earths-london?utm_source=rss</link>
  <pubDate>Wed, 11 Jun 2025 07:30:00 +0100</pubDate></item>
<item><title>Relative link story</title><link>/world/relative-story</link></item>
<item><title>No link at all</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom example</title>
<entry><title>US and China agree trade framework</title>
  <link href="https://atom.example.org/2025/06/10/us-china-framework"/>
  <id>tag:atom.example.org,2025:1</id><updated>2025-06-10T18:00:00Z</updated></entry>
</feed>"""

SITEMAP_NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://news.example.com/a/rare-earth-magnets-shortage</loc>
  <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2025-06-09T22:15:00-04:00</news:publication_date>
   <news:title>Rare earth magnet shortage hits carmakers as China talks begin</news:title></news:news></url>
 <url><loc>https://news.example.com/b/sports-results</loc><lastmod>2025-05-02</lastmod></url>
 <url><loc>not a url</loc></url>
</urlset>"""

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://news.example.com/sitemap-2025-06.xml</loc><lastmod>2025-06-30T23:00:00Z</lastmod></sitemap>
 <sitemap><loc>https://news.example.com/sitemap-2025-04.xml</loc></sitemap>
 <sitemap><loc>https://news.example.com/sitemap-old.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
</sitemapindex>"""


def story(**changes: object) -> Story:
    base = Story(name="t", title="T", start=date(2025, 6, 1), end=date(2025, 6, 30),
                 query=Query(all_of=(("rare earth*", "magnet*", "trade framework", "trade talk*"),
                                     ("china", "beijing"))), outlets=(), gdelt=False)
    return Story(**{**base.__dict__, **changes})


# --- feeds ----------------------------------------------------------------------------------------

def test_parse_rss_and_atom() -> None:
    found = parse_feed(RSS, "https://news.example.com/rss", outlet="Example")
    assert [c.url for c in found] == ["https://news.example.com/business/china-rare-earths-london?utm_source=rss",
                                      "https://news.example.com/world/relative-story"]
    first = found[0]
    assert first.canonical_url == "https://news.example.com/business/china-rare-earths-london"
    assert (first.published, first.kind, first.outlet) == ("2025-06-11T06:30:00", "feed", "Example")
    assert found[1].published is None
    atom = parse_feed(ATOM, "https://atom.example.org/feed")
    assert [(c.title, c.published) for c in atom] == [("US and China agree trade framework", "2025-06-10T18:00:00")]


def test_malformed_but_readable_feed_is_used() -> None:
    broken = RSS.replace(b"Example Business", b"Example & Business")  # an unescaped ampersand
    assert len(parse_feed(broken, "https://news.example.com/rss")) == 2


@pytest.mark.parametrize("data", [b"<html><body>Moved</body></html>", b"", b"\x00\x01 binary"])
def test_not_a_feed_names_the_feed(data: bytes) -> None:
    with pytest.raises(InputError, match="https://dead.example.com/rss"):
        parse_feed(data, "https://dead.example.com/rss")


def test_feed_entities_cannot_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<rss version="2.0"><channel><title>t</title><item><title>a &x; b</title>'
           '<link>https://e.com/a</link></item></channel></rss>').encode()
    try:
        found = parse_feed(xxe, "https://e.com/rss")
    except InputError:
        return
    assert all("TOPSECRET" not in (c.title or "") for c in found)


# --- sitemaps -------------------------------------------------------------------------------------

def test_parse_news_sitemap_and_urlset() -> None:
    found, children = parse_sitemap(SITEMAP_NEWS, "https://news.example.com/news.xml", outlet="Example")
    assert children == []
    assert [c.url for c in found] == ["https://news.example.com/a/rare-earth-magnets-shortage",
                                      "https://news.example.com/b/sports-results"]
    assert found[0].published == "2025-06-10T02:15:00"  # converted to UTC
    assert found[0].title.startswith("Rare earth magnet shortage")
    assert (found[1].published, found[1].modified) == (None, "2025-05-02")


def test_parse_sitemap_index_and_gzip() -> None:
    found, children = parse_sitemap(gzip.compress(SITEMAP_INDEX), "https://news.example.com/sitemap.xml.gz")
    assert found == []
    assert children[0] == SitemapLink("https://news.example.com/sitemap-2025-06.xml", "2025-06-30T23:00:00")
    may = [sitemap_may_hold(link, story()) for link in children]
    assert may == [True, False, False]


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    b'<urlset><url><loc>https://e.com/&lol2;</loc></url></urlset>',
    b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url>'
    b'</urlset>',
    b"<html><body>not xml",
    b"<rss version='2.0'></rss>",
])
def test_bad_or_hostile_sitemaps_are_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="https://e.com/sitemap.xml"):
        parse_sitemap(data, "https://e.com/sitemap.xml")


# --- GDELT ----------------------------------------------------------------------------------------

class FakeGdelt:
    """A DOC API stand-in over a list of (time, url): honours the window, sorts newest first, caps at 250."""

    def __init__(self, stamps: list[datetime]) -> None:
        self.items = [(stamp, f"https://{'a' if i % 2 else 'b'}.example.com/story-{i}") for i, stamp in
                      enumerate(stamps)]
        self.calls: list[str] = []

    def __call__(self, url: str) -> dict:
        self.calls.append(url)
        params = parse_qs(urlsplit(url).query)
        assert params["mode"] == ["artlist"] and params["format"] == ["json"]
        start = datetime.strptime(params["startdatetime"][0], "%Y%m%d%H%M%S")
        end = datetime.strptime(params["enddatetime"][0], "%Y%m%d%H%M%S")
        domains = [part.split(":")[1].strip("()") for part in params["query"][0].split() if "domainis:" in part]
        hits = sorted(((s, u) for s, u in self.items if start <= s <= end
                       and (not domains or urlsplit(u).hostname in domains)), reverse=True)
        hits = hits[:min(int(params["maxrecords"][0]), GDELT_CAP)]
        if not hits:
            return {}  # what GDELT answers when nothing matches
        return {"articles": [{"url": u, "title": f"China talks {u[-3:]}", "seendate": f"{s:%Y%m%dT%H%M%SZ}",
                              "domain": urlsplit(u).hostname} for s, u in hits]}


def test_gdelt_slices_split_until_under_the_cap() -> None:
    start = datetime(2025, 6, 1)
    stamps = [start + timedelta(minutes=7 * i) for i in range(1000)]  # ~4.9 days of articles
    fake = FakeGdelt(stamps)
    counts: Counter[str] = Counter()
    found = gdelt_slices(start, datetime(2025, 6, 30, 23, 59, 59), fake, "china", counts=counts)
    assert len({c.url for c in found}) == 1000
    assert counts["gdelt calls"] == len(fake.calls) > 4
    assert counts["gdelt slice truncated"] == 0
    assert all(c.kind == "gdelt" and c.published for c in found)


def test_gdelt_slicing_is_bounded_when_one_instant_exceeds_the_cap() -> None:
    burst = [datetime(2025, 6, 10, 12, 0, 0)] * 400
    fake = FakeGdelt(burst)
    counts: Counter[str] = Counter()
    found = gdelt_slices(datetime(2025, 6, 1), datetime(2025, 6, 30), fake, "china", max_depth=5, counts=counts)
    assert len(found) == GDELT_CAP and counts["gdelt slice truncated"] == 1
    assert len(fake.calls) <= 2 ** 6


def test_gdelt_domain_filter_and_outlet_names() -> None:
    fake = FakeGdelt([datetime(2025, 6, 5, 10)] * 2 + [datetime(2025, 6, 6, 10)] * 2)
    outlets = {"Alpha": {"name": "Alpha", "domains": ["a.example.com"]}}
    found = gdelt_slices(datetime(2025, 6, 1), datetime(2025, 6, 30), fake, "china", ["a.example.com"],
                         outlets=outlets)
    assert found and all(c.outlet == "Alpha" for c in found)


def test_gdelt_error_answer_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a JSON object"):
        gdelt_slices(datetime(2025, 6, 1), datetime(2025, 6, 2), lambda url: "Invalid query", "x")


# --- URL lists and stories ------------------------------------------------------------------------

def test_url_list_reports_bad_lines_by_number() -> None:
    text = "# seeds\nhttps://e.com/a\n  \nftp://e.com/b\nhttps://e.com/c # note\nhttp://\n"
    found, errors = read_url_list(text, "seeds.txt")
    assert [c.url for c in found] == ["https://e.com/a", "https://e.com/c"]
    assert [(e.source, e.line) for e in errors] == [("seeds.txt", 4), ("seeds.txt", 6)]
    assert all(c.kind == "list" for c in found)


GOOD_STORY = """
title = "Test story"
start = 2025-06-01
end = 2025-06-30
[query]
all_of = [["rare earth*"], ["china"]]
[[outlets]]
name = "Example"
domains = ["example.com"]
feeds = ["https://example.com/rss"]
"""


@pytest.mark.parametrize(("change", "key"), [
    (lambda s: s + 'colour = "blue"\n', "colour"),
    (lambda s: s.replace("[query]\nall_of = [[\"rare earth*\"], [\"china\"]]\n", ""), "query"),
    (lambda s: s.replace("all_of = [[\"rare earth*\"], [\"china\"]]", "all_of = []"), "query.all_of"),
    (lambda s: s.replace("all_of = [[\"rare earth*\"], [\"china\"]]", "all_of = [[\"x\"], []]"), "query.all_of[1]"),
    (lambda s: s.replace("start = 2025-06-01", 'start = "June 1st"'), "start"),
    (lambda s: s.replace("end = 2025-06-30", "end = 2025-05-01"), "end"),
    (lambda s: s.replace("end = 2025-06-30\n", ""), "end"),
    (lambda s: s.replace("https://example.com/rss", "example.com/rss"), "outlets[0].feeds[0]"),
    (lambda s: s.replace('name = "Example"', 'name = "Example"\nfeeed = []'), "feeed"),
    (lambda s: s.replace("title = ", "[query2]\nx=1\ntitle = "), "query2"),
    (lambda s: s + "[[outlets]]\nname = \"Empty\"\n", "outlets[1]"),
    (lambda s: s.replace("[query]", "[query]\nnone_of = \"x\""), "query.none_of"),
    (lambda s: s + "url_lists = [\"missing.txt\"]\n", "url_lists"),
    (lambda s: s.replace("title", "title = ", 1), "not valid TOML"),
])
def test_bad_story_files_name_file_and_key(tmp_path: Path, change: object, key: str) -> None:
    path = tmp_path / "bad.toml"
    text = change(GOOD_STORY)  # type: ignore[operator]
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_story(path)
    assert str(path) in str(raised.value) and key in str(raised.value)


def test_good_story_file(tmp_path: Path) -> None:
    (tmp_path / "seeds.txt").write_text("https://example.com/2025/06/10/rare-earths-china\n")
    path = tmp_path / "good.toml"
    path.write_text('url_lists = ["seeds.txt"]\n' + GOOD_STORY)  # top-level keys come before any table
    loaded = load_story(path)
    assert (loaded.name, loaded.start, loaded.end, loaded.gdelt) == ("good", date(2025, 6, 1), date(2025, 6, 30), True)
    assert loaded.query.gdelt_query() == '"rare earth" china'
    assert loaded.url_lists == (tmp_path / "seeds.txt",)


def test_default_story_covers_ten_outlets_with_sources() -> None:
    loaded = load_story(REPO_ROOT / "data" / "stories" / "rare_earths_2025.toml")
    with_sources = [o for o in loaded.outlets if (o.feeds or o.sitemaps) and o.domains]
    assert len(with_sources) >= 10
    assert loaded.start == date(2025, 6, 1) and loaded.end == date(2025, 6, 30)
    assert loaded.query.matches("US, China agree on framework after London trade talks")
    assert loaded.query.matches("China's rare-earth magnet exports fall")
    assert not loaded.query.matches("Rare earth prices rise in Australia")
    outlets = load_outlets(REPO_ROOT / "data" / "outlets.toml")
    for outlet in loaded.outlets:
        assert outlet.name in outlets, f"{outlet.name} missing from data/outlets.toml"
        for domain in outlet.domains:
            assert outlet_for_url(f"https://www.{domain}/x", outlets) == outlet.name


# --- filtering ------------------------------------------------------------------------------------

def cand(url: str, title: str | None = None, published: str | None = None, kind: str = "feed",
         modified: str | None = None) -> Candidate:
    from core.urls import canonical_url

    return Candidate(url, canonical_url(url), "E", title, published, kind, "src", modified)


def test_filter_candidates_counts_every_reason() -> None:
    candidates = [
        cand("https://e.com/x/china-rare-earths", "China rare earths", "2025-06-10"),
        cand("https://e.com/x/china-rare-earths?utm_source=tw", None, None, kind="gdelt"),  # duplicate
        cand("https://e.com/y", "China rare earths", "2025-05-10"),  # outside range
        cand("https://e.com/z/sports", "Cup final", "2025-06-10"),  # not matching
        cand("https://e.com/2025/07/02/china-magnets"),  # outside by URL date
        cand("https://e.com/q/china-magnets-explained"),  # no date: kept, counted
        cand("https://e.com/123456"),  # nothing to match: kept, counted
        cand("https://e.com/s/china-magnet-stocks", modified="2025-05-01", kind="sitemap"),  # lastmod too early
    ]
    kept, counts = filter_candidates(candidates, story())
    assert [c.url for c in kept] == ["https://e.com/x/china-rare-earths", "https://e.com/q/china-magnets-explained",
                                     "https://e.com/123456"]
    assert counts == Counter({"duplicate url": 1, "outside date range": 3, "not matching query": 1,
                              "kept: date unknown": 2, "kept: no title or slug to match": 1})


def test_duplicates_merge_their_facts() -> None:
    kept, _ = filter_candidates([cand("https://e.com/china-magnets", None, "2025-06-03", kind="gdelt"),
                                 cand("https://e.com/china-magnets", "China magnets", None, kind="feed")], story())
    assert (kept[0].title, kept[0].published) == ("China magnets", "2025-06-03")


def test_query_semantics_and_helpers() -> None:
    query = Query(all_of=(("rare earth*", "magnet*"), ("china",)), none_of=("live",))
    assert query.matches("CHINA: Rare-Earths!") and query.matches("China magnetic fields")  # magnet* is a prefix
    assert not query.matches("rare earth prices")  # the china group is missing
    assert not query.matches("Live: China rare earth talks")
    assert slug_text("https://e.com/news/2025/06/10/china-rare-earth-deal-12345.html") == "news china rare earth deal"
    assert url_date("https://e.com/news/20250610/x") == date(2025, 6, 10)
    assert url_date("https://e.com/news/2025/13/10/x") is None


def test_outlets_are_found_offline() -> None:
    # The conftest network guard would fail this test if tldextract tried to fetch its list.
    assert registered_domain("https://www.news.bbc.co.uk/x") == "bbc.co.uk"
    outlets = load_outlets(REPO_ROOT / "data" / "outlets.toml")
    assert outlet_for_url("https://www.foxbusiness.com/markets/x", outlets) == "Fox Business"
    assert outlet_for_url("https://unknown-site.co.jp/a", outlets) == "unknown-site.co.jp"
    assert sum(1 for o in outlets.values() if o["bias3"]) >= 40


@pytest.mark.parametrize(("text", "message"), [
    ('[[outlet]]\nname = "A"\ndomains = ["a.com"]\n[[outlet]]\nname = "B"\ndomains = ["a.com"]\n', "already"),
    ('[[outlet]]\nname = "A"\nbias = "far left"\n', "bias"),
    ('[[outlet]]\nname = "A"\nslant = "x"\n', "unknown keys"),
])
def test_bad_outlets_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "outlets.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_outlets(path)


# --- end to end through a loopback server ---------------------------------------------------------

@pytest.fixture
def site() -> Iterator[tuple[dict[str, bytes], list[str]]]:
    """Serve stored bytes for any URL on 127.0.0.1: ``get(url)`` asks for ``/<quoted url>``."""
    pages: dict[str, bytes] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = unquote(self.path[1:])
            asked.append(url)
            body = pages.get(url)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages["__port__"] = str(server.server_address[1]).encode()
    yield pages, asked
    server.shutdown()
    server.server_close()


def test_discover_end_to_end_over_loopback(site: tuple[dict[str, bytes], list[str]]) -> None:
    pages, asked = site
    port = int(pages["__port__"])

    def get(url: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{quote(url, safe='')}", timeout=5) as response:
            return response.read()

    pages["https://news.example.com/rss"] = RSS
    pages["https://news.example.com/sitemap.xml"] = SITEMAP_INDEX
    pages["https://news.example.com/sitemap-2025-06.xml"] = SITEMAP_NEWS
    fake = FakeGdelt([datetime(2025, 6, 12, 9), datetime(2025, 6, 12, 10)])  # one on b., one on a.example.com
    the_story = story(
        outlets=(StoryOutlet("Example", domains=("a.example.com",), feeds=("https://news.example.com/rss",
                                                                           "https://news.example.com/gone.rss"),
                             sitemaps=("https://news.example.com/sitemap.xml",)),),
        gdelt=True,
        query=Query(all_of=(("rare earth*", "magnet*", "talks"), ("china",))),
    )
    found = discover(the_story, get, fetch_json=fake, now=datetime(2025, 7, 1))
    urls = {c.url for c in found.candidates}
    assert "https://news.example.com/business/china-rare-earths-london?utm_source=rss" in urls
    assert "https://news.example.com/a/rare-earth-magnets-shortage" in urls
    assert any(c.kind == "gdelt" for c in found.candidates)
    assert "https://news.example.com/sitemap-2025-04.xml" not in asked  # outside the range: never fetched
    assert found.counts["sitemaps outside date range"] == 2
    assert [(f[0], f[1]) for f in found.failures] == [("https://news.example.com/gone.rss", "feed")]
    assert "404" in found.failures[0][2]
    assert found.found["feed"] == 2 and found.found["sitemap"] == 2 and found.found["gdelt"] == 1
    assert "1 sources failed" in found.summary()
    assert not found.notes  # the window is within GDELT's reach of `now`


def test_discover_notes_gdelt_reach_and_chunks_domains() -> None:
    domains = tuple(f"d{i}.example.com" for i in range(10))
    fake = FakeGdelt([])
    found = discover(story(outlets=(StoryOutlet("Many", domains=domains),), gdelt=True), get=lambda url: b"",
                     fetch_json=fake, now=datetime(2026, 11, 1))
    assert len(fake.calls) == 2  # ten domains, eight a call
    assert found.notes and "3-month" in found.notes[0]


def test_fetch_errors_from_the_getter_become_failures() -> None:
    def get(url: str) -> bytes:
        raise urllib.error.URLError("refused")

    found = discover(story(outlets=(StoryOutlet("E", feeds=("https://e.com/rss",),
                                                sitemaps=("https://e.com/sm.xml",)),)), get)
    assert [f[1] for f in found.failures] == ["feed", "sitemap"] and found.candidates == []
