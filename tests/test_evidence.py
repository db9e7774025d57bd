"""The trust model, replayed: the workflows' own scripts run against a local bare repository
acting as the hub's remote.

A pull request that commits forged records fails its check and, once merged, is shown failed;
forged records for a GPU claim leave it awaiting a GPU run; records the GPU job made reach
the published status with their environment; a record whose stored verdict contradicts its
metrics is judged from the metrics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from site_tools.catalog import load_catalog
from site_tools.hub import HubPaths
from site_tools.identity import claim_identity, predictions_digest
from site_tools.judge import judge_run
from site_tools.models import Claim
from site_tools.records import Origin, Provenance, RunRecord, write_record
from site_tools.status import claim_status
from tests.conftest import FIXTURES, REPO

CI = REPO / "scripts" / "ci"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}

FORGED_CLAIM = """\
id: {cid}
title: A prediction the script does not meet
strand: simple-laws
statement: The script reports 5; the prediction says 1.
citations: [saxe2014exact]
reproduction:
  script: repro/{script}.py
  device: {device}
  seeds: [0, 1, 2]
{smoke}predictions:
  - metric: value
    description: the number the script reports
    expect: {{kind: target, value: 1.0, abs_tol: 0.1}}
    source: the test's own arithmetic
"""

REPORTS = """\
\"\"\"Reports value = {value}.\"\"\"

from harness import parse_args, write_result

args = parse_args(__doc__)
write_result(args, {{"value": {value}}})
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return done.stdout


