"""The git commit of the hub a run was made from, and whether the tree had changes."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _git_dir(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                return target if target.is_absolute() else (folder / target).resolve()
    return None


def _read_ref(git_dir: Path, ref: str) -> str | None:
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
    for base in (git_dir, common):
        loose = base / ref
        if loose.is_file():
            sha = loose.read_text(encoding="utf-8").strip()
            return sha if _SHA.match(sha) else None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            sha, _, name = line.partition(" ")
            if name == ref and _SHA.match(sha):
                return sha
    return None


def git_commit(root: Path) -> str | None:
    """The commit checked out at ``root``, or ``None`` outside a git repository.

    Read from ``.git`` directly (a ``git`` process per command costs more than the runner's
    whole no-op pass on a large hub); ``git rev-parse`` is the fallback for layouts this
    reader does not know.
    """
    try:
        git_dir = _git_dir(root.resolve())
        if git_dir is None:
            return None
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if _SHA.match(head):
            return head
        if head.startswith("ref:"):
            sha = _read_ref(git_dir, head.removeprefix("ref:").strip())
            if sha:
                return sha
    except OSError:
        pass
    sha = (_git(root, "rev-parse", "HEAD") or "").strip()
    return sha if _SHA.match(sha) else None


def _git(root: Path, *args: str) -> str | None:
    """The output of ``git ARGS`` run at ``root``, or ``None`` when it fails."""
    try:
        out = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


@dataclass(frozen=True)
class TreeState:
    """The working tree a run was made from: its commit, and whether it had changes."""

    commit: str | None
    dirty: bool | None
    """Uncommitted changes (tracked or untracked, outside ``results/``); ``None``: unknown."""


def git_dirty(root: Path) -> bool | None:
    """Whether the working tree at ``root`` differs from its commit, ``None`` if unknown.

    Run records under ``results/`` are left out: a run writes them itself.
    """
    status = _git(root, "status", "--porcelain", "--", ".", ":(exclude)results")
    return bool(status.strip()) if status is not None else None


def tree_state(root: Path) -> TreeState:
    """The commit checked out at ``root`` and whether the tree had uncommitted changes."""
    commit = git_commit(root)
    return TreeState(commit, git_dirty(root) if commit is not None else None)
