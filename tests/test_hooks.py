"""The pre-commit hooks run without an activated environment, or say how to get one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import BASE_HUB, REPO

BARE_PATH = "/usr/bin:/bin"
"""A PATH with no virtual environment on it, as in a fresh terminal."""


def _bare_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = BARE_PATH
    return env


def _wrapper(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/venv-run.sh", *args],
        cwd=cwd,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_local_hook_goes_through_the_wrapper() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks and all(h["entry"].startswith("bash scripts/venv-run.sh ") for h in hooks)


def test_without_a_venv_the_hook_names_the_setup_command(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "venv-run.sh", tmp_path / "scripts")
    proc = _wrapper(tmp_path, "lmhub", "validate")
    assert proc.returncode == 1
    assert proc.stderr == (
        f"lmhub is not installed in {tmp_path}/.venv: run 'bash scripts/setup.sh' once, "
        "then commit again\n"
    )


def test_with_the_venv_the_hook_needs_no_activation() -> None:
    proc = _wrapper(REPO, "lmhub", "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("lmhub, version ")


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "pre-commit").exists(), reason="no pre-commit")
def test_pre_commit_runs_the_validate_hook(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(BASE_HUB, hub)
    shutil.copy(REPO / ".pre-commit-config.yaml", hub)
    (hub / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "venv-run.sh", hub / "scripts")
    (hub / ".venv").symlink_to(REPO / ".venv")
    env = _bare_env() | {"PRE_COMMIT_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=hub, check=True, env=env, timeout=30)
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "pre-commit"), "run", "lmhub-validate", "--all-files"],
        cwd=hub,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "lmhub validate" in proc.stdout and "Passed" in proc.stdout
