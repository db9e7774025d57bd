"""``lmhub run`` as one library call: choose, plan, run, judge, record, report.

:func:`run_hub` is what the CLI calls and what tests and benchmarks call directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Literal

from site_tools.evidence import ci_origin
from site_tools.gc_pause import CollectorPause
from site_tools.identity import Identity
from site_tools.models import Claim
from site_tools.records import Origin, RunRecord, write_record
from site_tools.runner.assess import needs_gpu_record
from site_tools.runner.cache import load_hub_claims
from site_tools.runner.execute import Backend, LocalBackend, RunSession, execute
from site_tools.runner.host import cuda_available
from site_tools.runner.isolation import RunSpec
from site_tools.runner.limits import MiB, RunLimits
from site_tools.runner.lock import LOCK_WAIT_S, LockBusy, results_lock
from site_tools.runner.outcomes import Outcome, OutcomeMemo
from site_tools.runner.plan import ClaimPlan, Task, plan_claim
from site_tools.runner.progress import Display
from site_tools.runner.provenance import TreeState, tree_state
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
    medium: bool = False
    mutants: tuple[str, ...] | None = None
    """Run mutants instead of the full configuration: the named ones, or every mutant of
    the chosen claims when empty."""
    evidence: bool = False
    """Run as the hub's own workflow: read and write the evidence store (``.evidence/``),
    with an origin naming the workflow run. Only the hub's main workflow publishes it."""
    results: str | None = None
    """Record store to read and write instead of ``results/`` (a pull-request check gives an
    empty folder, so that records committed in the pull request cannot stand for runs)."""
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
    """What every run's spec shares within one ``lmhub run``."""

    root: Path
    options: RunOptions
    max_timeout_s: int
    max_memory_mb: int
    cuda: bool
    """Whether runs that need a GPU get one here."""
    session: str


def _spec(plan: ClaimPlan, task: Task, ctx: _SpecContext) -> RunSpec:
    repro = plan.claim.reproduction
    identity = plan.hash
    config = {"smoke": repro.smoke, "medium": repro.medium}.get(identity.configuration)
    timeout = config.timeout_s if config is not None else repro.timeout_s
    device: Device = "cuda" if ctx.cuda and identity.device == "cuda" else "cpu"
    limits = RunLimits(
        timeout_s=min(timeout, ctx.max_timeout_s),
        memory_mb=min(repro.memory_mb, ctx.max_memory_mb),
        address_space=device == "cpu",
        output_bytes=ctx.options.output_bytes,
        disk_bytes=ctx.options.disk_bytes,
        threads=repro.threads,
    )
    return RunSpec(
        script=str(ctx.root / repro.script),
        repro_dir=str(ctx.root / "repro"),
        seed=task.seed,
        smoke=task.smoke,
        device=device,
        limits=limits,
        params=json.dumps(identity.parameters, sort_keys=True),
        mounts=_mounts(ctx.root, identity.files),
        session=ctx.session,
        temp_root=ctx.options.temp_root,
    )


def _mounts(root: Path, files: tuple[str, ...]) -> tuple[str, ...]:
    """The hub files a run's sandbox shows it: those of ``files`` that resolve inside
    ``repro/``. Validation refuses any other; one that a link made since leads out of
    ``repro/`` is left out, and the run fails to read it rather than reading what it points to."""
    repro = os.path.realpath(root / "repro") + os.sep
    return tuple(str(root / f) for f in files if os.path.realpath(root / f).startswith(repro))


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
    plans: list[ClaimPlan],
    gpu_note: str,
    commit: TreeState,
    results: Path,
    written: list[Path],
    origin: Origin,
) -> dict[int, dict[int, RunRecord]]:
    """The ``needs-gpu`` record of each seed that cannot run here, by plan index; written
    only for a seed with no record at all at its identity, so a CPU machine does not add
    one on every run."""
    out: dict[int, dict[int, RunRecord]] = {}
    for index, plan in enumerate(plans):
        for seed, new in plan.needs_gpu.items():
            record = needs_gpu_record(
                plan.claim, seed, plan.hash, f"needs a GPU: {gpu_note}", commit, origin
            )
            if new:
                written.append(write_record(results, record))
            out.setdefault(index, {})[seed] = record
    return out


def configurations(claim: Claim, options: RunOptions) -> list[str]:
    """The configurations of ``claim`` this run plans: full, smoke, medium or mutants."""
    if options.smoke:
        return ["smoke"]
    if options.medium:
        return ["medium"] if claim.reproduction.medium else []
    if options.mutants is not None:
        wanted = set(options.mutants)
        return [f"mutant:{m.id}" for m in claim.mutants if not wanted or m.id in wanted]
    return ["full"]


def _store(root: Path, results: Path, options: RunOptions) -> Path:
    if options.results:
        return Path(options.results).resolve()
    return root / ".evidence" if options.evidence else results


