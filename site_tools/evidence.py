"""Where run records are kept, and which of them may set a claim's published status.

Two stores, told apart by where they live, never by what a record says about itself:

- the **evidence store** (``.evidence/`` in a checkout) mirrors the ``evidence`` branch of the
  hub's repository. Only the hub's own main workflow writes that branch, from records its
  own jobs made (:func:`publish`); pull-request workflows have no token that can. Its
  records are the only ones that set a claim's status on the site.
- the **reported store** (``results/``) holds records made anywhere else: a contributor's
  machine, a pull request, a local ``lmhub run``. They are shown apart ("also reported on N
  environments") and can turn no claim green or red.

``lmhub evidence fetch`` brings the branch into ``.evidence/``, so a fresh clone and the site
job see the same evidence. See ``docs/guide/trust.md`` for the threats this stops and the
ones it does not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from site_tools.hub import HubPaths
from site_tools.records import (
    BadRecord,
    Origin,
    RecordName,
    RunRecord,
    is_record_name,
    read_record,
)

BRANCH = "evidence"
LOCAL_REF = "refs/lmhub/evidence"
COMMITTER = {
    "GIT_AUTHOR_NAME": "lmhub evidence",
    "GIT_AUTHOR_EMAIL": "lmhub-evidence@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "lmhub evidence",
    "GIT_COMMITTER_EMAIL": "lmhub-evidence@users.noreply.github.com",
}


class EvidenceError(Exception):
    """Fetching or publishing evidence failed; the message says why and what to do."""


@dataclass(frozen=True)
class Store:
    """A folder of run records and whether its records may set a published status."""

    path: Path
    trusted: bool


def stores(paths: HubPaths) -> tuple[Store, Store]:
    """The hub's evidence store (trusted) and its reported store."""
    return Store(paths.evidence, True), Store(paths.results, False)


def ci_origin(env: Mapping[str, str] | None = None) -> Origin:
    """The origin of records made by the hub's own workflow, from GitHub's variables."""
    env = os.environ if env is None else env
    return Origin(
        kind="hub-ci",
        workflow=env.get("GITHUB_WORKFLOW"),
        run_id=env.get("GITHUB_RUN_ID"),
        run_attempt=env.get("GITHUB_RUN_ATTEMPT"),
        repository=env.get("GITHUB_REPOSITORY"),
        ref=env.get("GITHUB_REF"),
        commit=env.get("GITHUB_SHA"),
        runner=env.get("RUNNER_NAME"),
    )


def _git(root: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    full_env = {**os.environ, **COMMITTER, **(env or {})}
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )
    if done.returncode != 0:
        raise EvidenceError(f"git {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _fetch_ref(root: Path, remote: str) -> bool:
    """Fetch the evidence branch into :data:`LOCAL_REF`; False when the remote has none."""
    heads = _git(root, "ls-remote", "--heads", remote, BRANCH)
    if not heads:
        return False
    _git(root, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{BRANCH}:{LOCAL_REF}")
    return True


def fetch(paths: HubPaths, remote: str = "origin") -> int:
    """Replace ``.evidence/`` with the evidence branch of ``remote``; the number of records.

    The new copy is unpacked beside the old one and swapped in, so an interrupted fetch
    leaves the previous copy whole. A remote without the branch gives an empty store.

    Raises
    ------
    EvidenceError
        When git cannot reach the remote.
    """
    root = paths.root
    target = paths.evidence
    fresh = Path(tempfile.mkdtemp(prefix=".evidence-", dir=root))
    try:
        if _fetch_ref(root, remote):
            archive = subprocess.run(
                ["git", "-C", str(root), "archive", "--format=tar", LOCAL_REF],
                capture_output=True,
                check=False,
            )
            if archive.returncode != 0:
                raise EvidenceError(f"git archive failed: {archive.stderr.decode().strip()}")
            tar_path = fresh / ".branch.tar"
            tar_path.write_bytes(archive.stdout)
            with tarfile.open(tar_path) as tar:
                tar.extractall(fresh, filter="data")
            tar_path.unlink()
        old = target.with_name(f".evidence-old-{os.getpid()}")
        if target.exists():
            target.rename(old)
        fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return sum(1 for p in target.glob("*/*") if is_record_name(p.name))


@dataclass
class Published:
    added: list[str]
    already: list[str]
    refused: list[str]
    commit: str | None


def _candidates(sources: list[Path]) -> list[Path]:
    found: list[Path] = []
    for source in sources:
        found += sorted(p for p in source.glob("*/*") if is_record_name(p.name))
    return found


def _check(path: Path, run_id: str, claim_ids: set[str] | None) -> RunRecord | str:
    """The record at ``path`` if it may enter the evidence store, else why not."""
    if RecordName.parse(path.name) is None:
        return "file name is not a record name"
    record = read_record(path)
    if isinstance(record, BadRecord):
        return record.reason
    if record.claim_id != path.parent.name:
        return f"record of claim '{record.claim_id}' in the folder of '{path.parent.name}'"
    if claim_ids is not None and record.claim_id not in claim_ids:
        return f"no claim '{record.claim_id}' in this hub"
    if record.origin.kind != "hub-ci" or record.origin.run_id != run_id:
        return f"not made by workflow run {run_id}"
    return record


def publish(
    paths: HubPaths,
    sources: list[Path],
    run_id: str,
    *,
    remote: str = "origin",
    claim_ids: set[str] | None = None,
    push: bool = True,
) -> Published:
    """Add the records of workflow run ``run_id`` found in ``sources`` to the evidence branch.

    Only records whose origin names this run are taken (records fetched from the branch
    earlier, or committed by anyone, are not); a record already on the branch is skipped
    and an existing file is never replaced, so the branch is append-only. The commit is
    built with git's plumbing on a private index: no checkout, and the working tree is not
    touched. A push that loses a race is retried on top of the new branch head.

    Raises
    ------
    EvidenceError
        When git fails or the push is refused three times.
    """
    root = paths.root
    for _attempt in range(3):
        parent = LOCAL_REF if _fetch_ref(root, remote) else None
        existing: set[str] = set()
        if parent is not None:
            existing = set(_git(root, "ls-tree", "-r", "--name-only", parent).splitlines())
        out = Published([], [], [], None)
        with tempfile.TemporaryDirectory() as tmp:
            index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if parent is not None:
                _git(root, "read-tree", parent, env=index)
            for path in _candidates(sources):
                name = f"{path.parent.name}/{path.name}"
                checked = _check(path, run_id, claim_ids)
                if isinstance(checked, str):
                    if name not in existing:
                        out.refused.append(f"{name}: {checked}")
                    continue
                if name in existing:
                    out.already.append(name)
                    continue
                blob = _git(root, "hash-object", "-w", str(path))
                _git(
                    root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=index
                )
                out.added.append(name)
            if not out.added:
                return out
            tree = _git(root, "write-tree", env=index)
        message = f"Evidence: {len(out.added)} record(s) from workflow run {run_id}"
        args = ["commit-tree", tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        out.commit = _git(root, *args)
        if not push:
            _git(root, "update-ref", LOCAL_REF, out.commit)
            return out
        try:
            _git(root, "push", "--quiet", remote, f"{out.commit}:refs/heads/{BRANCH}")
            return out
        except EvidenceError:
            continue  # someone else published meanwhile: build again on the new head
    raise EvidenceError(f"could not push the {BRANCH} branch to {remote} after 3 tries")
