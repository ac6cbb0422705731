"""Served on a network address, the dashboard refuses an anonymous visitor (a real browser, real server).

The server listens on 0.0.0.0 (every interface: a network address) behind the `proxy` sign-in; the browser
plays the proxy by sending its two headers, or plays an anonymous visitor by sending none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.access import SECRET_HEADER
from tests.browser.test_dashboard_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _need_browser,
    wait_until_listening,
)
from tests.conftest import REPO_ROOT

DRAWN_MS = 120_000
SECRET = "team-secret-0123456789abcdef"


def _serve(command: list[str], env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    # A session of its own: `python -m dashboard` starts Streamlit as a child, and both must stop.
    server = subprocess.Popen([*command, "--server.port" if "streamlit" in command else "--port", str(port)],
                              cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        wait_until_listening(server, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        try:
            os.killpg(server.pid, signal.SIGKILL)  # the Streamlit child, if it outlived its parent
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def proxied_url(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_browser()
    secret = tmp_path_factory.mktemp("access") / "proxy-secret"
    secret.write_text(SECRET + "\n")
    env = {**os.environ, "PRESSLENS_DB": str(sample_db), "PRESSLENS_PROXY_SECRET_FILE": str(secret)}
    yield from _serve([sys.executable, "-m", "dashboard", "--host", "0.0.0.0", "--auth", "proxy"], env)


@pytest.fixture(scope="module")
def open_url(sample_db: Path) -> Iterator[str]:
    """The app started by hand on every interface with no sign-in (bypassing python -m dashboard's check)."""
    _need_browser()
    env = {**os.environ, "PRESSLENS_DB": str(sample_db)}
    env.pop("PRESSLENS_DASHBOARD_AUTH", None)
    yield from _serve([sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
                       "--server.headless", "true", "--browser.gatherUsageStats", "false",
                       "--server.address", "0.0.0.0"], env)


def _page_text(url: str, headers: dict[str, str] | None) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(extra_http_headers=headers or {})
            page = context.new_page()
            page.goto(url + "/overview")
            page.wait_for_selector("[data-testid='stAlert'], [data-testid='stSidebar']", timeout=DRAWN_MS)
            page.wait_for_function(
                "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'",
                timeout=DRAWN_MS)
            return page.inner_text("body")
        finally:
            browser.close()


def test_an_anonymous_visitor_is_refused(proxied_url: str) -> None:
    text = _page_text(proxied_url, None)
    assert "did not come through its sign-in proxy" in text
    assert "articles" not in text  # nothing of the store is drawn


def test_a_forged_user_without_the_secret_is_refused(proxied_url: str) -> None:
    text = _page_text(proxied_url, {"X-Forwarded-User": "mallory", SECRET_HEADER: "guessed-" + "x" * 20})
    assert "did not come through its sign-in proxy" in text
    assert "mallory" not in text


def test_a_user_signed_in_by_the_proxy_reads_the_store(proxied_url: str) -> None:
    text = _page_text(proxied_url, {"X-Forwarded-User": "ana@newsroom.example", SECRET_HEADER: SECRET})
    assert "signed in as ana@newsroom.example" in text
    assert "36 articles" in text  # the sample store's caption in the sidebar


def test_an_app_on_every_interface_without_sign_in_draws_nothing(open_url: str) -> None:
    text = _page_text(open_url, None)
    assert "listens on a network address without sign-in" in text
    assert "articles" not in text
