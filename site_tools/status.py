"""A claim's status, judged from its run records: what the site and the runner show.

Records are grouped by environment; in each, the latest record of each declared seed at the
claim's current identity is judged against the current predictions (never a stored
verdict). The claim's published state comes from the hub's evidence store alone; records
from the reported store are judged the same way and shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from site_tools.environment import environment_key, environment_label
from site_tools.evidence import stores
from site_tools.hub import HubPaths
from site_tools.identity import FileDigests, Identity, claim_identities, predictions_digest
from site_tools.judge import (
    JudgedRun,
    MetricSummary,
    claim_verdict,
    judge_record,
    mutant_caught,
    summarise,
)
from site_tools.models import Claim
from site_tools.records import BadRecord, RecordName, RunRecord, iter_records, latest_stamp
from site_tools.states import ClaimState, Sensitivity


@dataclass
class EnvironmentResult:
    """The claim judged in one environment, at its current identity."""

    key: str
    label: str
    state: ClaimState
    records: list[RunRecord]
    """The latest record of each declared seed at the current identity, by seed."""
    summaries: list[MetricSummary]
    last_run: datetime
    message: str = ""


@dataclass
class MutantResult:
    """What the runs of one mutant show, at its current identity."""

    id: str
    caught: bool | None
    """None until every declared seed has a measured run of the mutant."""
    summaries: list[MetricSummary] = field(default_factory=list)
    seeds_run: int = 0
    message: str = ""


@dataclass
class Evidence:
    """Everything one store says about one claim."""

    environments: list[EnvironmentResult] = field(default_factory=list)
    mutants: list[MutantResult] = field(default_factory=list)
    smoke: list[RunRecord] = field(default_factory=list)
    """The latest smoke record of each seed, at the smoke identity."""
    history: list[RunRecord] = field(default_factory=list)
    """Every full-configuration record, any identity, oldest first."""
    bad: list[BadRecord] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)

    @property
    def complete(self) -> list[EnvironmentResult]:
        return [e for e in self.environments if e.state != "stale"]


@dataclass
class ClaimStatus:
    """Where a claim stands now, and the evidence behind it."""

    claim_id: str
    state: ClaimState
    identity: str
    current: list[RunRecord] = field(default_factory=list)
    """The records whose numbers the page shows (the latest complete trusted environment)."""
    history: list[RunRecord] = field(default_factory=list)
    """Every trusted full-configuration record, any identity, oldest first."""
    summaries: list[MetricSummary] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    environments: list[EnvironmentResult] = field(default_factory=list)
    """Trusted: one entry per environment with a record at the current identity."""
    reported: list[EnvironmentResult] = field(default_factory=list)
    """The same, from the reported store; shown apart, never deciding the state."""
    mutants: list[MutantResult] = field(default_factory=list)
    sensitivity: Sensitivity = "unchecked"
    smoke: list[RunRecord] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def reproduced_on(self) -> int:
        return sum(e.state == "reproduced" for e in self.environments)


def _latest(records: list[RunRecord], seeds: list[int]) -> dict[int, RunRecord]:
    """The latest record of each seed; a ``needs-gpu`` one only where there is no other."""
    latest: dict[int, RunRecord] = {}
    for record in records:  # oldest first
        if record.seed not in seeds:
            continue
        earlier = latest.get(record.seed)
        if record.status == "needs-gpu" and earlier is not None and earlier.status != "needs-gpu":
            continue
        latest[record.seed] = record
    return latest


def judge_seeds(
    claim: Claim, latest: dict[int, RunRecord], digest: str, disagreements: list[str]
) -> tuple[ClaimState, list[MetricSummary], str]:
    """Judge the latest record of each declared seed: breakage, ``stale`` (seeds missing),
    or the verdict of the current predictions on their metrics."""
    seeds = claim.reproduction.seeds
    for breakage in ("error", "timeout"):
        broken = [r for r in latest.values() if r.status == breakage]
        if broken:
            return breakage, [], broken[0].message
    measured = [r for r in latest.values() if r.status == "measured"]
    if len(measured) < len(seeds):
        return "stale", [], f"{len(measured)} of {len(seeds)} seeds measured"
    judged: list[JudgedRun] = []
    for record in sorted(measured, key=lambda r: r.seed):
        run = judge_record(claim, record, digest)
        if run.problem:
            return "error", [], f"seed {record.seed}: {run.problem}"
        if run.disagreement:
            disagreements.append(run.disagreement)
        judged.append(run)
    summaries = summarise(claim, judged)
    return claim_verdict(summaries), summaries, ""


def store_evidence(
    claim: Claim,
    store: Path,
    full: Identity,
    mutants: dict[str, Identity],
    smoke: Identity | None,
    now: datetime | None = None,
) -> Evidence:
    """Judge every record of ``claim`` in ``store`` against its current predictions."""
    limit = latest_stamp(now)
    out = Evidence()
    digest = predictions_digest(claim)
    by_config: dict[str, list[RunRecord]] = {}
    for path, record in iter_records(store, claim.id):
        if isinstance(record, BadRecord):
            out.bad.append(record)
            continue
        name = RecordName.parse(path.name)
        if name is None or name.from_the_future(limit) or record.claim_id != claim.id:
            out.bad.append(BadRecord(path, "dated in the future or misnamed; ignored"))
            continue
        by_config.setdefault(record.configuration, []).append(record)
    for records in by_config.values():
        records.sort(key=lambda r: r.started_at)
    seeds = claim.reproduction.seeds
    out.history = by_config.get("full", [])
    groups: dict[str, list[RunRecord]] = {}
    for record in out.history:
        if record.identity == full.digest and record.status != "needs-gpu":
            groups.setdefault(environment_key(record.provenance), []).append(record)
    for key, records in groups.items():
        latest = _latest(records, seeds)
        state, summaries, message = judge_seeds(claim, latest, digest, out.disagreements)
        out.environments.append(
            EnvironmentResult(
                key,
                environment_label(records[-1].provenance),
                state,
                [latest[s] for s in sorted(latest)],
                summaries,
                records[-1].started_at,
                message,
            )
        )
    out.environments.sort(key=lambda e: e.last_run)
    for mutant in claim.mutants:
        config = f"mutant:{mutant.id}"
        identity = mutants[mutant.id]
        records = [r for r in by_config.get(config, []) if r.identity == identity.digest]
        latest = _latest([r for r in records if r.status != "needs-gpu"], seeds)
        state, summaries, message = judge_seeds(claim, latest, digest, out.disagreements)
        caught = None
        if state in ("reproduced", "failed", "inconclusive"):
            caught = mutant_caught(summaries, mutant.must_fail)
        out.mutants.append(MutantResult(mutant.id, caught, summaries, len(latest), message))
    if smoke is not None:
        records = [r for r in by_config.get("smoke", []) if r.identity == smoke.digest]
        latest = _latest(records, seeds)
        out.smoke = [latest[s] for s in sorted(latest)]
    return out


def sensitivity(claim: Claim, evidence: Evidence) -> Sensitivity:
    if not claim.mutants or all(m.caught is None and m.seeds_run == 0 for m in evidence.mutants):
        return "unchecked"
    if any(m.caught is False for m in evidence.mutants):
        return "insensitive"
    if all(m.caught for m in evidence.mutants):
        return "caught"
    return "incomplete"


def decide_state(claim: Claim, evidence: Evidence) -> tuple[ClaimState, EnvironmentResult | None]:
    """The claim's state from one store's evidence, and the environment whose numbers show."""
    complete = evidence.complete
    if not complete:
        latest = evidence.environments[-1] if evidence.environments else None
        if claim.reproduction.device == "gpu" and latest is None:
            return "awaiting-gpu", None
        if latest is not None and latest.state in ("error", "timeout"):
            return latest.state, latest
        if latest is not None or evidence.history:
            return "stale", latest
        return "not-run", None
    shown = complete[-1]
    verdicts = {e.state for e in complete}
    if verdicts & {"error", "timeout"} and not verdicts & {"reproduced", "failed", "inconclusive"}:
        return shown.state, shown
    judged = verdicts & {"reproduced", "failed", "inconclusive"}
    if "reproduced" in judged and ("failed" in judged or "inconclusive" in judged):
        state: ClaimState = "regressed"
    elif judged:
        state = "failed" if "failed" in judged else next(iter(judged))
    else:
        state = shown.state
    if state == "reproduced" and sensitivity(claim, evidence) == "insensitive":
        state = "insensitive"
    return state, shown


def identities(
    claim: Claim, root: Path, files: FileDigests | None = None
) -> tuple[Identity, dict[str, Identity], Identity | None]:
    """The claim's full identity, each mutant's, and the smoke run's (if it has one)."""
    configurations = ["full", *(f"mutant:{m.id}" for m in claim.mutants)]
    if claim.reproduction.smoke:
        configurations.append("smoke")
    found = claim_identities(claim, root, configurations, files)
    mutants = {m.id: found[f"mutant:{m.id}"] for m in claim.mutants}
    return found["full"], mutants, found.get("smoke")


def claim_status(
    claim: Claim, paths: HubPaths, files: FileDigests | None = None, now: datetime | None = None
) -> ClaimStatus:
    """Status of ``claim``: its state from the evidence store, reported evidence beside it."""
    full, mutants, smoke = identities(claim, paths.root, files)
    trusted_store, reported_store = stores(paths)
    trusted = store_evidence(claim, trusted_store.path, full, mutants, smoke, now)
    reported = store_evidence(claim, reported_store.path, full, mutants, smoke, now)
    state, shown = decide_state(claim, trusted)
    smoke_records = trusted.smoke or reported.smoke
    return ClaimStatus(
        claim_id=claim.id,
        state=state,
        identity=full.digest,
        current=shown.records if shown else [],
        history=trusted.history,
        summaries=shown.summaries if shown else [],
        bad=trusted.bad + reported.bad,
        environments=trusted.environments,
        reported=reported.environments,
        mutants=trusted.mutants if any(m.seeds_run for m in trusted.mutants) else reported.mutants,
        sensitivity=sensitivity(claim, trusted),
        smoke=smoke_records,
        disagreements=trusted.disagreements + reported.disagreements,
        message=shown.message if shown else "",
    )
