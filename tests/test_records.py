"""Run records on disk: thinned series, compact JSON, a size cap, hostile files refused."""

from __future__ import annotations

import gzip
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
    iter_records,
    read_record,
    record_bytes,
    record_json,
    thin,
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
    assert path.name.endswith(".json.gz")
    data = json.loads(record_json(_record(5000)))
    assert json.loads(gzip.decompress(path.read_bytes())) == data
    curve = data["series"]["curve"]
    assert len(curve["x"]) == MAX_SERIES_POINTS
    assert curve["x"][0] == 0.0 and curve["x"][-1] == float(f"{4999 / 7:.6g}")
    assert data["metrics"]["m"] == 1 / 3  # a metric is never rounded
    assert b"\n" not in record_json(_record(5000))  # compact JSON
    assert path.stat().st_size < 2500


def test_an_oversized_record_drops_its_series_and_keeps_its_numbers() -> None:
    huge = _record(10, stdout="x" * (MAX_RECORD_BYTES + 10))
    data = json.loads(record_json(huge))
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


def test_a_record_is_the_same_bytes_every_time_and_a_quarter_of_its_json() -> None:
    record = _record(MAX_SERIES_POINTS)
    assert record_bytes(record) == record_bytes(record)  # no time or name in the header
    assert len(record_bytes(record)) < len(record_json(record)) / 2


def test_a_record_written_before_compression_is_read_alike(tmp_path: Path) -> None:
    record = _record(50)
    folder = tmp_path / "c"
    folder.mkdir()
    plain = folder / "20260101T000000000000Z_ffffffffffff_s0_measured_full_abcdef.json"
    plain.write_bytes(record_json(record))
    zipped = write_record(tmp_path, record)
    assert (
        read_record(plain)
        == read_record(zipped)
        == record.model_copy(update={"series": thin(record.series)})
    )
    assert {p.name for p, _ in iter_records(tmp_path, "c")} == {plain.name, zipped.name}


def test_a_gzip_that_expands_past_the_cap_or_is_cut_short_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (MAX_RECORD_BYTES + 1)))
    assert bomb.stat().st_size < 2000
    bad = read_record(bomb)
    assert isinstance(bad, BadRecord) and "unzipped" in bad.reason
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(record_bytes(_record(50))[:-20])
    bad = read_record(cut)
    assert isinstance(bad, BadRecord) and bad.reason.startswith("not a valid gzip file")
