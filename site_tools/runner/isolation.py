"""Run one contributed script, contained: the only place the hub starts untrusted code.

Each run gets a fresh folder (its only writable place, its ``HOME`` and ``TMPDIR``), an
environment built from an allowlist (no tokens or secrets of the caller leak in), a
wall-clock limit, limits on its whole process tree (:mod:`~site_tools.runner.limits`),
caps on its output and on the size of its folder, thread pools of the size its claim
declares, and walls (:mod:`~site_tools.runner.sandbox`): bubblewrap where it works.

:func:`run_isolated` takes a picklable :class:`RunSpec` and returns a picklable
:class:`RawOutcome`, so a Dask worker calls exactly the same function as the local pool.
Judging the outcome is not done here: see :mod:`site_tools.runner.assess`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import IO, Literal

from site_tools.runner.host import HostInfo, host_info
from site_tools.runner.limits import (
    MemoryMechanism,
    MiB,
    RunLimits,
    TreeLimit,
    folder_bytes,
    limited_tree,
    size_text,
    tree_rss,
    wrapper,
)
from site_tools.runner.sandbox import bwrap_command, sandbox_kind
from site_tools.runner.session import is_stopped, kill_group, registered

RESULT_FILE = "result.json"
"""What the script writes into its ``--out`` folder (see ``repro/harness.py``)."""

POLL_S = 0.1
"""How often a running script's output sizes are checked, in seconds."""

DISK_POLL_S = 0.5
"""How often its folder's size is checked (a walk of the folder), in seconds."""

RSS_POLL_S = 0.5
"""How often resident memory is checked when neither a cgroup nor ``RLIMIT_AS`` limits it."""

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
"""Thread-pool sizes set for every run (torch reads ``OMP_NUM_THREADS``; the harness reads
``LMHUB_THREADS`` and also caps pools already loaded)."""


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
    limits: RunLimits
    params: str
    """Every parameter value of this run, as the JSON object passed with ``--params``."""
    mounts: tuple[str, ...]
    """Absolute paths of the hub files the run may read: the script, the helpers it imports
    and its declared inputs (the files its identity covers)."""
    session: str
    """Token of the ``lmhub run`` this belongs to; ``stop_session`` stops all its runs."""
    temp_root: str | None = None
    """Where the temporary folder is made (default: the system's)."""
    die_with_parent: bool = False
    """Kill the script if the thread watching it dies, also without bubblewrap (which always
    does). Set on Dask workers, which can be shut down under a run; locally it is skipped so
    that the spawn can use ``vfork``."""

    def command(self, out: Path) -> list[str]:
        """``python <script> --seed N --out OUT --params JSON [--smoke] [--device cuda]``."""
        cmd = [sys.executable, self.script, "--seed", str(self.seed), "--out", str(out)]
        if self.params != "{}":  # a script that declares no parameters need not parse them
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
    """Peak memory of the run's process tree (its cgroup), else of the script process and
    its waited-for children, in MiB."""
    stdout_tail: str = ""
    stderr_tail: str = ""
    result_text: str | None = None
    """Contents of ``result.json``; ``None`` when the script wrote none."""
    result_problem: str | None = None
    """Why ``result.json`` could not be read back (not a regular file, too large, not
    text), if so."""


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


# --- reading back what the run left -----------------------------------------------------------


