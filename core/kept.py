"""What the dashboard reads of a large store, and keeps beside it for the next start of the same store version.

On a store of more than ``dashboard_catalogue_max`` articles the dashboard never loads the article rows,
their texts or all their scores. It reads each article's key, outlet, day, topic and story from the store's
covering index (``Columns``: a few megabytes at a million articles), each outlet's groups, and each tone
array a page sums, once per store version. Beside an SQLite store these parts are kept in a directory
(``DB.dashboard``, one ``.npz`` per part, arrays only, each stamped with ``Store.fingerprint``) and read
back in tens of milliseconds.

The dashboard reads and keeps them when it needs them (``dashboard.columns`` filters and sums them). The
commands that write a large store keep them too when they finish (``keep_after_write``), so the first
dashboard start after an import or a scoring run reads them instead of the store: a second or two less at a
million articles. Here, in ``core``, so that the writers (``scrapers``, ``analysis``) can call it.

    with Store.open_with(settings) as store:
        ...  # writes
        keep_after_write(store, settings)
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from core.encoding import MOJIBAKE_LABEL
from core.outlet_profiles import GROUP_FIELDS, outlet_groups
from core.outlets import outlets_table_stamp
from core.pgstore import store_location
from core.settings import Settings
from core.store import ArticleFilter, Store, repost_copies, store_sidecar

log = logging.getLogger(__name__)
T = TypeVar("T")
TONE_SCORERS = ("tone_news", "tone_vader")  # the two tone measures a page shows (issue 25)
TONE_METRICS = ("tone", "headline_tone")
# Articles per outlet whose URLs and languages outlet groups are inferred from (the most recent ones).
GROUP_EVIDENCE_ARTICLES = 200


@dataclass(frozen=True)
class Columns:
    """Every article of a store as key-aligned columns (ascending keys)."""

    keys: np.ndarray  # int64 article keys, ascending
    facets: pd.DataFrame  # outlet, day (YYYY-MM-DD), topic, story: categoricals in key order, sorted categories
    copies: np.ndarray  # bool: a publisher's re-posted copy (counted once in comparisons)
    repaired: np.ndarray  # bool: mojibake repaired on import (the data-quality ledger)
    listed: pd.DataFrame  # the outlets table's name, bias and country: the sidebar's group filter
    kept: Kept | None = field(default=None, compare=False)  # where the store's parts are kept (``load_kept``)

    @property
    def articles(self) -> int:
        return len(self.keys)

    @property
    def outlets(self) -> pd.Index:
        return self.facets["outlet"].cat.categories

    def codes(self, column: str) -> np.ndarray:
        return self.facets[column].cat.codes.to_numpy()


def load(store: Store) -> Columns:
    """Read the columns of every article of ``store`` (its index, never its rows)."""
    keys, facets = store.facet_columns()
    copies = np.zeros(len(keys), dtype=bool)
    copied = store.keys_of(sorted(repost_copies(store.syndication())))
    if len(copied):
        copies[np.searchsorted(keys, copied)] = True
    repaired = np.isin(keys, store.keys_with_label(MOJIBAKE_LABEL))
    outlets = store.outlets()
    listed = outlets[["name", "bias", "country"]] if not outlets.empty else pd.DataFrame(
        columns=["name", "bias", "country"])
    return Columns(keys=keys, facets=facets, copies=copies, repaired=repaired, listed=listed)


def load_groups(store: Store) -> pd.DataFrame:
    """Return each outlet's value under every grouping (``unknown`` when none) and ``inferred``, indexed by outlet.

    Inferred from the URLs and languages of each outlet's GROUP_EVIDENCE_ARTICLES most recent
    articles (the in-memory catalogue reads all of them: on allsides_abp both give the same groups).
    """
    sample = store.outlet_samples(GROUP_EVIDENCE_ARTICLES)
    return outlet_groups(store.outlets(), articles=sample).set_index("outlet")[[*GROUP_FIELDS, "inferred"]]


def metric(store: Store, columns: Columns, scorer: str, name: str) -> np.ndarray:
    """Return one metric's value of every article in ``columns``' order (NaN where it has none)."""
    keys, values = store.metric_values(ArticleFilter(), scorer, name)
    out = np.full(columns.articles, np.nan)
    if len(keys):
        at = np.searchsorted(columns.keys, keys)
        inside = at < columns.articles
        inside[inside] = columns.keys[at[inside]] == keys[inside]
        out[at[inside]] = values[inside]  # a metric stored under two versions: the newest comes last
    return out


# What the dashboard reads of a large store once per store version, kept in a directory beside an SQLite
# store (``core.store.store_sidecar``) for the next server start: the columns (0.9 s from the index at a
# million articles), the outlet groups (0.9 s) and each tone array (0.3-0.4 s), read back in tens of
# milliseconds. One file per part, each stamped with the store version it describes (``Store.fingerprint``);
# arrays only (never a pickle).
CACHE_SUFFIX = ".dashboard"
CACHE_FORMAT = "2"
_FACETS = ("outlet", "day", "topic", "story")
_SEPARATOR = "\x00"


@dataclass(frozen=True)
class Kept:
    """The directory of kept parts of one store (None: keep nothing, as for a PostgreSQL store) and its stamp."""

    directory: Path | None
    stamp: str
    mode: int = 0o600  # the store file's permission bits: whoever reads the store reads these

    @classmethod
    def of(cls, store: Store, directory: Path | None) -> Kept:
        if directory is None:
            return cls(None, "")
        try:
            mode = Path(store.path).stat().st_mode & 0o666
        except OSError:
            mode = 0o600
        return cls(directory, f"{CACHE_FORMAT}|{store.fingerprint()}", mode)

    def read(self, part: str, decode: Callable[[Any], T]) -> T | None:
        """Return a part decoded from its file if that file was written for this store version, else None."""
        if self.directory is None:
            return None
        path = self.directory / f"{part}.npz"
        try:
            with np.load(path, allow_pickle=False) as kept:
                return decode(kept) if str(kept["stamp"]) == self.stamp else None
        except Exception as exc:  # missing, truncated (BadZipFile, EOFError), foreign: read from the store
            if path.exists():
                log.warning("ignoring the dashboard's kept %s in %s: %s", part, path, exc)
            return None

    def write(self, part: str, arrays: dict[str, np.ndarray]) -> None:
        """Write a part's arrays with this stamp, atomically; a failure only costs the next start the read."""
        if self.directory is None:
            return
        try:
            if not self.directory.is_dir():
                self.directory.mkdir()
                os.chmod(self.directory, self.mode | (self.mode & 0o444) >> 2 | 0o700)  # r -> rx; the owner writes
            handle, partial = tempfile.mkstemp(prefix=f".{part}.", suffix=".partial", dir=self.directory)
            try:
                with os.fdopen(handle, "wb") as out:
                    np.savez(out, stamp=np.array(self.stamp), **arrays)
                    out.flush()
                    os.fsync(out.fileno())  # never a renamed file whose bytes a crash lost
                os.chmod(partial, self.mode)
                os.replace(partial, self.directory / f"{part}.npz")
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not keep the dashboard's %s in %s: %s", part, self.directory, exc)

    def has(self, part: str) -> bool:
        """Return whether a part is kept for this store version."""
        return self.read(part, lambda kept: True) is not None

    def get(self, part: str, compute: Callable[[], T], encode: Callable[[T], dict[str, np.ndarray]],
            decode: Callable[[Any], T]) -> T:
        """Return the kept part, or compute it and keep it."""
        found = self.read(part, decode)
        if found is not None:
            return found
        value = compute()
        try:
            arrays = encode(value)
        except ValueError as exc:  # a value holding the separator: the part is read from the store each start
            log.warning("not keeping the dashboard's %s: %s", part, exc)
            return value
        self.write(part, arrays)
        return value


