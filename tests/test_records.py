"""Run records on disk: thinned series, compact JSON, a size cap, hostile files refused."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from site_tools.records import (
    MAX_RECORD_BYTES,
    MAX_SERIES_POINTS,
    BadRecord,
    Provenance,
    RunRecord,
    Series,
    read_record,
    record_bytes,
    write_record,
)

PROV = Provenance(
    git_commit=None,
    python="3.11.7",
    numpy="2.4.0",
    torch=None,
    platform="Linux",
    machine="x86_64",
    device="cpu",
)


def _record(points: int, stdout: str = "") -> RunRecord:
    xs = [i / 7 for i in range(points)]
    return RunRecord(
        claim_id="c",
        identity="f" * 64,
        seed=0,
        status="measured",
        metrics={"m": 1 / 3},
        series={"curve": Series(x=xs, y=[x * x for x in xs])},
        stdout_tail=stdout,
        started_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        duration_s=1.0,
        provenance=PROV,
    )


def test_series_are_thinned_to_a_plot_and_metrics_kept_exactly(tmp_path: Path) -> None:
    path = write_record(tmp_path, _record(5000))
    data = json.loads(path.read_bytes())
    curve = data["series"]["curve"]
    assert len(curve["x"]) == MAX_SERIES_POINTS
    assert curve["x"][0] == 0.0 and curve["x"][-1] == float(f"{4999 / 7:.6g}")
    assert data["metrics"]["m"] == 1 / 3  # a metric is never rounded
    assert b"\n" not in path.read_bytes()  # compact JSON
    assert path.stat().st_size < 5000


def test_an_oversized_record_drops_its_series_and_keeps_its_numbers() -> None:
    huge = _record(10, stdout="x" * (MAX_RECORD_BYTES + 10))
    data = json.loads(record_bytes(huge))
    assert data["series"] == {} and data["metrics"] == {"m": 1 / 3}
    assert len(data["stdout_tail"]) == 2000


def test_a_record_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (link, fifo):
        bad = read_record(path)
        assert isinstance(bad, BadRecord), path
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_RECORD_BYTES + 1))
    assert read_record(big) == BadRecord(big, f"larger than {MAX_RECORD_BYTES} bytes; ignored")
