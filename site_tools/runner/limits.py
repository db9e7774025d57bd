"""What one run may use, and how the limits are enforced on its whole process tree.

Memory is limited for the whole tree with a memory cgroup where this process can create
one (cgroup v2 with the memory controller delegated, or the v1 memory controller where that
is what the machine mounts); the process count likewise with a pids cgroup. Where neither
can be made, each process gets an address-space limit (``RLIMIT_AS``) and the tree a
process-count limit (``RLIMIT_NPROC``). Per-process limits (file size, core dumps, address
space) are set by a tiny ``sh`` wrapper that joins the cgroups and then ``exec``s the run,
so nothing the script starts escapes them, and the spawn can still use ``vfork``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

MiB = 1 << 20

ADDRESS_SPACE_HEADROOM_MB = 1024
"""Added to a claim's ``memory_mb`` to get its address-space limit, in MiB. Interpreters and
numerical libraries map far more address space than they touch (torch on CPU maps about
600 MiB before computing anything; each thread reserves a stack and a malloc arena), so a
limit of exactly ``memory_mb`` would break ordinary scripts."""

PROCESS_CAP = 256
"""Most processes (and threads, for a pids cgroup) one run's tree may hold at once."""

MemoryMechanism = Literal["cgroup-v2", "cgroup-v1", "rlimit", "rss-poll"]
"""How a run's memory limit was enforced: a memory cgroup over its whole process tree, an
address-space limit per process, or polling the tree's resident memory (CUDA runs, whose
address space is huge, on a machine without cgroups)."""


@dataclass(frozen=True)
class RunLimits:
    """What one run may use.

    Attributes
    ----------
    timeout_s
        Wall-clock limit, in seconds; the whole process tree is killed when it passes.
    memory_mb
        Memory limit of the whole process tree, in MiB (a memory cgroup). With
        ``address_space`` each process's address space is also capped at
        ``memory_mb + ADDRESS_SPACE_HEADROOM_MB`` (``RLIMIT_AS``), so that a single large
        allocation fails with a ``MemoryError`` the record can name.
    address_space
        Set ``RLIMIT_AS`` (``False`` for CUDA runs, which map huge address ranges).
    output_bytes
        Cap on each of stdout and stderr, in bytes.
    disk_bytes
        Cap on the size of the run's folder (its home and ``/tmp`` too), in bytes (also the
        largest file it may write, via ``RLIMIT_FSIZE``).
    threads
        Size of the BLAS/OpenMP thread pools (the claim's ``reproduction.threads``).
    processes
        Cap on the number of processes of the run's tree.
    """

    timeout_s: float
    memory_mb: int
    address_space: bool = True
    output_bytes: int = 8 * MiB
    disk_bytes: int = 1024 * MiB
    threads: int = 1
    processes: int = PROCESS_CAP


