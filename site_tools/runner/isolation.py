"""Run one contributed script, contained: the only place the hub starts untrusted code.

Each run is a subprocess in its own session (so its process group can be killed whole,
children included), in a fresh temporary folder that is also its ``HOME`` and ``TMPDIR``,
with an environment built from an allowlist (no tokens or secrets of the caller leak in),
a wall-clock limit, an address-space limit, caps on its output and on the size of its
folder, and the BLAS/OpenMP thread pools capped so parallel runs do not oversubscribe the
cores.

:func:`run_isolated` takes a picklable :class:`RunSpec` and returns a picklable
:class:`RawOutcome`, so a Dask worker calls exactly the same function as the local pool.
Judging the outcome is not done here: see :mod:`site_tools.runner.assess`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Literal

from site_tools.environment import environment_versions

MiB = 1 << 20

RESULT_FILE = "result.json"
"""What the script writes into its ``--out`` folder (see ``repro/harness.py``)."""

ADDRESS_SPACE_HEADROOM_MB = 1024
"""Added to a claim's ``memory_mb`` to get its address-space limit, in MiB. Interpreters and
numerical libraries map far more address space than they touch (torch on CPU maps about
600 MiB before computing anything; each thread reserves a stack and a malloc arena), so a
limit of exactly ``memory_mb`` would break ordinary scripts."""

POLL_S = 0.1
"""How often a running script's output sizes are checked, in seconds."""

DISK_POLL_S = 0.5
"""How often its folder's size is checked (a walk of the folder), in seconds."""

RSS_POLL_S = 0.5
"""How often resident memory is checked when the address-space limit is off (CUDA)."""

TAIL_BYTES = 8192
"""How much of the end of stdout and of stderr is kept, in bytes."""

RESULT_MAX_BYTES = 16 * MiB
"""Largest ``result.json`` that is read back, in bytes."""

PASSED_ENV = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_NUMERIC",
    "TZ",
    "LD_LIBRARY_PATH",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_HOME",
    "CUDA_PATH",
    "NVIDIA_VISIBLE_DEVICES",
    "SYSTEMROOT",
)
"""The caller's variables a script may see. Anything else (tokens, cloud keys, the CI's
secrets) is dropped."""

THREAD_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "TORCH_NUM_THREADS",
    "LMHUB_THREADS",
)
"""Thread-pool sizes set for every run (torch reads ``OMP_NUM_THREADS``; ``LMHUB_THREADS``
is there for scripts that size a pool themselves)."""


@dataclass(frozen=True)
class Limits:
    """What one run may use.

    Attributes
    ----------
    timeout_s
        Wall-clock limit, in seconds; the whole process group is killed when it passes.
    memory_mb
        Memory limit, in MiB. With ``address_space`` the address space is capped at
        ``memory_mb + ADDRESS_SPACE_HEADROOM_MB`` (``RLIMIT_AS``); without it (CUDA maps
        huge address ranges) resident memory is polled and the group killed past it.
    address_space
        Enforce the limit with ``RLIMIT_AS`` (``False`` for CUDA runs).
    output_bytes
        Cap on each of stdout and stderr, in bytes.
    disk_bytes
        Cap on the size of the run's temporary folder, in bytes (also the largest file it
        may write, via ``RLIMIT_FSIZE``).
    threads
        Size of the BLAS/OpenMP thread pools.
    """

    timeout_s: float
    memory_mb: int
    address_space: bool = True
    output_bytes: int = 8 * MiB
    disk_bytes: int = 1024 * MiB
    threads: int = 1


