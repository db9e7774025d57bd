"""Throwaway hubs with run records, for the site's tests and benchmark."""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from site_tools.catalog import load_catalog
from site_tools.identity import claim_identity, predictions_digest
from site_tools.judge import judge_run
from site_tools.models import Claim
from site_tools.records import Origin, Provenance, RunRecord, Series, write_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITE_HUB = FIXTURES / "site_hub"
REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def provenance(machine: str = "x86_64", device: str = "cpu") -> Provenance:
    return Provenance(
        git_commit="0123456789abcdef0123",
        python="3.11.7",
        numpy="2.4.0",
        torch=None,
        platform="Linux-6.1",
        machine=machine,
        device=device,
    )


def write_runs(
    root: Path,
    claim: Claim,
    metrics: Sequence[Mapping[str, float]],
    *,
    series: Mapping[str, Series] | None = None,
    started: datetime = T0,
    digest: str | None = None,
    machine: str = "x86_64",
    trusted: bool = True,
    device: str = "cpu",
) -> list[Path]:
    """One full record per seed of ``claim``, with the verdicts of the moment stored.

    ``metrics[i]`` is what seed ``claim.reproduction.seeds[i]`` measured. ``digest``
    defaults to the claim's current identity. ``trusted`` records go to the evidence store
    as the hub's own workflow's, the others to ``results/`` as reported.
    """
    identity = claim_identity(claim, root)
    digest = digest or identity.digest
    origin = Origin(kind="hub-ci", run_id="7") if trusted else Origin()
    paths = []
    for i, (seed, measured) in enumerate(zip(claim.reproduction.seeds, metrics, strict=True)):
        verdicts, problem = judge_run(claim, measured)
        assert problem is None, problem
        record = RunRecord(
            claim_id=claim.id,
            identity=digest,
            inputs=identity.parts,
            parameters=identity.parameters,
            seed=seed,
            status="measured",
            predictions_digest=predictions_digest(claim),
            origin=origin,
            metrics=dict(measured),
            series=dict(series or {}),
            verdicts=verdicts,
            started_at=started + timedelta(seconds=i),
            duration_s=1.25 + 0.1 * i,
            peak_memory_mb=80.0 + i,
            provenance=provenance(machine, device),
        )
        paths.append(write_record(root / (".evidence" if trusted else "results"), record))
    return paths


def logistic_series(
    lams: Sequence[float] = (4.0, 1.0), points: int = 200, noise: float = 0.01
) -> dict[str, Series]:
    out = {}
    times = [60.0 * k / (points - 1) for k in range(points)]
    for lam in lams:
        theory = [lam / (1 + (lam / 1e-6 - 1) * math.exp(-2 * lam * t)) for t in times]
        out[f"measured λ={lam:g}"] = Series(x=times, y=[v * (1 + noise) for v in theory])
        out[f"theory λ={lam:g}"] = Series(x=times, y=theory, style="theory")
    return out


def make_site_hub(dest: Path) -> Path:
    """Copy the ``site_hub`` fixture and the repository's ``mkdocs.yml`` to ``dest`` and write
    run records: one claim reproduced (on two machines, after an older failed version), one
    failed, one stale, one never run."""
    shutil.copytree(SITE_HUB, dest)
    shutil.copyfile(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    catalog = load_catalog(dest)
    claims = catalog.claims
    good = [{"t_half": 1.9 + 0.004 * i, "ratio": 4.1 + 0.01 * i} for i in range(3)]
    write_runs(
        dest,
        claims["logistic-modes"],
        [{"t_half": 2.5, "ratio": 4.0}] * 3,
        started=T0 - timedelta(days=3),
        digest="a" * 64,
    )
    write_runs(
        dest,
        claims["logistic-modes"],
        good,
        series=logistic_series(),
        started=T0 - timedelta(days=1),
        machine="aarch64",
    )
    write_runs(dest, claims["logistic-modes"], good, series=logistic_series())
    steps = [float(k) for k in range(100)]
    write_runs(
        dest,
        claims["sharpness-threshold"],
        [{"sharpness_ratio": 1.01}, {"sharpness_ratio": 1.3}, {"sharpness_ratio": 1.4}],
        series={
            "measured sharpness": Series(x=steps, y=[1 + k * 0.05 for k in steps]),
            "theory 2/η": Series(x=steps, y=[5.0] * 100, style="theory"),
        },
        started=T0 + timedelta(hours=1),
    )
    write_runs(
        dest,
        claims["lr-transfer"],
        [{"drift": 0.1}] * 3,
        digest="b" * 64,
        started=T0 - timedelta(days=2),
    )
    return dest
