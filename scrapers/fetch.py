"""HTTP fetching: the only network code of PressLens.

One ``Fetcher`` per collection run holds the per-host state. Every request goes
through the same numbered steps, and every way it can fail is a ``FetchError``
with a ``kind`` (see ``KINDS``) and a message naming the URL:

1. Check the URL (http or https, a host, no credentials) -> ``bad url``.
2. Resolve the host and refuse loopback, private, link-local, reserved or
   multicast addresses unless allowed -> ``private host``. The connection goes
   to the address that was checked (no second DNS answer can slip in).
3. Honour the host's robots.txt (fetched once per host, through steps 1-6) -> ``robots``.
4. Wait for the host: one request at a time per host, ``delay`` seconds apart
   (or the robots.txt Crawl-delay when longer).
5. Send the request; retry 429 and 5xx with exponential backoff, honouring
   Retry-After (seconds or HTTP-date, capped) -> ``http status``, ``timeout``, ``connection``.
6. Check the answer before its body: status, Content-Type -> ``not html``,
   Content-Length -> ``too large``; then stream the body, inflating gzip/deflate
   ourselves so the cap holds after decompression too -> ``too large``, ``bad content``.
7. Follow redirects by hand, so every hop goes through steps 1-6 -> ``redirects``.

HTTP is urllib3's: the library requests and trafilatura already install, it
streams raw (still compressed) bytes, takes separate connect and read timeouts,
never reads proxy variables or ``.netrc`` behind our back, and lets us connect
to a checked IP address while TLS still verifies the host name.

    with Fetcher(FetchPolicy(user_agent="PressLens/0.1 (+mailto:me@example.org)")) as fetcher:
        counts = fetcher.fetch_many(urls, lambda url, result: store_result(store, url, result))
    print(counts)  # Counter({'ok': 40, 'robots': 1, 'timeout': 1})
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.robotparser
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from core.errors import SettingsError
from core.settings import Settings
from scrapers.http_checks import (
    KINDS,
    FetchError,
    Inflater,
    blocked_address,
    error_reason,
    header_text,
    host_key,
    media_type,
    never_fetched,
    redact,
    retry_after_seconds,
    split_url,
    system_resolver,
)

if TYPE_CHECKING:
    from core.store import Store

__all__ = ["KINDS", "FetchError", "FetchPolicy", "Fetcher", "Page", "blocked_address", "fetch", "fetch_many", "redact",
           "retry_after_seconds", "store_result", "system_resolver"]

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 429 and the 5xx a server sends when it is briefly overloaded or restarting; 500 is included
# because news CMSs answer 500 for transient backend faults as often as 503.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Headers that carry secrets or session state: never kept on a Page, never logged.
SECRET_HEADERS = frozenset({"set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization"})

# 10 MiB: the largest of the 112 benchmark pages is 1.06 MB (median 110 KB), so ten times the
# largest page still fits, while a 50 MB page or a bomb stops early.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# sitemaps.org caps one sitemap at 50 MB uncompressed; feeds and sitemaps read through get() may be that big.
FEED_MAX_BYTES = 50 * 1024 * 1024
# RFC 9309 asks crawlers to parse at least 500 KiB of robots.txt; this allows that plus slack.
ROBOTS_MAX_BYTES = 512 * 1024
# Connect within 10 s (a healthy site answers in well under 1 s even far away); a silent socket
# for 30 s means a stuck server. requests' docs suggest a little over 3 s to connect; we allow slow links.
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
# Whole-request deadline, so a server trickling one byte per read-timeout cannot hold a worker forever.
DEFAULT_TOTAL_TIMEOUT = 120.0
# Browsers stop after 20 hops; news redirects rarely chain more than 3 (http->https->www->canonical).
DEFAULT_MAX_REDIRECTS = 10
# Two retries with 1 s then 2 s backoff ride out a restart without hammering a struggling site.
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 1.0
# A Retry-After longer than this is not waited for: the URL fails with its status instead.
MAX_RETRY_AFTER = 120.0
# A robots.txt Crawl-delay is honoured up to this; longer values would stall a run for hours.
MAX_CRAWL_DELAY = 30.0
# Worker threads of fetch_many: one per host at a time, at most this many hosts in flight.
# Fetching is I/O-bound; 8 keeps a 2-core machine responsive while ten outlets are collected.
DEFAULT_MAX_WORKERS = 8
# Bytes read from the socket per step: big enough for throughput, small enough that a cap
# is overshot by at most this much.
CHUNK_BYTES = 64 * 1024
# Error and redirect bodies are read (to reuse the connection) up to this, then the connection is closed.
DISCARD_BYTES = 64 * 1024
# How often a worker blocked on a full result queue checks whether the consumer stopped.
HAND_OVER_POLL = 0.1
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"  # only what Inflater can cap; no br/zstd

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how defensively to fetch.

    >>> FetchPolicy(delay=2.0).max_bytes == DEFAULT_MAX_BYTES
    True
    """

    user_agent: str = Settings().user_agent
    delay: float = Settings().fetch_delay  # seconds between two requests to one host
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_retry_after: float = MAX_RETRY_AFTER
    allow_private_hosts: bool = False  # bare --allow-private-hosts: loopback addresses only (local mirrors, tests)
    # --allow-private-hosts HOST ...: these host names (or IP literals) may resolve to private addresses.
    # Link-local and cloud metadata addresses are refused whatever is allowed.
    trusted_hosts: frozenset[str] = frozenset()
    respect_robots: bool = True
    max_workers: int = DEFAULT_MAX_WORKERS

    def __post_init__(self) -> None:
        for name in ("delay", "backoff", "max_retry_after"):
            if getattr(self, name) < 0:
                raise SettingsError(f"fetch policy {name} must be >= 0, got {getattr(self, name)}")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"fetch policy {name} must be > 0, got {getattr(self, name)}")
        for name in ("max_bytes", "max_workers"):
            if getattr(self, name) < 1:
                raise SettingsError(f"fetch policy {name} must be >= 1, got {getattr(self, name)}")
        for name in ("max_redirects", "retries"):
            if getattr(self, name) < 0:
                raise SettingsError(f"fetch policy {name} must be >= 0, got {getattr(self, name)}")
        if not self.user_agent.strip() or any(c in self.user_agent for c in "\r\n"):
            raise SettingsError(f"fetch policy user_agent must be one non-empty line, got {self.user_agent!r}")
        object.__setattr__(self, "trusted_hosts", frozenset(h.lower().rstrip(".") for h in self.trusted_hosts))

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FetchPolicy:
        """Return the policy of a run's settings (user agent, delay) with explicit overrides.

        >>> FetchPolicy.from_settings(Settings(fetch_delay=3.0), allow_private_hosts=True).delay
        3.0
        >>> FetchPolicy.from_settings(Settings(fetch_delay=3.0), delay=0.0).delay
        0.0
        """
        return cls(**{"user_agent": settings.user_agent, "delay": settings.fetch_delay, **overrides})


