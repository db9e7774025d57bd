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
    # What the templates leave for the author to replace is listed, with its position.
    assert checked.stderr.splitlines() == [
        "claims/my-new-claim.yaml:6:8: warning: title: template leftover: the title "
        "'My new claim' is the id reworded; state the result in one sentence",
        "claims/my-new-claim.yaml:8:8: warning: tags.0: template leftover: the 'example' tag "
        "marks the template; use tags that name the topic (see the tags page of the site)",
        "claims/my-new-claim.yaml:14:13: warning: citations.0: template leftover: cite the "
        "paper the prediction comes from, then delete the '# placeholder:' comment",
        "open_questions/my-question.yaml:4:8: warning: title: template leftover: the title "
        "'My question' is the id reworded; ask the question in one line",
        "open_questions/my-question.yaml:7:12: warning: statement: template leftover: state "
        "the question for a graduate student, then delete the '# placeholder:' comment",
        "open_questions/my-question.yaml:9:17: warning: why_it_matters: template leftover: "
        "say what an answer would change, then delete the '# placeholder:' comment",
        "open_questions/my-question.yaml:13:5: warning: progress_criteria.0: template "
        "leftover: name a checkable result, then delete the '# placeholder:' comment",
    ]
    strict = runner.invoke(cli, ["validate", "--strict", "--root", str(root)])
    assert strict.exit_code == 1 and strict.stderr.endswith("7 problems found\n")


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
    # The template's mutant shifts every draw by 0.1: the theory then predicts 0.1 sqrt(n) = 10.
    for flag, low, high in (("--smoke", -4.0, 4.0), ("--mutant", 6.0, 14.0)):
        args = [flag, "shifted-mean"] if flag == "--mutant" else [flag]
        shown = subprocess.run(
            [sys.executable, str(root / "repro" / "my_new_claim.py"), "--seed", "3", *args],
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        )
        assert low < json.loads(shown.stdout)["metrics"]["scaled_mean"] < high, flag


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
