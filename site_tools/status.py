"""A claim's current status, from its run records: what the site shows next to each claim."""

from __future__ import annotations

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

    @property
    def last_run(self) -> RunRecord | None:
        return max(self.current, key=lambda r: r.started_at) if self.current else None


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
    latest: dict[int, RunRecord] = {}
    for record in history:
        if record.content_hash == digest and record.seed in claim.reproduction.seeds:
            latest[record.seed] = record
    status = ClaimStatus(claim.id, "not run", digest, sorted(latest.values(), key=lambda r: r.seed),
                         history, bad=bad)
    if not latest:
        status.state = "stale" if history else "not run"
        return status
    for breakage in ("error", "timeout", "needs-gpu"):
        if any(r.status == breakage for r in latest.values()):
            status.state = breakage  # type: ignore[assignment]
            return status
    if len(latest) < len(claim.reproduction.seeds):
        status.state = "stale"
        return status
    assert all(r.status in SETTLED for r in latest.values())
    status.summaries = summarise(claim, status.current)
    status.state = "reproduced" if all(s.held for s in status.summaries) else "failed"
    return status
