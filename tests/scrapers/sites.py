"""A loopback test web: fake outlet sites built from the benchmark's real pages, plus fault routes.

One threaded HTTP server on 127.0.0.1 (port 0) serves four outlets. Each is
reachable two ways: by path prefix (``http://127.0.0.1:PORT/alpha/...``, usable
by any HTTP client) and by Host header (``http://alpha.test:PORT/...``, for tests
of per-host behaviour; resolve ``*.test`` with ``SiteServer.resolve``).

- Articles: the real pages of ``../shared/bench/extraction/html`` (read at start,
  never copied), split over the outlets by page id; paths and titles come from
  the original URLs in ``urls.json``, publication times are synthetic.
- Sources: alpha has an RSS feed, bravo an Atom feed, charlie a sitemap index
  pointing to a news sitemap and a gzipped urlset, delta an RSS feed and a urlset.
- robots.txt: every outlet disallows ``/private/`` (its ``/private/`` pages exist);
  on the prefix host the root robots.txt disallows ``/<outlet>/private/``.
- Fault routes under ``/fault/`` (see ``FAULT_ROUTES``) and a fake GDELT DOC 2.0
  endpoint at ``/api/v2/doc/doc`` (see ``SiteServer._gdelt``).
- ``SiteServer.requests()`` returns every request (host, path, start, end, bytes
  sent), once running handlers have finished, so tests can check politeness.

    server = start_sites(require_shared())
    try:
        urls = server.urls_for("alpha")
    finally:
        server.stop()
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import json
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape

SITES = ("alpha", "bravo", "charlie", "delta")
HOST_SUFFIX = ".test"  # RFC 2606 reserves .test: it can never be a real host
# Synthetic publication times: page i of an outlet appears at FIRST_PUBLISHED + i * PUBLISH_STEP,
# so every outlet's ~28 pages span about eight days of June 2025.
FIRST_PUBLISHED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
PUBLISH_STEP = timedelta(hours=7)
# GDELT records: one per page plus synthetic archive items, spread evenly over June 2025, so a
# whole-month query exceeds the 250-record cap (and must be sliced) while a one-day query does not.
GDELT_RECORDS = 600
GDELT_WINDOW = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
GDELT_CAP = 250  # the DOC 2.0 API's documented maximum of maxrecords
GDELT_DEFAULT_RECORDS = 75  # the DOC 2.0 API's default maxrecords
# Fault sizes: the "pages of 50 MB"; a bomb inflating past 100 MB from ~120 KB on the wire.
HUGE_BYTES = 50 * 1024 * 1024
BOMB_INFLATED_BYTES = 120 * 1024 * 1024
# Upper bound of /fault/slow's sleep, so a client that never times out still ends.
MAX_SLOW_SECONDS = 30.0
CHUNK = 64 * 1024
# Longest wait for running handlers before the request log is read (a fast handler ends in milliseconds).
SETTLE_SECONDS = 5.0

FAULT_ROUTES = {
    "/fault/500": "HTTP 500 every time",
    "/fault/429?key=K&after=S": "429 with Retry-After: S (default 1) on the first request of key K, then the page",
    "/fault/503-date?key=K": "503 with Retry-After as an HTTP-date ~1-2 s ahead on the first request, then the page",
    "/fault/429-forever": "429 with Retry-After: 3600 every time",
    "/fault/slow?seconds=S": "sleep S seconds (default 5, at most 30) before answering",
    "/fault/trickle?bytes=N&every=S": "send headers, then one body byte every S seconds (default 0.2)",
    "/fault/redirect-loop": "302 to /fault/redirect-loop-b, which redirects back",
    "/fault/redirect-chain?n=N": "N redirects, then a page",
    "/fault/redirect-to?url=U": "302 to U",
    "/fault/huge": "a 50 MB HTML body with Content-Length, streamed",
    "/fault/huge-chunked": "a 50 MB HTML body without Content-Length (ends at close), streamed",
    "/fault/gzip-bomb": "Content-Encoding: gzip, ~120 KB inflating to 120 MB",
    "/fault/gzip": "a real page, gzip-encoded",
    "/fault/gzip-members": "a real page as two concatenated gzip members",
    "/fault/deflate": "a real page, Content-Encoding: deflate (zlib-wrapped)",
    "/fault/raw-deflate": "a real page, Content-Encoding: deflate sent as raw deflate",
    "/fault/binary": "application/octet-stream bytes",
    "/fault/latin1": "Latin-1 HTML, charset in the Content-Type header only",
    "/fault/no-charset": "UTF-8 HTML with no charset anywhere",
    "/fault/wrong-charset": "header says UTF-8, body is Latin-1",
    "/fault/malformed": "a real page cut in the middle of a tag, unclosed elements",
    "/fault/empty": "200 text/html with an empty body",
    "/fault/no-content-type": "a real page without a Content-Type header",
    "/fault/set-cookie": "a real page with Set-Cookie: session=SECRET-COOKIE-VALUE",
    "/fault/paywall": "a short article whose JSON-LD says isAccessibleForFree: false",
}
SECRET_COOKIE = "SECRET-COOKIE-VALUE"
PAYWALL_PAGE = (
    b'<html><head><title>Members only</title><script type="application/ld+json">{"@context": '
    b'"https://schema.org", "@type": "NewsArticle", "headline": "Members only", "isAccessibleForFree": "False"}'
    b"</script></head><body><article><h1>Members only</h1><p>" + b"The first lines of a story are free to read. " * 6
    + b'</p><div class="paywall">Subscribe to read the rest.</div></article></body></html>'
)
# Hosts (any path works as on the prefix host) whose robots.txt answers 404 (no rules) or 500 (unreachable).
NO_ROBOTS_HOST = "no-robots.test"
BROKEN_ROBOTS_HOST = "broken-robots.test"


@dataclass(frozen=True)
class Article:
    """One served page: where it lives on the fake web and where it came from."""

    site: str
    path: str  # below the outlet root, e.g. "/news/slug-0a1b2c3d4e.html"
    page_id: str  # the benchmark id (SHA-256 of the original URL)
    title: str
    published: datetime


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (times from time.monotonic())."""

    host: str  # Host header, lower case
    path: str
    started: float
    finished: float
    status: int
    bytes_sent: int
    user_agent: str


