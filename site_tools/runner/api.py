"""``lmhub run`` as one library call: choose, plan, run, judge, record, report.

:func:`run_hub` is what the CLI calls and what tests and benchmarks call directly.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Literal

from site_tools.records import RunRecord, write_record
from site_tools.runner.assess import needs_gpu_record
from site_tools.runner.cache import load_hub_claims
from site_tools.runner.execute import Backend, LocalBackend, RunSession, execute
from site_tools.runner.hashing import content_hash, local_imports
from site_tools.runner.host import cuda_available
from site_tools.runner.isolation import RunSpec
from site_tools.runner.limits import MiB, RunLimits
from site_tools.runner.lock import LOCK_WAIT_S, LockBusy, results_lock
from site_tools.runner.plan import ClaimPlan, Task, plan_claim
from site_tools.runner.progress import Display
from site_tools.runner.provenance import git_commit
from site_tools.runner.report import ClaimResult, RunReport, claim_result
from site_tools.runner.sandbox import fallback_warning
from site_tools.runner.select import UsageError, select_claims
from site_tools.runner.session import forget_session

Device = Literal["cpu", "cuda"]


@dataclass(frozen=True)
class RunOptions:
    """The choices of one ``lmhub run`` (see ``lmhub run --help``)."""

    ids: tuple[str, ...] = ()
    all_claims: bool = False
    changed_since: str | None = None
    force: bool = False
    jobs: int = 1
    device: Device = "cpu"
    cluster: str | None = None
    smoke: bool = False
    output_bytes: int = 8 * MiB
    """Cap on each of a script's stdout and stderr, in bytes."""
    disk_bytes: int = 1024 * MiB
    """Cap on the size of a run's temporary folder, in bytes."""
    lock_wait_s: float = LOCK_WAIT_S
    temp_root: str | None = None
    """Where runs' temporary folders go (default: the system's temporary folder)."""


@contextlib.contextmanager
def _interrupts() -> Iterator[threading.Event]:
    """Turn Ctrl-C (and SIGTERM) into an event the run loop checks; a second one aborts.

    Only the main thread can take signals; elsewhere the event is simply never set.
    """
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield event
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass(frozen=True)
class _SpecContext:
    """What every run's :class:`RunSpec` of one ``lmhub run`` shares."""

    root: Path
    options: RunOptions
    max_timeout_s: int
    max_memory_mb: int
    cuda: bool
    """Whether GPU claims run on a GPU here."""
    session: str


def _spec(plan: ClaimPlan, task: Task, ctx: _SpecContext) -> RunSpec:
    repro = plan.claim.reproduction
    timeout = repro.smoke.timeout_s if task.smoke and repro.smoke else repro.timeout_s
    overrides = repro.smoke.overrides if task.smoke and repro.smoke else {}
    script = ctx.root / repro.script
    repro_dir = ctx.root / "repro"
    mounts = [script, *local_imports(script, repro_dir), *(ctx.root / p for p in repro.inputs)]
    device: Device = "cuda" if ctx.cuda and repro.device == "gpu" and not task.smoke else "cpu"
    limits = RunLimits(
        timeout_s=min(timeout, ctx.max_timeout_s),
        memory_mb=min(repro.memory_mb, ctx.max_memory_mb),
        address_space=device == "cpu",
        output_bytes=ctx.options.output_bytes,
        disk_bytes=ctx.options.disk_bytes,
        threads=repro.threads,
    )
    return RunSpec(
        script=str(script),
        repro_dir=str(repro_dir),
        seed=task.seed,
        smoke=task.smoke,
        device=device,
        limits=limits,
        params=json.dumps(plan.claim.parameters(overrides), sort_keys=True),
        mounts=tuple(str(m) for m in mounts),
        session=ctx.session,
        temp_root=ctx.options.temp_root,
    )


def _make_backend(options: RunOptions) -> tuple[Backend, str]:
    """The backend, and what to tell the user about GPU claims it cannot run."""
    if options.cluster:
        from site_tools.runner.cluster import DaskBackend

        dask = DaskBackend(options.cluster, options.jobs)
        return (
            dask,
            "no worker of the cluster declares a GPU resource (dask worker --resources GPU=1)",
        )
    if options.device == "cuda":
        found = cuda_available()
        return LocalBackend(options.jobs, found), "--device cuda, but no CUDA device was found"
    return (
        LocalBackend(options.jobs, False),
        "run with --device cuda on a machine with CUDA, or on a cluster with a GPU worker",
    )


