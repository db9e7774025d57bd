"""The path CONTRIBUTING.md describes, end to end: scaffold a claim, run it, see its page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_tools.cli.app import cli
from tests.conftest import REPO, TempHub


@pytest.mark.slow
def test_new_claim_runs_and_gets_a_page(temp_hub: TempHub) -> None:
    root = temp_hub()
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copyfile(REPO / "repro" / "harness.py", root / "repro" / "harness.py")
    (root / "docs").mkdir()
    for page in ("about.md", "contributing.md"):
        text = (REPO / "docs" / page).read_text(encoding="utf-8")
        (root / "docs" / page).write_text(text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["schema", "--root", str(root)]).exit_code == 0  # field reference

    made = runner.invoke(
        cli, ["new", "claim", "my-first-claim", "--strand", "simple-laws", "--root", str(root)]
    )
    assert made.exit_code == 0, made.output
    ran = runner.invoke(cli, ["run", "my-first-claim", "--root", str(root)])
    assert ran.exit_code == 0, ran.output
    assert "my-first-claim" in ran.output and "reproduced" in ran.output
    built = runner.invoke(cli, ["build", "--root", str(root)])
    assert built.exit_code == 0, built.output

    page = root / "site" / "claims" / "my-first-claim" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "My first claim" in html
    assert "reproduced" in html
    assert any(Path(root / "site").rglob("my-first-claim*.bib")), "no BibTeX export for the claim"
