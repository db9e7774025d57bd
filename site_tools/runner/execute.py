"""Carry out a plan: hand each run to a backend, judge what comes back, write its record.

Backends only run :func:`~site_tools.runner.isolation.run_isolated` somewhere (a local
thread pool here, a Dask cluster in :mod:`site_tools.runner.cluster`) and report events on a
queue. Judging and writing records happen only here, in the calling thread, one at a time:
a record is either written whole or not at all, whatever interrupts the run.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol

from site_tools.identity import Identity
from site_tools.models import Claim
from site_tools.records import Origin, RunRecord
from site_tools.runner.assess import assess, judging_failed
from site_tools.runner.host import host_info
from site_tools.runner.isolation import RawOutcome, RunSpec, run_isolated
from site_tools.runner.plan import Task
from site_tools.runner.progress import Display
from site_tools.runner.provenance import TreeState
from site_tools.runner.session import stop_session

STOP_GRACE_S = 30.0
"""After an interrupt, how long to wait for runs to report back before giving up on them."""

Event = (
    tuple[Literal["start"], Task]
    | tuple[Literal["done"], Task, RawOutcome]
    | tuple[Literal["cancelled"], Task]
)


class Backend(Protocol):
    """Somewhere runs happen. Events go on ``events`` as runs start, finish or are dropped."""

    events: queue.Queue[Event]

    @property
    def gpu(self) -> bool:
        """Whether GPU claims can run here."""
        ...

    def submit(self, task: Task, spec: RunSpec, gpu: bool) -> None: ...
    def stop(self, session: str) -> None: ...
    def close(self) -> None: ...


def failed_outcome(spec: RunSpec, why: str) -> RawOutcome:
    """An outcome for a run the backend itself could not carry out."""
    return RawOutcome("spawn-failed", datetime.now(timezone.utc), 0.0, host_info(spec.device), why)


class LocalBackend:
    """Runs in a pool of ``jobs`` threads on this machine, each watching one subprocess."""

    def __init__(self, jobs: int, gpu: bool):
        self.events: queue.Queue[Event] = queue.Queue()
        self._gpu = gpu
        self._pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="lmhub-run")
        self._futures: list[tuple[Task, Future[None]]] = []
        self._stopped = threading.Event()

    @property
    def gpu(self) -> bool:
        return self._gpu

    def submit(self, task: Task, spec: RunSpec, gpu: bool) -> None:
        def job() -> None:
            if not self._stopped.is_set():
                self.events.put(("start", task))
            try:
                outcome = run_isolated(spec)
            except Exception as exc:  # a fault of the runner, not of the script
                outcome = failed_outcome(spec, f"the runner could not run it: {exc!r}")
            self.events.put(("done", task, outcome))

        self._futures.append((task, self._pool.submit(job)))

    def stop(self, session: str) -> None:
        self._stopped.set()
        for task, future in self._futures:
            if future.cancel():
                self.events.put(("cancelled", task))
        stop_session(session)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Execution:
    """What a plan's execution produced."""

    records: dict[Task, RunRecord] = field(default_factory=dict)
    paths: dict[Task, Path] = field(default_factory=dict)
    not_run: list[Task] = field(default_factory=list)
    """Tasks that produced no record: never started, or stopped by an interrupt."""
    interrupted: bool = False


@dataclass(frozen=True)
class RunSession:
    """One ``lmhub run``: what every run of it shares, passed around as one object."""

    token: str
    """Names the session's runs, so that :meth:`Backend.stop` stops them all."""
    claims: Mapping[str, Claim]
    hashes: Mapping[Task, Identity]
    """The identity of each run (it depends on the run's configuration)."""
    specs: Mapping[Task, RunSpec]
    backend: Backend
    display: Display
    write: Callable[[RunRecord], Path]
    """Writes one record under ``results/`` and returns its path."""
    interrupt: threading.Event
    git_commit: TreeState
    origin: Origin
    """Who makes these records: the hub's own workflow, or anyone else."""


def execute(tasks: Sequence[Task], session: RunSession) -> Execution:
    """Submit every task, then judge and record each outcome as it arrives.

    On ``session.interrupt`` the backend stops every running script (their whole process
    trees), runs not yet started are dropped, and nothing is recorded for them; records
    already written stay.
    """
    result = Execution()
    backend = session.backend
    for task in tasks:
        spec = session.specs[task]
        backend.submit(task, spec, spec.device == "cuda")
    try:
        _collect(tasks, session, result)
    except BaseException:
        backend.stop(session.token)  # a second Ctrl-C, or a fault here: leave no script running
        raise
    result.not_run = [t for t in tasks if t not in result.records]
    return result


def _record(session: RunSession, task: Task, raw: RawOutcome) -> RunRecord | None:
    """The record of one finished run; a fault while judging it is that run's own error."""
    spec = session.specs[task]
    claim, identity = session.claims[task.claim_id], session.hashes[task]
    try:
        return assess(claim, spec, raw, identity, session.git_commit, session.origin)
    except Exception as exc:  # never lose the other runs to one run's output
        return judging_failed(claim, spec, raw, identity, session.git_commit, session.origin, exc)


def _collect(tasks: Sequence[Task], session: RunSession, result: Execution) -> None:
    outstanding = set(tasks)
    stop_deadline: float | None = None
    backend, display = session.backend, session.display
    while outstanding:
        if session.interrupt.is_set() and stop_deadline is None:
            result.interrupted = True
            display.note("interrupted: stopping the running scripts; finished records are kept")
            backend.stop(session.token)
            stop_deadline = time.monotonic() + STOP_GRACE_S
        try:
            event = backend.events.get(timeout=0.1)
        except queue.Empty:
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                break
            continue
        task = event[1]
        if event[0] == "start":
            if stop_deadline is None:
                display.started(task)
            continue
        outstanding.discard(task)
        if event[0] == "cancelled":
            continue
        record = _record(session, task, event[2])
        if record is not None and not (result.interrupted and event[2].ending == "spawn-failed"):
            result.paths[task] = session.write(record)
            result.records[task] = record
        display.finished(task, result.records.get(task))
