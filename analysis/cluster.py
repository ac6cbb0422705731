"""Scoring on a Dask cluster: ``python -m analysis run --executor dask [--scheduler ADDRESS]``.

The run process stays the store's only writer: it reads batches, sends each to a Dask worker
(``client.submit``, the same call as the local process pool's), and writes the scores as they come
back, in order, one transaction per batch. Workers never see the store, only a batch's articles, so a
worker needs the project installed (the same version: a scorer's version is part of every score)
and nothing else. With no ``--scheduler``, a ``LocalCluster`` of ``workers`` processes on this
machine is started for the run and closed after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from core.errors import InputError

log = logging.getLogger(__name__)

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT = "20s"


@dataclass
class Cluster:
    """Where batches are scored: ``submit(fn, *args)`` returns a future; ``slots`` batches run at once."""

    submit: Callable[..., Future[Any]]
    slots: int
    address: str


def _slots(client: Any) -> int:
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


@contextmanager
def dask_cluster(scheduler: str | None, workers: int) -> Iterator[Cluster]:
    """Connect to the Dask scheduler at ``scheduler``, or start a local one with ``workers`` processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - distributed is in requirements.txt
        raise InputError("--executor dask needs the distributed package (pip install distributed)") from None
    local = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError:
                client.close()
                raise InputError(f"--scheduler {scheduler}: the scheduler has no worker (none joined within "
                                 f"{CONNECT_TIMEOUT})") from None
        else:
            local = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address="127.0.0.1:0")
            client = Client(local, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        if local is not None:
            local.close()
        raise InputError(f"--scheduler {scheduler}: no Dask scheduler answered ({exc.__class__.__name__})") from None
    try:
        cluster = Cluster(submit=lambda fn, *args: client.submit(fn, *args, pure=False), slots=_slots(client),
                          address=str(client.scheduler.address))
        log.info("scoring on the Dask scheduler at %s: %d worker threads", cluster.address, cluster.slots)
        yield cluster
    finally:
        client.close()
        if local is not None:
            local.close()