@dataclass
class SiteServer:
    """A running loopback test web; see the module docstring."""

    httpd: ThreadingHTTPServer
    articles: dict[str, list[Article]]
    pages: dict[str, bytes]  # page id -> raw HTML
    gdelt: list[dict[str, Any]]
    log: list[RequestRecord] = field(default_factory=list)
    gdelt_calls: list[dict[str, str]] = field(default_factory=list)
    crawl_delays: dict[str, int] = field(default_factory=dict)  # outlet -> robots.txt Crawl-delay (s)
    stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _keys_seen: set[str] = field(default_factory=set)
    _active: int = 0  # handlers running now
    _idle: threading.Condition = field(default_factory=threading.Condition)
    _thread: threading.Thread | None = None

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def site_root(self, site: str, *, by_host: bool = False) -> str:
        """Return an outlet's root URL: by path prefix (default) or by Host header."""
        self._check_site(site)
        return f"http://{site}{HOST_SUFFIX}:{self.port}" if by_host else f"{self.base_url}/{site}"

    def urls_for(self, site: str, *, by_host: bool = False) -> list[str]:
        """Return the URLs of an outlet's articles, oldest first."""
        root = self.site_root(site, by_host=by_host)
        return [root + article.path for article in self.articles[site]]

    def sources_for(self, site: str, *, by_host: bool = False) -> dict[str, list[str]]:
        """Return an outlet's feeds and sitemaps as ``{"feeds": [...], "sitemaps": [...]}``."""
        root = self.site_root(site, by_host=by_host)
        feeds = {"alpha": ["/rss.xml"], "bravo": ["/atom.xml"], "charlie": [], "delta": ["/rss.xml"]}[site]
        sitemaps = {"alpha": [], "bravo": [], "charlie": ["/sitemap.xml"], "delta": ["/sitemap.xml"]}[site]
        return {"feeds": [root + p for p in feeds], "sitemaps": [root + p for p in sitemaps]}

    def private_url(self, site: str, *, by_host: bool = False) -> str:
        """Return a URL that exists but that robots.txt disallows."""
        return self.site_root(site, by_host=by_host) + "/private" + self.articles[site][0].path

    def fault_url(self, route: str, *, host: str | None = None) -> str:
        """Return the URL of a fault route (``"/fault/500"``), optionally on a ``*.test`` host."""
        base = f"http://{host}:{self.port}" if host else self.base_url
        return base + route

    def gdelt_url(self, **params: str) -> str:
        """Return a fake GDELT DOC 2.0 URL with the given query parameters."""
        query = "&".join(f"{key}={quote(str(value))}" for key, value in params.items())
        return f"{self.base_url}/api/v2/doc/doc?{query}"

    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``*.test`` and ``localhost`` to 127.0.0.1; refuse any other name (no real DNS in tests)."""
        if host.endswith(HOST_SUFFIX) or host == "localhost":
            return ["127.0.0.1"]
        if host.replace(".", "").isdigit() or ":" in host:
            return [host]
        raise OSError(f"test resolver knows only *{HOST_SUFFIX} names, not {host!r}")

    def page_for(self, url: str) -> bytes:
        """Return the raw HTML served at an article URL."""
        return self.pages[self._article_at(url).page_id]

    # -- request log -------------------------------------------------------------------------------
    def settle(self, timeout: float = SETTLE_SECONDS) -> bool:
        """Wait until no handler is running (a client may read the last byte before the log entry exists)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def requests(self) -> list[RequestRecord]:
        """Return every logged request, by start time, once the handlers have settled."""
        self.settle()
        with self._lock:
            return sorted(self.log, key=lambda r: r.started)

    def requests_to(self, host: str) -> list[RequestRecord]:
        """Return the logged requests whose Host header names ``host``, by start time."""
        return [r for r in self.requests() if r.host.split(":")[0] == host.split(":")[0]]

    def max_in_flight(self, host: str) -> int:
        """Return the most requests to one host that the server handled at the same time."""
        events = sorted([(r.started, 1) for r in self.requests_to(host)]
                        + [(r.finished, -1) for r in self.requests_to(host)], key=lambda e: (e[0], e[1]))
        peak = now = 0
        for _, step in events:
            now += step
            peak = max(peak, now)
        return peak

    def gaps(self, host: str) -> list[float]:
        """Return the seconds between the end of each request to a host and the start of the next."""
        records = self.requests_to(host)
        return [b.started - a.finished for a, b in zip(records, records[1:])]

    def stop(self) -> None:
        """Stop serving (wakes sleeping fault handlers) and close the socket."""
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- content -----------------------------------------------------------------------------------
    def _check_site(self, site: str) -> None:
        if site not in self.articles:
            raise KeyError(f"unknown test site {site!r}; valid: {', '.join(self.articles)}")

    def _article_at(self, url: str) -> Article:
        parts = urlsplit(url)
        host = (parts.hostname or "").removesuffix(HOST_SUFFIX)
        path = parts.path
        if host in self.articles:
            site = host
        else:
            site, _, rest = path.lstrip("/").partition("/")
            path = "/" + rest
        for article in self.articles.get(site, []):
            if article.path == path.removeprefix("/private"):
                return article
        raise KeyError(f"no test article at {url}")


    def robots(self, site: str | None) -> bytes:
        """Return robots.txt of an outlet (Host mode) or of the prefix host (site None)."""
        lines = ["User-agent: BadBot", "Disallow: /", "", "User-agent: *"]
        if site is None:
            lines += [f"Disallow: /{name}/private/" for name in self.articles]
        else:
            lines.append("Disallow: /private/")
            if site in self.crawl_delays:
                lines.append(f"Crawl-delay: {self.crawl_delays[site]}")
            lines.append(f"Sitemap: {self.site_root(site, by_host=True)}/sitemap.xml")
        return ("\n".join(lines) + "\n").encode()

    def feed(self, site: str, root: str, kind: str) -> bytes:
        """Return an RSS 2.0 or Atom feed of an outlet's newest 20 articles."""
        items = sorted(self.articles[site], key=lambda a: a.published, reverse=True)[:20]
        if kind == "rss":
            entries = "".join(
                f"<item><title>{escape(a.title)}</title><link>{escape(root + a.path)}?utm_source=rss</link>"
                f"<guid isPermaLink=\"false\">{a.page_id}</guid>"
                f"<pubDate>{email.utils.format_datetime(a.published, usegmt=True)}</pubDate></item>"
                for a in items
            )
            return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{site}</title>'
                    f"<link>{escape(root)}/</link><description>Test outlet {site}</description>"
                    f"{entries}</channel></rss>").encode()
        entries = "".join(
            f"<entry><title>{escape(a.title)}</title><link href=\"{escape(root + a.path)}\"/>"
            f"<id>urn:sha256:{a.page_id}</id><updated>{a.published:%Y-%m-%dT%H:%M:%SZ}</updated></entry>"
            for a in items
        )
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{site}</title><id>{escape(root)}/</id><updated>{items[0].published:%Y-%m-%dT%H:%M:%SZ}"
                f"</updated>{entries}</feed>").encode()

    def sitemap(self, site: str, root: str, name: str) -> bytes | None:
        """Return a sitemap index, news sitemap or urlset of an outlet (None if it has no such file)."""
        articles = self.articles[site]
        urlset = '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if site == "charlie" and name == "sitemap.xml":
            return (f'<?xml version="1.0" encoding="UTF-8"?>'
                    f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<sitemap><loc>{escape(root)}/sitemap-news.xml</loc>"
                    f"<lastmod>{articles[-1].published:%Y-%m-%dT%H:%M:%SZ}</lastmod></sitemap>"
                    f"<sitemap><loc>{escape(root)}/sitemap-2025-06.xml.gz</loc>"
                    f"<lastmod>{articles[-1].published:%Y-%m-%d}</lastmod></sitemap></sitemapindex>").encode()
        if site == "charlie" and name == "sitemap-news.xml":
            news = articles[len(articles) // 2:]
            body = "".join(
                f"<url><loc>{escape(root + a.path)}</loc><news:news><news:publication><news:name>{site}"
                f"</news:name><news:language>en</news:language></news:publication>"
                f"<news:publication_date>{a.published:%Y-%m-%dT%H:%M:%SZ}</news:publication_date>"
                f"<news:title>{escape(a.title)}</news:title></news:news></url>"
                for a in news
            )
            return (urlset + ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                    + body + "</urlset>").encode()
        if (site == "charlie" and name == "sitemap-2025-06.xml.gz") or (site == "delta" and name == "sitemap.xml"):
            body = "".join(f"<url><loc>{escape(root + a.path)}</loc><lastmod>{a.published:%Y-%m-%d}</lastmod></url>"
                           for a in articles)
            data = (urlset + ">" + body + "</urlset>").encode()
            return gzip.compress(data, mtime=0) if name.endswith(".gz") else data
        return None

    def _gdelt(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        """Answer like the DOC 2.0 API in artlist/json mode: filter by window and domain, cap, sort."""
        with self._lock:
            self.gdelt_calls.append(dict(params))
        query = params.get("query", "").strip()
        if not query:
            return 200, "text/plain", b"The specified query was too short or empty."
        if params.get("mode", "").lower() != "artlist" or params.get("format", "").lower() != "json":
            return 200, "text/plain", b"This fake endpoint answers mode=artlist&format=json only."
        try:
            start = _gdelt_time(params.get("startdatetime"), GDELT_WINDOW[0])
            end = _gdelt_time(params.get("enddatetime"), GDELT_WINDOW[1])
            wanted = int(params.get("maxrecords", GDELT_DEFAULT_RECORDS))
        except ValueError:
            return 200, "text/plain", b"Invalid startdatetime, enddatetime or maxrecords."
        tokens = query.replace("(", " ").replace(")", " ").split()
        domains = {t.split(":", 1)[1].lower() for t in tokens if t.lower().startswith(("domainis:", "domain:"))}
        found = [r for r in self.gdelt if start <= r["_seen"] <= end and (not domains or r["domain"] in domains)]
        found.sort(key=lambda r: r["_seen"], reverse=params.get("sort", "datedesc").lower() != "dateasc")
        records = [{k: v for k, v in r.items() if not k.startswith("_")} for r in found[:min(wanted, GDELT_CAP)]]
        body = json.dumps({"articles": records} if records else {}).encode()
        return 200, "application/json; charset=utf-8", body


@functools.cache
def gzip_bomb() -> bytes:
    """Return (built once per process, ~0.5 s) a gzip body that inflates to BOMB_INFLATED_BYTES."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"<p>" + bytes(1024 * 1024 - 3)
    return b"".join(packer.compress(zeros) for _ in range(BOMB_INFLATED_BYTES // len(zeros))) + packer.flush()


def _gdelt_time(value: str | None, default: datetime) -> datetime:
    if not value:
        return default
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def _title_and_slug(url: str) -> tuple[str, str]:
    """Return a title and a path slug made from an original URL's last meaningful segment."""
    segments = [s for s in urlsplit(url).path.split("/") if s and not s.isdigit()]
    last = segments[-1] if segments else "index"
    stem = last.rsplit(".", 1)[0]
    words = "".join(c if c.isalnum() else " " for c in stem).split()
    slug = "-".join(words).lower()[:60].strip("-") or "story"
    title = " ".join(words[:14]).capitalize() or "Untitled story"
    return title, slug


@functools.cache
def _layout(shared_dir: Path) -> tuple[dict[str, list[Article]], dict[str, bytes]]:
    """Read the pages once per process (~0.1 s); every server shares the read-only result."""
    folder = shared_dir / "bench" / "extraction"
    urls: dict[str, str] = json.loads((folder / "urls.json").read_text(encoding="utf-8"))
    articles: dict[str, list[Article]] = {site: [] for site in SITES}
    pages: dict[str, bytes] = {}
    for page_id in sorted(urls):
        file = folder / "html" / f"{page_id}.html.gz"
        if not file.exists():
            continue
        pages[page_id] = gzip.decompress(file.read_bytes())
        site = SITES[int(page_id, 16) % len(SITES)]
        title, slug = _title_and_slug(urls[page_id])
        index = len(articles[site])
        articles[site].append(Article(site=site, path=f"/news/{slug}-{page_id[:10]}.html", page_id=page_id,
                                      title=title, published=FIRST_PUBLISHED + index * PUBLISH_STEP))
    return articles, pages


def _gdelt_records(articles: dict[str, list[Article]], base: str, port: int | None = None) -> list[dict[str, Any]]:
    """Return the fake GDELT index; with ``port``, article URLs are by Host (``http://alpha.test:PORT/...``)."""
    # Outlets interleaved (a1 b1 c1 d1 a2 ...), so every day of the window has records of every outlet.
    flat = sorted((a for site in SITES for a in articles[site]), key=lambda a: (a.published, SITES.index(a.site)))
    span = GDELT_WINDOW[1] - GDELT_WINDOW[0]
    records = []
    for n in range(GDELT_RECORDS):
        article = flat[n % len(flat)]
        seen = GDELT_WINDOW[0] + span * n / GDELT_RECORDS
        path = article.path if n < len(flat) else f"/archive/{n}.html"
        root = f"http://{article.site}{HOST_SUFFIX}:{port}" if port else f"{base}/{article.site}"
        records.append({
            "url": root + path, "url_mobile": "", "title": article.title,
            "seendate": f"{seen:%Y%m%dT%H%M%SZ}", "socialimage": "", "domain": f"{article.site}{HOST_SUFFIX}",
            "language": "English", "sourcecountry": "United States", "_seen": seen.replace(microsecond=0),
        })
    return records


def _handler(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real sites do

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            started = time.monotonic()
            self.sent = 0
            self.status = 0
            with server._idle:
                server._active += 1
            try:
                self._route()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True  # the client gave up: that is what cap tests provoke
            finally:
                with server._lock:
                    server.log.append(RequestRecord(
                        host=(self.headers.get("Host") or "").lower(), path=self.path, started=started,
                        finished=time.monotonic(), status=self.status, bytes_sent=self.sent,
                        user_agent=self.headers.get("User-Agent") or ""))
                with server._idle:
                    server._active -= 1
                    server._idle.notify_all()

        # -- plumbing ------------------------------------------------------------------------------
        def _head(self, status: int, content_type: str | None, length: int | None,
                  extra: dict[str, str] | None = None) -> None:
            self.status = status
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if length is None:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(length))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()

        def _send(self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8",
                  extra: dict[str, str] | None = None) -> None:
            self._head(status, content_type, len(body), extra)
            self._write(body)

        def _write(self, data: bytes) -> None:
            self.wfile.write(data)
            self.sent += len(data)

        def _stream(self, total: int) -> None:
            block = (b"<p>" + b"x" * (CHUNK - 8) + b"</p>\n")[:CHUNK]
            self._write(b"<!doctype html><html><body>")
            while self.sent < total and not server.stopping.is_set():
                self._write(block[:max(0, total - self.sent)])

        # -- routes --------------------------------------------------------------------------------
        def _route(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            site = host.removesuffix(HOST_SUFFIX) if host.endswith(HOST_SUFFIX) else None
            path = parts.path
            if path.startswith("/fault/"):
                return self._fault(path, params)
            if path == "/api/v2/doc/doc":
                status, kind, body = server._gdelt(params)
                return self._send(status, body, kind)
            if path == "/robots.txt" and host in (NO_ROBOTS_HOST, BROKEN_ROBOTS_HOST):
                return self._send(404 if host == NO_ROBOTS_HOST else 500, b"<h1>No robots.txt</h1>")
            if path == "/robots.txt":
                return self._send(200, server.robots(site if site in server.articles else None), "text/plain")
            if site not in server.articles:
                site, _, rest = path.lstrip("/").partition("/")
                path = "/" + rest
                root = f"{server.base_url}/{site}"
            else:
                root = f"http://{site}{HOST_SUFFIX}:{server.port}"
            if site not in server.articles:
                return self._send(404, b"<h1>Not found</h1>")
            if path == "/rss.xml" and site in ("alpha", "delta"):
                return self._send(200, server.feed(site, root, "rss"), "application/rss+xml; charset=utf-8")
            if path == "/atom.xml" and site == "bravo":
                return self._send(200, server.feed(site, root, "atom"), "application/atom+xml; charset=utf-8")
            if path.startswith("/sitemap"):
                data = server.sitemap(site, root, path.lstrip("/"))
                if data is None:
                    return self._send(404, b"<h1>Not found</h1>")
                return self._send(200, data, "application/x-gzip" if path.endswith(".gz") else "application/xml")
            if path.startswith("/archive/"):  # GDELT's synthetic archive items: a real page each
                number = int("".join(c for c in path if c.isdigit()) or 0)
                flat = [a for name in server.articles for a in server.articles[name]]
                return self._send(200, server.pages[flat[number % len(flat)].page_id])
            wanted = path.removeprefix("/private")
            for article in server.articles[site]:
                if article.path == wanted:
                    return self._send(200, server.pages[article.page_id])
            return self._send(404, b"<h1>Not found</h1>")

        def _any_page(self) -> bytes:
            return server.pages[server.articles["alpha"][0].page_id]

        def _first_time(self, key: str) -> bool:
            with server._lock:
                fresh = key not in server._keys_seen
                server._keys_seen.add(key)
            return fresh

        def _fault(self, path: str, params: dict[str, str]) -> None:
            name = path.removeprefix("/fault/")
            page = self._any_page()
            if name == "500":
                return self._send(500, b"<h1>Internal Server Error</h1>")
            if name == "429":
                if self._first_time("429:" + params.get("key", "")):
                    return self._send(429, b"slow down", "text/plain", {"Retry-After": params.get("after", "1")})
                return self._send(200, page)
            if name == "503-date":
                if self._first_time("503:" + params.get("key", "")):
                    when = email.utils.formatdate(time.time() + 1.5, usegmt=True)
                    return self._send(503, b"maintenance", "text/plain", {"Retry-After": when})
                return self._send(200, page)
            if name == "429-forever":
                return self._send(429, b"slow down", "text/plain", {"Retry-After": "3600"})
            if name == "slow":
                server.stopping.wait(min(float(params.get("seconds", 5)), MAX_SLOW_SECONDS))
                return self._send(200, page)
            if name == "trickle":
                total, every = int(params.get("bytes", 100)), float(params.get("every", 0.2))
                self._head(200, "text/html", total)
                for _ in range(total):
                    if server.stopping.wait(every):
                        return
                    self._write(b" ")
                    self.wfile.flush()
                return None
            if name in ("redirect-loop", "redirect-loop-b"):
                other = "/fault/redirect-loop-b" if name == "redirect-loop" else "/fault/redirect-loop"
                return self._send(302, b"", None, {"Location": other})
            if name == "redirect-chain":
                hops = int(params.get("n", 1))
                target = f"/fault/redirect-chain?n={hops - 1}" if hops > 0 else "/fault/no-charset"
                return self._send(302, b"", None, {"Location": target})
            if name == "redirect-to":
                return self._send(302, b"", None, {"Location": params.get("url", "/")})
            if name == "huge":
                self._head(200, "text/html; charset=utf-8", HUGE_BYTES)
                return self._stream(HUGE_BYTES)
            if name == "huge-chunked":
                self._head(200, "text/html; charset=utf-8", None)
                return self._stream(HUGE_BYTES)
            if name == "gzip-bomb":
                bomb = gzip_bomb()
                return self._send(200, bomb, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})
            if name == "gzip":
                return self._send(200, gzip.compress(page, mtime=0), extra={"Content-Encoding": "gzip"})
            if name == "gzip-members":  # two gzip members back to back, as some servers and proxies send
                half = len(page) // 2
                members = gzip.compress(page[:half], mtime=0) + gzip.compress(page[half:], mtime=0)
                return self._send(200, members, extra={"Content-Encoding": "gzip"})
            if name in ("deflate", "raw-deflate"):  # RFC 9110's zlib-wrapped deflate, and the raw form IIS sent
                packer = zlib.compressobj(6, zlib.DEFLATED, 15 if name == "deflate" else -15)
                return self._send(200, packer.compress(page) + packer.flush(), extra={"Content-Encoding": "deflate"})
            if name == "binary":
                return self._send(200, bytes(range(256)) * 64, "application/octet-stream")
            if name == "latin1":
                body = "<html><body><p>Caf\u00e9 cr\u00e8me \u00e0 la fran\u00e7aise.</p></body></html>"
                return self._send(200, body.encode("latin-1"), "text/html; charset=ISO-8859-1")
            if name == "no-charset":
                body = "<html><body><p>Na\u00efve caf\u00e9 \u2014 \u201cquoted\u201d.</p></body></html>"
                return self._send(200, body.encode("utf-8"), "text/html")
            if name == "wrong-charset":
                body = "<html><body><p>Caf\u00e9 cr\u00e8me, d\u00e9j\u00e0 vu.</p></body></html>"
                return self._send(200, body.encode("latin-1"), "text/html; charset=utf-8")
            if name == "malformed":
                cut = page[: len(page) * 2 // 5]
                return self._send(200, cut + b"<div><p>unclosed <b>tags <a href='x", "text/html")
            if name == "empty":
                return self._send(200, b"")
            if name == "no-content-type":
                return self._send(200, page, None)
            if name == "paywall":
                return self._send(200, PAYWALL_PAGE)
            if name == "set-cookie":
                return self._send(200, page, extra={"Set-Cookie": f"session={SECRET_COOKIE}; HttpOnly"})
            return self._send(404, b"<h1>No such fault</h1>")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler stuck on a slow client never blocks the test run's exit
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (cap and timeout tests do it on purpose)."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def start_sites(shared_dir: Path, *, crawl_delays: dict[str, int] | None = None,
                gdelt_by_host: bool = False) -> SiteServer:
    """Start the loopback test web on 127.0.0.1 (port 0) from ``shared_dir``'s extraction pages.

    ``gdelt_by_host`` makes the fake GDELT list article URLs by Host header
    (``http://alpha.test:PORT/news/...``) instead of by path prefix.

        server = start_sites(require_shared())
        page = urllib.request.urlopen(server.urls_for("alpha")[0]).read()
        server.stop()
    """
    articles, pages = _layout(shared_dir)
    gzip_bomb()  # built before serving (once per process), so /fault/gzip-bomb answers within any read timeout
    if not pages:
        raise FileNotFoundError(f"no pages under {shared_dir / 'bench' / 'extraction' / 'html'}")
    httpd = _Server(("127.0.0.1", 0), BaseHTTPRequestHandler)  # the real handler needs the SiteServer
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    port = int(httpd.server_address[1]) if gdelt_by_host else None
    server = SiteServer(httpd=httpd, articles=articles, pages=pages, gdelt=_gdelt_records(articles, base, port),
                        crawl_delays=dict(crawl_delays or {}))
    httpd.RequestHandlerClass = _handler(server)
    server._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="test-sites", daemon=True)
    server._thread.start()
    return server

