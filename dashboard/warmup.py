"""Load the dashboard's whole catalogue in a separate, lower-priority process while the first page is read.

The first page (Overview) needs only the articles' metadata; the other pages need the catalogue
with every score and outlet group (seconds on a large store), the generic frames and the tables
they open on (``TABLES``). A thread in the server would hold the interpreter lock for those
seconds and slow every page drawn meanwhile (measured: the Overview's reruns took twice as long);
a process at the lowest priority (``lowest_priority``) takes only the processor time readers leave,
and hands its tables over as pickles in a private directory (``mkdtemp``: readable by this user
only), deleted once read.

Its nice value alone is not enough on Linux: with autogroup scheduling (on by default) nice orders
processes only within one session, and sessions share the processor equally, so a nice-19 process
took half a core from the browser drawing the page (a nice-0 loop on one core took 1.5 s beside a
nice-19 loop in another session against 0.75 s beside one in its own session; the Overview opened
right after start took 1.7-2.6 s against 0.8 s with no warm-up). So the process starts its own
session and gives that session's autogroup the lowest priority too; it exits when the server does.

    warm = Warmup.start("/tmp/all.db", data_version)
    if warm.wait("catalogue"):
        catalogue = warm.result("catalogue")

``python -m dashboard.warmup DB VERSION DIR`` is the process itself (settings from the environment,
as the server's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the process lowers its priority before it imports pandas: imported where used
    import pandas as pd

# Nice value of the warm-up process and of its session's autogroup: the server and the browser drawing a page go first.
NICE = 19
AUTOGROUP = Path("/proc/self/autogroup")  # Linux with CONFIG_SCHED_AUTOGROUP
# What it writes, in order: the catalogue (``queries.catalogue``), the generic frames' columns and
# Framing's opening table (generic, present). Compare computes intervals for the outlets it shows only
# (``queries.group_counts``), tens of milliseconds: it needs no table of its own.
TABLES = ("catalogue", "frames_generic", "framing")
REPO = Path(__file__).resolve().parent.parent
POLL_S = 0.05


@dataclass
class Warmup:
    """A running (or finished) warm-up process and the private directory it writes to."""

    process: subprocess.Popen[bytes]
    directory: Path
    taken: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, db: str, data_version: int) -> Warmup:
        """Start the warm-up process for one store version."""
        directory = Path(tempfile.mkdtemp(prefix="presslens-warm-"))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.warmup", db, str(data_version), str(directory)], cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own autogroup, whose priority it lowers (lowest_priority)
        )
        return cls(process, directory)

    def wait(self, name: str) -> bool:
        """Wait while the process works until it has written a table; return whether it has."""
        path = self.directory / f"{name}.pkl"
        while not path.exists() and self.process.poll() is None:
            time.sleep(POLL_S)
        return path.exists()

    def ready(self, name: str) -> bool:
        """Return whether the process has written a table that is not yet taken."""
        return name not in self.taken and (self.directory / f"{name}.pkl").exists()

    def result(self, name: str) -> pd.DataFrame | None:
        """Return one table if the process has written it, else None (without waiting).

        A table is handed over once: the file is deleted when read (the caller caches it).
        """
        path = self.directory / f"{name}.pkl"
        if name in self.taken or not path.exists():
            return None
        self.taken.add(name)
        import pandas as pd

        try:
            return pd.read_pickle(path)
        finally:
            path.unlink(missing_ok=True)
            if self.taken >= set(TABLES):
                self.close()

    def close(self) -> None:
        """Stop the process if it still runs and delete the directory."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def write(db: str, data_version: int, directory: Path) -> None:
    """Compute the tables and write each as a pickle (renamed into place when complete)."""
    from core.settings import Settings
    from core.store import ArticleFilter
    from dashboard import framing, queries

    settings = Settings.load()
    everything = ArticleFilter()
    done: dict[str, pd.DataFrame] = {}
    tables = {
        "catalogue": lambda: queries.catalogue(db, settings),
        "frames_generic": lambda: queries.scorer_columns(db, settings, "frames_generic"),
        "framing": lambda: framing.frame_shares(
            queries.with_scorers(queries.apply_filter(done["catalogue"], everything), [done["frames_generic"]]),
            "frames_generic", settings, kind="present"),
    }
    for name in TABLES:
        done[name] = tables[name]()
        if queries.data_version(db, settings) != data_version:
            return  # the store changed meanwhile: the server loads the new version itself
        partial = directory / f".{name}.pkl"
        done[name].to_pickle(partial)
        partial.replace(directory / f"{name}.pkl")


def lowest_priority() -> None:
    """Lower this process's priority and, on Linux, its session's autogroup's (nice orders only within one)."""
    if hasattr(os, "nice"):  # POSIX; elsewhere the warm-up runs at the server's priority
        os.nice(NICE)
    try:
        AUTOGROUP.write_text(str(NICE))  # allowed without privileges: it only lowers the priority
    except OSError:  # no autogroup (another OS, or scheduling without it): the nice value is what counts
        pass


def exit_with(parent: int, interval: float = 0.5) -> None:
    """Exit when the server (``parent``) has gone: in its own session, the process no longer stops with its group."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    db, version, directory = (sys.argv[1:] if argv is None else list(argv))
    exit_with(os.getppid())
    lowest_priority()
    write(db, int(version), Path(directory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
