"""``lmhub doctor``: check the local setup and say what to fix."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from site_tools.hub import HubPaths

MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def format(self) -> str:
        mark = "ok  " if self.ok else ("FAIL" if self.required else "warn")
        line = f"{mark}  {self.name}: {self.detail}"
        return line + (f"\n      fix: {self.fix}" if not self.ok and self.fix else "")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def check_python() -> Check:
    found = sys.version_info[:2]
    ok = found >= MIN_PYTHON
    return Check(
        "python",
        ok,
        f"{sys.version.split()[0]} at {sys.executable}",
        f"use Python {'.'.join(map(str, MIN_PYTHON))} or newer",
    )


def check_packages() -> list[Check]:
    """Every dependency declared by the lmhub distribution, at its lower bound or above."""
    try:
        requirements = metadata.requires("lmhub") or []
    except metadata.PackageNotFoundError:
        return [Check("lmhub", False, "the package is not installed", "bash scripts/setup.sh")]
    checks = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*(?:>=\s*([\w.]+))?", requirement)
        if not match:
            continue
        name, minimum = match.group(1), match.group(2)
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            checks.append(Check(name, False, "not installed", "bash scripts/setup.sh"))
            continue
        ok = minimum is None or _version_tuple(version) >= _version_tuple(minimum)
        wanted = f" (needs >= {minimum})" if minimum else ""
        checks.append(Check(name, ok, f"{version}{wanted}", f"pip install '{name}>={minimum}'"))
    return checks


def check_torch(importer: Callable[[str], object] = importlib.import_module) -> list[Check]:
    try:
        torch = importer("torch")
    except ImportError:
        return [
            Check(
                "torch",
                False,
                "not installed: GPU claims and their smoke runs need it",
                "pip install torch==2.13.0 (CPU build) or a CUDA build",
                required=False,
            )
        ]
    version = getattr(torch, "__version__", "?")
    cuda = getattr(torch, "cuda", None)
    has_cuda = bool(cuda and cuda.is_available())
    device = cuda.get_device_name(0) if has_cuda and cuda else "none visible"
    return [
        Check("torch", True, version),
        Check(
            "cuda",
            has_cuda,
            f"GPU: {device}",
            "GPU claims will be reported as needs-gpu; run them on a machine with CUDA "
            "or a Dask worker with a GPU resource",
            required=False,
        ),
    ]


def check_cluster(address: str | None) -> list[Check]:
    if not address:
        return []
    try:
        from distributed import Client

        with Client(address, timeout=5) as client:  # type: ignore[no-untyped-call]
            workers = client.scheduler_info().get("workers", {})
            gpus = sum(1 for w in workers.values() if w.get("resources", {}).get("GPU"))
        return [
            Check(
                "dask cluster",
                bool(workers),
                f"{address}: {len(workers)} worker(s), {gpus} with a GPU resource",
                "start workers: dask worker ADDRESS [--resources GPU=1]",
            )
        ]
    except Exception as exc:  # any failure to connect is the finding itself
        return [
            Check(
                "dask cluster",
                False,
                f"{address}: {exc.__class__.__name__}: {exc}",
                "start a scheduler (dask scheduler) or fix the address",
            )
        ]


def check_sandbox() -> list[Check]:
    """Whether reproductions run inside bubblewrap, and how their memory is limited."""
    from site_tools.runner.limits import cgroup_support
    from site_tools.runner.sandbox import HOW_TO_GET, bwrap_problem

    why = bwrap_problem()
    memory = cgroup_support()
    return [
        Check(
            "sandbox",
            why is None,
            "bubblewrap: reproductions run with no network, a read-only hub and a private "
            "home and /tmp"
            if why is None
            else f"none ({why}): reproductions run in a process session only",
            HOW_TO_GET,
            required=False,
        ),
        Check(
            "memory limit",
            memory is not None,
            f"a {memory} memory cgroup limits each run's whole process tree"
            if memory
            else "per process only (address-space limit and a process-count limit)",
            "run lmhub where it may create cgroups (cgroup v2 with the memory controller "
            "delegated to this user, e.g. under systemd-run --user --scope -p Delegate=yes)",
            required=False,
        ),
    ]


def check_results_writable(paths: HubPaths) -> Check:
    folder = paths.results
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
        return Check("results/", True, f"{folder} is writable")
    except OSError as exc:
        return Check(
            "results/",
            False,
            f"{folder}: {exc.strerror}",
            "make results/ writable for this user, or pass --root to a checkout you own",
        )


def hub_check(paths: HubPaths) -> Check:
    from site_tools.catalog import catalog_problems
    from site_tools.problems import errors

    catalog, found = catalog_problems(paths.root)
    problems = errors(found)
    if problems or catalog is None:
        return Check(
            "entries", False, f"{len(problems)} problem(s)", "run `lmhub validate` to see them"
        )
    return Check(
        "entries", True, f"{len(catalog.claims)} claims, {len(catalog.questions)} open questions"
    )


def check_tools() -> list[Check]:
    git = shutil.which("git")
    chromium = shutil.which("chromium")
    return [
        Check(
            "git",
            bool(git),
            git or "not found",
            "install git (needed for --changed-since)",
            required=False,
        ),
        Check(
            "chromium",
            bool(chromium),
            chromium or "not found",
            "apt-get install chromium (only the browser tests need it)",
            required=False,
        ),
    ]


def run_doctor(paths: HubPaths, cluster: str | None = None) -> list[Check]:
    """Every check, in the order printed."""
    return [
        check_python(),
        *check_packages(),
        *check_torch(),
        *check_cluster(cluster or os.environ.get("LMHUB_CLUSTER")),
        *check_sandbox(),
        check_results_writable(paths),
        hub_check(paths),
        *check_tools(),
    ]


def healthy(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.required)


__all__ = ["Check", "healthy", "run_doctor"]
