"""Which claims a ``lmhub run`` is about: named ones, all, or those changed since a git ref."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from site_tools.identity import FileDigests, run_files
from site_tools.models import Claim
from site_tools.suggest import did_you_mean


class UsageError(Exception):
    """The command line asks for something impossible; the CLI exits 2 with this message."""


@dataclass
class Selection:
    """The chosen claim ids, in run order, and remarks about the choice."""

    ids: list[str]
    notes: list[str] = field(default_factory=list)
    """E.g. a claim file deleted since the ``--changed-since`` ref."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False
        )
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args)} did not finish within 60 s") from None


def _git_out(root: Path, *args: str) -> str:
    out = _git(root, *args)
    if out.returncode != 0:
        why = out.stderr.strip().splitlines()
        raise UsageError(f"git {' '.join(args)} failed: {why[0] if why else out.returncode}")
    return out.stdout


def changed_paths(root: Path, ref: str) -> set[str]:
    """Paths under ``root`` (relative to it) that differ from ``ref``: committed, staged or
    not, and untracked files that are not ignored."""
    check = _git(root, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    if check.returncode != 0:
        if "not a git repository" in check.stderr:
            raise UsageError(f"--changed-since needs a git checkout; {root} is not in one")
        raise UsageError(f"--changed-since {ref}: no such commit in this repository")
    diff = _git_out(root, "diff", "--name-only", "--no-renames", "--relative", ref, "--")
    untracked = _git_out(root, "ls-files", "--others", "--exclude-standard")
    return {line for line in (diff + untracked).splitlines() if line}


def changed_claims(
    root: Path,
    ref: str,
    claims: Mapping[str, Claim],
    sources: Mapping[str, str],
    files: FileDigests,
) -> Selection:
    """Claims whose YAML, or any file a run of it may read (script, helpers, implicit
    start-up modules, declared inputs), changed since ``ref``."""
    changed = changed_paths(root, ref)
    chosen = []
    for cid, claim in sorted(claims.items()):
        inputs = {sources.get(f"claim:{cid}", f"claims/{cid}.yaml")}
        inputs.update(p.relative_to(root).as_posix() for p in run_files(claim, root, files))
        if inputs & changed:
            chosen.append(cid)
    notes = [
        f"{path} was deleted since {ref}; nothing to run for it"
        for path in sorted(changed)
        if path.startswith("claims/") and path.endswith(".yaml") and not (root / path).exists()
    ]
    return Selection(chosen, notes)


def select_claims(
    root: Path,
    claims: Mapping[str, Claim],
    sources: Mapping[str, str],
    files: FileDigests,
    ids: Sequence[str] = (),
    all_claims: bool = False,
    changed_since: str | None = None,
) -> Selection:
    """Resolve the command line's choice of claims.

    Raises
    ------
    UsageError
        For an unknown id, ``--all`` combined with another choice, or no choice at all.
    """
    if all_claims and (ids or changed_since):
        raise UsageError("--all already chooses every claim; leave out IDS and --changed-since")
    if all_claims:
        return Selection(sorted(claims))
    if not ids and changed_since is None:
        raise UsageError("say which claims to run: IDS, --all, or --changed-since REF")
    unknown = [i for i in ids if i not in claims]
    if unknown:
        raise UsageError("; ".join(f"no claim '{i}'{did_you_mean(i, claims)}" for i in unknown))
    chosen = list(dict.fromkeys(ids))
    notes: list[str] = []
    if changed_since is not None:
        found = changed_claims(root, changed_since, claims, sources, files)
        chosen += [cid for cid in found.ids if cid not in chosen]
        notes = found.notes
        if not found.ids:
            notes.append(f"no claim changed since {changed_since}")
    return Selection(chosen, notes)
