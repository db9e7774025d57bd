"""A "first step at which X happens" metric must be absent, with a reason, when X never happens.

Before ``harness.first_time`` the scripts below returned the last step for an event that never
came, so a ratio of two such steps passed its prediction on a model that had learned nothing.
Each case runs a real script for a handful of steps, far too few for the event, and reads its
``result.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# script, overrides that end training long before the event, metrics that must be absent
CASES = [
    ("grokking_modular.py", {"steps": 10}, ["test_step_95", "grok_delay_ratio"]),
    ("induction_heads.py", {"steps": 10}, ["transition_span_ratio", "attention_lag_fraction"]),
]


def run_script(script: str, overrides: dict[str, object], out: Path) -> dict[str, object]:
    sets = [f"--set={name}={json.dumps(value)}" for name, value in overrides.items()]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(
        [sys.executable, script, "--smoke", "--seed", "0", "--out", str(out), *sets],
        cwd=REPO / "repro",
        env=env,
        check=True,
        capture_output=True,
        timeout=240,
    )
    result: dict[str, object] = json.loads((out / "result.json").read_text(encoding="utf-8"))
    return result


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("script", "overrides", "absent"), CASES, ids=[c[0] for c in CASES])
def test_a_never_reached_event_is_reported_absent_with_its_reason(
    tmp_path: Path, script: str, overrides: dict[str, object], absent: list[str]
) -> None:
    result = run_script(script, overrides, tmp_path)
    metrics, reasons = result["metrics"], result.get("absent", {})
    assert isinstance(metrics, dict) and isinstance(reasons, dict)
    for name in absent:
        assert metrics[name] is None, f"{script}: {name} = {metrics[name]} on an untrained model"
        assert "never happened" in reasons[name], reasons
