"""`lmhub validate` against merely parsing the same files, at 1k, 5k and 10k claims.

Each size is a synthetic hub of N claims, N open questions and 2N references. Validation
must take at most 1.5x a bare parse of the same files (PyYAML's C loader over every entry,
bibtexparser over ``references.bib``) at every size. ``LMHUB_VALIDATE_SIZES=1000,2000``
picks other sizes. The whole ``lmhub validate`` process at the largest size is printed too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bibtexparser
import yaml
from run import Benchmark, Outcome
from synthetic import make_hub

from site_tools.catalog import catalog_problems

SIZES = tuple(int(n) for n in os.environ.get("LMHUB_VALIDATE_SIZES", "1000,5000,10000").split(","))
TARGET = 1.5


def parse_only(root: Path) -> None:
    for folder in ("claims", "open_questions"):
        for path in sorted((root / folder).glob("*.yaml")):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    bibtexparser.parse_string((root / "references.bib").read_text(encoding="utf-8"))


def validate(root: Path) -> None:
    catalog, problems = catalog_problems(root)
    assert catalog is not None and not problems, problems[:3]


def _best_of_alternating(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int = 3
) -> tuple[float, float]:
    """Fastest of ``repeat`` calls of each, taken in turns so that both see the same load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for func, out in ((baseline, times[1]), (ours, times[0])):
            start = time.perf_counter()
            func()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def ratio_of(root: Path) -> tuple[float, float, float]:
    """Validation of the hub at ``root`` against a bare parse of it, in this process:
    ``(ours_s, baseline_s, ours_s / baseline_s)``."""
    validate(root)  # warm the file cache for both sides alike
    ours, baseline = _best_of_alternating(lambda: validate(root), lambda: parse_only(root))
    return ours, baseline, ours / baseline


def _hub(work: Path, n: int) -> Path:
    return make_hub(work / f"hub{n}", n_claims=n, n_questions=n, n_refs=2 * n)


def ratio_at(n: int) -> tuple[float, float, float]:
    """Validation of a synthetic hub of ``n`` claims against a bare parse of it, in this
    process: ``(ours_s, baseline_s, ours_s / baseline_s)``."""
    with tempfile.TemporaryDirectory() as tmp:
        return ratio_of(_hub(Path(tmp), n))


def _cli_seconds(root: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "site_tools", "validate", "--root", str(root)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    return seconds


def run() -> Outcome:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            root = _hub(Path(tmp), n)
            ours, baseline, ratio = ratio_of(root)
            print(
                f"  validate {n:>6} claims: {ours:7.3f}s, parse only {baseline:7.3f}s, "
                f"ratio {ratio:.3f} (target <= {TARGET}x)",
                flush=True,
            )
            rows.append((n, ours, baseline, ratio))
            if n == max(SIZES):
                cli = _cli_seconds(root)
                print(f"  whole `lmhub validate` process at {n} claims: {cli:.2f}s", flush=True)
    n, ours, baseline, _ = max(rows)
    worst = max(ratio for *_, ratio in rows)
    ratios = ", ".join(f"{size}: {ratio:.2f}x" for size, *_, ratio in rows)
    return Outcome(
        baseline,
        ours,
        f"<= {TARGET}x at every size",
        worst <= TARGET,
        note=f"times at {n} claims; ratios {ratios}; CLI at {n}: {cli:.2f}s",
    )


BENCHMARKS = [Benchmark("validate", run)]
