"""What every command-line entry point shares: --db, logging, and clean error exits.

Only CLIs configure logging and turn typed errors into one line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from collections.abc import Callable, Sequence

from core.errors import PressLensError
from core.settings import Settings

EXIT_ERROR = 2


def add_verbose(parser: argparse.ArgumentParser) -> None:
    """Add -v/--verbose to a (sub)command parser (commands that read no store take only this)."""
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --db and --verbose to a (sub)command parser."""
    parser.add_argument("--db", help="store: a file path or postgresql://[USER@]HOST[:PORT]/DB "
                                     "(default: $PRESSLENS_DB or data/presslens.db)")
    add_verbose(parser)


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
    stdout = sys.stdout
    sys.stdout = _NamedStdout(stdout)  # type: ignore[assignment]
    try:
        status = dispatch(args)
        sys.stdout.flush()  # a full disk behind stdout fails here, not at exit with a traceback
        return status
    except PressLensError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. piped into head
        _silence_stdout(stdout)
        return 0
    except OSError as exc:  # an output (or input) path that cannot be written: a directory, /dev/full ...
        if exc.filename == STDOUT_NAME:
            _silence_stdout(stdout)
        print(f"{parser.prog}: error: {_os_error_target(exc, args)}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        sys.stdout = stdout


STDOUT_NAME = "standard output"


class _NamedStdout:
    """Standard output whose write errors name it (an OSError from a plain write names no file)."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)  # type: ignore[attr-defined, no-any-return]
        except OSError as exc:
            if exc.filename is None:
                exc.filename = STDOUT_NAME
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()  # type: ignore[attr-defined]
        except OSError as exc:
            if exc.filename is None:
                exc.filename = STDOUT_NAME
            raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _os_error_target(exc: OSError, args: argparse.Namespace) -> str:
    """Return the path an OSError is about: its own file name, else the command's --out."""
    if exc.filename is not None:
        return str(exc.filename)
    out = getattr(args, "out", None)
    return str(out) if out is not None else "output"


def _silence_stdout(stream: object) -> None:
    """Point stdout's descriptor at /dev/null so that the flush at exit cannot fail a second time."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
