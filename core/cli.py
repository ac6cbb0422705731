"""What every command-line entry point shares: --db, logging, and clean error exits.

Only CLIs configure logging and turn typed errors into one line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from core.errors import PressLensError
from core.settings import Settings

EXIT_ERROR = 2


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --db and --verbose to a (sub)command parser."""
    parser.add_argument("--db", help="store path (default: $PRESSLENS_DB or data/presslens.db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")


def settings_from(args: argparse.Namespace) -> Settings:
    """Return validated settings with the command line's overrides applied."""
    return Settings.load({"db": getattr(args, "db", None)})


def run_cli(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
            dispatch: Callable[[argparse.Namespace], int]) -> int:
    """Parse, configure logging, dispatch, and turn PressLens errors into one clean line."""
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return dispatch(args)
    except PressLensError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. piped into head
        return 0
