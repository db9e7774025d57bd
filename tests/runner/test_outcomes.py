"""Remembered outcomes: a claim whose records are as they were is not planned or judged again,
and any change to what its outcome stood on brings it back."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

import pytest

from site_tools.records import RunRecord, record_bytes, record_filename
from site_tools.runner.cache import load_hub_claims
from site_tools.runner.report import ClaimResult, RunReport
from tests.runner.conftest import RunnerHub, age, run

pytestmark = pytest.mark.timeout(60)


def _settled_hub(runner_hub: RunnerHub) -> Path:
    """A hub whose one claim ran, with every file old enough to be remembered."""
    root = runner_hub(alpha=("ok", {"seeds": (0, 1)}))
    run(root, all_claims=True)
    age(root)
    return root


def _only(report: RunReport) -> ClaimResult:
    (result,) = report.results
    return result


def _remembered(root: Path) -> tuple[ClaimResult, ClaimResult]:
    """The claim's result from a run that judged it, then from one that remembered it."""
    judged = _only(run(root, all_claims=True)[0])
    assert judged.latest and not judged.remembered
    again = _only(run(root, all_claims=True)[0])
    assert again.remembered == [0, 1] and not again.latest, "records were opened again"
    return judged, again


def _memo_file(root: Path) -> Path:
    (path,) = (root / ".hub-cache" / "runner").glob("outcomes-*.json")
    return path


def test_an_unchanged_claim_is_remembered_as_judged(runner_hub: RunnerHub) -> None:
    judged, remembered = _remembered(_settled_hub(runner_hub))
    assert remembered.state == judged.state == "reproduced"
    assert remembered.summaries == judged.summaries
    assert remembered.lines() == judged.lines() and remembered.cached


def test_a_record_edited_in_place_is_read_again(runner_hub: RunnerHub) -> None:
    root = _settled_hub(runner_hub)
    _remembered(root)
    path = next((root / "results" / "alpha").glob("*_s0_*"))
    record = RunRecord.model_validate_json(gzip.decompress(path.read_bytes()))
    path.write_bytes(record_bytes(record.model_copy(update={"metrics": {"value": 5.0}})))
    result = _only(run(root, all_claims=True)[0])
    assert result.state == "failed" and result.latest and not result.remembered


def test_a_new_record_in_the_folder_is_planned_from(runner_hub: RunnerHub) -> None:
    root = _settled_hub(runner_hub)
    _remembered(root)
    old = next((root / "results" / "alpha").glob("*_s1_*"))
    record = RunRecord.model_validate_json(gzip.decompress(old.read_bytes()))
    later = record.model_copy(
        update={"metrics": {"value": 7.0}, "started_at": record.started_at + timedelta(minutes=5)}
    )
    (old.parent / record_filename(later)).write_bytes(record_bytes(later))
    result = _only(run(root, all_claims=True)[0])
    assert result.state == "failed" and 1 in result.latest


def test_changed_predictions_are_judged_again(runner_hub: RunnerHub) -> None:
    root = _settled_hub(runner_hub)
    _remembered(root)
    claim = root / "claims" / "alpha.yaml"
    claim.write_text(claim.read_text().replace("value: 1.0,", "value: 2.0,"))
    result = _only(run(root, all_claims=True)[0])
    assert result.state == "failed" and result.latest


def test_a_damaged_memo_costs_only_time(runner_hub: RunnerHub) -> None:
    root = _settled_hub(runner_hub)
    _remembered(root)
    _memo_file(root).write_text('{"version": 1, "outcomes": {"alpha full": ')
    result = _only(run(root, all_claims=True)[0])
    assert result.state == "reproduced" and result.latest


def test_a_memo_entry_stands_only_while_its_records_keep_their_stats(runner_hub: RunnerHub) -> None:
    root = _settled_hub(runner_hub)
    _remembered(root)
    memo = _memo_file(root)
    memo.write_text(memo.read_text().replace('"state":"reproduced"', '"state":"failed"'))
    # The forged entry still matches every stat: it is served. What protects the published
    # status is that the memo lives in an ignored cache a clean checkout does not have.
    assert _only(run(root, all_claims=True)[0]).state == "failed"
    path = next((root / "results" / "alpha").glob("*_s0_*"))
    path.write_bytes(path.read_bytes())  # same bytes, new modification time
    assert _only(run(root, all_claims=True)[0]).state == "reproduced"


def test_the_predictions_digests_come_from_the_cached_claims(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Remembering and looking up an outcome both need the claim's predictions digest; the
    # runner's claims cache holds it, so neither serialises the predictions again.
    root = _settled_hub(runner_hub)
    load_hub_claims(root)  # the claims cache, with its digests, is written

    def serialised(claim: object) -> str:
        raise AssertionError("predictions serialised again")

    monkeypatch.setattr("site_tools.runner.outcomes.predictions_digest", serialised)
    _remembered(root)
