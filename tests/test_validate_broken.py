"""The corpus of broken hubs: one fault per case, each with the exact report expected.

Each folder under ``tests/fixtures/broken/`` holds the files that replace those of the base
hub, and ``expected.txt``, the exact output of ``lmhub validate --strict`` (which fails on
warnings too: template leftovers and confusable BibTeX keys).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_tools.cli.app import cli
from tests.conftest import FIXTURES, TempHub, overlay

CASES = sorted(p for p in (FIXTURES / "broken").iterdir() if p.is_dir())


@pytest.fixture(params=CASES, ids=[p.name for p in CASES])
def broken_hub(request: pytest.FixtureRequest, temp_hub: TempHub) -> tuple[Path, str]:
    case: Path = request.param
    root = temp_hub()
    overlay(root, case)
    return root, (case / "expected.txt").read_text(encoding="utf-8")


def test_the_corpus_covers_every_documented_fault() -> None:
    assert len(CASES) >= 25


def test_report_is_exact(broken_hub: tuple[Path, str]) -> None:
    root, expected = broken_hub
    result = CliRunner().invoke(cli, ["validate", "--strict", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output == expected
    assert isinstance(result.exception, SystemExit)


def test_every_problem_names_a_file_and_line(broken_hub: tuple[Path, str]) -> None:
    _, expected = broken_hub
    *problems, summary = expected.splitlines()
    assert summary.endswith("found")
    for line in problems:
        path, lineno, col, _ = line.split(":", 3)
        assert Path(path).suffix in {".yaml", ".yml", ".bib"}, line
        assert int(lineno) >= 1 and int(col) >= 1, line


@pytest.mark.parametrize("case", CASES[:8], ids=[p.name for p in CASES[:8]])
def test_real_process_exits_1_without_traceback(case: Path, temp_hub: TempHub) -> None:
    root = temp_hub()
    overlay(root, case)
    proc = subprocess.run(
        [sys.executable, "-m", "site_tools", "validate", "--strict", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr == (case / "expected.txt").read_text(encoding="utf-8")


def test_all_problems_of_all_files_in_one_pass(temp_hub: TempHub) -> None:
    root = temp_hub()
    for name in ("unknown-strand", "malformed-doi", "event-handler"):
        overlay(root, FIXTURES / "broken" / name)
    result = CliRunner().invoke(cli, ["validate", "--strict", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "3 problems found"


def test_script_symlinked_out_of_repro_is_refused(temp_hub: TempHub, tmp_path: Path) -> None:
    root = temp_hub()
    outside = tmp_path / "elsewhere.py"
    outside.write_text("print('hi')\n")
    (root / "repro" / "mean_shrinks.py").unlink()
    (root / "repro" / "mean_shrinks.py").symlink_to(outside)
    result = CliRunner().invoke(cli, ["validate", "--strict", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "claims/mean-shrinks.yaml:10:11: reproduction.script: script 'repro/mean_shrinks.py' "
        "resolves outside repro/ (a symlink?)"
    )


def test_an_input_symlinked_out_of_repro_is_refused(temp_hub: TempHub, tmp_path: Path) -> None:
    # The file an input names is mounted into the sandbox: through a link, any file at all.
    root = temp_hub()
    secret = tmp_path / "credentials"
    secret.write_text("token\n")
    (root / "repro" / "table.csv").symlink_to(secret)
    claim = root / "claims" / "mean-shrinks.yaml"
    claim.write_text(
        claim.read_text().replace(
            "  seeds: [0, 1, 2]\n", "  seeds: [0, 1, 2]\n  inputs: [repro/table.csv]\n"
        )
    )
    result = CliRunner().invoke(cli, ["validate", "--strict", "--root", str(root)])
    assert result.exit_code == 1
    assert result.output == (
        "claims/mean-shrinks.yaml:14:12: reproduction.inputs.0: input 'repro/table.csv' is not "
        "a plain file under repro/ (a symlink?)\n1 problem found\n"
    )


def test_github_format_prints_annotations(temp_hub: TempHub) -> None:
    root = temp_hub()
    overlay(root, FIXTURES / "broken" / "unknown-strand")
    result = CliRunner().invoke(cli, ["validate", "--root", str(root), "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=claims/mean-shrinks.yaml,line=3,col=9,title=strand::unknown strand "
        "'simple-law' (did you mean 'simple-laws'?); one of solvable-settings, tractable-limits, "
        "simple-laws, hyperparameters, universal-behaviours"
    )


def test_valid_base_hub_passes(temp_hub: TempHub) -> None:
    result = CliRunner().invoke(cli, ["validate", "--root", str(temp_hub())])
    assert result.exit_code == 0
    assert result.output == "ok: 1 claims, 1 open questions, 2 references\n"
