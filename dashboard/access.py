"""Who may open the dashboard: nobody but this machine, or the users an authenticating proxy signed in.

``dashboard_auth = none`` (the default): the dashboard serves loopback only; ``python -m dashboard``
refuses another address, and the app itself refuses to draw when its server listens on one.

``dashboard_auth = proxy``: the dashboard sits behind a reverse proxy that signs users in (oauth2-proxy,
an nginx or Caddy ``auth_request``, a company SSO gateway) and passes two headers on every request,
the WebSocket upgrade included: the signed-in user (``proxy_user_header``, default ``X-Forwarded-User``)
and a shared secret (``X-PressLens-Proxy-Secret``) read from ``proxy_secret_file``. The secret is
what makes the user header trustworthy: a visitor who reaches the dashboard's port directly can
forge a user name but not the secret. A visit without both is refused before any data is read.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError
from core.settings import Settings

SECRET_HEADER = "X-PressLens-Proxy-Secret"
# Shorter secrets are refused: the header is all that stands between the network and the store.
MIN_SECRET_CHARS = 16


def is_loopback(host: str) -> bool:
    """Return whether a host name or address stays on this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serving_loopback(address: str | None, headers: Mapping[str, str]) -> bool:
    """Return whether the app's server listens on loopback only.

    Streamlit binds every interface when ``server.address`` is unset; a script run with no request
    headers at all has no network visitor (Streamlit's test harness, ``python -m dashboard bench``).

    >>> serving_loopback("127.0.0.1", {"Host": "x"}), serving_loopback(None, {"Host": "x"}), serving_loopback(None, {})
    (True, False, True)
    """
    if address:
        return is_loopback(address)
    return not headers


@dataclass(frozen=True)
class Visitor:
    """Who is reading: ``user`` is None for the machine's own user (loopback, no sign-in)."""

    user: str | None
    refused: str | None = None  # why the visit is refused, shown instead of the pages


def read_secret(settings: Settings) -> str:
    """Return the proxy's shared secret from ``proxy_secret_file``; raise InputError when it is unusable."""
    if not settings.proxy_secret_file:
        raise InputError("dashboard_auth = proxy needs proxy_secret_file: a file holding the secret the proxy "
                         f"sends in {SECRET_HEADER} (PRESSLENS_PROXY_SECRET_FILE)")
    path = Path(settings.proxy_secret_file)
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"proxy_secret_file {path}: cannot read it ({exc.__class__.__name__})") from None
    if len(secret) < MIN_SECRET_CHARS:
        raise InputError(f"proxy_secret_file {path}: the secret must be at least {MIN_SECRET_CHARS} characters")
    return secret


def check_serving(settings: Settings, host_is_loopback: bool) -> None:
    """Refuse to serve a network address with nobody asked who they are (InputError names the fix)."""
    if host_is_loopback:
        return
    if settings.dashboard_auth == "none":
        raise InputError("the dashboard would serve a network address with no sign-in: run it behind an "
                         "authenticating proxy with dashboard_auth = proxy (docs/dashboard.md, 'Serving a team'), "
                         "or keep the default --host 127.0.0.1")
    read_secret(settings)


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value).strip()
    return ""


def visitor(headers: Mapping[str, str], settings: Settings, *, serving_loopback: bool,
            secret: str | None = None) -> Visitor:
    """Return who sent a request with these headers, or why the visit is refused.

    >>> s = Settings(dashboard_auth="proxy")
    >>> key = "k" * 16
    >>> visitor({"X-Forwarded-User": "ana", SECRET_HEADER: key}, s, serving_loopback=False, secret=key).user
    'ana'
    >>> visitor({"X-Forwarded-User": "ana"}, s, serving_loopback=False, secret=key).refused is not None
    True
    >>> visitor({}, Settings(), serving_loopback=True).refused is None
    True
    """
    if settings.dashboard_auth == "none":
        if serving_loopback:
            return Visitor(user=None)
        return Visitor(user=None, refused="This dashboard listens on a network address without sign-in, so it shows "
                                          "nothing. Ask whoever runs it to serve it behind the team's sign-in proxy.")
    sent = _header(headers, SECRET_HEADER)
    if secret is None or not sent or not hmac.compare_digest(sent.encode(), secret.encode()):
        return Visitor(user=None, refused="Sign in through your team's address for this dashboard: this request did "
                                          "not come through its sign-in proxy.")
    user = _header(headers, settings.proxy_user_header)
    if not user:
        return Visitor(user=None, refused="Sign in through your team's address for this dashboard: the sign-in proxy "
                                          "named no user.")
    return Visitor(user=user)
