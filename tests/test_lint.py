"""The code passes ruff with the project's configuration (pyproject.toml; a reason beside every ignore)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_ruff_passes() -> None:
    ruff = shutil.which("ruff", path=str(REPO_ROOT / ".venv" / "bin")) or shutil.which("ruff")
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    done = subprocess.run([*command, "check", "--output-format", "concise", "."], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
