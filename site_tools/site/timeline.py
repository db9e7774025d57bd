"""A claim's verdict over time: one outcome per version (identity), per environment.

Each version's records are judged against the claim's current predictions, as every other
reader judges them (:func:`site_tools.status.judge_seeds`); the outcome is a claim state of
:mod:`site_tools.states`, so nothing here invents a state name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from site_tools.environment import environment_label
from site_tools.identity import predictions_digest
from site_tools.models import Claim
from site_tools.records import RunRecord
from site_tools.states import ClaimState
from site_tools.status import judge_seeds


@dataclass(frozen=True)
class Version:
    """One version of a claim as it ran in one environment."""

    identity: str
    first_run: datetime
    outcome: ClaimState


@dataclass(frozen=True)
class Change:
    """The latest change of a claim's outcome across its versions (any environment)."""

    when: datetime
    before: ClaimState | None
    """The previous version's outcome; None when the claim has a single version."""
    after: ClaimState


def outcome(claim: Claim, records: list[RunRecord]) -> ClaimState:
    """The outcome of one version: its latest record per seed, judged now."""
    latest: dict[int, RunRecord] = {}
    for record in sorted(records, key=lambda r: r.started_at):
        if record.status != "needs-gpu" and record.seed in claim.reproduction.seeds:
            latest[record.seed] = record
    if not latest:
        return "awaiting-gpu"
    state, _, _ = judge_seeds(claim, latest, predictions_digest(claim), [])
    return state


def _versions(claim: Claim, records: list[RunRecord]) -> list[Version]:
    groups: dict[str, list[RunRecord]] = {}
    for record in sorted(records, key=lambda r: r.started_at):
        groups.setdefault(record.identity, []).append(record)
    return sorted(
        (Version(h, rs[0].started_at, outcome(claim, rs)) for h, rs in groups.items()),
        key=lambda v: v.first_run,
    )


def timelines(claim: Claim, history: list[RunRecord]) -> dict[str, list[Version]]:
    """Environment to its versions, oldest first (the hub's own full-size runs)."""
    by_env: dict[str, list[RunRecord]] = {}
    for record in history:
        by_env.setdefault(environment_label(record.provenance), []).append(record)
    return {env: _versions(claim, records) for env, records in sorted(by_env.items())}


def last_change(claim: Claim, history: list[RunRecord]) -> Change | None:
    """When the claim's outcome last changed from one version to the next, or first ran."""
    versions = _versions(claim, history)
    if not versions:
        return None
    for previous, current in zip(versions[-2::-1], versions[:0:-1], strict=False):
        if previous.outcome != current.outcome:
            return Change(current.first_run, previous.outcome, current.outcome)
    return Change(versions[0].first_run, None, versions[0].outcome)
