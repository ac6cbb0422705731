"""``presslens``: one command for the three layers' command lines.

``presslens import|collect|extract ...`` runs ``python -m scrapers``; ``presslens run|report|stories|
brief|digest|sentiment|scorers|frames ...`` runs ``python -m analysis``; ``presslens dashboard ...``
runs ``python -m dashboard`` (``presslens dashboard bench`` too). The subcommands are read from each
layer's own parser, so a subcommand added there is here at once.

>>> layer_of("import"), layer_of("digest"), layer_of("dashboard")
('scrapers', 'analysis', 'dashboard')
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

LAYERS = ("scrapers", "analysis")


def subcommands(layer: str) -> list[str]:
    """Return the subcommand names of ``python -m LAYER``."""
    parser = importlib.import_module(f"{layer}.__main__").build_parser()
    for action in parser._actions:  # argparse keeps subparsers as an action with a choices map
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def layer_of(command: str) -> str | None:
    """Return the layer whose command line owns ``command`` (None if none does)."""
    if command == "dashboard":
        return "dashboard"
    return next((layer for layer in LAYERS if command in subcommands(layer)), None)


def usage() -> str:
    lines = ["usage: presslens COMMAND [ARGS...]", ""]
    for layer in LAYERS:
        lines.append(f"  {' | '.join(subcommands(layer))}   (python -m {layer})")
    lines.append("  dashboard [bench]   (python -m dashboard)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    layer = layer_of(args[0])
    if layer is None:
        print(f"presslens: error: unknown command {args[0]!r}\n{usage()}", file=sys.stderr)
        return 2
    rest = args[1:] if layer == "dashboard" else args
    return int(importlib.import_module(f"{layer}.__main__").main(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