def ci(script: str, cwd: Path, *args: str, run_id: str = "") -> subprocess.CompletedProcess[str]:
    """Run one of the workflows' scripts as the workflow would, with this package as lmhub."""
    env = {
        **os.environ,
        **GIT_ENV,
        "LMHUB": f"{sys.executable} -m site_tools",
        "GITHUB_RUN_ID": run_id,
        "GITHUB_WORKFLOW": "main",
        "GITHUB_STEP_SUMMARY": str(cwd / ".summary.md"),
    }
    return subprocess.run(
        ["bash", str(CI / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def add_claim(hub: Path, cid: str, value: float, device: str = "cpu") -> Claim:
    script = cid.replace("-", "_")
    smoke = "  smoke:\n    timeout_s: 30\n" if device == "gpu" else ""
    (hub / "claims" / f"{cid}.yaml").write_text(
        FORGED_CLAIM.format(cid=cid, script=script, device=device, smoke=smoke)
    )
    (hub / "repro" / f"{script}.py").write_text(REPORTS.format(value=value))
    return load_catalog(hub).claims[cid]


def record(
    hub: Path,
    claim: Claim,
    seed: int,
    value: float,
    *,
    origin: Origin,
    device: str = "cpu",
    passed: bool | None = None,
) -> RunRecord:
    """A record of ``claim`` at its current identity, as anyone can compute it."""
    identity = claim_identity(claim, hub)
    verdicts, _ = judge_run(claim, {"value": value})
    if passed is not None:
        verdicts = [v.model_copy(update={"passed": passed, "miss": None}) for v in verdicts]
    return RunRecord(
        claim_id=claim.id,
        identity=identity.digest,
        inputs=identity.parts,
        parameters=identity.parameters,
        seed=seed,
        status="measured",
        metrics={"value": value},
        verdicts=verdicts,
        predictions_digest=predictions_digest(claim),
        message="1 prediction met",
        started_at=datetime.now(timezone.utc) - timedelta(minutes=5),
        duration_s=1.0,
        provenance=Provenance(
            git_commit="f" * 40,
            python="3.11.7",
            numpy="2.4.0",
            torch="2.13.0+cu130" if device != "cpu" else "2.13.0+cpu",
            platform="Linux-6.8-x86_64-with-glibc2.39",
            machine="x86_64",
            device=device,
        ),
        origin=origin,
    )


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository holding a small hub on ``main``, as GitHub would."""
    hub = tmp_path / "seed"
    shutil.copytree(FIXTURES / "site_hub", hub)
    shutil.copyfile(REPO / "mkdocs.yml", hub / "mkdocs.yml")
    shutil.copyfile(REPO / "repro" / "harness.py", hub / "repro" / "harness.py")
    (hub / ".gitignore").write_text("/.evidence/\n/site/\n/build/\n/.hub-cache/\n")
    add_claim(hub, "honest", 1.0)
    add_claim(hub, "gpu-honest", 1.0, device="gpu")
    git(hub, "init", "-q", "-b", "main")
    git(hub, "add", "-A")
    git(hub, "commit", "-q", "-m", "A hub")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(hub, "push", "-q", str(bare), "main")
    return bare


def clone(remote: Path, dest: Path) -> Path:
    git(remote.parent, "clone", "-q", str(remote), str(dest))
    return dest


def merge(work: Path) -> None:
    git(work, "push", "-q", "origin", "HEAD:main")


def state_of(hub: Path, cid: str) -> tuple[str, list[str]]:
    claim = load_catalog(hub).claims[cid]
    status = claim_status(claim, HubPaths(hub))
    return status.state, [f"{e.state} on {e.label}" for e in status.reported]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_forged_records_cannot_set_a_status(remote: Path, tmp_path: Path) -> None:
    # A pull request adds a claim whose script measures 5 against 1 ± 0.1, with records that
    # claim "reproduced" at the right identity, and forged records for a GPU claim.
    work = clone(remote, tmp_path / "contributor")
    forged = add_claim(work, "forged", 5.0)
    gpu = add_claim(work, "forged-gpu", 5.0, device="gpu")
    claims_origin = Origin(kind="hub-ci", run_id="1", workflow="main")
    for seed in (0, 1, 2):
        write_record(work / "results", record(work, forged, seed, 1.0, origin=claims_origin))
        write_record(
            work / "results",
            record(work, gpu, seed, 1.0, origin=claims_origin, device="NVIDIA H100"),
        )
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "Two claims with their records")

    # (a) The pull-request check reruns the changed claims in an empty store: it fails.
    check = ci("pr-check.sh", work, "origin/main")
    assert check.returncode == 1, check.stdout + check.stderr
    assert re.search(r"(?m)^forged +failed +value", check.stdout), check.stdout
    assert "value: measured 5, expected 1 (±0.1 abs)" in check.stdout

    # The pull request is merged anyway; the main workflow reproduces and publishes.
    merge(work)
    main = clone(remote, tmp_path / "main-cpu")
    done = ci("reproduce.sh", main, run_id="100")
    assert done.returncode == 0, done.stdout + done.stderr
    published = ci("publish.sh", main, ".evidence", run_id="100")
    assert published.returncode == 0, published.stdout + published.stderr
    assert "added " in published.stdout

    # The site job sees the evidence branch and nothing else: the claim failed, the forged
    # records are shown as reported, and the GPU claim awaits a GPU run.
    site = clone(remote, tmp_path / "site")
    built = ci("site.sh", site)
    assert built.returncode == 0, built.stdout + built.stderr
    exported = json.loads((site / "site" / "catalog.json").read_text())
    states = {}
    for index in exported["indexes"]["claims"]:
        for row in json.loads((site / "site" / index).read_text())["rows"]:
            states[row["id"]] = json.loads((site / "site" / row["file"]).read_text())["status"]
    assert states["forged"]["state"] == "failed"
    assert [e["state"] for e in states["forged"]["reported"]] == ["reproduced"]
    assert states["forged-gpu"]["state"] == "awaiting-gpu"
    assert states["honest"]["state"] == "reproduced"
    assert states["gpu-honest"]["state"] == "awaiting-gpu"
    counts = exported["counts"]
    assert sum(counts["by_state"].values()) == counts["claims"]

    # (d) Records the GPU job made, published by its own publishing job, set the state of
    # a GPU claim, with the GPU environment named.
    gpu_job = tmp_path / "gpu-artifact"
    gpu_claim = load_catalog(main).claims["gpu-honest"]
    ci_gpu = Origin(kind="hub-ci", run_id="200", workflow="main", runner="gpu-1")
    for seed in (0, 1, 2):
        write_record(
            gpu_job,
            record(main, gpu_claim, seed, 1.0, origin=ci_gpu, device="NVIDIA H100 80GB HBM3"),
        )
    # A record slipped into the artifact that this run did not make is refused.
    write_record(gpu_job, record(main, gpu, 0, 1.0, origin=claims_origin))
    published = ci("publish.sh", main, str(gpu_job), run_id="200")
    assert published.returncode == 1
    assert "not made by workflow run 200" in published.stderr
    assert "added 3 record(s)" in published.stdout
    fresh = clone(remote, tmp_path / "site-after-gpu")
    fetched = ci("site.sh", fresh)
    assert fetched.returncode == 0, fetched.stderr
    status = claim_status(load_catalog(fresh).claims["gpu-honest"], HubPaths(fresh))
    assert status.state == "reproduced"
    assert [e.label.split(" · ")[0] for e in status.environments] == ["NVIDIA H100 80GB HBM3"]
    assert state_of(fresh, "forged-gpu")[0] == "awaiting-gpu"


def test_a_stored_verdict_is_never_believed(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(FIXTURES / "site_hub", hub)
    claim = add_claim(hub, "believed", 999.0)
    origin = Origin(kind="hub-ci", run_id="3")
    for seed in (0, 1, 2):
        forged = record(hub, claim, seed, 999.0, origin=origin, passed=True)
        assert all(v.passed for v in forged.verdicts)
        write_record(hub / ".evidence", forged)
    status = claim_status(claim, HubPaths(hub))
    assert status.state == "failed"
    assert status.disagreements[0] == (
        "believed seed 0: the record's stored verdict on value disagrees with its own "
        "metrics; the metrics are judged"
    )


def test_changing_a_tolerance_rejudges_without_a_run(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(FIXTURES / "site_hub", hub)
    claim = add_claim(hub, "rejudged", 1.05)
    origin = Origin(kind="hub-ci", run_id="3")
    for seed in (0, 1, 2):
        write_record(hub / ".evidence", record(hub, claim, seed, 1.05, origin=origin))
    assert state_of(hub, "rejudged")[0] == "reproduced"
    yaml = hub / "claims" / "rejudged.yaml"
    yaml.write_text(yaml.read_text().replace("abs_tol: 0.1", "abs_tol: 0.01"))
    assert state_of(hub, "rejudged")[0] == "failed"


def test_a_failure_in_a_new_environment_is_a_regression_there(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(FIXTURES / "site_hub", hub)
    claim = add_claim(hub, "two-machines", 1.0)
    origin = Origin(kind="hub-ci", run_id="5")
    for seed in (0, 1, 2):
        write_record(hub / ".evidence", record(hub, claim, seed, 1.0, origin=origin))
    status = claim_status(claim, HubPaths(hub))
    assert (status.state, status.reproduced_on) == ("reproduced", 1)
    for seed in (0, 1, 2):
        later = record(hub, claim, seed, 1.5, origin=origin, device="NVIDIA A100")
        write_record(hub / ".evidence", later)
    status = claim_status(claim, HubPaths(hub))
    assert status.state == "regressed"
    assert sorted(e.state for e in status.environments) == ["failed", "reproduced"]
    assert status.reproduced_on == 1


def test_an_unreadable_record_is_reported_once_not_rerun_forever(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(FIXTURES / "site_hub", hub)
    claim = add_claim(hub, "damaged", 1.0)
    origin = Origin(kind="hub-ci", run_id="6")
    paths = [
        write_record(hub / ".evidence", record(hub, claim, seed, 1.0, origin=origin))
        for seed in (0, 1, 2)
    ]
    (paths[0].parent / paths[0].name.replace("_s0_", "_s9_")).write_text("{broken")
    status = claim_status(claim, HubPaths(hub))
    assert status.state == "reproduced"
    assert [b.reason for b in status.bad] == [
        "not valid JSON (JSONDecodeError); left in place, ignored"
    ]
