"""Where a run ran: the interpreter, the numerical libraries and the device."""

from __future__ import annotations

import platform
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from site_tools.environment import environment_versions


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
    sandbox: str | None = None
    """What walled the run in: ``bwrap``, or ``session`` (no bubblewrap); ``None`` for
    something decided without running a script."""
    memory_limit: str | None = None
    """How the run's memory limit was enforced (see ``limits.MemoryMechanism``)."""
    threads: int | None = None
    """Size of the run's thread pools."""


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
