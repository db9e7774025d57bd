"""The planner's memo of settled records: reused while a file is unchanged, never trusted after."""

from __future__ import annotations

import os
from pathlib import Path

from site_tools.records import RunRecord, record_bytes, write_record
from site_tools.runner.settled import SettledMemo
from tests.test_records import _record


def _aged(path: Path) -> None:
    """Date the file a minute back, out of the clock-resolution window a memo skips."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60 * 10**9))


def _store(tmp_path: Path) -> tuple[Path, Path]:
    path = write_record(tmp_path / "store", _record(50, stdout="tail"))
    _aged(path)
    return path.parent, path


def test_a_memoised_record_is_served_without_opening_the_file(tmp_path: Path) -> None:
    folder, path = _store(tmp_path)
    memo = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    first = memo.read(folder, path.name)
    assert isinstance(first, RunRecord)
    assert first.series == {} and first.stdout_tail == "" and first.metrics == {"m": 1 / 3}
    memo.planned("c")
    memo.save()
    assert memo.path is not None and memo.path.exists()

    # The same bytes, unreadable: only the memo can answer now.
    mode = path.stat().st_mode
    path.chmod(0)
    try:
        again = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store").read(
            folder, path.name
        )
    finally:
        path.chmod(mode)
    assert again == first


def test_a_file_with_another_size_or_time_is_read_again(tmp_path: Path) -> None:
    folder, path = _store(tmp_path)
    memo = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    memo.read(folder, path.name)
    memo.planned("c")
    memo.save()

    other = _record(50).model_copy(update={"metrics": {"m": 2.0}})

    path.write_bytes(record_bytes(other))
    _aged(path)
    fresh = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store").read(folder, path.name)
    assert isinstance(fresh, RunRecord) and fresh.metrics == {"m": 2.0}


def test_a_file_written_just_now_is_not_memoised(tmp_path: Path) -> None:
    path = write_record(tmp_path / "store", _record(5))
    memo = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    assert isinstance(memo.read(path.parent, path.name), RunRecord)
    memo.planned("c")
    memo.save()
    assert memo.path is not None and not memo.path.exists()


def test_a_damaged_memo_reads_as_empty(tmp_path: Path) -> None:
    folder, path = _store(tmp_path)
    memo = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    memo.read(folder, path.name)
    memo.planned("c")
    memo.save()
    assert memo.path is not None
    memo.path.write_text('{"version": 1, "claims": {"c": ')
    record = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store").read(folder, path.name)
    assert isinstance(record, RunRecord) and record.metrics == {"m": 1 / 3}


def test_a_claim_planned_again_forgets_records_that_are_gone(tmp_path: Path) -> None:
    folder, path = _store(tmp_path)
    memo = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    memo.read(folder, path.name)
    memo.planned("c")
    memo.save()
    path.unlink()
    later = SettledMemo.for_store(tmp_path / "cache", tmp_path / "store")
    later.planned("c")
    later.save()
    assert memo.path is not None and path.name not in memo.path.read_text()
