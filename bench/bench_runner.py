"""The runner's costs: per-run overhead, a no-op pass over a large hub, and parallel speed-up.

- ``run-overhead``: 16 seeds of a trivial numpy script through :func:`run_hub` (``--force``,
  so every seed runs and writes a record) against 16 plain ``python script.py`` processes
  doing the same work: the runner's own cost, so without the sandbox (``LMHUB_SANDBOX=none``;
  ``process-overhead`` measures the whole cost with bubblewrap). Target: at most 1.15x.
- ``noop-rerun-1000-claims``: ``lmhub run --all`` on a synthetic hub of 1,000 claims with
  every record present (3,000 records): nothing runs. Target: under 2 s, measured in the
  steady state (the claim cache written by an earlier command); the baseline column is
  that 2 s target, and the note gives the cold pass, the whole CLI process and the time
  merely to list the record files.
- ``parallel-j2``: 6 CPU-bound runs at ``-j 2`` against ``-j 1``. Target: at least 1.7x
  faster (ratio at most 0.59). Needs two idle cores; the note gives the time of the same
  runs as plain processes two at a time, the speed-up the machine allowed at that moment.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from run import Benchmark, Outcome
from synthetic import REPO, make_hub

from site_tools.catalog import load_catalog
from site_tools.identity import claim_identity
from site_tools.records import Provenance, RunRecord, Verdict, record_filename
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import PlainDisplay
from site_tools.runner.report import render_plain

TRIVIAL = """\
import numpy as np
from harness import parse_args, write_result

args = parse_args()
write_result(args, {"value": float(np.float64(1.0))})
"""

SPIN = """\
from harness import parse_args, write_result

args = parse_args()
total = 0
for i in range(2_500_000):
    total += i * i % 7
write_result(args, {"value": 1.0})
"""

CLAIM = """\
id: {cid}
title: Benchmark claim {cid}
strand: simple-laws
statement: A benchmark claim.
citations: [ref0]
reproduction:
  script: repro/{script}.py
  timeout_s: 120
  seeds: [{seeds}]
predictions:
  - metric: value
    description: a constant
    expect: {{kind: target, value: 1.0, abs_tol: 0.01}}
    source: arithmetic
"""

BIB = "@misc{ref0, author = {A, B}, title = {T}, year = {2020}, howpublished = {a note}}\n"


def _small_hub(root: Path, scripts: dict[str, str], claims: dict[str, tuple[str, int]]) -> Path:
    for name in ("claims", "repro"):
        (root / name).mkdir(parents=True)
    (root / "taxonomy.yaml").write_bytes((REPO / "taxonomy.yaml").read_bytes())
    (root / "references.bib").write_text(BIB)
    (root / "repro" / "harness.py").write_bytes((REPO / "repro" / "harness.py").read_bytes())
    for name, text in scripts.items():
        (root / "repro" / f"{name}.py").write_text(text)
    for cid, (script, seeds) in claims.items():
        (root / "claims" / f"{cid}.yaml").write_text(
            CLAIM.format(cid=cid, script=script, seeds=", ".join(map(str, range(seeds))))
        )
    return root


def _quiet_run(root: Path, options: RunOptions) -> float:
    """Seconds for one ``lmhub run`` through the library, its summary rendered."""
    start = time.perf_counter()
    report = run_hub(root, options, PlainDisplay(io.StringIO()))
    render_plain(report)
    elapsed = time.perf_counter() - start
    assert report.exit_code == 0, render_plain(report)
    return elapsed


def _cpu() -> float:
    """CPU seconds used so far by this process and its waited-for children."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def overhead() -> Outcome:
    seeds, rounds = 16, 4
    previous = os.environ.get("LMHUB_SANDBOX")
    os.environ["LMHUB_SANDBOX"] = "none"
    try:
        return _overhead(seeds, rounds)
    finally:
        if previous is None:
            os.environ.pop("LMHUB_SANDBOX", None)
        else:
            os.environ["LMHUB_SANDBOX"] = previous


def _overhead(seeds: int, rounds: int) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        root = _small_hub(Path(tmp) / "hub", {"trivial": TRIVIAL}, {"trivial": ("trivial", seeds)})
        script = root / "repro" / "trivial.py"
        env = dict(os.environ, PYTHONPATH=str(root / "repro"))
        options = RunOptions(ids=("trivial",), force=True)

        def direct() -> float:
            start = time.perf_counter()
            for seed in range(seeds):
                out = Path(tmp) / f"direct-{seed}"
                subprocess.run(
                    [sys.executable, str(script), "--seed", str(seed), "--out", str(out)],
                    env=env,
                    cwd=tmp,
                    check=True,
                )
            return time.perf_counter() - start

        _quiet_run(root, options)  # warm the page cache for both alike
        direct()
        # Interleaved, best of each: the least noisy estimate on a shared machine. CPU time
        # (this process and its children) is noted too: other load does not inflate it.
        base = ours = base_cpu = ours_cpu = float("inf")
        for _ in range(rounds):
            cpu = _cpu()
            base = min(base, direct())
            base_cpu = min(base_cpu, _cpu() - cpu)
            cpu = _cpu()
            ours = min(ours, _quiet_run(root, options))
            ours_cpu = min(ours_cpu, _cpu() - cpu)
    ratio = ours / base
    return Outcome(
        base,
        ours,
        "<= 1.15x",
        ratio <= 1.15,
        note=f"{seeds} runs; {(ours - base) / seeds * 1000:.1f} ms wall overhead per "
        f"run; CPU time {ours_cpu:.2f}s vs {base_cpu:.2f}s "
        f"({ours_cpu / base_cpu:.3f}x)",
    )