def size_text(n: int) -> str:
    """A byte count in words: ``8 MiB``, ``64 KiB``, ``100 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


def folder_bytes(folder: Path) -> int:
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


def tree_rss(pid: int) -> int:
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


# --- cgroups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mount:
    version: Literal[1, 2]
    path: Path
    """Our own cgroup in this hierarchy (where a run's cgroup is made)."""


def _own_cgroups() -> dict[str, str]:
    """Controller (``""`` for v2) to our cgroup's path, from ``/proc/self/cgroup``."""
    out: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                out[name] = path
    return out


def _inside(cgroup: str, root: str, point: str) -> Path:
    """Where ``cgroup`` of a hierarchy is, given the hierarchy's mount ``root`` and ``point``."""
    rel = os.path.relpath(cgroup, root) if cgroup.startswith(root) else "."
    return Path(point) / rel


def _delegate_v2(base: Path, names: Sequence[str]) -> bool:
    """Have the v2 cgroup ``base`` (ours) hand the controllers ``names`` to its children.

    cgroup v2 lets a cgroup with processes in it enable no controller for its children, so
    when this process is the only one in ``base`` (a delegated ``systemd-run --scope``, a
    container) it moves itself into a leaf ``lmhub-self`` first.
    """
    control = base / "cgroup.subtree_control"
    try:
        missing = [n for n in names if n not in control.read_text().split()]
        if not missing:
            return True
        control.write_text(" ".join(f"+{n}" for n in missing))
        return True
    except OSError as exc:
        if exc.errno != errno.EBUSY or _read_pids(base) != [os.getpid()]:
            return False
    try:
        leaf = base / "lmhub-self"
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(str(os.getpid()))
        control.write_text(" ".join(f"+{n}" for n in names))
        return True
    except OSError:
        return False


@cache
def _mounts() -> dict[str, _Mount]:
    """Where to make the ``memory`` and ``pids`` cgroups of a run, by controller."""
    own = _own_cgroups()
    found: dict[str, _Mount] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        sep = fields.index("-")
        fstype, options = fields[sep + 1], fields[sep + 3].split(",")
        root, point = fields[3], fields[4]
        if fstype == "cgroup2" and "" in own:
            base = _inside(own[""], root, point)
            with contextlib.suppress(OSError):
                available = (base / "cgroup.controllers").read_text().split()
                wanted = [n for n in ("memory", "pids") if n in available and n not in found]
                if wanted and _delegate_v2(base, wanted):
                    found.update((name, _Mount(2, base)) for name in wanted)
        elif fstype == "cgroup":
            for name in ("memory", "pids"):
                if name in options and name in own:
                    found[name] = _Mount(1, _inside(own[name], root, point))
    return found


class TreeLimit:
    """The cgroups (memory, pids) of one run: made before it starts, removed after.

    The run joins them through :func:`wrapper` (by writing its pid into each
    ``cgroup.procs`` before ``exec``), so every process it ever starts is inside.
    """

    def __init__(self, memory: Path | None, pids: Path | None, version: Literal[1, 2] | None):
        self.memory, self.pids, self.version = memory, pids, version

    @property
    def mechanism(self) -> MemoryMechanism | None:
        if self.memory is None:
            return None
        return "cgroup-v2" if self.version == 2 else "cgroup-v1"

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in {self.memory, self.pids} if d is not None]

    def oom_kills(self) -> int:
        """How many processes of the run the kernel killed for passing the memory limit."""
        if self.memory is None:
            return 0
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        with contextlib.suppress(OSError):
            match = re.search(r"^oom_kill (\d+)$", (self.memory / name).read_text(), re.M)
            if match:
                return int(match.group(1))
        return 0

    def peak_bytes(self) -> int | None:
        """Peak memory of the whole tree, where the kernel keeps it."""
        if self.memory is None:
            return None
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.memory / name).read_text())
        except (OSError, ValueError):
            return None

    def kill_all(self) -> None:
        """SIGKILL every process left in the run's cgroups (a double fork included)."""
        for folder in {self.memory, self.pids}:
            if folder is None:
                continue
            if self.version == 2 and (folder / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    (folder / "cgroup.kill").write_text("1")
            for _ in range(100):
                pids = _read_pids(folder)
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.01)

    def remove(self) -> None:
        for folder in {self.memory, self.pids}:
            if folder is None:
                continue
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)  # the last processes are still being reaped


def _read_pids(folder: Path) -> list[int]:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _make_group(mount: _Mount, name: str, settings: dict[str, str]) -> Path | None:
    folder = mount.path / name
    try:
        folder.mkdir()
    except OSError:
        return None
    try:
        for key, value in settings.items():
            (folder / key).write_text(value)
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None
    return folder


STALE_CGROUP_S = 3600.0
"""Age past which an empty ``lmhub-*`` cgroup is a leftover of an ``lmhub`` that was killed
(a run's cgroup is empty only for the moments before its script joins it)."""