def _tail(handle: IO[bytes], keep: int = TAIL_BYTES) -> str:
    """The last ``keep`` bytes of an output file (by our own descriptor), with a marker
    saying how much was cut."""
    try:
        size = os.fstat(handle.fileno()).st_size
        data = os.pread(handle.fileno(), keep, max(0, size - keep))
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if size > keep:
        return f"[... {size - keep} bytes cut ...]\n{text}"
    return text


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_result_file(run: Path, out_name: str = "out") -> tuple[str | None, str | None]:
    """The text of ``run/out/result.json`` and why it could not be read (one is ``None``).

    The run may have left anything there: it must be a regular file, reached without
    following a symbolic link (neither ``out`` nor the file itself), opened without blocking
    (a FIFO would hang a plain open), its size checked on the open descriptor and read with a
    bound (a link to ``/dev/zero`` never ends).
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        folder = os.open(run / out_name, flags | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"the --out folder could not be opened ({exc.strerror})"
    try:
        fd = os.open(RESULT_FILE, flags, dir_fd=folder)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, f"{RESULT_FILE} is a symbolic link, not a regular file"
        return None, f"{RESULT_FILE} could not be opened ({exc.strerror})"
    finally:
        os.close(folder)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            return None, f"{RESULT_FILE} is {kind}, not a regular file"
        if info.st_size > RESULT_MAX_BYTES:
            return None, (
                f"{RESULT_FILE} is {info.st_size / MiB:.1f} MiB, over the "
                f"{RESULT_MAX_BYTES // MiB} MiB cap"
            )
        chunks: list[bytes] = []
        left = RESULT_MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            return None, f"{RESULT_FILE} grew past the {RESULT_MAX_BYTES // MiB} MiB cap"
        return b"".join(chunks).decode("utf-8"), None
    except UnicodeDecodeError:
        return None, f"{RESULT_FILE} is not UTF-8 text"
    except OSError as exc:
        return None, f"{RESULT_FILE} could not be read ({exc.strerror})"
    finally:
        os.close(fd)


# --- watching ---------------------------------------------------------------------------------


class _Watch:
    """Waits for the process to end while checking its caps; says why it ended."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        spec: RunSpec,
        work: Path,
        outputs: tuple[IO[bytes], IO[bytes]],
        group: TreeLimit,
        sampled: bool,
    ):
        self.proc, self.spec, self.work, self.outputs, self.group = proc, spec, work, outputs, group
        self.peak_rss = 0
        """Largest resident size of the tree seen while polling, in bytes (where neither a
        cgroup nor ``wait4`` can tell the peak: under bubblewrap without a cgroup)."""
        self.sampled = sampled
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

    def _memory_cap(self) -> tuple[Ending, str]:
        return "memory-cap", (
            f"the process tree passed the memory limit of {self.spec.limits.memory_mb} MiB "
            f"(memory_mb)"
        )

    def run(self, start: float) -> tuple[Ending, str]:
        limits = self.spec.limits
        deadline = start + limits.timeout_s
        next_disk = start + DISK_POLL_S
        next_rss = start + RSS_POLL_S
        no_group = self.group.memory is None
        enforce_rss = no_group and not limits.address_space
        # bwrap's monitor does not reap the namespace's first process, so wait4 reports only
        # bwrap's own peak: sample the tree instead.
        poll_rss = enforce_rss or (no_group and self.sampled)
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return "timeout", f"timed out after {limits.timeout_s:g} s"
                if self._wait(min(POLL_S, deadline - now)):
                    if self.group.oom_kills():
                        return self._memory_cap()
                    return "exited", ""
                if is_stopped(self.spec.session):
                    return "interrupted", "stopped by the user"
                if self.group.oom_kills():
                    return self._memory_cap()
                for name, handle in zip(("stdout", "stderr"), self.outputs, strict=True):
                    with contextlib.suppress(OSError):
                        if os.fstat(handle.fileno()).st_size > limits.output_bytes:
                            return "output-cap", (
                                f"{name} passed the output cap of {size_text(limits.output_bytes)}"
                            )
                now = time.monotonic()
                if now >= next_disk:
                    next_disk = now + DISK_POLL_S
                    if folder_bytes(self.work) > limits.disk_bytes:
                        return "disk-cap", (
                            f"the working folder passed the disk cap of "
                            f"{size_text(limits.disk_bytes)}"
                        )
                if poll_rss and now >= next_rss:
                    next_rss = now + RSS_POLL_S
                    rss = tree_rss(self.proc.pid)
                    self.peak_rss = max(self.peak_rss, rss)
                    if enforce_rss and rss > limits.memory_mb * MiB:
                        return self._memory_cap()
        finally:
            if self.pidfd is not None:
                os.close(self.pidfd)


