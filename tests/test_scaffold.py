from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from site_tools.cli.app import cli
from tests.conftest import REPO, TempHub


def test_new_claim_and_question_validate_as_written(temp_hub: TempHub) -> None:
    root = temp_hub()
    runner = CliRunner()
    made = runner.invoke(
        cli, ["new", "claim", "my-new-claim", "--strand", "simple-laws", "--root", str(root)]
    )
    assert made.exit_code == 0, made.output
    assert made.output == "wrote claims/my-new-claim.yaml\nwrote repro/my_new_claim.py\n"
    made = runner.invoke(
        cli, ["new", "question", "my-question", "--strand", "tractable-limits", "--root", str(root)]
    )
    assert made.exit_code == 0, made.output
    checked = runner.invoke(cli, ["validate", "--root", str(root)])
    assert checked.exit_code == 0, checked.output


def test_scaffolded_script_runs_and_writes_its_metric(temp_hub: TempHub, tmp_path: Path) -> None:
    root = temp_hub()
    (root / "repro" / "harness.py").write_text((REPO / "repro" / "harness.py").read_text())
    CliRunner().invoke(
        cli, ["new", "claim", "my-new-claim", "--strand", "simple-laws", "--root", str(root)]
    )
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, str(root / "repro" / "my_new_claim.py"), "--seed", "3", "--out", str(out)],
        check=True,
        timeout=60,
    )
    result = json.loads((out / "result.json").read_text())
    assert abs(result["metrics"]["scaled_mean"]) < 4.0
    assert set(result["series"]) == {"measured |mean|", "theory 1/sqrt(n)"}


def test_new_refuses_to_overwrite_and_bad_names(temp_hub: TempHub) -> None:
    root = temp_hub()
    runner = CliRunner()
    again = runner.invoke(
        cli, ["new", "claim", "mean-shrinks", "--strand", "simple-laws", "--root", str(root)]
    )
    assert again.exit_code == 1
    assert "claims/mean-shrinks.yaml: already exists; not overwritten" in again.output
    bad = runner.invoke(
        cli, ["new", "question", "Bad_Name", "--strand", "simple-lawz", "--root", str(root)]
    )
    assert bad.exit_code == 1
    assert "unknown strand 'simple-lawz' (did you mean 'simple-laws'?)" in bad.output
    assert "use kebab-case" in bad.output
