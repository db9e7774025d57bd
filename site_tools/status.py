"""A claim's current status, from its run records: what the site shows next to each claim."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from site_tools.judge import MetricSummary, summarise
from site_tools.models import Claim
from site_tools.records import SETTLED, BadRecord, RunRecord, iter_records

ClaimState = Literal["reproduced", "failed", "error", "timeout", "needs-gpu", "stale", "not run"]


@dataclass
class ClaimStatus:
    """Where a claim stands now, and the history behind it."""

    claim_id: str
    state: ClaimState
    content_hash: str
    current: list[RunRecord] = field(default_factory=list)
    """For the current hash: the latest full (non-smoke) record per declared seed."""
    history: list[RunRecord] = field(default_factory=list)
    """Every full record of this claim, any hash, oldest first."""
    summaries: list[MetricSummary] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)


def latest_per_seed(
    claim: Claim, records: Iterable[RunRecord], digest: str
) -> dict[int, RunRecord]:
    """The latest full record of each declared seed at content hash ``digest``.

    A ``needs-gpu`` record only stands for a seed with no other record: a CPU machine that
    could not run a GPU claim must not mask the result a GPU machine recorded.
    """
    latest: dict[int, RunRecord] = {}
    for record in sorted(records, key=lambda r: r.started_at):
        if (
            record.smoke
            or record.content_hash != digest
            or record.seed not in claim.reproduction.seeds
        ):
            continue
        earlier = latest.get(record.seed)
        if record.status == "needs-gpu" and earlier is not None and earlier.status != "needs-gpu":
            continue
        latest[record.seed] = record
    return latest


def judge_latest(
    claim: Claim, latest: Mapping[int, RunRecord], has_history: bool
) -> tuple[ClaimState, list[MetricSummary]]:
    """The claim's state from the latest record of each seed (see :func:`claim_status`)."""
    if not latest:
        return ("stale" if has_history else "not run"), []
    breakages: tuple[ClaimState, ...] = ("error", "timeout", "needs-gpu")
    for breakage in breakages:
        if any(r.status == breakage for r in latest.values()):
            return breakage, []
    if len(latest) < len(claim.reproduction.seeds):
        return "stale", []
    assert all(r.status in SETTLED for r in latest.values())
    summaries = summarise(claim, sorted(latest.values(), key=lambda r: r.seed))
    return ("reproduced" if all(s.held for s in summaries) else "failed"), summaries


def claim_status(claim: Claim, results: Path, digest: str) -> ClaimStatus:
    """Status of ``claim`` whose current content hash is ``digest``.

    The latest full record of each declared seed at the current hash decides: breakage
    (``error``, ``timeout``, ``needs-gpu``) on any seed wins, else the claim is judged from the
    verdicts under each prediction's seed rule. No record at this hash gives ``stale`` when
    older records exist, else ``not run``.
    """
    history: list[RunRecord] = []
    bad: list[BadRecord] = []
    for _, record in iter_records(results, claim.id):
        if isinstance(record, BadRecord):
            bad.append(record)
        elif not record.smoke and record.claim_id == claim.id:
            history.append(record)
    history.sort(key=lambda r: r.started_at)
    latest = latest_per_seed(claim, history, digest)
    state, summaries = judge_latest(claim, latest, bool(history))
    return ClaimStatus(
        claim.id,
        state,
        digest,
        sorted(latest.values(), key=lambda r: r.seed),
        history,
        summaries,
        bad,
    )
