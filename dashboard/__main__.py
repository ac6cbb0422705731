"""``python -m dashboard``: start the Streamlit app on the store (``--db`` or $PRESSLENS_DB).

It listens on 127.0.0.1 unless ``--host`` says otherwise; another address needs ``--auth proxy`` (an
authenticating reverse proxy in front, dashboard/access.py), else the command refuses to start. Streamlit
is told its address so that it makes no outside request at start (no usage statistics, no look-up of the
machine's external IP).

``python -m dashboard bench --db DB`` renders every page through realistic filter changes and
prints per-page timings and a last line ``p95_ms=N pages=N``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from core.cli import add_common_arguments, run_cli, settings_from
from core.errors import InputError
from core.pgstore import store_location
from core.settings import DASHBOARD_AUTH, Settings
from dashboard import access
from dashboard.access import is_loopback

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_HOST = "127.0.0.1"


def streamlit_command(host: str, port: int) -> list[str]:
    """Return the Streamlit command line: headless, bound to ``host``, no outside request at start.

    ``dashboard.serve`` is ``python -m streamlit`` that also prepares the first page while the browser loads.
    """
    return [
        sys.executable, "-m", "dashboard.serve", "run", str(APP),
        "--server.headless", "true",
        "--server.address", host,
        "--server.port", str(port),
        # With the address set, Streamlit prints one URL instead of looking up the internal and external IPs.
        "--browser.serverAddress", "localhost" if is_loopback(host) else host,
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        # Streamlit collects all garbage after every script run: 70-100 ms holding the interpreter on a large
        # store's server (150,000 tracked objects), between the page's last message and the next run.
        # Python's own collector still runs; nearly everything is freed by reference counting anyway.
        "--runner.postScriptGC", "false",
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--auth", choices=DASHBOARD_AUTH,
                        help="who may open it (default: setting dashboard_auth, 'none': loopback only; 'proxy': "
                             "behind an authenticating reverse proxy, see docs/dashboard.md)")
    add_common_arguments(parser)
    return parser


def build_bench_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard bench",
                                     description="time every page through realistic filter changes")
    add_common_arguments(parser)
    return parser


def cmd_serve(args: argparse.Namespace) -> int:
    settings = Settings.load({"db": args.db, "dashboard_auth": args.auth})
    if not 0 < args.port < 65536:
        raise InputError(f"--port must be in 1..65535, got {args.port}")
    access.check_serving(settings, is_loopback(args.host))
    env = {**os.environ, "PRESSLENS_DB": store_location(settings.db),
           "PRESSLENS_DASHBOARD_AUTH": settings.dashboard_auth}
    shown = "localhost" if is_loopback(args.host) else args.host
    print(f"PressLens dashboard on http://{shown}:{args.port} (store: {env['PRESSLENS_DB']})", flush=True)
    return subprocess.call(streamlit_command(args.host, args.port), env=env)


def cmd_bench(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    from dashboard import bench  # imports streamlit's test harness: only for this command

    return bench.run(settings.db)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        return run_cli(build_bench_parser(), args_list[1:], cmd_bench)
    return run_cli(build_parser(), args_list, cmd_serve)


if __name__ == "__main__":
    sys.exit(main())
