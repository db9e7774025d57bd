"""Synthetic hubs for benchmarks: many valid claims, questions, references and run records."""

from __future__ import annotations

import math
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from site_tools.catalog import Catalog
from site_tools.identity import claim_identity
from site_tools.judge import judge_run
from site_tools.records import (
    Origin,
    Provenance,
    RunRecord,
    Series,
    record_bytes,
    record_filename,
)

REPO = Path(__file__).resolve().parents[1]
STRANDS = [
    "solvable-settings",
    "tractable-limits",
    "simple-laws",
    "hyperparameters",
    "universal-behaviours",
]

CLAIM = """\
# yaml-language-server: $schema=../schemas/claim.schema.json
id: claim-{i}
title: Synthetic claim number {i} about mode timescales
strand: {strand}
tags: [synthetic, deep-linear-networks, timescales]
statement: >-
  A two-layer linear network trained by gradient flow from a small, balanced initialisation
  learns mode $\\mu$ at time $t_{{1/2}} = \\ln(\\lambda_\\mu/u_0 - 1)/(2\\lambda_\\mu)$; claim {i}.
setting: >-
  Width 6, target singular values 4, 2, 1, 0.5, 0.25, 0.125; Euler steps of 1e-3.
citations: [ref{a}, ref{b}]
open_questions: [question-{i}]
reproduction:
  script: repro/claim_{i}.py
  device: cpu
  timeout_s: 60
  cost_s: 0.5
  seeds: [0, 1, 2]
  plot: {{x_label: time, y_label: strength}}
predictions:
  - metric: t_half_strongest
    description: half-learning time of the strongest mode
    expect: {{kind: target, value: 1.9002, rel_tol: 0.02}}
    source: Saxe et al. (2014), logistic mode solution
  - metric: timescale_ratio
    description: ratio of half-times of the weakest and strongest modes
    expect: {{kind: interval, low: 24.2, high: 25.2}}
    source: ratio of the two half-times
    seeds: majority
    alternative:
      description: a pure 1/λ timescale predicts 32
      expect: {{kind: target, value: 32.0, rel_tol: 0.1}}
"""

QUESTION = """\
# yaml-language-server: $schema=../schemas/open_question.schema.json
id: question-{i}
title: Does synthetic question {i} have an answer?
strand: {strand}
tags: [synthetic]
statement: >-
  Whether the logistic timescale of claim {i} survives nonlinear activations at finite width.
why_it_matters: >-
  It would tell which lessons of deep linear networks carry over to practice.
progress_criteria:
  - A prediction of the half-times of a ReLU network within 10% of measurement.
  - A counterexample with a mechanism.
status: open
related_claims: [claim-{i}]
citations: [ref{a}]
"""

REFERENCE = """\
@article{{ref{i},
  author  = {{Author{i}, Ada and Writer, Bob and Third, Carla}},
  title   = {{A study of learning dynamics number {i}}},
  journal = {{Journal of Synthetic Results}},
  year    = {{{year}}},
  doi     = {{10.1234/synthetic.{i}}},
  eprint  = {{2101.{i:05d}}},
  archiveprefix = {{arXiv}},
}}
"""


def make_hub(root: Path, n_claims: int = 1000, n_questions: int = 1000, n_refs: int = 2000) -> Path:
    """Write a valid hub with the given counts under ``root`` (created; must not exist)."""
    for name in ("claims", "open_questions", "repro"):
        (root / name).mkdir(parents=True)
    shutil.copyfile(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
    shutil.copyfile(REPO / "hub.yaml", root / "hub.yaml")
    script = "print('{\"metrics\": {}}')\n"
    for i in range(n_claims):
        strand = STRANDS[i % len(STRANDS)]
        a, b = i % n_refs, (i * 7 + 1) % n_refs
        (root / "claims" / f"claim-{i}.yaml").write_text(
            CLAIM.format(i=i, strand=strand, a=a, b=b), encoding="utf-8"
        )
        (root / "repro" / f"claim_{i}.py").write_text(script)
    for i in range(n_questions):
        strand = STRANDS[i % len(STRANDS)]
        text = QUESTION.format(i=i, strand=strand, a=(i * 3) % n_refs)
        if i >= n_claims:
            text = text.replace(f"related_claims: [claim-{i}]", "related_claims: []")
        (root / "open_questions" / f"question-{i}.yaml").write_text(text, encoding="utf-8")
    bib = "\n".join(REFERENCE.format(i=i, year=1990 + i % 35) for i in range(n_refs))
    (root / "references.bib").write_text(bib, encoding="utf-8")
    return root


N_POINTS = 200
"""Points per series; four series per record (two theory curves, two measured)."""
T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
PROVENANCE = Provenance(
    git_commit="0" * 40,
    python="3.11.7",
    numpy="2.4.0",
    torch=None,
    platform="Linux-6.1",
    machine="x86_64",
    device="cpu",
)
RUNS_PER_CLAIM = (1, 2, 3, 4, 5, 5)
"""Runs of all three seeds a claim has had, cycled over claims: 10 records per claim on
average, the older runs at earlier identities (the script changed since)."""


def _series(i: int, seed: int, version: int) -> dict[str, Series]:
    times = [60.0 * k / (N_POINTS - 1) for k in range(N_POINTS)]
    out = {}
    for lam in (4.0, 0.25 + i * 0.001):  # every claim's plot differs
        theory = [lam / (1 + (lam / 1e-6 - 1) * math.exp(-2 * lam * t)) for t in times]
        wobble = 1 + 0.002 * (seed + 1) + 0.001 * version
        out[f"measured λ={lam:g}"] = Series(x=times, y=[v * wobble for v in theory])
        out[f"theory λ={lam:g}"] = Series(x=times, y=theory, style="theory")
    return out


def write_records(
    root: Path, catalog: Catalog, ids: list[str], version: int = 0, history: bool = False
) -> int:
    """Records with series for each claim in ``ids`` in the evidence store, as the runner
    writes them: one per seed at the claim's identity, and with ``history`` also the older
    runs of :data:`RUNS_PER_CLAIM`. Returns how many were written."""
    written = 0
    for claim_id in ids:
        claim = catalog.claims[claim_id]
        identity = claim_identity(claim, root)
        folder = root / ".evidence" / claim_id
        folder.mkdir(parents=True, exist_ok=True)
        i = int(claim_id.rsplit("-", 1)[1])
        runs = RUNS_PER_CLAIM[i % len(RUNS_PER_CLAIM)] if history else 1
        for run in range(runs):
            latest = run == runs - 1
            digest = identity.digest if latest else f"{run:x}".rjust(64, "e")
            for seed in claim.reproduction.seeds:
                metrics = {"t_half_strongest": 1.9 + 0.001 * seed, "timescale_ratio": 24.7}
                verdicts, problem = judge_run(claim, metrics)
                assert problem is None, problem
                record = RunRecord(
                    claim_id=claim_id,
                    identity=digest,
                    inputs=identity.parts,
                    parameters=identity.parameters,
                    seed=seed,
                    status="measured",
                    metrics=dict(metrics),
                    series=_series(i, seed, version + run),
                    verdicts=verdicts,
                    started_at=T0 + timedelta(minutes=i, seconds=seed, days=version + run),
                    duration_s=1.5,
                    peak_memory_mb=90.0,
                    provenance=PROVENANCE,
                    origin=Origin(kind="hub-ci", run_id=str(1 + run)),
                )
                (folder / record_filename(record)).write_bytes(record_bytes(record))
                written += 1
    return written
