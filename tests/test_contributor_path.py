"""The path CONTRIBUTING.md describes, end to end, with only the steps it names.

Scaffold a claim, replace what the template marks as placeholders, cite, link an open
question both ways, validate, run, smoke-run, build, and pass ``lmhub check``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from site_tools.cli.app import cli
from tests.conftest import BASE_HUB, REPO, TempHub

MEAN_SHRINKS = """\
from harness import parse_args, write_result

write_result(parse_args(), metrics={"scaled_mean": 0.1})
"""
NEW_BIB = """
@book{vershynin2018high,
  author    = {Vershynin, Roman},
  title     = {High-Dimensional Probability: An Introduction with Applications in Data Science},
  publisher = {Cambridge University Press},
  year      = {2018},
  doi       = {10.1017/9781108231596},
}
"""


def _lmhub(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--root", str(root)])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_new_claim_runs_and_gets_a_page(temp_hub: TempHub) -> None:
    base_claim = (BASE_HUB / "claims" / "mean-shrinks.yaml").read_text(encoding="utf-8")
    ready = base_claim.replace(
        "  seeds: [0, 1, 2]\n",
        "  seeds: [0, 1, 2]\n  cost_s: 0.1\n  plot: {x_label: n, y_label: mean}\n",
    )
    # The base hub's claim, made ready for review and runnable (its stub script only prints).
    root = temp_hub({"repro/mean_shrinks.py": MEAN_SHRINKS, "claims/mean-shrinks.yaml": ready})
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copyfile(REPO / "repro" / "harness.py", root / "repro" / "harness.py")
    (root / "docs").mkdir()
    for page in ("about.md", "contributing.md"):
        text = (REPO / "docs" / page).read_text(encoding="utf-8")
        (root / "docs" / page).write_text(text, encoding="utf-8")
    assert _lmhub(root, "schema").exit_code == 0  # the field reference the site links to

    # 1. Scaffold it: valid as written, with the template's leftovers listed as warnings.
    made = _lmhub(root, "new", "claim", "my-first-claim", "--strand", "simple-laws")
    assert made.exit_code == 0, made.output
    checked = _lmhub(root, "validate")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.endswith("; 3 warnings\n")
    assert _lmhub(root, "check").exit_code == 1

    # 2-5. Replace the placeholders, cite the source, link an open question both ways.
    claim = root / "claims" / "my-first-claim.yaml"
    _edit(
        claim,
        "title: My first claim  # placeholder: state the result in one sentence",
        "title: The scaled sample mean of normal draws stays of order one",
    )
    _edit(claim, "tags: [example]  # placeholder: name the topic", "tags: [sampling]")
    _edit(
        claim,
        "citations: [saxe2014exact]  # placeholder: cite the paper the prediction comes from",
        "citations: [vershynin2018high]",
    )
    _edit(claim, "open_questions: []", "open_questions: [why-mean]")
    _edit(
        root / "open_questions" / "why-mean.yaml",
        "related_claims: [mean-shrinks]",
        "related_claims: [mean-shrinks, my-first-claim]",
    )
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(NEW_BIB)
    checked = _lmhub(root, "validate")
    assert checked.exit_code == 0 and checked.output.startswith("ok: 2 claims"), checked.output
    assert "warning" not in checked.output

    ran = _lmhub(root, "run", "my-first-claim")
    assert ran.exit_code == 0, ran.output
    assert "my-first-claim" in ran.output and "reproduced" in ran.output
    smoke = _lmhub(root, "run", "--smoke")  # every claim, on its smoke configuration
    assert smoke.exit_code == 0, smoke.output
    assert "my-first-claim" in smoke.output

    built = _lmhub(root, "build")
    assert built.exit_code == 0, built.output
    page = root / "site" / "claims" / "my-first-claim" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "The scaled sample mean of normal draws stays of order one" in html
    assert "reproduced" in html
    assert any(Path(root / "site").rglob("my-first-claim*.bib")), "no BibTeX export for the claim"

    # 6. Before the pull request: validation, content checks and schemas, all green.
    final = _lmhub(root, "check")
    assert final.exit_code == 0, final.output
    assert final.output == (
        "ok: 2 claims and 1 open question pass validation and the content checks\n"
    )
