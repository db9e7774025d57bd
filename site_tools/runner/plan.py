"""What to run, and why: compare each chosen claim's identity with its records.

A seed of a configuration (full, smoke, medium, a mutant) is settled when its latest record
at the current identity is ``measured``: the verdict is not part of it, since predictions
are judged anew by every reader. ``error`` and ``timeout`` are history and never settle.
Record file names carry the identity prefix, seed, status and configuration (see
:class:`RecordName`), so the plan is made from directory listings alone; a record dated
more than a day in the future is ignored. The only files opened are the settled record per
seed whose numbers the summary shows, and, for a claim that must run again, its latest
record, whose per-input hashes say what changed. A claim whose folder and settled records
are as they were when it last needed no run is not planned at all: its outcome is
remembered (:mod:`site_tools.runner.outcomes`).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from site_tools.identity import Identity
from site_tools.models import Claim
from site_tools.records import (
    SETTLED,
    BadRecord,
    RecordName,
    RunRecord,
    is_record_name,
    latest_stamp,
    read_record,
)

HASH_PREFIX = 12
"""Characters of the content hash kept in a record's file name."""

_INPUT_WORDS = {
    "script": "script",
    "parameters": "parameters",
    "device": "device",
    "threads": "thread count",
    "scheme": "identity scheme",
}


@dataclass(frozen=True)
class Task:
    """One run to make: a claim at one seed."""

    claim_id: str
    seed: int
    configuration: str
    """``full``, ``smoke``, ``medium`` or ``mutant:<id>``."""
    reason: str
    """Why it runs: ``new``, ``script changed``, ``forced``, ``previous run errored``..."""

    @property
    def smoke(self) -> bool:
        return self.configuration == "smoke"

    @property
    def label(self) -> str:
        """``claim seed N`` with the configuration when it is not the full one."""
        config = "" if self.configuration == "full" else f" [{self.configuration}]"
        return f"{self.claim_id}{config} seed {self.seed}"


@dataclass
class ClaimPlan:
    """One chosen claim: what runs, what is already settled, what cannot run here."""

    claim: Claim
    hash: Identity
    tasks: list[Task] = field(default_factory=list)
    cached: dict[int, RunRecord] = field(default_factory=dict)
    """Seed to the settled record that stands for it (not run again)."""
    cached_files: dict[int, Path] = field(default_factory=dict)
    """Seed to the file of that record."""
    folder_mtime_ns: int | None = None
    """When the record folder last changed, as seen before it was listed."""
    needs_gpu: dict[int, bool] = field(default_factory=dict)
    """Seeds that need a GPU this runner does not have, to whether a ``needs-gpu`` record is
    written for it (only for a seed with no record at all at this hash)."""
    bad: list[BadRecord] = field(default_factory=list)
    has_history: bool = False
    """Whether the claim has any earlier full record (at any hash)."""

    @property
    def reason(self) -> str:
        """Why the claim runs (each distinct reason of its tasks), or ``""``."""
        return "; ".join(dict.fromkeys(t.reason for t in self.tasks))


@dataclass(frozen=True)
class _Name:
    file: str
    parsed: RecordName


def _listing(folder: Path, bad: list[BadRecord]) -> list[_Name]:
    try:
        entries = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = []
    limit = latest_stamp()
    for name in entries:
        if not is_record_name(name):
            continue
        parsed = RecordName.parse(name)
        if parsed is None:
            bad.append(BadRecord(folder / name, "file name is not a record name; ignored"))
        elif parsed.from_the_future(limit):
            bad.append(BadRecord(folder / name, "dated more than a day in the future; ignored"))
        else:
            out.append(_Name(name, parsed))
    return out  # oldest first: names start with the UTC start time


def changed_inputs(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Which inputs differ between two records' ``inputs``, in words."""
    if not old:
        return ["inputs changed"]
    out = []
    for key in sorted(set(old) | set(new), key=_input_order):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key.startswith("file "):
            what = "changed" if before and after else "added" if after else "no longer imported"
            out.append(f"{key} {what}")
        else:
            out.append(f"{_INPUT_WORDS.get(key, key)} changed")
    return out or ["inputs changed"]


def _input_order(key: str) -> tuple[int, str]:
    rank = {"scheme": 0, "script": 1, "parameters": 3, "device": 4, "threads": 5}
    if key.startswith("file "):
        return 2, key
    return rank.get(key, 5), key


def plan_claim(
    claim: Claim,
    digest: Identity,
    results: Path,
    *,
    force: bool = False,
    gpu: bool = True,
) -> ClaimPlan:
    """Decide which seeds of ``claim`` run in ``digest``'s configuration, and why.

    Parameters
    ----------
    claim, digest
        The claim and its current identity in the configuration to plan (a smoke run plans
        the first seed only).
    results
        The record store whose records count as already run.
    force
        Run every seed even if settled.
    gpu
        Whether a GPU is available to runs that need one.
    """
    plan = ClaimPlan(claim, digest)
    folder = results / claim.id
    with contextlib.suppress(OSError):
        plan.folder_mtime_ns = os.stat(folder).st_mtime_ns
    names = _listing(folder, plan.bad)
    config = digest.configuration
    mode = [n for n in names if n.parsed.configuration == config]
    plan.has_history = any(n.parsed.configuration == "full" for n in names)
    prefix = digest.digest[:HASH_PREFIX]
    smoke = config == "smoke"
    seeds = claim.reproduction.seeds[:1] if smoke else claim.reproduction.seeds
    needs_gpu = not gpu and digest.device == "cuda"
    change_reason: str | None = None

    def why_changed() -> str:
        nonlocal change_reason
        if change_reason is None:
            change_reason = _change_reason(folder, mode, prefix, digest)
        return change_reason

    ok_status = SETTLED
    for seed in seeds:
        mine = [n for n in mode if n.parsed.hash_prefix == prefix and n.parsed.seed == seed]
        real = [n for n in mine if n.parsed.status != "needs-gpu"]
        latest = real[-1] if real else (mine[-1] if mine else None)
        reason: str
        if force:
            reason = "forced"
        elif latest is None:
            reason = why_changed()
        elif latest.parsed.status in ok_status:
            record = read_record(folder / latest.file, series=False)
            if isinstance(record, RunRecord) and record.identity == digest.digest:
                plan.cached[seed] = record
                plan.cached_files[seed] = folder / latest.file
                continue
            if isinstance(record, BadRecord):
                plan.bad.append(record)
            reason = "previous record unreadable"
        elif latest.parsed.status == "timeout":
            reason = "previous run timed out"
        elif latest.parsed.status == "needs-gpu":
            reason = "previous run needed a GPU"
        else:
            reason = "previous run errored"
        if needs_gpu:
            plan.needs_gpu[seed] = latest is None
        else:
            plan.tasks.append(Task(claim.id, seed, config, reason))
    return plan


def _change_reason(folder: Path, mode: list[_Name], prefix: str, digest: Identity) -> str:
    """Why a seed with no record at the current hash runs: what changed since the last run."""
    if not mode:
        return "new"
    last = mode[-1]
    if last.parsed.hash_prefix == prefix:
        return "not yet run at this seed"
    record = read_record(folder / last.file, series=False)
    if isinstance(record, BadRecord):
        return "inputs changed (latest record unreadable)"
    return ", ".join(changed_inputs(record.inputs, digest.parts))
