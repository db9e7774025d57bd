"""Choosing claims by git history, smoke runs, GPU claims without a GPU, and a Dask cluster."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from site_tools.identity import FileDigests
from site_tools.runner.cache import load_hub_claims
from site_tools.runner.select import UsageError, select_claims
from tests.runner.conftest import RunnerHub, records, run, snapshot

pytestmark = pytest.mark.timeout(90)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _changed(root: Path, ref: str = "HEAD") -> tuple[list[str], list[str]]:
    hub = load_hub_claims(root, use_cache=False)
    found = select_claims(root, hub.claims, hub.sources, FileDigests(), changed_since=ref)
    return found.ids, found.notes


def test_changed_since_follows_yaml_scripts_and_helpers(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok", beta="misses", gamma="ok")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "hub")
    assert _changed(root) == ([], ["no claim changed since HEAD"])
    misses = root / "repro" / "misses.py"
    misses.write_text(misses.read_text() + "# edited\n")
    assert _changed(root) == (["beta"], [])
    yaml = root / "claims" / "gamma.yaml"
    yaml.write_text(yaml.read_text().replace("A test claim.", "A reworded claim."))
    assert _changed(root) == (["beta", "gamma"], [])
    _git(root, "commit", "-q", "-am", "edits")
    helper = root / "repro" / "harness.py"
    helper.write_text(helper.read_text() + "# edited\n")
    assert _changed(root) == (["alpha", "beta", "gamma"], [])
    assert _changed(root, "HEAD~1") == (["alpha", "beta", "gamma"], [])
    _git(root, "checkout", "-q", "--", "repro/harness.py")
    (root / "claims" / "beta.yaml").unlink()
    (root / "claims" / "delta.yaml").write_text(
        (root / "claims" / "alpha.yaml").read_text().replace("alpha", "delta")
    )
    assert _changed(root) == (
        ["delta"],
        ["claims/beta.yaml was deleted since HEAD; nothing to run for it"],
    )
    report, log = run(root, changed_since="HEAD")
    assert log.startswith(
        "1 claim chosen: 1 run to make, 0 claims up to date\n"
        "note: claims/beta.yaml was deleted since HEAD; nothing to run for it\n"
        "  delta: seed 0 (new)\n"
    )
    assert report.exit_code == 0 and [r.claim.id for r in report.results] == ["delta"]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert records(root, "delta")[0].provenance.git_commit == head


def test_changed_since_an_unknown_ref_is_a_usage_error(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    _git(root, "init", "-q")
    with pytest.raises(
        UsageError,
        match=r"^--changed-since nope: no such commit in this "
        r"repository$",
    ):
        _changed(root, "nope")
    with pytest.raises(
        UsageError,
        match=r"^--changed-since --output=x: no such commit in "
        r"this repository$",
    ):
        _changed(root, "--output=x")


def test_changed_since_outside_git_is_a_usage_error(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="ok")
    with pytest.raises(UsageError) as caught:
        _changed(root, "HEAD")
    assert str(caught.value) == f"--changed-since needs a git checkout; {root} is not in one"


def test_smoke_runs_every_claim_on_cpu_and_never_settles_a_full_run(runner_hub: RunnerHub) -> None:
    root = runner_hub(
        cpu_claim=("ok", {"seeds": (0, 1), "smoke": True}),
        gpu_claim=("needs_smoke_flag", {"device": "gpu", "seeds": (0, 1)}),
    )
    report, log = run(root, all_claims=True, smoke=True)
    assert log.startswith(
        "2 claims chosen: 2 runs to make, 0 claims up to date\n"
        "  cpu-claim [smoke]: seed 0 (new)\n  gpu-claim [smoke]: seed 0 (new)\n"
    )
    assert [(r.claim.id, r.state) for r in report.results] == [
        ("cpu-claim", "smoke-ok"),
        ("gpu-claim", "smoke-ok"),
    ]
    assert report.exit_code == 0
    smoke = records(root, "gpu-claim")
    assert [(r.status, r.smoke, r.message) for r in smoke] == [
        ("measured", True, "1 prediction met")
    ]
    again, _ = run(root, all_claims=True, smoke=True)
    assert again.written == [] and again.exit_code == 0

    full, log = run(root, all_claims=True)
    assert log == (
        "2 claims chosen: 2 runs to make, 0 claims up to date\n"
        "  cpu-claim: seeds 0, 1 (new)\n"
        "  gpu-claim: seeds 0, 1 need a GPU (run with --device cuda on a machine with CUDA, "
        "or on a cluster with a GPU worker)\n"
        "start cpu-claim seed 0\n" + log.split("start cpu-claim seed 0\n", 1)[1]
    )
    assert [(r.claim.id, r.state) for r in full.results] == [
        ("cpu-claim", "reproduced"),
        ("gpu-claim", "needs-gpu"),
    ]
    assert full.exit_code == 0
    gpu = [r for r in records(root, "gpu-claim") if not r.smoke]
    assert [(r.seed, r.status, r.message) for r in gpu] == [
        (
            seed,
            "needs-gpu",
            "needs a GPU: run with --device cuda on a machine with CUDA, or on "
            "a cluster with a GPU worker",
        )
        for seed in (0, 1)
    ]
    before = snapshot(root)
    quiet, _ = run(root, all_claims=True)
    assert quiet.written == [] and snapshot(root) == before
    assert quiet.results[1].state == "needs-gpu"


def test_a_broken_smoke_run_is_an_error(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha=("omits_metric", {"smoke": True}))
    report, _ = run(root, "alpha", smoke=True)
    assert [(r.status, r.smoke, r.message) for r in records(root, "alpha")] == [
        (
            "error",
            True,
            "the script finished, but metric 'value' is missing from the script's output "
            "(it reported: other)",
        )
    ]
    assert report.exit_code == 1 and report.results[0].state == "error"


def test_cuda_asked_for_but_absent_gives_needs_gpu(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("site_tools.runner.api.cuda_available", lambda: False)
    root = runner_hub(alpha="ok", gpu_claim=("needs_smoke_flag", {"device": "gpu"}))
    report, _ = run(root, all_claims=True, device="cuda")
    assert [(r.claim.id, r.state) for r in report.results] == [
        ("alpha", "reproduced"),
        ("gpu-claim", "needs-gpu"),
    ]
    assert records(root, "gpu-claim")[0].message == (
        "needs a GPU: --device cuda, but no CUDA device was found"
    )
    assert report.exit_code == 0


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_local_dask_cluster_runs_claims_and_skips_gpu_ones_at_once(runner_hub: RunnerHub) -> None:
    root = runner_hub(
        alpha=("ok", {"seeds": (0, 1)}),
        beta="raises",
        gpu_claim=("needs_smoke_flag", {"device": "gpu"}),
    )
    report, log = run(root, all_claims=True, cluster="local", jobs=2)
    assert [(r.claim.id, r.state) for r in report.results] == [
        ("alpha", "reproduced"),
        ("beta", "error"),
        ("gpu-claim", "needs-gpu"),
    ]
    assert (
        "  gpu-claim: seed 0 needs a GPU (no worker of the cluster declares a GPU resource "
        "(dask worker --resources GPU=1))\n" in log
    )
    assert [r.status for r in records(root, "alpha")] == ["measured", "measured"]
    assert records(root, "beta")[0].message == (
        "exited with code 1: RuntimeError: the model diverged"
    )
    assert report.exit_code == 1
