"""Which files make a claim's identity, and the memo of their digests."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from site_tools.identity import FileDigests, claim_identity, local_imports, run_files
from site_tools.models import Claim
from tests.runner.conftest import claim_yaml


def _claim(inputs: tuple[str, ...]) -> Claim:
    return Claim.model_validate(yaml.safe_load(claim_yaml("alpha", "main", inputs=inputs)))


def _repro(root: Path) -> None:
    repro = root / "repro"
    repro.mkdir(parents=True)
    (repro / "main.py").write_text("import numpy\nimport helper\nfrom b_util import x\n")
    (repro / "helper.py").write_text("import a_util\nimport main\n")  # a cycle back
    (repro / "a_util.py").write_text("x = 1\n")
    (repro / "b_util.py").write_text("x = 2\n")
    (repro / "unused.py").write_text("x = 3\n")
    (repro / "sitecustomize.py").write_text("")
    (repro / "data").mkdir()
    (repro / "data" / "table.csv").write_text("1,2\n")


def test_run_files_are_the_script_its_helpers_the_implicit_modules_and_inputs(
    tmp_path: Path,
) -> None:
    _repro(tmp_path)
    claim = _claim(("repro/data/table.csv", "repro/helper.py"))
    repro = tmp_path / "repro"
    assert local_imports(repro / "main.py", repro) == [
        repro / "a_util.py",
        repro / "b_util.py",
        repro / "helper.py",
    ]
    rel = [p.relative_to(tmp_path).as_posix() for p in run_files(claim, tmp_path)]
    assert rel == [
        "repro/main.py",
        "repro/a_util.py",
        "repro/b_util.py",
        "repro/helper.py",
        "repro/sitecustomize.py",
        "repro/data/table.csv",
    ]
    identity = claim_identity(claim, tmp_path)
    assert identity.files == tuple(rel)
    assert set(identity.parts) >= {f"file {name}" for name in rel[1:]}


def test_a_missing_input_is_part_of_the_identity_as_missing(tmp_path: Path) -> None:
    _repro(tmp_path)
    identity = claim_identity(_claim(("repro/gone.csv",)), tmp_path)
    assert identity.parts["file repro/gone.csv"] == "missing"


def test_one_pass_lists_a_folder_once(tmp_path: Path) -> None:
    _repro(tmp_path)
    repro = tmp_path / "repro"
    stamp = repro.stat().st_mtime_ns - 10**10  # old enough to be trusted
    os.utime(repro, ns=(stamp, stamp))
    each, once = FileDigests(), FileDigests(one_pass=True)
    assert "new.py" not in each.files_in(repro) | once.files_in(repro)
    (repro / "new.py").write_text("")
    os.utime(repro, ns=(stamp + 10**9, stamp + 10**9))
    assert "new.py" in each.files_in(repro)
    assert "new.py" not in once.files_in(repro)  # seen by the next pass
    assert "new.py" in FileDigests(one_pass=True).files_in(repro)