@cache
def _sweep(folder: Path) -> None:
    """Remove the empty cgroups that killed ``lmhub`` processes left in ``folder`` (once)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for old in folder.glob("lmhub-*"):
            with contextlib.suppress(OSError):
                if now - old.stat().st_mtime > STALE_CGROUP_S and not _read_pids(old):
                    old.rmdir()


def tree_limit(limits: RunLimits) -> TreeLimit:
    """Make the cgroups of one run (as many as this machine allows; maybe none)."""
    if os.environ.get("LMHUB_NO_CGROUP"):
        return TreeLimit(None, None, None)
    mounts = _mounts()
    for mount in mounts.values():
        _sweep(mount.path)
    name = f"lmhub-{secrets.token_hex(6)}"
    memory = pids = None
    version: Literal[1, 2] | None = None
    if "memory" in mounts:
        mount = mounts["memory"]
        limit = str(limits.memory_mb * MiB)
        settings = (
            {"memory.max": limit, "memory.swap.max": "0"}
            if mount.version == 2
            else {"memory.limit_in_bytes": limit}
        )
        memory = _make_group(mount, name, settings)
        if memory is not None:
            version = mount.version
            if mount.version == 1:  # no swapping past the limit, where swap is accounted
                with contextlib.suppress(OSError):
                    (memory / "memory.memsw.limit_in_bytes").write_text(limit)
    if "pids" in mounts:
        mount = mounts["pids"]
        if mount.version == 2 and memory is not None and mount.path == mounts["memory"].path:
            pids = memory  # one v2 cgroup holds both controllers
            with contextlib.suppress(OSError):
                (memory / "pids.max").write_text(str(limits.processes))
        else:
            pids = _make_group(mount, name, {"pids.max": str(limits.processes)})
        if version is None and pids is not None:
            version = mount.version
    return TreeLimit(memory, pids, version)


@cache
def cgroup_support() -> MemoryMechanism | None:
    """Which memory cgroup this process can make for a run (``None`` when none)."""
    group = tree_limit(RunLimits(timeout_s=1, memory_mb=64))
    try:
        return group.mechanism
    finally:
        group.remove()


# --- the wrapper ------------------------------------------------------------------------------

_WRAPPER = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); '
    "done; ulimit -c 0; ulimit -f $1; shift; "
    '[ "$1" = - ] || ulimit -v $1; shift; [ "$1" = - ] || ulimit -p $1; shift; exec "$@"'
)


def _user_processes() -> int:
    uid = os.getuid()
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    count += entry.stat().st_uid == uid
    return count


def wrapper(command: list[str], limits: RunLimits, group: TreeLimit) -> list[str]:
    """``command`` behind an ``sh`` that joins ``group`` and sets the per-process limits."""
    address = (
        str((limits.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * 1024) if limits.address_space else "-"
    )
    # RLIMIT_NPROC counts every process of the user, so it is set above what already runs.
    nproc = "-" if group.pids is not None else str(_user_processes() + limits.processes)
    files = group.procs_files
    return [
        "/bin/sh",
        "-c",
        _WRAPPER,
        "lmhub-run",
        str(len(files)),
        *files,
        str(max(1, limits.disk_bytes // 512)),  # ulimit -f counts 512-byte blocks
        address,
        nproc,
        *command,
    ]


@contextlib.contextmanager
def limited_tree(limits: RunLimits) -> Iterator[TreeLimit]:
    """The cgroups of one run; every process still in them is killed on leaving."""
    group = tree_limit(limits)
    try:
        yield group
    finally:
        group.kill_all()
        # The kernel takes tens of milliseconds to let a memory cgroup go once its last
        # process is reaped; the run's result does not wait for that. A folder left behind
        # when lmhub exits first is swept later (STALE_CGROUP_S).
        threading.Thread(target=group.remove, name="lmhub-cgroup-rm", daemon=True).start()
