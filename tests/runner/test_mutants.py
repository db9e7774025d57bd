"""Parameters reach the script and the record; mutants are caught, or the claim is insensitive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from site_tools.hub import HubPaths
from site_tools.runner.cache import load_hub_claims
from site_tools.status import claim_status
from tests.runner.conftest import FAULTS, RunnerHub, records, run

pytestmark = pytest.mark.timeout(90)

PARAMETERS = """\
  parameters:
    value: {value: 1.0, meaning: what the script reports}
    ignored: {value: 3, meaning: a parameter the measurement does not use}
  smoke:
    timeout_s: 20
    overrides: {value: 1.004}
"""


def _hub(runner_hub: RunnerHub, mutants: str) -> Path:
    root = runner_hub(alpha=("params", {"seeds": (0, 1)}))
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(
        yaml.read_text().replace("  seeds: [0, 1]\n", "  seeds: [0, 1]\n" + PARAMETERS) + mutants
    )
    return root


CAUGHT = """\
mutants:
  - id: doubled
    overrides: {value: 2.0}
    why: the value doubles, so the prediction of 1 must miss
    must_fail: [value]
"""

INSENSITIVE = """\
mutants:
  - id: unused-knob
    overrides: {ignored: 4}
    why: a change the measurement should see (it does not)
    must_fail: [value]
"""


def test_a_caught_mutant_passes_the_sensitivity_check(runner_hub: RunnerHub) -> None:
    root = _hub(runner_hub, CAUGHT)
    report, log = run(root, "alpha", mutants=())
    assert "  alpha [mutant:doubled]: seeds 0, 1 (new)\n" in log
    assert [(r.label, r.state) for r in report.results] == [("alpha [mutant:doubled]", "caught")]
    assert report.exit_code == 0
    mutant_runs = records(root, "alpha")
    assert {r.configuration for r in mutant_runs} == {"mutant:doubled"}
    assert all(r.parameters == {"value": 2.0, "ignored": 3} for r in mutant_runs)
    assert all(r.metrics == {"value": 2.0} for r in mutant_runs)


def test_an_insensitive_claim_is_reported_and_exits_1(runner_hub: RunnerHub) -> None:
    root = _hub(runner_hub, INSENSITIVE)
    full, _ = run(root, "alpha")
    assert full.results[0].state == "reproduced" and full.exit_code == 0
    report, _ = run(root, "alpha", mutants=())
    assert report.results[0].state == "insensitive" and report.exit_code == 1
    assert report.results[0].notes() == [
        "mutant 'unused-knob' (a change the measurement should see (it does not)) still "
        "passes value: the measurement does not react to the change"
    ]
    claim = load_hub_claims(root, use_cache=False).claims["alpha"]
    paths = HubPaths(root)
    # Reported records (results/) are judged the same way, shown beside the state.
    status = claim_status(claim, paths)
    assert [m.caught for m in status.mutants] == [False]


def test_smoke_overrides_reach_the_script(runner_hub: RunnerHub) -> None:
    root = _hub(runner_hub, CAUGHT)
    report, _ = run(root, smoke=True, all_claims=True)
    assert report.results[0].state == "smoke-ok"
    (smoke,) = records(root, "alpha")
    assert smoke.configuration == "smoke" and smoke.parameters["value"] == 1.004
    assert smoke.metrics == {"value": 1.004}


def test_a_parameter_change_makes_the_claim_stale(runner_hub: RunnerHub) -> None:
    root = _hub(runner_hub, CAUGHT)
    run(root, "alpha")
    yaml = root / "claims" / "alpha.yaml"
    yaml.write_text(yaml.read_text().replace("ignored: {value: 3", "ignored: {value: 5"))
    report, log = run(root, "alpha")
    assert "  alpha: seeds 0, 1 (parameters changed)\n" in log
    assert report.results[0].state == "reproduced"


def test_an_event_that_never_happened_fails_the_prediction(runner_hub: RunnerHub) -> None:
    root = runner_hub(alpha="never")
    report, _ = run(root, "alpha")
    (result,) = report.results
    assert result.state == "failed" and report.exit_code == 1
    (record,) = records(root, "alpha")
    assert record.status == "measured" and record.metrics == {"value": None}
    assert record.absent == {"value": "loss fell below 0.5 never happened (last time 9)"}
    assert [line.measured for line in result.lines()] == ["never"]


def test_the_harness_reports_a_never_event_as_absent(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(FAULTS / "never.py"), "--out", str(tmp_path)],
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "repro")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.returncode == 0
    data = json.loads((tmp_path / "result.json").read_text())
    assert data["metrics"] == {"value": None}
    assert data["absent"] == {"value": "loss fell below 0.5 never happened (last time 9)"}
