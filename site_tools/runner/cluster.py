"""Running on a Dask distributed cluster: the same isolated runs, on the cluster's workers.

Each run is one Dask task that calls :func:`~site_tools.runner.isolation.run_isolated` on a
worker, so containment is exactly as on this machine. Outcomes come back to this process,
which judges them and writes every record: workers never touch ``results/``. Workers need
the hub checkout at the same path as here (a shared filesystem; trivially so for
``--cluster local``). A scheduler with no live worker is an error after ``WORKER_WAIT_S``,
at the start and whenever every worker has gone, never a silent wait.

A GPU claim is submitted with ``resources={"GPU": 1}`` and so only lands on a worker started
with ``--resources GPU=1``. When no worker declares a GPU, GPU claims are reported
``needs-gpu`` at once instead of waiting forever for a worker that will never come.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import replace
from typing import Any

from site_tools.runner.execute import Event, failed_outcome
from site_tools.runner.isolation import RawOutcome, RunSpec, run_isolated
from site_tools.runner.plan import Task
from site_tools.runner.select import UsageError
from site_tools.runner.session import stop_session

CONNECT_TIMEOUT_S = 10
WORKER_WAIT_S = 20.0
"""How long to wait for a live worker, at the start and whenever every worker is gone."""
WORKER_POLL_S = 2.0


def remote_run(spec: RunSpec) -> RawOutcome:
    """The task each worker runs: :func:`run_isolated`, with the script tied to the worker's
    life. The thread pools have the size the claim declares, as locally."""
    return run_isolated(replace(spec, die_with_parent=True))


def _no_worker(address: str, waited: float) -> str:
    return (
        f"the Dask scheduler at {address} has no live worker (waited {waited:g} s); "
        f"start one with: dask worker {address} --nthreads 1"
    )


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
        self._futures: list[tuple[Task, RunSpec, Any]] = []
        self._closing = threading.Event()
        self._reported: set[Task] = set()
        self._lock = threading.Lock()
        self.cluster: Any = None
        self._watcher: threading.Thread | None = None
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
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except (OSError, TimeoutError):
            self.close()
            raise UsageError(_no_worker(address, WORKER_WAIT_S)) from None
        self.address = address
        workers = self._workers()
        self.workers = len(workers)
        self._gpu = any((w.get("resources") or {}).get("GPU", 0) >= 1 for w in workers.values())

    def _workers(self) -> dict[str, Any]:
        workers: dict[str, Any] = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return workers

    @property
    def gpu(self) -> bool:
        return self._gpu

    def _watch_workers(self) -> None:
        """Fail every unfinished run once no worker has been alive for ``WORKER_WAIT_S``."""
        alone_since: float | None = None
        while not self._closing.wait(WORKER_POLL_S):
            try:
                alive = bool(self._workers())
            except (OSError, TimeoutError):
                alive = False
            if alive:
                alone_since = None
                continue
            now = time.monotonic()
            alone_since = now if alone_since is None else alone_since
            if now - alone_since >= WORKER_WAIT_S:
                why = _no_worker(self.address, WORKER_WAIT_S)
                for task, spec, _ in list(self._futures):
                    self._report(task, ("done", task, failed_outcome(spec, why)))
                alone_since = None

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
        self._futures.append((task, spec, future))
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch_workers, daemon=True)
            self._watcher.start()

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
            self.client.cancel([f for _, _, f in self._futures])
            for task, _, future in self._futures:
                if future.status == "cancelled":
                    self._report(task, ("cancelled", task))

    def close(self) -> None:
        self._closing.set()
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
