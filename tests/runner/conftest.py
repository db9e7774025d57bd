"""Throwaway hubs for the runner: claims built from strings, scripts from ``fixtures/faults``."""

from __future__ import annotations

import gzip
import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml

from site_tools.records import RunRecord, iter_records
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import PlainDisplay
from site_tools.runner.report import RunReport
from tests.conftest import FIXTURES, REPO, TempHub

FAULTS = FIXTURES / "faults"

HUB_YAML = """\
name: Test hub
limits:
  min_seeds: 1
"""

TAXONOMY = (REPO / "taxonomy.yaml").read_bytes()
STRAND = yaml.safe_load(TAXONOMY)["strands"][0]["id"]

# The base hub's own claim and question are not runner material; runner hubs drop them.
BASE_ENTRIES = ("claims/mean-shrinks.yaml", "open_questions/why-mean.yaml", "repro/mean_shrinks.py")


def claim_yaml(
    cid: str,
    script: str,
    *,
    seeds: tuple[int, ...] = (0,),
    device: str = "cpu",
    timeout_s: int = 20,
    memory_mb: int | None = None,
    smoke: bool = False,
    cost_s: float | None = None,
    target: float = 1.0,
    extra_predictions: str = "",
    inputs: tuple[str, ...] = (),
    threads: int | None = None,
) -> str:
    """YAML of a claim whose script is ``repro/<script>.py`` and predicts ``value ≈ target``."""
    lines = [
        f"id: {cid}",
        f"title: Claim {cid}",
        f"strand: {STRAND}",
        "statement: A test claim.",
        "citations: [saxe2014exact]",
        "reproduction:",
        f"  script: repro/{script}.py",
        f"  device: {device}",
        f"  timeout_s: {timeout_s}",
        f"  seeds: [{', '.join(map(str, seeds))}]",
    ]
    if memory_mb is not None:
        lines.append(f"  memory_mb: {memory_mb}")
    if cost_s is not None:
        lines.append(f"  cost_s: {cost_s}")
    if inputs:
        lines.append(f"  inputs: [{', '.join(inputs)}]")
    if threads is not None:
        lines.append(f"  threads: {threads}")
    if smoke or device == "gpu":
        lines += ["  smoke:", f"    timeout_s: {timeout_s}"]
    lines += [
        "predictions:",
        "  - metric: value",
        "    description: the value the script reports",
        f"    expect: {{kind: target, value: {target}, abs_tol: 0.01}}",
        "    source: the test's own arithmetic",
    ]
    return "\n".join(lines) + "\n" + extra_predictions


RunnerHub = Callable[..., Path]


@pytest.fixture
def runner_hub(temp_hub: TempHub) -> RunnerHub:
    """Factory: ``runner_hub(good="ok", bad=("raises", {"timeout_s": 1}))``.

    Each keyword is a claim id (underscores become dashes) mapped to a fault script name in
    ``tests/fixtures/faults`` (or a ``(name, claim_yaml keywords)`` pair). The hub gets the
    repository's ``taxonomy.yaml`` and ``repro/harness.py``, and a ``hub.yaml`` allowing
    one seed.
    """

    def make(
        files: dict[str, str] | None = None, **claims: str | tuple[str, dict[str, Any]]
    ) -> Path:
        out: dict[str, str | bytes] = {
            "hub.yaml": HUB_YAML,
            "taxonomy.yaml": TAXONOMY,
            "repro/harness.py": (REPO / "repro" / "harness.py").read_bytes(),
        }
        for key, spec in claims.items():
            cid = key.replace("_", "-")
            script, options = (spec, {}) if isinstance(spec, str) else spec
            out[f"claims/{cid}.yaml"] = claim_yaml(cid, script, **options)
            out[f"repro/{script}.py"] = (FAULTS / f"{script}.py").read_bytes()
        out.update(files or {})
        return temp_hub(out, remove=BASE_ENTRIES)

    return make


def run(root: Path, *ids: str, **options: Any) -> tuple[RunReport, str]:
    """Run ``ids`` (or ``all_claims=True``) through the library; the report and its log."""
    log = io.StringIO()
    report = run_hub(root, RunOptions(ids=ids, **options), PlainDisplay(log))
    return report, log.getvalue()


def records(root: Path, cid: str) -> list[RunRecord]:
    """Every readable record of claim ``cid``, oldest first."""
    return [r for _, r in iter_records(root / "results", cid) if isinstance(r, RunRecord)]


def only_record(root: Path, cid: str) -> RunRecord:
    found = records(root, cid)
    assert len(found) == 1, found
    return found[0]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``results/`` (but the lock), by relative path, with its bytes."""
    results = root / "results"
    return {
        p.relative_to(results).as_posix(): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def assert_kept(before: dict[str, bytes], root: Path) -> None:
    """Every file of ``before`` is still there, byte for byte, and nothing is half-written."""
    after = snapshot(root)
    for name, data in before.items():
        assert after.get(name) == data, f"{name} changed or vanished"
    for name, data in after.items():
        assert not Path(name).name.startswith("."), f"left a temporary file {name}"
        json.loads(gzip.decompress(data) if name.endswith(".gz") else data)


def age(root: Path, seconds: float = 60.0) -> None:
    """Make every file of the hub look ``seconds`` old (caches ignore files just written)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (then, then))


def marked(marker: str) -> list[psutil.Process]:
    """Live (not zombie) processes with ``marker`` as an argument of their command line."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if marker in (proc.info["cmdline"] or []) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def nothing_left(marker: str, within_s: float = 5.0) -> None:
    """No process marked ``marker`` runs (within ``within_s``); kills any it finds."""
    deadline = time.monotonic() + within_s
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = marked(marker)
    for proc in left:  # never leave a stray process behind a failing test
        proc.kill()
    assert not left, f"still running: {left}"
