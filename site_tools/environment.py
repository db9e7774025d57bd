"""The environment a run ran in: recorded with every run, and a dimension of a claim's status.

A claim is judged separately in each environment (Python, numpy, torch and its build, OS,
machine, device, sandbox), so a failure in a new environment shows as a regression there
instead of resetting the claim, and "reproduced on k environments" counts them.
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib import metadata

from site_tools.records import Provenance


@cache
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment_versions() -> dict[str, str | None]:
    return {
        "python": platform.python_version(),
        "numpy": package_version("numpy"),
        "torch": package_version("torch"),
    }


def _fields(p: Provenance) -> tuple[str, ...]:
    sandbox = getattr(p, "sandbox", None)
    return (
        p.platform,
        p.machine,
        p.python,
        p.numpy or "-",
        p.torch or "-",
        p.device,
        str(sandbox or "-"),
    )


def environment_key(p: Provenance) -> str:
    """A short stable name for the environment of a record."""
    return hashlib.sha256("\n".join(_fields(p)).encode()).hexdigest()[:12]


def environment_label(p: Provenance) -> str:
    """The environment in words, e.g. ``cpu · Python 3.11.7 · numpy 2.1.3 · torch 2.13.0``."""
    parts = [p.device, f"Python {p.python}"]
    if p.numpy:
        parts.append(f"numpy {p.numpy}")
    if p.torch:
        parts.append(f"torch {p.torch}")
    parts.append(p.platform.split("-with-")[0])
    sandbox = getattr(p, "sandbox", None)
    if sandbox:
        parts.append(str(sandbox))
    return " · ".join(parts)
