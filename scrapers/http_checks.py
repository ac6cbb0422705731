"""The fetcher's pure parts: its error type, URL and address checks, header parsing, capped inflation.

``scrapers.fetch`` does the HTTP; everything here works without a socket (bar
``system_resolver``), so each check is tested on its own. The public names are
also importable from ``scrapers.fetch``.

>>> split_url("https://user@e.com/a")
Traceback (most recent call last):
...
scrapers.http_checks.FetchError: https://e.com/a: credentials in the URL are refused
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import re
import socket
import zlib
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit

from core.errors import PressLensError

# Every kind a FetchError can have. "paywalled" and "empty extraction" are extraction's kinds.
KINDS = ("timeout", "http status", "too large", "not html", "bad content", "robots", "private host",
         "redirects", "connection", "bad url")

class FetchError(PressLensError):
    """A URL could not be fetched; ``kind`` is one of ``KINDS``, the message names the URL.

    >>> str(FetchError("timeout", "https://e.com/a", "no answer within 30 s"))
    'https://e.com/a: no answer within 30 s'
    """

    def __init__(self, kind: str, url: str, message: str, *, status: int | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fetch error kind {kind!r}; valid: {', '.join(KINDS)}")
        self.kind = kind
        self.url = redact(url)
        self.reason = message
        self.status = status
        super().__init__(f"{self.url}: {message}")


def redact(url: str) -> str:
    """Return the URL without user name or password, safe to log and store.

    >>> redact("https://user:secret@e.com/a?x=1")
    'https://e.com/a?x=1'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def blocked_address(address: str) -> str | None:
    """Return why an IP address must not be fetched (loopback, private ...), or None if public.

    >>> blocked_address("127.0.0.1"), blocked_address("93.184.216.34")
    ('loopback', None)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return blocked_address(str(embedded))
    for label, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                        ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                        ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return label
    return None if ip.is_global else "not globally routable"


# Cloud metadata services outside 169.254.0.0/16 (which is link-local and refused anyway): AWS's IPv6
# endpoint, Alibaba Cloud's, Oracle Cloud's. A redirect to any of them must never be followed.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "192.0.0.192"))


def never_fetched(address: str) -> str | None:
    """Return why an address is refused whatever the user allows (link-local, cloud metadata), or None.

    >>> never_fetched("169.254.169.254"), never_fetched("fd00:ec2::254"), never_fetched("127.0.0.1")
    ('link-local', 'cloud metadata', None)
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            candidates.append(embedded)
    for candidate in candidates:
        if candidate in METADATA_ADDRESSES:
            return "cloud metadata"
        if candidate.is_link_local:
            return "link-local"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Return the IP addresses the system resolver gives for a host (IP literals pass through).

    >>> system_resolver("127.0.0.1", 80)
    ['127.0.0.1']
    """
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Return the wait a Retry-After header asks for (seconds or HTTP-date), or None.

    >>> retry_after_seconds("7"), retry_after_seconds("soon")
    (7.0, None)
    >>> retry_after_seconds("Wed, 11 Jun 2025 12:00:30 GMT", datetime(2025, 6, 11, 12, 0, tzinfo=UTC))
    30.0
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def host_key(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{host}:{port}"


def media_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type into (media type, known charset)."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset":
            name = raw.strip().strip("'\"").lower()
            try:
                charset = codecs.lookup(name).name if name else None
            except LookupError:
                charset = None
    return media.strip().lower() or None, charset


class Inflater:
    """Decode a Content-Encoding incrementally, never producing more than a cap."""

    def __init__(self, encoding: str, url: str, limit: int) -> None:
        self.encoding = encoding
        self.url = url
        self.limit = limit
        self.size = 0
        # gzip: 16+15 window bits; deflate: zlib-wrapped per RFC, raw deflate tried when that fails.
        self.wbits = 31 if encoding in ("gzip", "x-gzip") else 15
        self.engine = zlib.decompressobj(self.wbits)
        self.started = False

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        pending = data
        while pending:
            try:
                piece = self.engine.decompress(pending, self.limit - self.size + 1)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self.started and self.wbits == 15:
                    self.wbits = -15
                    self.engine = zlib.decompressobj(self.wbits)
                    continue
                raise FetchError("bad content", self.url, f"corrupt {self.encoding} body: {exc}") from None
            self.started = True
            self.size += len(piece)
            out += piece
            if self.size > self.limit:
                raise FetchError("too large", self.url,
                                 f"body inflates to more than {self.limit:,} bytes ({self.encoding})")
            if self.engine.unconsumed_tail:
                pending = self.engine.unconsumed_tail
            elif self.engine.eof and self.engine.unused_data:  # another gzip member follows
                pending = self.engine.unused_data
                self.engine = zlib.decompressobj(self.wbits)
            else:
                pending = b""
        return bytes(out)


def header_text(value: str) -> str:
    """Undo http.client's Latin-1 reading of a header sent as raw UTF-8 (browsers read it as UTF-8).

    >>> header_text("/caf\u00c3\u00a9"), header_text("/caf\u00e9")
    ('/caf\xe9', '/caf\xe9')
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


# urllib3 prefixes messages with the pool or connection object, which names the IP, not the host.
_URLLIB3_PREFIX = re.compile(r"^(<[^>]*>|HTTPS?Connection(Pool)?\([^)]*\)): ")


def error_reason(exc: BaseException) -> str:
    """Return an exception's message without urllib3's object reprs."""
    return _URLLIB3_PREFIX.sub("", str(exc))


def split_url(url: str) -> tuple[str, str, int, str]:
    """Check an absolute http(s) URL; return (scheme, IDNA host, port, path with query)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad url", url, f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("bad url", url, f"scheme {scheme or '(none)'!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise FetchError("bad url", url, "credentials in the URL are refused")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("bad url", url, "no host")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError as exc:
        raise FetchError("bad url", url, f"host is not a valid name: {exc}") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return scheme, host, port or (443 if scheme == "https" else 80), path
