"""``python -m dashboard``: start the Streamlit app on the store (``--db`` or $PRESSLENS_DB).

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

from core.settings import Settings

APP = Path(__file__).resolve().parent / "app.py"


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        bench_parser = argparse.ArgumentParser(prog="python -m dashboard bench",
                                               description="time every page through realistic filter changes")
        bench_parser.add_argument("--db", help="store path (default: $PRESSLENS_DB or data/presslens.db)")
        bench_args = bench_parser.parse_args(args_list[1:])
        from dashboard import bench

        return bench.run(Settings.load({"db": bench_args.db}).db)
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--db", help="store path (default: $PRESSLENS_DB or data/presslens.db)")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args(args_list)
    settings = Settings.load({"db": args.db})
    env = {**os.environ, "PRESSLENS_DB": str(Path(settings.db).resolve())}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
        "--server.port", str(args.port),
    ]
    print(f"PressLens dashboard on http://localhost:{args.port} (store: {env['PRESSLENS_DB']})")
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
