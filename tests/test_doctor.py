from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from site_tools.cli.app import cli
from site_tools.doctor import (
    check_results_writable,
    check_sandbox,
    check_torch,
    healthy,
    run_doctor,
)
from site_tools.hub import HubPaths
from site_tools.runner.sandbox import bwrap_problem
from tests.conftest import TempHub


def test_doctor_passes_on_a_good_setup(temp_hub: TempHub) -> None:
    result = CliRunner().invoke(cli, ["doctor", "--root", str(temp_hub())])
    assert result.exit_code == 0, result.output
    assert "ok    python: " in result.output
    assert "ok    entries: 1 claims, 1 open questions" in result.output
    assert result.output.endswith("all required checks passed\n")


def test_unwritable_results_is_a_failure_with_a_fix(temp_hub: TempHub) -> None:
    root = temp_hub()
    (root / "results").write_text("a file where the folder should be")
    check = check_results_writable(HubPaths(root))
    assert not check.ok and check.required
    assert "fix: make results/ writable" in check.format()
    assert not healthy(run_doctor(HubPaths(root)))


def test_missing_torch_is_a_warning_not_a_failure() -> None:
    def no_torch(name: str) -> object:
        raise ImportError(name)

    [check] = check_torch(no_torch)
    assert not check.ok and not check.required
    assert check.format().startswith("warn  torch: not installed")


def test_unreachable_cluster_is_reported(temp_hub: TempHub) -> None:
    result = CliRunner().invoke(
        cli, ["doctor", "--root", str(temp_hub()), "--cluster", "tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert "FAIL  dask cluster: tcp://127.0.0.1:9: " in result.output


def test_no_sandbox_is_a_warning_that_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    bwrap_problem.cache_clear()
    try:
        sandbox = check_sandbox()[0]
    finally:
        bwrap_problem.cache_clear()
    assert (sandbox.ok, sandbox.required) == (False, False)
    assert sandbox.detail == (
        "none (bwrap is not installed): reproductions run in a process session only"
    )
    assert "apt-get install bubblewrap" in sandbox.fix
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in sandbox.fix
