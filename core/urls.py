"""URL canonicalisation: one address per article, whatever tracking or AMP wrapper it came in.

>>> canonical_url("HTTPS://www.Example.com:443/news/story/amp?utm_source=x&b=2&a=1#top")
'https://www.example.com/news/story?a=1&b=2'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def canonical_url(url: str) -> str:
    """Return the canonical form of an article URL (lower-case host, no tracking, no AMP wrapper).

    Raises ValueError when the string is not an absolute http(s) URL.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if host.startswith("amp."):
        host = host[4:]
    elif host.startswith("m.") and host.count(".") >= 2:
        host = "www." + host[2:]
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    path = _AMP_SUFFIX.sub("", path) or "/"
    path = _AMP_SEGMENT.sub("/", path)
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def url_host(url: str) -> str:
    """Return the lower-case host of a URL without a leading ``www.``."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
