"""The settled records a plan stands on, remembered between runs.

A no-op ``lmhub run --all`` must still say, for every seed of every claim, what the record
that stands for it measured. Opening, unzipping and parsing that record each time costs
most of such a run at 10k claims (30k records), so the planner keeps a memo of the records
it read, without their plot data or output tails, keyed by file name with the file's size
and modification time. Records are never rewritten, so a file that still has the size and
time it had when read still holds the same record; one that does not is read again. A
file written within the clock's resolution of now is not memoised (it could change again
unseen). The memo is validated as a whole when loaded; a damaged one reads as empty and
costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

import site_tools
from site_tools.fsio import atomic_write
from site_tools.identity import RACY_NS
from site_tools.records import BadRecord, RunRecord, read_record

MEMO_VERSION: Literal[1] = 1


class _Entry(BaseModel):
    size: int
    mtime_ns: int
    record: RunRecord


class _Stored(BaseModel):
    version: Literal[1]
    lmhub: str
    claims: dict[str, dict[str, _Entry]]
    """Claim id to record file name to what was read."""


def _bare(record: RunRecord) -> RunRecord:
    """The record without what planning never shows: plot data and output tails."""
    if not (record.series or record.stdout_tail or record.stderr_tail):
        return record
    return record.model_copy(update={"series": {}, "stdout_tail": "", "stderr_tail": ""})


class SettledMemo:
    """Records read for planning one store, by claim and file name.

    Parameters
    ----------
    path
        The memo file (``None``: remember nothing).
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._old: dict[str, dict[str, _Entry]] = {}
        self._new: dict[str, dict[str, _Entry]] = {}
        self._changed = False
        if path is None:
            return
        with contextlib.suppress(OSError, ValidationError):
            stored = _Stored.model_validate_json(path.read_bytes())
            if stored.lmhub == site_tools.__version__:
                self._old = stored.claims

    @classmethod
    def for_store(cls, cache_dir: Path, store: Path) -> SettledMemo:
        """The memo of the record store ``store``, kept in ``cache_dir``."""
        key = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
        return cls(cache_dir / f"settled-{key}.json")

    def read(self, folder: Path, name: str) -> RunRecord | BadRecord:
        """The record ``folder/name`` without series, from the memo when its file is the one
        that was read."""
        claim = folder.name
        path = folder / name
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            info = None
        old = self._old.get(claim, {}).get(name)
        if (
            info is not None
            and old is not None
            and (old.size, old.mtime_ns) == (info.st_size, info.st_mtime_ns)
        ):
            self._new.setdefault(claim, {})[name] = old
            return old.record
        record = read_record(path, series=False)
        if not isinstance(record, RunRecord):
            return record
        record = _bare(record)
        if info is not None and time.time_ns() - info.st_mtime_ns > RACY_NS:
            self._new.setdefault(claim, {})[name] = _Entry(
                size=info.st_size, mtime_ns=info.st_mtime_ns, record=record
            )
            self._changed = True
        return record

    def planned(self, claim_id: str) -> None:
        """Mark ``claim_id`` as planned: its entries are those read this time."""
        self._new.setdefault(claim_id, {})
        if set(self._old.get(claim_id, {})) != set(self._new[claim_id]):
            self._changed = True

    def save(self) -> None:
        """Write the memo when something changed: claims planned this time keep only the
        entries read this time; other claims keep theirs."""
        if self.path is None or not self._changed:
            return
        claims = {**self._old, **self._new}
        stored = _Stored(version=MEMO_VERSION, lmhub=site_tools.__version__, claims=claims)
        with contextlib.suppress(OSError):
            atomic_write(self.path, stored.model_dump_json())
        self._changed = False
