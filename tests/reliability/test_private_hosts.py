"""`--allow-private-hosts [HOST ...]`: bare allows loopback only, with hosts only those; link-local and cloud
metadata addresses are refused whatever is allowed, on the first request and on every redirect hop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scrapers.__main__ import build_parser, private_hosts
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.http_checks import FetchError, never_fetched

PAGE = b"<html><head><title>Mirror</title></head><body><article><p>" + b"Local mirror text. " * 60 + \
    b"</p></article></body></html>"


class _Handler(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Handler.seen.append(self.path)
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", "http://" + self.path[len("/to/"):])
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.seen = []
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


NAMES = {"mirror.test": "127.0.0.1", "other.test": "127.0.0.1", "intranet.test": "10.0.0.8",
         "metadata.test": "169.254.169.254", "aws6.test": "fd00:ec2::254", "mapped.test": "::ffff:169.254.169.254"}


def _resolve(host: str, port: int) -> list[str]:
    return [NAMES.get(host, host)]


def _fetcher(values: list[str] | None) -> Fetcher:
    policy = FetchPolicy(delay=0.0, connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, retries=0,
                         respect_robots=False, **private_hosts(values))  # type: ignore[arg-type]
    return Fetcher(policy, resolver=_resolve)


def _refused(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.kind == "private host", caught.value
    return str(caught.value)


def test_bare_flag_allows_loopback_only(port: int) -> None:
    fetcher = _fetcher([])
    assert fetcher.fetch(f"http://mirror.test:{port}/a").status == 200
    assert fetcher.fetch(f"http://127.0.0.1:{port}/b").status == 200
    assert "10.0.0.8 (private); only loopback is allowed" in _refused(fetcher, f"http://intranet.test:{port}/")
    for host in ("metadata.test", "aws6.test", "mapped.test", "169.254.169.254"):
        assert "never fetched" in _refused(fetcher, f"http://{host}:{port}/latest/meta-data/")
    assert _Handler.seen == ["/a", "/b"]


def test_named_hosts_are_the_only_private_ones(port: int) -> None:
    fetcher = _fetcher(["mirror.test", "intranet.test", "metadata.test"])
    assert fetcher.fetch(f"http://mirror.test:{port}/a").status == 200
    assert "only intranet.test, metadata.test, mirror.test may be private" in _refused(
        fetcher, f"http://other.test:{port}/")
    assert "only" in _refused(fetcher, f"http://127.0.0.1:{port}/")  # loopback is not implied by names
    assert "never fetched" in _refused(fetcher, f"http://metadata.test:{port}/")  # named, still refused
    assert _Handler.seen == ["/a"]


def test_a_redirect_to_a_metadata_address_is_never_followed(port: int) -> None:
    fetcher = _fetcher([])
    message = _refused(fetcher, f"http://mirror.test:{port}/to/169.254.169.254/latest/meta-data/")
    assert "169.254.169.254 (link-local); never fetched" in message
    message = _refused(fetcher, f"http://mirror.test:{port}/to/10.0.0.8:{port}/admin")
    assert "10.0.0.8" in message
    assert _Handler.seen == ["/to/169.254.169.254/latest/meta-data/", f"/to/10.0.0.8:{port}/admin"]


def test_no_flag_refuses_every_private_address() -> None:
    fetcher = _fetcher(None)
    assert "refused unless private hosts are allowed" in _refused(fetcher, "http://mirror.test:9/")


def test_the_command_line_forms() -> None:
    parse = build_parser().parse_args
    assert parse(["collect", "--feed", "http://x.test/f", "--allow-private-hosts", "--no-progress"]
                 ).allow_private_hosts == []
    assert parse(["collect", "--feed", "http://x.test/f", "--allow-private-hosts", "a.test", "b.test"]
                 ).allow_private_hosts == ["a.test", "b.test"]
    assert parse(["collect", "--feed", "http://x.test/f"]).allow_private_hosts is None
    assert never_fetched("fe80::1") == "link-local" and never_fetched("100.100.100.200") == "cloud metadata"
