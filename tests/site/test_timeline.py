from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from site_tools.catalog import load_catalog
from site_tools.models import Claim
from site_tools.records import Provenance, RunRecord
from site_tools.site.timeline import last_change, outcome, timelines
from tests.site.hubs import SITE_HUB

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
PROV = Provenance(
    git_commit=None,
    python="3.11.7",
    numpy=None,
    torch=None,
    platform="Linux-6.1",
    machine="x86_64",
    device="cpu",
)


def _claim() -> Claim:
    """``sharpness-threshold``: one prediction, sharpness_ratio within 1 ± 0.05."""
    return load_catalog(Path(SITE_HUB)).claims["sharpness-threshold"]


def record(identity: str, seed: int, ratio: float, day: int) -> RunRecord:
    return RunRecord(
        claim_id="sharpness-threshold",
        identity=identity,
        seed=seed,
        status="measured",
        metrics={"sharpness_ratio": ratio},
        started_at=T0 + timedelta(days=day),
        duration_s=1.0,
        provenance=PROV,
    )


def test_a_version_is_judged_under_the_seed_rule() -> None:
    claim = _claim()  # a majority of seeds must pass
    seeds = claim.reproduction.seeds
    one_off = [record("a", s, 1.5 if s == seeds[0] else 1.0, 0) for s in seeds]
    assert outcome(claim, one_off) == "reproduced"
    two_off = [record("a", s, 1.0 if s == seeds[0] else 1.5, 0) for s in seeds]
    assert outcome(claim, two_off) == "failed"


def test_timeline_and_last_change() -> None:
    claim = _claim()
    seeds = claim.reproduction.seeds
    history = [
        *(record("a", s, 1.0, 0) for s in seeds),
        *(record("b", s, 1.5, 2) for s in seeds),
        *(record("c", s, 1.5, 5) for s in seeds),
    ]
    (versions,) = timelines(claim, history).values()
    assert [v.outcome for v in versions] == ["reproduced", "failed", "failed"]
    change = last_change(claim, history)
    assert change is not None and change.before == "reproduced" and change.after == "failed"
    assert change.when == T0 + timedelta(days=2)
    first = last_change(claim, history[: len(seeds)])
    assert first is not None and first.before is None and first.after == "reproduced"
    assert last_change(claim, []) is None
