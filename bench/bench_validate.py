"""`lmhub validate` against merely parsing the same files (issue: at most 2x, under 10 s)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bibtexparser
import yaml
from run import Benchmark, Outcome, best_of
from synthetic import make_hub

from site_tools.catalog import catalog_problems


def parse_only(root: Path) -> None:
    for folder in ("claims", "open_questions"):
        for path in sorted((root / folder).glob("*.yaml")):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    bibtexparser.parse_string((root / "references.bib").read_text(encoding="utf-8"))


def validate(root: Path) -> None:
    catalog, problems = catalog_problems(root)
    assert catalog is not None and not problems, problems[:3]


def run() -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_hub(Path(tmp) / "hub")
        validate(root)  # warm the file cache for both sides alike
        baseline = best_of(lambda: parse_only(root))
        ours = best_of(lambda: validate(root))
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "site_tools", "validate", "--root", str(root)],
            capture_output=True,
            text=True,
        )
        cli = time.perf_counter() - start
        assert proc.returncode == 0, proc.stderr[-2000:]
    ratio = ours / baseline
    return Outcome(
        baseline,
        ours,
        "<= 2.0x, CLI < 10 s",
        ratio <= 2.0 and cli < 10.0,
        note=f"whole `lmhub validate` process {cli:.2f}s",
    )


BENCHMARKS = [Benchmark("validate-2000-entries", run)]