@dataclass(frozen=True)
class RunSpec:
    """One run of one script at one seed: everything a worker needs, and picklable."""

    script: str
    """Absolute path of the script."""
    repro_dir: str
    """Absolute path of the hub's ``repro/`` folder (the script's ``PYTHONPATH``)."""
    seed: int
    smoke: bool
    device: Literal["cpu", "cuda"]
    limits: Limits
    params: str
    """Every parameter value of this run, as the JSON object passed with ``--params``."""
    mounts: tuple[str, ...]
    """Absolute paths of the hub files the run may read: the script, the helpers it imports
    and its declared inputs (the files its identity covers)."""
    session: str
    """Token of the ``lmhub run`` this belongs to; :func:`stop_session` stops all its runs."""
    temp_root: str | None = None
    """Where the temporary folder is made (default: the system's)."""
    die_with_parent: bool = False
    """Kill the script if the thread watching it dies. Set on Dask workers, which can be shut
    down under a run; locally ``lmhub run`` stops its runs itself, and skipping this lets the
    spawn use ``vfork`` (see :func:`_apply_limits`)."""

    def command(self, out: Path) -> list[str]:
        """``python <script> --seed N --out OUT --params JSON [--smoke] [--device cuda]``."""
        cmd = [sys.executable, self.script, "--seed", str(self.seed), "--out", str(out)]
        cmd += ["--params", self.params]
        if self.smoke:
            cmd.append("--smoke")
        if self.device == "cuda":
            cmd += ["--device", "cuda"]
        return cmd


Ending = Literal[
    "exited", "timeout", "output-cap", "disk-cap", "memory-cap", "interrupted", "spawn-failed"
]
"""How the process ended: on its own, or stopped by the runner for a reason."""


@dataclass(frozen=True)
class HostInfo:
    """Where a run ran: versions of what the script could import, and the device."""

    python: str
    numpy: str | None
    torch: str | None
    platform: str
    machine: str
    device: str
    """``cpu``, or the CUDA device's name."""


@dataclass(frozen=True)
class RawOutcome:
    """What happened, unjudged. Picklable, so it can come back from a Dask worker."""

    ending: Ending
    started_at: datetime
    duration_s: float
    host: HostInfo
    detail: str = ""
    """For a stop by the runner: which cap was passed, in words."""
    returncode: int | None = None
    """Exit status; negative for a signal (as in :mod:`subprocess`)."""
    peak_memory_mb: float | None = None
    """Peak resident set of the script process (and its waited-for children), in MiB."""
    stdout_tail: str = ""
    stderr_tail: str = ""
    result_text: str | None = None
    """Contents of ``result.json``; ``None`` when the script wrote none."""
    result_problem: str | None = None
    """Why ``result.json`` could not be read back (too large, not text), if so."""


# --- stopping a whole session -----------------------------------------------------------------

_registry_lock = threading.Lock()
_stopped: set[str] = set()
_running: dict[str, set[int]] = {}


def stop_session(session: str) -> int:
    """Stop every run of ``session`` in this process, now and later; return how many were
    running.

    Kills each running script's whole process group. Runs of the session that have not
    started yet return at once as ``interrupted``. Called by the local pool on Ctrl-C, and on
    every Dask worker (via ``Client.run``) for a cluster.
    """
    with _registry_lock:
        _stopped.add(session)
        groups = list(_running.get(session, ()))
    for pgid in groups:
        _kill_group(pgid)
    return len(groups)


def forget_session(session: str) -> None:
    """Drop what this process remembers of ``session`` (once none of its runs is left)."""
    with _registry_lock:
        _stopped.discard(session)
        _running.pop(session, None)


def _is_stopped(session: str) -> bool:
    with _registry_lock:
        return session in _stopped


@contextlib.contextmanager
def _registered(session: str, pgid: int) -> Iterator[None]:
    with _registry_lock:
        _running.setdefault(session, set()).add(pgid)
    try:
        yield
    finally:
        with _registry_lock:
            _running.get(session, set()).discard(pgid)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


# --- environment and limits -------------------------------------------------------------------


