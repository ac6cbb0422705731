"""URL canonicalisation: one address per article, whatever tracking or AMP wrapper it came in.

>>> canonical_url("HTTPS://www.Example.com:443/news/story/amp?utm_source=x&b=2&a=1#top")
'https://www.example.com/news/story?a=1&b=2'
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import tldextract

# Query parameters that identify a campaign or a click, never a document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "cmpid", "cmp", "ocid", "ncid", "ito", "smid", "smtyp", "sr_share", "share", "ref",
        "ref_src", "referrer", "src", "source", "fromrss", "rss", "via", "taid", "_ga", "_gl",
        "outputtype", "amp", "partner", "mbid", "ftag", "cid", "icid", "s_cid", "guccounter",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "__twitter")
# Path endings that serve the same article in an AMP or print wrapper.
_AMP_SUFFIX = re.compile(r"/(amp|amp\.html|output/amp|print)/?$", re.IGNORECASE)
_AMP_SEGMENT = re.compile(r"/amp/", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters no host name may hold (RFC 3986 and the WHATWG URL standard's forbidden host code points).
_WHITESPACE = re.compile(r"\s")
_BAD_HOST_CHARS = re.compile(r'[\s\x00-\x1f\x7f<>"{}|\\^`%]')


def canonical_url(url: str) -> str:
    """Return the canonical form of an article URL (lower-case host, no tracking, no AMP wrapper).

    The result is a fixed point: ``canonical_url(canonical_url(u)) == canonical_url(u)``.
    Raises ValueError, naming the URL, when the string is not an absolute http(s) URL.

    >>> canonical_url("https://m.example.com/amp/world/story/amp/?outputType=amp")
    'https://www.example.com/world/story'
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # a bad port or a broken [IPv6] literal
        raise ValueError(f"not a valid URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    host = _canonical_host(parts.hostname or "")
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if _BAD_HOST_CHARS.search(host):
        raise ValueError(f"not a valid URL: {url!r} (forbidden character in the host)")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, _canonical_path(parts.path), urlencode(sorted(query)), ""))


def _canonical_host(hostname: str) -> str:
    """Lower-case host without trailing dots; ``amp.`` dropped and ``m.`` read as ``www.``."""
    host = hostname.lower().rstrip(".")
    while host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    if host.startswith("m.") and host.count(".") >= 2:
        host = "www." + host[2:]
    return host


def _canonical_path(path: str) -> str:
    """Path without AMP or print wrappers, repeated or trailing slashes (applied until stable).

    Whitespace inside the path is percent-encoded first, as a browser sends it: left raw, a
    space at the end of the result would be stripped by the next call (not a fixed point).

    >>> _canonical_path("/amp /amp")
    '/amp%20'
    """
    current = _WHITESPACE.sub(lambda m: quote(m.group()), path) or "/"
    while True:
        cleaned = _AMP_SUFFIX.sub("", current) or "/"
        cleaned = _AMP_SEGMENT.sub("/", cleaned)
        cleaned = re.sub(r"/{2,}", "/", cleaned)
        if len(cleaned) > 1 and cleaned.endswith("/"):
            cleaned = cleaned.rstrip("/") or "/"
        if cleaned == current:
            return cleaned
        current = cleaned


def url_host(url: str) -> str:
    """Return the lower-case host of a URL without a leading ``www.``."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # No URLs and no cache dir: only the suffix list bundled with tldextract, never the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url_or_host: str) -> str:
    """Return the registered domain (``bbc.co.uk``) of a URL or host, or the host when none.

    >>> registered_domain("https://feeds.bbci.co.uk/news/rss.xml"), registered_domain("x.substack.com")
    ('bbci.co.uk', 'substack.com')
    """
    host = url_host(url_or_host) if "://" in url_or_host else url_or_host.lower()
    return _extractor()(host).top_domain_under_public_suffix or host
