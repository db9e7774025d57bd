"""Running on a Dask distributed cluster: the same isolated runs, on the cluster's workers.

Each run is one Dask task that calls :func:`~site_tools.runner.isolation.run_isolated` on a
worker, so containment is exactly as on this machine. Outcomes come back to this process,
which judges them and writes every record: workers never touch ``results/``. Workers need
the hub checkout at the same path as here (a shared filesystem; trivially so for
``--cluster local``).

A GPU claim is submitted with ``resources={"GPU": 1}`` and so only lands on a worker started
with ``--resources GPU=1``. When no worker declares a GPU, GPU claims are reported
``needs-gpu`` at once instead of waiting forever for a worker that will never come.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import uuid
from dataclasses import replace
from typing import Any

from site_tools.runner.execute import Event, failed_outcome
from site_tools.runner.isolation import RawOutcome, RunSpec, run_isolated, stop_session
from site_tools.runner.plan import Task
from site_tools.runner.select import UsageError

CONNECT_TIMEOUT_S = 10


def remote_run(spec: RunSpec) -> RawOutcome:
    """The task each worker runs: :func:`run_isolated`, with the script tied to the worker's
    life. ``threads == 0`` means: size the thread pools to this worker (its cores shared
    among the tasks it runs at once)."""
    spec = replace(spec, die_with_parent=True)
    if spec.limits.threads == 0:
        from distributed import get_worker

        worker: Any = get_worker()
        state = getattr(worker, "state", worker)
        slots = max(1, int(getattr(state, "nthreads", 1)))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        spec = replace(spec, limits=replace(spec.limits, threads=max(1, (cores or 1) // slots)))
    return run_isolated(spec)


class DaskBackend:
    """Runs on a Dask cluster: an existing scheduler's address, or ``local`` to start a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes (closed afterwards).

    Raises
    ------
    UsageError
        When the scheduler cannot be reached.
    """

    def __init__(self, address: str, jobs: int):
        import distributed

        # distributed's constructors are untyped; keep them behind Any.
        client_type: Any = distributed.Client
        cluster_type: Any = distributed.LocalCluster
        self.events: queue.Queue[Event] = queue.Queue()
        self._futures: list[tuple[Task, Any]] = []
        self._reported: set[Task] = set()
        self._lock = threading.Lock()
        self.cluster: Any = None
        try:
            if address == "local":
                self.cluster = cluster_type(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client: Any = client_type(self.cluster)
            else:
                self.client = client_type(address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        self.workers = len(workers)
        self._gpu = any((w.get("resources") or {}).get("GPU", 0) >= 1 for w in workers.values())

    @property
    def gpu(self) -> bool:
        return self._gpu

    def submit(self, task: Task, spec: RunSpec, gpu: bool) -> None:
        future = self.client.submit(
            remote_run,
            spec,
            pure=False,
            resources={"GPU": 1} if gpu else None,
            key=f"lmhub-{task.claim_id}-s{task.seed}-{uuid.uuid4().hex[:8]}",
        )

        def done(fut: Any) -> None:
            if fut.status == "finished":
                event: Event = ("done", task, fut.result())
            elif fut.status == "cancelled":
                event = ("cancelled", task)
            else:
                event = (
                    "done",
                    task,
                    failed_outcome(
                        spec, f"the Dask task failed on the cluster: {fut.exception()!r}"
                    ),
                )
            self._report(task, event)

        future.add_done_callback(done)
        self._futures.append((task, future))

    def _report(self, task: Task, event: Event) -> None:
        with self._lock:
            if task in self._reported:
                return
            self._reported.add(task)
        self.events.put(event)

    def stop(self, session: str) -> None:
        # Kill the running scripts on every worker, then drop what has not started.
        try:
            self.client.run(stop_session, session, on_error="ignore")
        finally:
            self.client.cancel([f for _, f in self._futures])
            for task, future in self._futures:
                if future.status == "cancelled":
                    self._report(task, ("cancelled", task))

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
