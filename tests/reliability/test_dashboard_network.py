"""`python -m dashboard` listens on loopback only and makes no outside request at start; its bench goes
through run_cli (a bad setting is one line, exit 2)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.__main__ import is_loopback, streamlit_command
from tests.conftest import REPO_ROOT
from tests.helpers import run_cli

# Loaded into every Python process the dashboard starts (PYTHONPATH): each connect, sendto or name look-up
# that leaves the machine is written to a log file and refused.
GUARD = '''
import ipaddress, os, socket
_LOG = os.environ["NETGUARD_LOG"]
def _local(address):
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return True  # unix sockets
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False
def _note(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")
def _guard(name):
    original = getattr(socket.socket, name)
    def guarded(self, address, *rest):
        target = rest[-1] if name == "sendto" and rest else address
        if not _local(target):
            _note(f"{name} {target!r}")
            raise OSError("network blocked by the test")
        return original(self, address, *rest)
    setattr(socket.socket, name, guarded)
for _name in ("connect", "connect_ex", "sendto"):
    _guard(_name)
_getaddrinfo = socket.getaddrinfo
def _lookup(host, *args, **kwargs):
    if host is not None and not _local((host,)):
        _note(f"getaddrinfo {host!r}")
        raise socket.gaierror("name look-up blocked by the test")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _lookup
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> list[str]:
    """Return the local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from /proc/net")
def test_dashboard_listens_on_loopback_only_and_reaches_nothing_outside(tmp_path: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.log"
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{guard}{os.pathsep}{REPO_ROOT}", "NETGUARD_LOG": str(log),
           "PRESSLENS_DB": str(tmp_path / "none.db")}
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    child = subprocess.Popen([sys.executable, "-m", "dashboard", "--port", str(port)], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        addresses: list[str] = []
        while time.monotonic() < deadline and child.poll() is None:
            addresses = _listening(port)
            if addresses:
                break
            time.sleep(0.2)  # polling a subprocess's start, not waiting on Streamlit's own state
        assert addresses, "the dashboard never listened"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:  # it serves on loopback
            client.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            assert b"200" in client.recv(100)
        time.sleep(1.0)  # the start-up messages (URLs, external IP) come just after the server listens
        assert all(is_loopback(a) for a in addresses), addresses
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        output = child.communicate(timeout=30)[0]
    assert not log.exists() or log.read_text() == "", log.read_text()
    assert "Network URL" not in output and "External URL" not in output, output


def test_streamlit_is_told_its_address() -> None:
    command = streamlit_command("127.0.0.1", 8600)
    pairs = dict(zip(command[5::2], command[6::2]))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--browser.serverAddress"] == "localhost"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.headless"] == "true"


def test_a_non_loopback_host_needs_sign_in(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    from dashboard import __main__ as dash

    seen: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(dash.subprocess, "call", lambda command, env: seen.append((command, env)) or 0)
    monkeypatch.delenv("PRESSLENS_DASHBOARD_AUTH", raising=False)
    monkeypatch.delenv("PRESSLENS_PROXY_SECRET_FILE", raising=False)
    # No sign-in: a network address is refused in one line, and nothing is started.
    assert dash.main(["--host", "0.0.0.0", "--port", "8600"]) == 2
    err = capsys.readouterr().err
    assert "no sign-in" in err and "dashboard_auth = proxy" in err and len(err.strip().splitlines()) == 1
    # Behind a proxy without its secret: refused too, naming the missing setting.
    assert dash.main(["--host", "0.0.0.0", "--port", "8600", "--auth", "proxy"]) == 2
    assert "proxy_secret_file" in capsys.readouterr().err
    assert seen == []
    secret = tmp_path / "secret"
    secret.write_text("s" * 32 + "\n")
    monkeypatch.setenv("PRESSLENS_PROXY_SECRET_FILE", str(secret))
    assert dash.main(["--host", "0.0.0.0", "--port", "8600", "--auth", "proxy"]) == 0
    command, env = seen[0]
    assert dict(zip(command[5::2], command[6::2]))["--server.address"] == "0.0.0.0"
    assert env["PRESSLENS_DASHBOARD_AUTH"] == "proxy"
    assert "s" * 32 not in " ".join(command) + capsys.readouterr().out  # the secret is never on a command line
    assert dash.main(["--port", "8600"]) == 0
    assert dict(zip(seen[1][0][5::2], seen[1][0][6::2]))["--server.address"] == "127.0.0.1"


def test_bench_with_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    done = run_cli("dashboard", "bench", "--db", str(tmp_path / "x.db"), env={"PRESSLENS_BATCH_SIZE": "lots"})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [
        line for line in done.stderr.splitlines() if "batch_size" in line]


def test_the_launcher_starts_streamlit_without_loading_the_store_module() -> None:
    """``python -m dashboard`` hands over to Streamlit before the browser can connect: every import it does
    delays the first page. The store's module pulls in pandas and numpy (about 0.6 s); the launcher needs
    only settings and the store's location."""
    probe = ("import sys, dashboard.__main__ as m; "
             "print(sorted({'pandas', 'numpy', 'core.store', 'streamlit'} & set(sys.modules))); "
             "print(m.store_location('postgresql://u@h/db'))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "postgresql://u@h/db"]