def _judged_from_settled_records(plan: ClaimPlan) -> bool:
    """Whether the plan ran nothing and its outcome stands on its settled records alone."""
    return (
        not plan.tasks
        and not plan.needs_gpu
        and not plan.bad
        and bool(plan.cached)
        and plan.hash.configuration not in ("smoke", "medium")
    )


def _remembered_result(plan: ClaimPlan, known: Outcome) -> ClaimResult:
    return ClaimResult(
        plan.claim,
        known.state,
        "",
        remembered=sorted(known.files),
        summaries=known.summaries,
        configuration=plan.hash.configuration,
        message=known.message,
    )


def _not_folders(results: Path, ids: set[str]) -> list[str]:
    """Those of ``ids`` whose place in the record store is taken by something other than a
    folder, found in one listing (not two ``stat`` calls for each of 10,000 claims)."""
    try:
        entries = list(os.scandir(results))
    except OSError:
        return []
    return sorted(e.name for e in entries if e.name in ids and not e.is_dir())


def run_hub(root: Path, options: RunOptions, display: Display) -> RunReport:
    """Run the chosen claims' reproductions and report (see :func:`_run_hub`), with the
    garbage collector paused until runs start (a one-shot command: what planning loaded is
    then frozen)."""
    with CollectorPause(freeze=True) as pause:
        return _run_hub(root, options, display, pause)


def _run_hub(root: Path, options: RunOptions, display: Display, pause: CollectorPause) -> RunReport:
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
    root = hub.paths.root
    results = _store(root, hub.paths.results, options)
    origin = ci_origin() if options.evidence else Origin()
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
        blocked = _not_folders(results, {c.id for c in claims})
        if blocked:
            folder = results / blocked[0]
            raise UsageError(f"{folder} is a file, not a folder of run records: move it aside")
        identities: list[tuple[Claim, Identity]] = [
            (c, identity)
            for c in claims
            for identity in hub.identities(c, configurations(c, options), files).values()
        ]
        files.save()
        # The backend is asked about GPUs before planning, so GPU claims are planned once.
        backend, gpu_note = _make_backend(options)
        stack.callback(backend.close)
        gpu = backend.gpu
        memo = OutcomeMemo.for_store(hub.cache_dir(), results, hub.predictions)
        plans: list[ClaimPlan] = []
        remembered: dict[int, Outcome] = {}
        for c, i in identities:
            known = None if options.force else memo.lookup(c, i, results / c.id, gpu)
            if known is not None:
                remembered[len(plans)] = known
                plans.append(ClaimPlan(c, i))
            else:
                plans.append(plan_claim(c, i, results, force=options.force, gpu=gpu))
        commit = tree_state(root)
        written: list[Path] = []
        gpu_records = _gpu_records(plans, gpu_note, commit, results, written, origin)
        display.planned(plans, selection.notes, gpu_note)
        # Longest first, so that parallel workers finish together.
        tasks = sorted(
            (t for p in plans for t in p.tasks),
            key=lambda t: -(hub.claims[t.claim_id].reproduction.cost_s or 0.0),
        )
        by_task = {t: p for p in plans for t in p.tasks}
        limits = hub.settings.limits
        ctx = _SpecContext(
            root, options, limits.max_timeout_s, limits.max_memory_mb, backend.gpu, session
        )
        specs = {t: _spec(by_task[t], t, ctx) for t in tasks}
        ran: dict[tuple[str, str], dict[int, RunRecord]] = {}
        not_run: dict[tuple[str, str], list[int]] = {}
        interrupted = False
        pause.resume()
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
                        hashes={t: by_task[t].hash for t in tasks},
                        specs=specs,
                        backend=backend,
                        display=display,
                        write=lambda r: write_record(results, r),
                        interrupt=interrupt,
                        git_commit=commit,
                        origin=origin,
                    ),
                )
            interrupted = done.interrupted
            written += done.paths.values()
            for task, record in done.records.items():
                ran.setdefault((task.claim_id, task.configuration), {})[task.seed] = record
            for task in done.not_run:
                not_run.setdefault((task.claim_id, task.configuration), []).append(task.seed)
    outcome: list[ClaimResult] = []
    for index, p in enumerate(plans):
        known = remembered.get(index)
        if known is not None:
            outcome.append(_remembered_result(p, known))
            continue
        result = claim_result(
            p,
            ran.get((p.claim.id, p.hash.configuration), {}),
            gpu_records.get(index, {}),
            not_run.get((p.claim.id, p.hash.configuration), []),
        )
        if _judged_from_settled_records(p) and index not in gpu_records:
            memo.remember(
                p.claim,
                p.hash,
                gpu,
                p.folder_mtime_ns,
                p.cached_files,
                (result.state, result.message, result.summaries),
            )
        outcome.append(result)
    memo.save({c.id for c in claims})
    return RunReport(
        outcome,
        smoke=options.smoke,
        interrupted=interrupted,
        notes=selection.notes,
        bad=[b for p in plans for b in p.bad],
        written=written,
        wall_s=time.monotonic() - started,
    )
