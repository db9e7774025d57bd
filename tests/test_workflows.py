"""The GitHub workflows pass a security audit and GitHub's schema, and keep their rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    assert Path(found).exists(), f"{name} is a test dependency: pip install -e '.[test]'"
    return found


def test_zizmor_finds_nothing() -> None:
    proc = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflows_match_githubs_schema(schema: str) -> None:
    proc = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_issue_forms_match_githubs_schema() -> None:
    forms = [
        p for p in (REPO / ".github" / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml"
    ]
    proc = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-issue-forms",
            *map(str, forms),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_security_rules(path: Path) -> None:
    text = path.read_text()
    flow = yaml.safe_load(text)
    assert "pull_request_target" not in text
    assert flow["permissions"] == {}, "default to no permissions; grant per job"
    for name, job in flow["jobs"].items():
        assert "timeout-minutes" in job, f"{name} has no timeout"
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), (
                    f"{uses} is not pinned by SHA"
                )
            assert "${{" not in step.get("run", ""), (
                "pass expressions through env, not into scripts"
            )
        if "pull_request" in flow.get(True, flow.get("on", {})):
            assert job["permissions"] == {"contents": "read"}
