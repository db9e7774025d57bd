"""The walls around a run: bubblewrap where it can start, the process session otherwise.

Under ``bwrap`` a script sees the system's libraries and the Python installation read-only,
of the hub only the files its run needs (the script, the helpers it imports and its declared
inputs, :attr:`RunSpec.mounts`), read-only, and one writable folder: the run's own, which is
also its ``$HOME``, its ``/tmp`` and its ``/dev/shm`` (so the disk cap covers them all). It
has no network (its own network namespace: not even the host's 127.0.0.1), its own PID
namespace with a fresh ``/proc`` (no view of the caller's processes or their environment),
and ``--die-with-parent``: when the run ends, or ``lmhub`` itself is killed, the namespace's
first process dies and the kernel kills everything else in it.

Without ``bwrap`` (macOS, or a kernel that refuses unprivileged user namespaces) a run is a
process session of its own with a scrubbed environment and a private home, as before; the
run prints a one-line warning and its record says ``sandbox: session``. ``lmhub doctor``
says how to get the better one. ``LMHUB_SANDBOX=none`` forces the fallback.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from functools import cache
from pathlib import Path
from typing import Literal

Sandbox = Literal["bwrap", "session"]

SANDBOX_ENV = "LMHUB_SANDBOX"
"""``none`` runs without bubblewrap even where it works (for comparisons and debugging)."""

HOW_TO_GET = (
    "install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces "
    "(sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04)"
)

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt/conda")
"""System folders a script's interpreter and libraries may load from (read-only)."""

SYSTEM_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/os-release",
    "/etc/ssl/certs",
    "/etc/fonts",
    "/sys/devices/system/cpu",
)
"""Single files of ``/etc`` (and ``/sys``) that libraries read; the rest stays hidden."""

GPU_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset")


@cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox runs here, or ``None`` when it can (tried once)."""
    if os.environ.get(SANDBOX_ENV, "").lower() in ("none", "off", "0"):
        return f"{SANDBOX_ENV}={os.environ[SANDBOX_ENV]} asks for no sandbox"
    exe = shutil.which("bwrap")
    if exe is None:
        return "bwrap is not installed"
    probe = [exe, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--new-session"]
    probe += ["--proc", "/proc", "--dev", "/dev", "true"]
    try:
        out = subprocess.run(probe, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap could not start ({exc})"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap cannot create namespaces here ({last})"
    return None


def sandbox_kind() -> Sandbox:
    return "session" if bwrap_problem() else "bwrap"


def fallback_warning() -> str | None:
    """The one-line warning a run without bubblewrap prints, or ``None`` under bwrap."""
    why = bwrap_problem()
    if why is None:
        return None
    return f"warning: runs are not sandboxed ({why}); to sandbox them, {HOW_TO_GET}"


@cache
def _python_dirs() -> tuple[str, ...]:
    """Folders of the running interpreter and its packages (what a script may import)."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    found.add(str(Path(sys.executable).resolve().parent.parent))
    paths = sysconfig.get_paths()
    found.update(paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths)
    found.update(site.getsitepackages())
    found.update(p for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p)
    real = {str(Path(p).resolve()) for p in found} | found
    kept = sorted(p for p in real if Path(p).is_dir() and p != "/")
    # Drop folders inside another kept one: one bind covers them.
    return tuple(p for p in kept if not any(p.startswith(q + "/") for q in kept if q != p))


def bwrap_command(
    command: list[str], base: Path, hub: Path, mounts: tuple[str, ...], cuda: bool = False
) -> list[str]:
    """``command`` inside bubblewrap, with ``base`` (the run's folder) its only writable place.

    ``base`` must hold the folders ``tmp`` and ``shm``; they become ``/tmp`` and ``/dev/shm``.
    ``hub`` is the hub's root: inside, an empty read-only folder holding only ``mounts``
    (so that a write to ``hub/claims`` fails even where the hub lives under ``/tmp``).
    """
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent"]
    args += ["--new-session", "--cap-drop", "ALL"]
    for folder in SYSTEM_DIRS:
        path = Path(folder)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            args += ["--ro-bind", folder, folder]
    for item in SYSTEM_FILES:
        args += ["--ro-bind-try", item, item]
    args += ["--proc", "/proc", "--dev", "/dev"]
    if cuda:
        args += ["--ro-bind-try", "/sys", "/sys"]
        nvidia = sorted(str(p) for p in Path("/dev").glob("nvidia[0-9]*"))
        for dev in (*GPU_DEVICES, *nvidia):
            args += ["--dev-bind-try", dev, dev]
    args += ["--bind", str(base / "tmp"), "/tmp", "--bind", str(base / "shm"), "/dev/shm"]
    args += ["--bind", str(base), str(base)]
    hides_hub = not base.is_relative_to(hub)
    if hides_hub:
        args += ["--tmpfs", str(hub)]
    for folder in _python_dirs():
        args += ["--ro-bind", folder, folder]
    for mount in mounts:
        args += ["--ro-bind", mount, mount]
    if hides_hub:
        args += ["--remount-ro", str(hub)]
    args += ["--remount-ro", "/", "--chdir", str(base), "--", *command]
    return args