MEASURED = {"t_half_strongest": 1.9, "timescale_ratio": 24.7}
"""What every synthetic claim measured: inside both of its predictions."""


def _write_records(root: Path) -> int:
    """A reproduced record for every seed of every claim, at its current hash."""
    catalog = load_catalog(root)
    results = root / "results"
    now = datetime.now(timezone.utc)
    provenance = Provenance(
        git_commit=None,
        python="3",
        numpy=None,
        torch=None,
        platform="bench",
        machine="bench",
        device="cpu",
    )
    count = 0
    for claim in catalog.claims.values():
        digest = claim_identity(claim, root)
        folder = results / claim.id
        folder.mkdir(parents=True)
        for seed in claim.reproduction.seeds:
            verdicts = [
                Verdict(
                    metric=p.metric,
                    expected=p.expect.describe(),
                    measured=MEASURED[p.metric],
                    passed=True,
                )
                for p in claim.predictions
            ]
            record = RunRecord(
                claim_id=claim.id,
                identity=digest.digest,
                inputs=digest.parts,
                seed=seed,
                status="measured",
                metrics=dict(MEASURED),
                verdicts=verdicts,
                started_at=now,
                duration_s=0.5,
                provenance=provenance,
            )
            (folder / record_filename(record)).write_text(record.model_dump_json())
            count += 1
    return count


def noop() -> Outcome:
    target = 2.0
    with tempfile.TemporaryDirectory() as tmp:
        root = make_hub(Path(tmp) / "hub", n_claims=1000, n_questions=1000, n_refs=2000)
        n = _write_records(root)
        then = time.time() - 60  # the hub as a checkout would be: not written this instant
        for path in root.rglob("*"):
            os.utime(path, (then, then))
        cold = _quiet_run(root, RunOptions(all_claims=True))
        ours = min(_quiet_run(root, RunOptions(all_claims=True)) for _ in range(3))
        start = time.perf_counter()
        listed = sum(len(os.listdir(p)) for p in (root / "results").iterdir() if p.is_dir())
        list_s = time.perf_counter() - start
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "site_tools", "run", "--all", "--root", str(root)],
            capture_output=True,
            text=True,
        )
        cli = time.perf_counter() - start
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "0 runs to make" in proc.stdout
    assert listed == n
    return Outcome(
        target,
        ours,
        "< 2 s (ratio < 1)",
        ours < target,
        note=f"{n} records, none run; cold pass {cold:.2f}s, whole CLI process "
        f"{cli:.2f}s, listing the record files {list_s:.3f}s",
    )


def _direct_pairs(root: Path, out: Path, runs: int) -> float:
    """Seconds to run the spin script ``runs`` times, two plain processes at a time: the
    speed-up the machine itself allows right now, for comparison."""
    script = root / "repro" / "spin.py"
    env = dict(os.environ, PYTHONPATH=str(root / "repro"), OMP_NUM_THREADS="1")
    start = time.perf_counter()
    for first in range(0, runs, 2):
        procs = [
            subprocess.Popen(
                [sys.executable, str(script), "--seed", str(seed), "--out", str(out / str(seed))],
                env=env,
            )
            for seed in range(first, min(first + 2, runs))
        ]
        for proc in procs:
            proc.wait()
    return time.perf_counter() - start


def parallel() -> Outcome:
    runs = 6
    with tempfile.TemporaryDirectory() as tmp:
        root = _small_hub(
            Path(tmp) / "hub", {"spin": SPIN}, {f"spin-{i}": ("spin", 2) for i in range(runs // 2)}
        )
        serial = RunOptions(all_claims=True, force=True, jobs=1)
        two_jobs = RunOptions(all_claims=True, force=True, jobs=2)
        _quiet_run(root, serial)  # warm
        one = two = pairs = float("inf")
        for _ in range(3):  # interleaved, best of each
            one = min(one, _quiet_run(root, serial))
            two = min(two, _quiet_run(root, two_jobs))
            pairs = min(pairs, _direct_pairs(root, Path(tmp), runs))
    cores = len(os.sched_getaffinity(0))
    return Outcome(
        one,
        two,
        ">= 1.7x faster (<= 0.59)",
        one / two >= 1.7,
        note=f"{runs} CPU-bound runs; speed-up {one / two:.2f}x on {cores} cores; "
        f"plain processes two at a time take {pairs:.2f}s "
        f"({one / pairs:.2f}x: what the machine allows now)",
    )


BENCHMARKS = [
    Benchmark("run-overhead", overhead),
    Benchmark("noop-rerun-1000-claims", noop),
    Benchmark("parallel-j2", parallel),
]