def load_kept(store: Store, directory: Path | None) -> Columns:
    """Return ``load(store)``, from the directory of kept parts when written for this store version (else read
    from the index and kept). The columns carry where their store's other parts are kept (``kept_groups``,
    ``kept_metric``)."""
    kept = Kept.of(store, directory)
    columns = kept.get("columns", lambda: load(store), _columns_arrays, _columns_of)
    return replace(columns, kept=kept)


def kept_groups(store: Store, columns: Columns) -> pd.DataFrame:
    """Return ``load_groups(store)``, kept beside the store as the columns are; the groups read the outlets
    table too (the shipped file and the user's edits), so their stamp holds that table's as well."""
    return _groups_kept(columns).get("groups", lambda: load_groups(store), _frame_arrays, _frame_of)


def is_kept(columns: Columns, part: str) -> bool:
    """Return whether a part (``groups``, ``metric_part(...)``) is kept for this store version (and, for the
    groups, this outlets table)."""
    return (_groups_kept(columns) if part == "groups" else _kept(columns)).has(part)


def _groups_kept(columns: Columns) -> Kept:
    kept = _kept(columns)
    return replace(kept, stamp=f"{kept.stamp}|{outlets_table_stamp()}")


def kept_metric(store: Store, columns: Columns, scorer: str, name: str) -> np.ndarray:
    """Return ``metric(store, columns, scorer, name)``, kept beside the store as the columns are."""
    return _kept(columns).get(metric_part(scorer, name), lambda: metric(store, columns, scorer, name),
                              lambda values: {"values": values}, lambda kept: kept["values"])