def _gpu_records(
    plans: list[ClaimPlan], gpu_note: str, commit: str | None, results: Path, written: list[Path]
) -> dict[str, dict[int, RunRecord]]:
    """The ``needs-gpu`` record of each seed that cannot run here; written only for a seed
    with no record at all at its hash, so a CPU machine does not add one on every run."""
    out: dict[str, dict[int, RunRecord]] = {}
    for plan in plans:
        for seed, new in plan.needs_gpu.items():
            record = needs_gpu_record(
                plan.claim, seed, plan.hash, f"needs a GPU: {gpu_note}", commit
            )
            if new:
                written.append(write_record(results, record))
            out.setdefault(plan.claim.id, {})[seed] = record
    return out


def run_hub(root: Path, options: RunOptions, display: Display) -> RunReport:
    """Run the chosen claims' reproductions and report.

    Writes one record per finished run under ``results/`` (never replacing one), and a
    ``needs-gpu`` record for a GPU claim's seed that has no record at its hash and no GPU
    here. Holds ``results/.lock`` throughout.

    Raises
    ------
    HubError
        When the hub does not validate.
    UsageError
        For a bad choice of claims, an unreachable cluster, or another runner holding the
        lock (the CLI exits 2).
    """
    started = time.monotonic()
    hub = load_hub_claims(root)
    root, results = hub.paths.root, hub.paths.results
    files = hub.file_digests()
    selection = select_claims(
        root, hub.claims, hub.sources, files, options.ids, options.all_claims, options.changed_since
    )
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(results_lock(results, options.lock_wait_s))
        except LockBusy as exc:
            raise UsageError(str(exc)) from None
        stack.callback(display.close)
        session = secrets.token_hex(8)
        # Forgotten only after the backend is closed (callbacks run last in, first out), so
        # that a run still queued when it was stopped cannot start.
        stack.callback(forget_session, session)
        claims = [hub.claims[cid] for cid in selection.ids]
        hashes = {c.id: content_hash(c, root, files) for c in claims}
        files.save()
        # The backend is asked about GPUs before planning, so GPU claims are planned once.
        backend, gpu_note = _make_backend(options)
        stack.callback(backend.close)
        plans = [
            plan_claim(
                c,
                hashes[c.id],
                results,
                smoke=options.smoke,
                force=options.force,
                gpu=backend.gpu,
            )
            for c in claims
        ]
        commit = git_commit(root)
        written: list[Path] = []
        gpu_records = _gpu_records(plans, gpu_note, commit, results, written)
        display.planned(plans, selection.notes, gpu_note)
        # Longest first, so that parallel workers finish together.
        tasks = sorted(
            (t for p in plans for t in p.tasks),
            key=lambda t: -(hub.claims[t.claim_id].reproduction.cost_s or 0.0),
        )
        by_id = {p.claim.id: p for p in plans}
        limits = hub.settings.limits
        ctx = _SpecContext(
            root, options, limits.max_timeout_s, limits.max_memory_mb, backend.gpu, session
        )
        specs = {t: _spec(by_id[t.claim_id], t, ctx) for t in tasks}
        ran: dict[str, dict[int, RunRecord]] = {}
        not_run: dict[str, list[int]] = {}
        interrupted = False
        if tasks:
            warning = fallback_warning()
            if warning:
                display.note(warning)
            with _interrupts() as interrupt:
                done = execute(
                    tasks,
                    RunSession(
                        token=session,
                        claims=hub.claims,
                        hashes=hashes,
                        specs=specs,
                        backend=backend,
                        display=display,
                        write=lambda r: write_record(results, r),
                        interrupt=interrupt,
                        git_commit=commit,
                    ),
                )
            interrupted = done.interrupted
            written += done.paths.values()
            for task, record in done.records.items():
                ran.setdefault(task.claim_id, {})[task.seed] = record
            for task in done.not_run:
                not_run.setdefault(task.claim_id, []).append(task.seed)
    outcome: list[ClaimResult] = [
        claim_result(
            p,
            ran.get(p.claim.id, {}),
            gpu_records.get(p.claim.id, {}),
            not_run.get(p.claim.id, []),
            options.smoke,
        )
        for p in plans
    ]
    return RunReport(
        outcome,
        smoke=options.smoke,
        interrupted=interrupted,
        notes=selection.notes,
        bad=[b for p in plans for b in p.bad],
        written=written,
        wall_s=time.monotonic() - started,
    )
