"""The ``presslens`` console script mirrors every subcommand of the three layers' command lines."""

from __future__ import annotations

import pytest

import presslens
from tests.helpers import run_cli


@pytest.mark.parametrize("layer", presslens.LAYERS)
def test_every_layer_subcommand_is_a_presslens_command(layer: str) -> None:
    names = presslens.subcommands(layer)
    assert names, f"python -m {layer} has no subcommands"
    assert all(presslens.layer_of(name) == layer for name in names)


def test_the_contract_forms_are_all_there() -> None:
    owned = {name: presslens.layer_of(name) for name in (
        "import", "collect", "extract", "run", "report", "stories", "brief", "digest", "sentiment", "dashboard")}
    assert owned == {"import": "scrapers", "collect": "scrapers", "extract": "scrapers", "run": "analysis",
                     "report": "analysis", "stories": "analysis", "brief": "analysis", "digest": "analysis",
                     "sentiment": "analysis", "dashboard": "dashboard"}


def test_unknown_command_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert presslens.main(["bogus"]) == 2
    assert capsys.readouterr().err.startswith("presslens: error: unknown command 'bogus'")


def test_dispatch_runs_the_layer_command(tmp_path) -> None:
    db = str(tmp_path / "x.db")
    assert presslens.main(["scorers", "--db", db]) == 0
    listed = run_cli("analysis", "scorers", "--db", db)
    assert listed.returncode == 0 and "tone_vader" in listed.stdout


def test_train_tone_is_an_analysis_subcommand() -> None:
    shown = run_cli("analysis", "train-tone", "--help")
    assert shown.returncode == 0 and "--shared" in shown.stdout
