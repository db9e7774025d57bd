"""A claim's verdict over time: one outcome per version (content hash), per environment.

The outcome of a version is derived from the record statuses of :mod:`site_tools.records`
(the one list of them, ``RunStatus``); nothing here invents a state name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from site_tools.records import RunRecord

_PRECEDENCE = ("failed", "error", "timeout", "reproduced", "needs-gpu", "smoke-ok")
"""Which record status names a version when its seeds disagree: a miss first, then a run
that broke, then success; a version waiting for a GPU or run only in its smoke size last."""


@dataclass(frozen=True)
class Version:
    """One version of a claim as it ran in one environment."""

    content_hash: str
    first_run: datetime
    outcome: str


@dataclass(frozen=True)
class Change:
    """The latest change of a claim's outcome across its versions (any environment)."""

    when: datetime
    before: str | None
    """The previous version's outcome; None when the claim has a single version."""
    after: str


def outcome(records: list[RunRecord]) -> str:
    """The outcome of one version: the first of :data:`_PRECEDENCE` among its records."""
    statuses = {r.status for r in records}
    return next((s for s in _PRECEDENCE if s in statuses), sorted(statuses)[0])


def environment(record: RunRecord) -> str:
    """A short name of the environment a record ran in."""
    p = record.provenance
    parts = [p.device, p.platform.split("-")[0], p.machine, f"Python {p.python}"]
    if p.torch:
        parts.append(f"torch {p.torch}")
    return " · ".join(parts)


def _versions(records: list[RunRecord]) -> list[Version]:
    groups: dict[str, list[RunRecord]] = {}
    for record in sorted(records, key=lambda r: r.started_at):
        groups.setdefault(record.content_hash, []).append(record)
    return sorted(
        (Version(h, rs[0].started_at, outcome(rs)) for h, rs in groups.items()),
        key=lambda v: v.first_run,
    )


def timelines(history: list[RunRecord]) -> dict[str, list[Version]]:
    """Environment name to its versions, oldest first (full-size runs and smoke runs alike)."""
    by_env: dict[str, list[RunRecord]] = {}
    for record in history:
        by_env.setdefault(environment(record), []).append(record)
    return {env: _versions(records) for env, records in sorted(by_env.items())}


def last_change(history: list[RunRecord]) -> Change | None:
    """When the claim's outcome last changed from one version to the next, or first ran."""
    versions = _versions(history)
    if not versions:
        return None
    for previous, current in zip(versions[-2::-1], versions[:0:-1], strict=False):
        if previous.outcome != current.outcome:
            return Change(current.first_run, previous.outcome, current.outcome)
    return Change(versions[0].first_run, None, versions[0].outcome)
