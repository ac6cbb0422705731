"""``python -m dashboard``: start the Streamlit app on the store (``--db`` or $PRESSLENS_DB)."""

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
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--db", help="store path (default: $PRESSLENS_DB or data/presslens.db)")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args(argv)
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