def scrubbed_env(
    home: Path, repro_dir: str, threads: int, source: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment a script sees: allowlisted variables, its own home, capped threads."""
    source = dict(os.environ) if source is None else source
    env = {name: source[name] for name in PASSED_ENV if name in source}
    env.setdefault("PATH", os.defpath)
    tmp = str(home / "tmp")
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": tmp,
            "TEMP": tmp,
            "TMP": tmp,
            "XDG_CACHE_HOME": str(home / ".cache"),
            "MPLCONFIGDIR": str(home / ".config"),
            "MPLBACKEND": "Agg",
            "PYTHONPATH": repro_dir,
            # The script imports helpers from the hub's repro/; no bytecode is written there.
            "PYTHONDONTWRITEBYTECODE": "1",
            # Unbuffered, so that the kept tail is complete even when the run is killed.
            "PYTHONUNBUFFERED": "1",
            "PYTHONNOUSERSITE": "1",
            "PYTHONHASHSEED": "0",
        }
    )
    env.update({name: str(threads) for name in THREAD_ENV})
    return env


@cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return fn
    except (OSError, AttributeError):
        return None


_PR_SET_PDEATHSIG = 1


def _apply_limits(pid: int, limits: Limits) -> None:
    """Set the run's resource limits on the just-started process ``pid``.

    Set from outside with ``prlimit`` right after the spawn returns (the child has already
    exec'd the interpreter, which has not yet run a line of the script), rather than in a
    ``preexec_fn``: that would force a full ``fork`` of this large process instead of a
    ``vfork``, about 15 ms per run. Children the script starts inherit the limits.
    """
    address = (limits.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * MiB if limits.address_space else None
    with contextlib.suppress(ProcessLookupError):
        if address is not None:
            resource.prlimit(pid, resource.RLIMIT_AS, (address, address))
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (limits.disk_bytes, limits.disk_bytes))
        resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the run killed if the thread watching it dies (a Dask worker
    shutting down), or ``None`` where the platform cannot."""
    prctl = _prctl()
    if prctl is None:
        return None

    def apply() -> None:
        # Only a system call here: this runs between fork and exec.
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return apply


# --- where a run ran --------------------------------------------------------------------------


@cache
def _cuda_name() -> str:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "cuda"
    names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    return names[0] if names else "cuda"


@cache
def host_info(device: str) -> HostInfo:
    """This process's Python, numpy and torch versions, platform and device name."""
    versions = environment_versions()
    return HostInfo(
        python=versions["python"] or platform.python_version(),
        numpy=versions["numpy"],
        torch=versions["torch"],
        platform=platform.platform(),
        machine=platform.machine(),
        device=_cuda_name() if device == "cuda" else "cpu",
    )


def cuda_available() -> bool:
    """Whether this machine has a CUDA device, without importing torch (which is slow)."""
    gpus = Path("/proc/driver/nvidia/gpus")
    if gpus.is_dir() and any(gpus.iterdir()):
        return True
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        out = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


# --- running ----------------------------------------------------------------------------------


def _tail(path: Path, keep: int = TAIL_BYTES) -> str:
    """The last ``keep`` bytes of ``path`` as text, with a marker saying how much was cut."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if size > keep:
                handle.seek(size - keep)
            data = handle.read(keep)
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if size > keep:
        return f"[... {size - keep} bytes cut ...]\n{text}"
    return text


def _folder_bytes(folder: Path) -> int:
    """Bytes the files under ``folder`` occupy on disk (allocated blocks, not apparent size)."""
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


def _group_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 when it is gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _read_result(out: Path) -> tuple[str | None, str | None]:
    path = out / RESULT_FILE
    try:
        size = path.stat().st_size
    except OSError:
        return None, None
    if size > RESULT_MAX_BYTES:
        return None, (
            f"{RESULT_FILE} is {size / MiB:.1f} MiB, over the {RESULT_MAX_BYTES // MiB} MiB cap"
        )
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, f"{RESULT_FILE} is not UTF-8 text"
    except OSError as exc:
        return None, f"{RESULT_FILE} could not be read ({exc.strerror})"


class _Watch:
    """Waits for the process to end while checking its caps; says why it ended."""

    def __init__(
        self, proc: subprocess.Popen[bytes], spec: RunSpec, work: Path, stdout: Path, stderr: Path
    ):
        self.proc, self.spec, self.work = proc, spec, work
        self.stdout, self.stderr = stdout, stderr
        self.pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self.pidfd = os.pidfd_open(proc.pid)

    def _wait(self, seconds: float) -> bool:
        """Block up to ``seconds`` until the process exits (without reaping it)."""
        if self.pidfd is not None:
            ready, _, _ = select.select([self.pidfd], [], [], seconds)
            return bool(ready)
        # No pidfd (not Linux): poll with waitid, which leaves the process reapable.
        deadline = time.monotonic() + seconds
        while True:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if info is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    def run(self, start: float) -> tuple[Ending, str]:
        limits = self.spec.limits
        deadline = start + limits.timeout_s
        next_disk = start + DISK_POLL_S
        next_rss = start + RSS_POLL_S
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return "timeout", f"timed out after {limits.timeout_s:g} s"
                if self._wait(min(POLL_S, deadline - now)):
                    return "exited", ""
                if _is_stopped(self.spec.session):
                    return "interrupted", "stopped by the user"
                for name, path in (("stdout", self.stdout), ("stderr", self.stderr)):
                    with contextlib.suppress(OSError):
                        if path.stat().st_size > limits.output_bytes:
                            return "output-cap", (
                                f"{name} passed the output cap of {size_text(limits.output_bytes)}"
                            )
                now = time.monotonic()
                if now >= next_disk:
                    next_disk = now + DISK_POLL_S
                    if _folder_bytes(self.work) > limits.disk_bytes:
                        return "disk-cap", (
                            f"the working folder passed the disk cap of "
                            f"{size_text(limits.disk_bytes)}"
                        )
                if not limits.address_space and now >= next_rss:
                    next_rss = now + RSS_POLL_S
                    if _group_rss(self.proc.pid) > limits.memory_mb * MiB:
                        return "memory-cap", (
                            f"resident memory passed the limit of {limits.memory_mb} MiB"
                        )
        finally:
            if self.pidfd is not None:
                os.close(self.pidfd)


def size_text(n: int) -> str:
    """A byte count in words: ``8 MiB``, ``64 KiB``, ``100 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


def run_isolated(spec: RunSpec) -> RawOutcome:
    """Run ``spec``'s script once, contained, and report what happened (never raises for the
    script's faults). The temporary folder is deleted afterwards.
    """
    started_at = datetime.now(timezone.utc)
    start = time.monotonic()
    host = host_info(spec.device)

    def outcome(ending: Ending, detail: str) -> RawOutcome:
        return RawOutcome(ending, started_at, time.monotonic() - start, host, detail)

    if _is_stopped(spec.session):
        return outcome("interrupted", "stopped by the user")
    if not Path(spec.script).is_file():
        return outcome(
            "spawn-failed",
            f"script {spec.script} not found on {platform.node()} "
            "(a cluster's workers need the hub at the same path)",
        )
    base = Path(tempfile.mkdtemp(prefix="lmhub-run-", dir=spec.temp_root))
    try:
        logs = base / ".lmhub"
        out = base / "out"
        for folder in (logs, out, base / "tmp"):
            folder.mkdir()
        stdout, stderr = logs / "stdout", logs / "stderr"
        env = scrubbed_env(base, spec.repro_dir, spec.limits.threads)
        with stdout.open("wb") as out_fh, stderr.open("wb") as err_fh:
            try:
                proc = subprocess.Popen(
                    spec.command(out),
                    cwd=base,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out_fh,
                    stderr=err_fh,
                    start_new_session=True,
                    preexec_fn=_die_with_parent() if spec.die_with_parent else None,
                )
            except OSError as exc:
                return outcome("spawn-failed", f"could not start the script: {exc}")
        _apply_limits(proc.pid, spec.limits)
        with _registered(spec.session, proc.pid):
            ending, detail = _Watch(proc, spec, base, stdout, stderr).run(start)
            # Kill the whole group before reaping the leader: its pid, and so the group id,
            # cannot be reused until it is reaped. This also ends any child the script left.
            _kill_group(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if ending == "exited" and proc.returncode == -signal.SIGKILL and _is_stopped(spec.session):
            ending, detail = "interrupted", "stopped by the user"  # killed by stop_session
        duration = time.monotonic() - start
        text, problem = _read_result(out) if ending == "exited" else (None, None)
        return RawOutcome(
            ending,
            started_at,
            duration,
            host,
            detail,
            returncode=proc.returncode,
            peak_memory_mb=usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
            stdout_tail=_tail(stdout),
            stderr_tail=_tail(stderr),
            result_text=text,
            result_problem=problem,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