def _memory_mechanism(group: TreeLimit, limits: RunLimits) -> MemoryMechanism:
    if group.mechanism is not None:
        return group.mechanism
    return "rlimit" if limits.address_space else "rss-poll"


def run_isolated(spec: RunSpec) -> RawOutcome:
    """Run ``spec``'s script once, contained, and report what happened (never raises for the
    script's faults). The temporary folder is deleted afterwards.
    """
    started_at = datetime.now(timezone.utc)
    start = time.monotonic()
    sandbox = sandbox_kind()
    host = replace(host_info(spec.device), sandbox=sandbox, threads=spec.limits.threads)

    def outcome(ending: Ending, detail: str) -> RawOutcome:
        return RawOutcome(ending, started_at, time.monotonic() - start, host, detail)

    if is_stopped(spec.session):
        return outcome("interrupted", "stopped by the user")
    if not Path(spec.script).is_file():
        return outcome(
            "spawn-failed",
            f"script {spec.script} not found on {platform.node()} "
            "(a cluster's workers need the hub at the same path)",
        )
    base = Path(tempfile.mkdtemp(prefix="lmhub-run-", dir=spec.temp_root))
    try:
        # The run sees only ``work``; its output logs stay outside, read by our descriptors.
        work = base / "work"
        out = work / "out"
        for folder in (work, out, work / "tmp", work / "shm"):
            folder.mkdir()
        command = spec.command(out)
        if sandbox == "bwrap":
            command = bwrap_command(
                command,
                work,
                Path(spec.repro_dir).parent,
                spec.mounts,
                cuda=spec.device == "cuda",
            )
        env = scrubbed_env(work, spec.repro_dir, spec.limits.threads)
        with (
            (base / "stdout").open("w+b") as out_fh,
            (base / "stderr").open("w+b") as err_fh,
            limited_tree(spec.limits) as group,
        ):
            try:
                proc = subprocess.Popen(
                    wrapper(command, spec.limits, group),
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out_fh,
                    stderr=err_fh,
                    start_new_session=True,
                    preexec_fn=_die_with_parent()
                    if spec.die_with_parent and sandbox != "bwrap"
                    else None,
                )
            except OSError as exc:
                return outcome("spawn-failed", f"could not start the script: {exc}")

            def kill() -> None:
                kill_group(proc.pid)
                group.kill_all()

            with registered(spec.session, proc.pid, kill):
                # The disk cap covers the whole temporary folder: without bubblewrap a script
                # can reach past ``work`` into it.
                watch = _Watch(proc, spec, base, (out_fh, err_fh), group, sandbox == "bwrap")
                ending, detail = watch.run(start)
                # Kill the whole tree before reaping the leader: its pid, and so the group id,
                # cannot be reused until it is reaped. This also ends any child left behind,
                # a double fork into another session included (its cgroup, or its namespace).
                kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            group.kill_all()
            peak = group.peak_bytes()
            if peak is None and sandbox == "bwrap":
                peak = watch.peak_rss or None
            if (
                ending == "exited"
                and proc.returncode == -signal.SIGKILL
                and is_stopped(spec.session)
            ):
                ending, detail = "interrupted", "stopped by the user"  # killed by stop_session
            duration = time.monotonic() - start
            text, problem = read_result_file(work) if ending == "exited" else (None, None)
            return RawOutcome(
                ending,
                started_at,
                duration,
                replace(host, memory_limit=_memory_mechanism(group, spec.limits)),
                detail,
                returncode=proc.returncode,
                # ru_maxrss is in KiB on Linux
                peak_memory_mb=(peak / MiB) if peak is not None else usage.ru_maxrss / 1024,
                stdout_tail=_tail(out_fh),
                stderr_tail=_tail(err_fh),
                result_text=text,
                result_problem=problem,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