def metric_part(scorer: str, name: str) -> str:
    return f"metric-{scorer}-{name}"


def _kept(columns: Columns) -> Kept:
    return columns.kept if columns.kept is not None else Kept(None, "")


def _columns_arrays(columns: Columns) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {"keys": columns.keys, "copies": columns.copies, "repaired": columns.repaired}
    for name in _FACETS:
        arrays[f"{name}_codes"] = columns.codes(name)
        arrays[f"{name}_values"] = _joined([str(v) for v in columns.facets[name].cat.categories])
    arrays.update({f"listed_{k}": v for k, v in _frame_arrays(columns.listed).items()})
    return arrays


def _columns_of(kept: Any) -> Columns:
    facets = pd.DataFrame({  # the categories' dtypes as Store.facet_columns makes them
        name: pd.Categorical.from_codes(kept[f"{name}_codes"], categories=(
            _split(kept[f"{name}_values"]) if name == "outlet" else pd.Index(_split(kept[f"{name}_values"]),
                                                                             dtype=object)))
        for name in _FACETS})
    listed = _frame_of({k[len("listed_"):]: kept[k] for k in kept.files if k.startswith("listed_")})
    return Columns(keys=kept["keys"], facets=facets, copies=kept["copies"], repaired=kept["repaired"],
                   listed=listed)


def _frame_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A table of strings (index included, gaps marked) as arrays."""
    flat = frame.reset_index() if frame.index.name is not None else frame
    arrays: dict[str, np.ndarray] = {"index_name": np.array(frame.index.name or ""),
                                     "names": _joined([str(c) for c in flat.columns])}
    for i, column in enumerate(flat.columns):
        values = flat[column]
        arrays[f"c{i}_missing"] = values.isna().to_numpy()
        arrays[f"c{i}"] = _joined(["" if pd.isna(v) else str(v) for v in values])
    return arrays


def _frame_of(kept: Any) -> pd.DataFrame:
    names = _split(kept["names"])
    frame = pd.DataFrame({name: [None if gap else value for value, gap in zip(  # dtypes as the store's
        _split(kept[f"c{i}"]), kept[f"c{i}_missing"])] for i, name in enumerate(names)}, columns=names)
    index = str(kept["index_name"])
    return frame.set_index(index) if index else frame


def _joined(values: list[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, each after a separator (a million story ids in one buffer)."""
    if any(_SEPARATOR in v for v in values):
        raise ValueError("a value holds the separator")  # never in practice; then the part is not kept
    return np.frombuffer("".join(_SEPARATOR + v for v in values).encode("utf-8"), dtype=np.uint8)


def _split(joined: np.ndarray) -> list[str]:
    return joined.tobytes().decode("utf-8").split(_SEPARATOR)[1:]


def kept_directory(db: str | Path, store: Store) -> Path | None:
    """Return where a store's parts are kept: ``DB.dashboard`` beside an SQLite store's file; None (nothing is
    kept) for a PostgreSQL store."""
    return store_sidecar(store_location(db), CACHE_SUFFIX) if store.dialect == "sqlite" else None  # symlinks resolved


def large(store: Store, settings: Settings) -> bool:
    """Return whether the dashboard serves ``store`` from its columns (more than dashboard_catalogue_max articles)."""
    return store.count("articles") > settings.dashboard_catalogue_max


def keep_after_write(store: Store, settings: Settings) -> bool:
    """Keep a large SQLite store's parts for its current version, as the dashboard would read them: the columns,
    the outlet groups and both tone measures' arrays. Return whether they were kept.

    The writing commands call it last: the first dashboard start after them then reads kept parts instead of the
    store (at a million articles: 3-4 s of reads, replacing 2-3 s of the first start). A smaller store, a
    PostgreSQL store (nothing kept) or a read-only one keeps nothing. A failure is logged and costs only the
    next start the reads: it never fails the command that wrote.
    """
    if store.readonly or store.dialect != "sqlite" or store.path == ":memory:":
        return False
    started = time.perf_counter()
    try:
        if not large(store, settings):
            return False
        columns = load_kept(store, kept_directory(store.path, store))
        kept_groups(store, columns)
        for scorer in TONE_SCORERS:
            for name in TONE_METRICS:
                kept_metric(store, columns, scorer, name)
    except KeyboardInterrupt:  # Ctrl-C here: the command's own work is done; it still reports it
        log.warning("the dashboard's parts of %s were not kept (interrupted)", store.path)
        return False
    except Exception:
        log.warning("could not keep the dashboard's parts of %s: the next dashboard start reads them from the "
                    "store", store.path, exc_info=True)
        return False
    log.info("kept the dashboard's parts of %s articles in %.1f s", f"{columns.articles:,}",
             time.perf_counter() - started)
    return True
