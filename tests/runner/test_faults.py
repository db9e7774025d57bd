"""Each broken reproduction in ``tests/fixtures/faults`` gets the exact status and message it
should, and never disturbs a record written before it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from site_tools.runner.limits import MiB
from tests.runner.conftest import (
    RunnerHub,
    assert_kept,
    nothing_left,
    only_record,
    run,
    snapshot,
)

pytestmark = pytest.mark.timeout(60)


def _good_then(runner_hub: RunnerHub, fault: str, claim: dict[str, Any] | None = None) -> Path:
    """A hub with claim ``good`` already run (its records on disk) and claim ``bad``."""
    root = runner_hub(good="ok", bad=(fault, claim or {}))
    report, _ = run(root, "good")
    assert report.exit_code == 0
    return root


CASES = [
    ("exits_nonzero", {}, {}, "error", "exited with code 3: bad input: no data"),
    ("raises", {}, {}, "error", "exited with code 1: RuntimeError: the model diverged"),
    (
        "garbage_stdout",
        {},
        {},
        "error",
        "the script finished, but the script wrote no result.json (call harness.write_result, "
        "or write result.json into the --out folder)",
    ),
    (
        "invalid_json",
        {},
        {},
        "error",
        "the script finished, but result.json is not valid JSON (Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1))",
    ),
    (
        "omits_metric",
        {},
        {},
        "error",
        "the script finished, but metric 'value' is missing from the script's output "
        "(it reported: other)",
    ),
    (
        "writes_nan",
        {},
        {},
        "error",
        "the script finished, but metric 'value' is nan, not a finite number",
    ),
    (
        "string_metric",
        {},
        {},
        "error",
        "the script finished, but metric 'value' is str 'fast', not a number",
    ),
    (
        "allocates",
        {"memory_mb": 64},
        {},
        "error",
        "ran out of memory under the limit of 64 MiB (memory_mb; address space capped at "
        "1088 MiB): MemoryError",
    ),
    (
        "big_file",
        {},
        {"disk_bytes": 2 * MiB},
        "error",
        "a file it wrote hit the size cap of 2 MiB: OSError: [Errno 27] File too large",
    ),
    (
        "misses",
        {},
        {},
        "measured",
        "missed value: measured 1.5, expected 1 (±0.01 abs), off by +0.5 (+50.0%); allowed ±0.01",
    ),
]


@pytest.mark.parametrize(
    ("fault", "claim", "options", "status", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_fault_is_recorded_with_its_reason(
    runner_hub: RunnerHub,
    fault: str,
    claim: dict[str, Any],
    options: dict[str, Any],
    status: str,
    message: str,
) -> None:
    root = _good_then(runner_hub, fault, claim)
    before = snapshot(root)
    report, log = run(root, "bad", **options)
    record = only_record(root, "bad")
    assert (record.status, record.message) == (status, message)
    assert report.exit_code == 1
    assert report.results[0].state == ("failed" if status == "measured" else status)
    assert f"[1/1] bad seed 0: {status} in " in log
    assert_kept(before, root)


def test_a_crash_keeps_the_end_of_stderr(runner_hub: RunnerHub) -> None:
    root = _good_then(runner_hub, "raises")
    run(root, "bad")
    tail = only_record(root, "bad").stderr_tail
    assert tail.startswith("Traceback (most recent call last):")
    assert tail.endswith("RuntimeError: the model diverged\n")


def test_a_hang_is_killed_with_every_child(runner_hub: RunnerHub) -> None:
    root = _good_then(runner_hub, "hangs_with_child", {"timeout_s": 1})
    before = snapshot(root)
    report, _ = run(root, "bad")
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "timeout",
        "timed out after 1 s; the script's whole process group was killed",
    )
    assert 1.0 <= record.duration_s < 5.0
    assert report.exit_code == 1
    assert re.search(r"child pid (\d+)", record.stderr_tail), record.stderr_tail
    # The orphaned child may linger as a zombie until init reaps it, but it must not run.
    nothing_left("lmhub-hung-child")
    assert_kept(before, root)


def test_a_flood_of_output_is_stopped_and_its_tail_marked(runner_hub: RunnerHub) -> None:
    root = _good_then(runner_hub, "floods_stdout")
    before = snapshot(root)
    run(root, "bad", output_bytes=256 << 10)
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "error",
        "stdout passed the output cap of 256 KiB; the script was stopped",
    )
    assert re.match(r"\[\.\.\. \d+ bytes cut \.\.\.\]\n", record.stdout_tail)
    assert len(record.stdout_tail) < 8300
    assert_kept(before, root)


def test_a_flood_of_files_is_stopped(runner_hub: RunnerHub) -> None:
    root = _good_then(runner_hub, "floods_disk")
    before = snapshot(root)
    run(root, "bad", disk_bytes=4 * MiB)
    record = only_record(root, "bad")
    assert (record.status, record.message) == (
        "error",
        "the working folder passed the disk cap of 4 MiB; the script was stopped",
    )
    assert_kept(before, root)


def test_secrets_of_the_caller_do_not_reach_the_script(
    runner_hub: RunnerHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "LMHUB_TEST_SECRET"):
        monkeypatch.setenv(name, "hunter2")
    monkeypatch.setenv("SOME_CONFIG", "hunter2")  # a secret under any name stays out
    root = runner_hub(spy="reads_secret")
    report, _ = run(root, "spy", jobs=2)
    record = only_record(root, "spy")
    assert record.status == "measured"
    # One thread each: the claim declares no other count, whatever the cores and -j.
    assert record.metrics == {
        "value": 1.0,
        "secrets_seen": 0.0,
        "home_is_cwd": 1.0,
        "omp_threads": 1.0,
        "torch_threads": 1.0,
    }
    assert report.exit_code == 0


@pytest.mark.parametrize("script", ["numpy_work", "torch_work"])
def test_ordinary_numerical_scripts_run_under_the_memory_cap(
    runner_hub: RunnerHub, script: str
) -> None:
    if script == "torch_work":
        pytest.importorskip("torch")
    root = runner_hub(work=(script, {"memory_mb": 512, "timeout_s": 60}))
    report, _ = run(root, "work")
    record = only_record(root, "work")
    assert (record.status, record.message) == ("measured", "1 prediction met")
    assert record.peak_memory_mb is not None and 10 < record.peak_memory_mb < 1536
    assert report.exit_code == 0