@dataclass(frozen=True)
class Page:
    """A fetched page: raw bytes as served, plus what the server said about them."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content_type: str | None  # media type only, lower case ("text/html")
    encoding: str | None  # charset named by the Content-Type header, if Python knows it
    body: bytes  # decompressed, otherwise untouched
    headers: Mapping[str, str] = field(default_factory=dict)  # without cookies or credentials
    redirects: tuple[str, ...] = ()  # the hops after ``url``, ending with ``final_url``


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # IDNA, lower case
    port: int
    path: str  # path and query, ready for the request line
    address: str  # the checked IP address to connect to

    @property
    def host_key(self) -> str:
        return host_key(self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == default else f"{shown}:{self.port}"


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str | None
    encoding: str | None


@dataclass
class _Host:
    """Per-host politeness state: one request at a time, ``delay`` apart."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    ready_at: float = 0.0  # time.monotonic() before which no request may start
    delay: float = 0.0
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_problem: tuple[str, str] | None = None  # (kind, message) when robots.txt was unreachable


class Fetcher:
    """Fetch URLs politely: per-host serialisation and delay, robots.txt, caps, typed failures.

    Thread-safe; ``fetch_many`` runs one worker per host. Close it (or use ``with``)
    to drop the kept-alive connections.

        with Fetcher(FetchPolicy(delay=1.0)) as fetcher:
            page = fetcher.fetch("https://example.org/news/1")
    """

    def __init__(self, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._resolve = resolver or system_resolver
        self._hosts: dict[str, _Host] = {}
        self._pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()
        self._timeout = urllib3.Timeout(connect=self.policy.connect_timeout, read=self.policy.read_timeout)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every kept-alive connection."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    # -- public ----------------------------------------------------------------------------------
    def fetch(self, url: str, *, accept: frozenset[str] | None = HTML_TYPES, max_bytes: int | None = None) -> Page:
        """Fetch one URL and return its page; raise ``FetchError`` on any failure.

        ``accept`` lists the media types wanted (None accepts any); ``max_bytes``
        overrides the policy's cap.

            page = fetcher.fetch("https://example.org/news/1")
            store.save_page(page.url, page.body, final_url=page.final_url)
        """
        return self._follow(url, accept, max_bytes or self.policy.max_bytes, robots=self.policy.respect_robots)

    def _follow(self, url: str, accept: frozenset[str] | None, limit: int, *, robots: bool) -> Page:
        """Steps 1-7 for one URL: every redirect hop is checked like the first request."""
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        chain: list[str] = []
        seen = {url}
        for _hop in range(self.policy.max_redirects + 1):
            target = self._target(current)
            if robots:
                self._check_robots(target)
            answer = self._exchange(target, accept, limit, deadline)
            if answer.status in REDIRECT_STATUSES:
                location = answer.headers.get("location")
                if not location:
                    raise FetchError("http status", current, f"HTTP {answer.status} without a Location header",
                                     status=answer.status)
                following = urljoin(current, header_text(location).strip())
                if following in seen:
                    loop = " -> ".join(redact(u) for u in [url, *chain, following])
                    raise FetchError("redirects", url, f"redirect loop: {loop}")
                seen.add(following)
                chain.append(following)
                log.debug("redirect %s -> %s", redact(current), redact(following))
                current = following
                continue
            return Page(url=url, final_url=current, status=answer.status, content_type=answer.content_type,
                        encoding=answer.encoding, body=answer.body, headers=answer.headers,
                        redirects=tuple(chain))
        raise FetchError("redirects", url, f"more than {self.policy.max_redirects} redirects "
                                           f"(last: {redact(current)})")

    def get(self, url: str) -> bytes:
        """Return the body of a feed, sitemap or API answer, whatever its type (capped at ``FEED_MAX_BYTES``).

        This is the ``get(url) -> bytes`` that ``scrapers.discover.sources`` takes.

            items = parse_feed(fetcher.get(feed_url), feed_url)
        """
        return self.fetch(url, accept=None, max_bytes=max(self.policy.max_bytes, FEED_MAX_BYTES)).body

    def get_json(self, url: str) -> Any:
        """Return the parsed JSON of a URL (GDELT's API); a body that is not JSON is ``bad content``.

            articles = fetcher.get_json(gdelt_url(query, start, end))["articles"]
        """
        body = self.get(url)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            snippet = body[:80].decode("utf-8", errors="replace").strip()
            raise FetchError("bad content", url, f"answer is not JSON ({exc}): {snippet!r}") from None

    def iter_fetch(self, urls: Iterable[str], *, accept: frozenset[str] | None = HTML_TYPES
                   ) -> Iterator[tuple[str, Page | FetchError]]:
        """Fetch URLs concurrently across hosts (one at a time per host); yield (url, page or error).

        Results come in completion order, in the calling thread. Stopping the loop
        early cancels what has not started.

            for url, result in fetcher.iter_fetch(urls):
                print(url, "ok" if isinstance(result, Page) else result.kind)
        """
        groups: dict[str, deque[str]] = {}
        early: list[tuple[str, Page | FetchError]] = []
        for url in dict.fromkeys(urls):
            try:
                key = self._urlhost_key(url)
            except FetchError as exc:
                early.append((url, exc))
                continue
            groups.setdefault(key, deque()).append(url)
        yield from early
        if not groups:
            return
        workers = min(self.policy.max_workers, len(groups))
        # Bounded, so a slow consumer holds at most a few bodies per worker in memory.
        results: queue.Queue[tuple[str, Page | FetchError | BaseException]] = queue.Queue(maxsize=2 * workers)
        pending: queue.Queue[deque[str]] = queue.Queue()
        for group in groups.values():
            pending.put(group)
        stop = threading.Event()

        def hand_over(item: tuple[str, Page | FetchError | BaseException]) -> None:
            while not stop.is_set():
                try:
                    results.put(item, timeout=HAND_OVER_POLL)
                    return
                except queue.Full:
                    continue

        def work() -> None:
            while not stop.is_set():
                try:
                    group = pending.get_nowait()
                except queue.Empty:
                    return
                while group and not stop.is_set():
                    url = group.popleft()
                    try:
                        hand_over((url, self.fetch(url, accept=accept)))
                    except FetchError as exc:
                        hand_over((url, exc))
                    except BaseException as exc:  # a bug: hand it to the caller's thread
                        hand_over((url, exc))
                        stop.set()
                        return

        total = sum(len(group) for group in groups.values())
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="presslens-fetch")
        try:
            for _ in range(workers):
                pool.submit(work)
            for _ in range(total):
                url, result = results.get()
                if isinstance(result, (Page, FetchError)):
                    yield url, result
                else:
                    raise result
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch_many(self, urls: Iterable[str], on_result: Callable[[str, Page | FetchError], None], *,
                   accept: frozenset[str] | None = HTML_TYPES) -> Counter[str]:
        """Fetch URLs concurrently across hosts, calling ``on_result`` in this thread; count outcomes.

        >>> with Fetcher() as fetcher:
        ...     fetcher.fetch_many(["ftp://e.com/a"], lambda url, result: None)
        Counter({'bad url': 1})
        """
        counts: Counter[str] = Counter()
        for url, result in self.iter_fetch(urls, accept=accept):
            counts["ok" if isinstance(result, Page) else result.kind] += 1
            on_result(url, result)
        return counts

    # -- steps -----------------------------------------------------------------------------------
    def _urlhost_key(self, url: str) -> str:
        scheme, host, port, _path = split_url(url)
        return host_key(scheme, host, port)

    def _target(self, url: str) -> _Target:
        """Steps 1-2: check the URL, resolve its host, refuse private addresses."""
        scheme, host, port, path = split_url(url)
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError("connection", url, f"cannot resolve host {host!r}: {exc}") from None
        if not addresses:
            raise FetchError("connection", url, f"host {host!r} has no address")
        for address in addresses:
            why = blocked_address(address)
            if why is None:
                continue
            never = never_fetched(address)
            if never:
                raise FetchError("private host", url, f"host {host!r} resolves to {address} ({never}); "
                                 "never fetched, whatever --allow-private-hosts allows")
            if host in self.policy.trusted_hosts:
                continue
            if self.policy.allow_private_hosts and why == "loopback":
                continue
            allowed = (f"only {', '.join(sorted(self.policy.trusted_hosts))} may be private"
                       if self.policy.trusted_hosts else
                       "only loopback is allowed (--allow-private-hosts)" if self.policy.allow_private_hosts else
                       "refused unless private hosts are allowed (--allow-private-hosts [HOST ...])")
            raise FetchError("private host", url, f"host {host!r} resolves to {address} ({why}); {allowed}")
        return _Target(url=url, scheme=scheme, host=host, port=port, path=path, address=addresses[0])

    def _host(self, key: str) -> _Host:
        with self._lock:
            state = self._hosts.get(key)
            if state is None:
                state = self._hosts[key] = _Host(delay=self.policy.delay)
            return state

    def _check_robots(self, target: _Target) -> None:
        """Step 3: fetch the host's robots.txt once and refuse what it disallows."""
        state = self._host(target.host_key)
        with state.robots_lock:
            if state.robots is None and state.robots_problem is None:
                self._load_robots(target, state)
        if state.robots_problem is not None:
            raise FetchError(state.robots_problem[0], target.url, state.robots_problem[1])
        assert state.robots is not None
        if not state.robots.can_fetch(self.policy.user_agent, target.url):
            raise FetchError("robots", target.url, f"disallowed by {target.scheme}://{target.host_header}"
                                                   "/robots.txt for this user agent")

    def _load_robots(self, target: _Target, state: _Host) -> None:
        robots_url = f"{target.scheme}://{target.host_header}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            page = self._follow(robots_url, None, ROBOTS_MAX_BYTES, robots=False)
            parser.parse(page.body.decode("utf-8", errors="replace").splitlines())
        except FetchError as exc:
            if exc.kind == "http status" and exc.status is not None and 400 <= exc.status < 500 \
                    and exc.status != 429:
                parser.parse([])  # RFC 9309: robots.txt "unavailable" -> no restriction
            elif exc.kind in ("private host", "bad url"):
                raise
            else:  # RFC 9309: "unreachable" (5xx, network, unusable) -> assume complete disallow
                # A host that cannot be reached at all fails with that kind (it is down, not forbidding).
                kind = exc.kind if exc.kind in ("timeout", "connection") else "robots"
                state.robots_problem = (kind, f"robots.txt unreachable, so the site is not fetched: {exc.reason}")
                # A host that is down is a failure row of each URL; a broken robots.txt is worth a warning.
                log.log(logging.WARNING if kind == "robots" else logging.INFO, "%s (%s)", state.robots_problem[1],
                        redact(robots_url))
                return
        parser.modified()
        crawl_delay = parser.crawl_delay(self.policy.user_agent)
        if crawl_delay is not None:
            wanted = min(float(crawl_delay), MAX_CRAWL_DELAY)
            with state.lock:  # the page right after robots.txt waits the announced delay too
                state.ready_at += max(0.0, wanted - state.delay)
                state.delay = max(state.delay, wanted)
            log.info("%s asks for a %.1f s crawl delay; using %.1f s", robots_url, float(crawl_delay),
                     state.delay)
        state.robots = parser

    def _exchange(self, target: _Target, accept: frozenset[str] | None, limit: int, deadline: float) -> _Answer:
        """Steps 4-6 with retries on 429/5xx and on connection failures."""
        state = self._host(target.host_key)
        attempt = 0
        while True:
            try:
                answer = self._once(target, state, accept, limit, deadline)
            except FetchError as exc:
                if exc.kind != "connection" or attempt >= self.policy.retries:
                    raise
                wait = self.policy.backoff * 2**attempt
                log.info("%s; retrying in %.1f s", exc, wait)
            else:
                if answer.status not in RETRY_STATUSES:
                    return answer
                asked = retry_after_seconds(answer.headers.get("retry-after"))
                if asked is not None and asked > self.policy.max_retry_after:
                    raise FetchError("http status", target.url,
                                     f"HTTP {answer.status}; Retry-After asks for {asked:.0f} s, more than the "
                                     f"{self.policy.max_retry_after:.0f} s we wait", status=answer.status)
                if attempt >= self.policy.retries:
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    raise FetchError("http status", target.url, f"HTTP {answer.status}{tries}",
                                     status=answer.status)
                wait = asked if asked is not None else self.policy.backoff * 2**attempt
                log.info("HTTP %d from %s; retrying in %.1f s", answer.status, redact(target.url), wait)
            if time.monotonic() + wait > deadline:
                raise FetchError("timeout", target.url, f"no usable answer within {self.policy.total_timeout:.0f} s")
            with state.lock:  # a host that asks us to wait is waited for by every request to it
                state.ready_at = max(state.ready_at, time.monotonic() + wait)
            attempt += 1

    def _pool(self, target: _Target) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, target.host, target.port, target.address)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                common: dict[str, Any] = {"timeout": self._timeout, "maxsize": 1, "retries": False}
                if target.scheme == "https":  # connect to the checked address, verify the certificate's name
                    pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                                       assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                                       **common)
                else:
                    pool = urllib3.HTTPConnectionPool(target.address, target.port, **common)
                self._pools[key] = pool
            return pool

    def _once(self, target: _Target, state: _Host, accept: frozenset[str] | None, limit: int,
              deadline: float) -> _Answer:
        """Steps 4-6 once: wait for the host, send, check the head, stream the body."""
        headers = {"Host": target.host_header, "User-Agent": self.policy.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": ACCEPT_ENCODING}
        with state.lock:
            wait = state.ready_at - time.monotonic()
            if wait > 0:
                if time.monotonic() + wait > deadline:
                    raise FetchError("timeout", target.url, f"host busy past the {self.policy.total_timeout:.0f} s "
                                                            "deadline")
                time.sleep(wait)
            log.debug("GET %s", redact(target.url))
            try:
                return self._send(target, headers, accept, limit, deadline)
            finally:
                state.ready_at = max(state.ready_at, time.monotonic() + state.delay)

    def _send(self, target: _Target, headers: dict[str, str], accept: frozenset[str] | None, limit: int,
              deadline: float) -> _Answer:
        response: Any = None
        try:
            response = self._pool(target).urlopen("GET", target.path, headers=headers, redirect=False,
                                                  retries=False, assert_same_host=False, preload_content=False,
                                                  decode_content=False)
            kept = {k.lower(): v for k, v in response.headers.items() if k.lower() not in SECRET_HEADERS}
            media, charset = media_type(kept.get("content-type"))
            status = int(response.status)
            if status >= 300:
                self._discard(response)
                if status not in RETRY_STATUSES and status not in REDIRECT_STATUSES:  # 300, 304, 4xx ...
                    raise FetchError("http status", target.url, f"HTTP {status} {response.reason or ''}".strip(),
                                     status=status)
                return _Answer(status, kept, b"", media, charset)
            if accept is not None and media is not None and media not in accept:
                response.close()
                raise FetchError("not html", target.url, f"Content-Type is {media!r}, not one of "
                                                         f"{', '.join(sorted(accept))}")
            declared = kept.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                response.close()
                raise FetchError("too large", target.url, f"Content-Length {int(declared):,} bytes is over the "
                                                          f"{limit:,}-byte cap")
            body = self._read_body(response, target.url, kept.get("content-encoding"), limit, deadline)
            return _Answer(status, kept, body, media, charset)
        except FetchError:
            raise
        except NewConnectionError as exc:  # urllib3 files it under ConnectTimeoutError: it is a refusal
            raise FetchError("connection", target.url, error_reason(exc)) from None
        except Urllib3Timeout as exc:
            raise FetchError("timeout", target.url, f"no answer in time ({error_reason(exc)})") from None
        except SSLError as exc:
            raise FetchError("connection", target.url, f"TLS failed: {error_reason(exc)}") from None
        except (Urllib3Error, OSError) as exc:
            raise FetchError("connection", target.url, error_reason(exc)) from None
        finally:
            if response is not None:
                response.release_conn()

    def _discard(self, response: Any) -> None:
        """Read a small error/redirect body so the connection can be reused; close it if large."""
        try:
            if len(response.read(DISCARD_BYTES + 1, decode_content=False)) > DISCARD_BYTES:
                response.close()
        except (Urllib3Error, OSError):
            response.close()

    def _read_body(self, response: Any, url: str, content_encoding: str | None, limit: int,
                   deadline: float) -> bytes:
        coding = (content_encoding or "identity").strip().lower()
        if coding in ("gzip", "x-gzip", "deflate"):
            inflater: Inflater | None = Inflater(coding, url, limit)
        elif coding in ("identity", ""):
            inflater = None
        else:
            response.close()
            raise FetchError("bad content", url, f"unsupported Content-Encoding {coding!r} (asked for "
                                                 f"{ACCEPT_ENCODING})")
        parts: list[bytes] = []
        size = 0
        try:
            while raw := response.read1(CHUNK_BYTES, decode_content=False):  # returns what has arrived
                piece = inflater.feed(raw) if inflater else raw
                size += len(piece)
                if size > limit:
                    raise FetchError("too large", url, f"body is over the {limit:,}-byte cap (stopped reading)")
                parts.append(piece)
                if time.monotonic() > deadline:
                    raise FetchError("timeout", url, f"body still arriving after {self.policy.total_timeout:.0f} s")
        except FetchError:
            response.close()
            raise
        return b"".join(parts)


def fetch(url: str, policy: FetchPolicy | None = None) -> Page:
    """Fetch one HTML page with a one-off fetcher; raise ``FetchError`` on failure.

        page = fetch("https://example.org/news/1", FetchPolicy(user_agent="PressLens/0.1"))
    """
    with Fetcher(policy) as fetcher:
        return fetcher.fetch(url)


def fetch_many(urls: Iterable[str], policy: FetchPolicy | None,
               on_result: Callable[[str, Page | FetchError], None]) -> Counter[str]:
    """Fetch HTML pages concurrently across hosts, politely per host; count outcomes by kind.

        counts = fetch_many(urls, policy, lambda url, result: store_result(store, url, result))
    """
    with Fetcher(policy) as fetcher:
        return fetcher.fetch_many(urls, on_result)


def store_result(store: Store, url: str, result: Page | FetchError, *, outlet: str | None = None,
                 run_id: int | None = None) -> None:
    """Keep a page's raw HTML, or record a failure as a fetch_log row (kind and message).

        store_result(store, url, result, outlet="Reuters", run_id=run_id)
    """
    if isinstance(result, Page):
        store.save_page(url, result.body, final_url=result.final_url, outlet=outlet, status=result.status,
                        content_type=result.content_type)
    else:
        store.log_failure(redact(url), result.kind, str(result), outlet=outlet, run_id=run_id)
