from __future__ import annotations

from datetime import datetime, timedelta, timezone

from site_tools.records import Provenance, RunRecord
from site_tools.site.timeline import last_change, outcome, timelines

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


def record(digest: str, seed: int, status: str, day: int) -> RunRecord:
    return RunRecord(
        claim_id="c",
        content_hash=digest,
        seed=seed,
        status=status,  # type: ignore[arg-type]
        started_at=T0 + timedelta(days=day),
        duration_s=1.0,
        provenance=PROV,
    )


def test_a_version_with_one_failing_seed_failed() -> None:
    assert outcome([record("a", 0, "reproduced", 0), record("a", 1, "failed", 0)]) == "failed"


def test_timeline_and_last_change() -> None:
    history = [
        record("a", 0, "reproduced", 0),
        record("b", 0, "failed", 2),
        record("c", 0, "failed", 5),
    ]
    (versions,) = timelines(history).values()
    assert [v.outcome for v in versions] == ["reproduced", "failed", "failed"]
    change = last_change(history)
    assert change is not None and change.before == "reproduced" and change.after == "failed"
    assert change.when == T0 + timedelta(days=2)
    first = last_change(history[:1])
    assert first is not None and first.before is None and first.after == "reproduced"
    assert last_change([]) is None
