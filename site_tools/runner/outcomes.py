"""What each claim came to when nothing had to run, remembered between runs.

A no-op ``lmhub run --all`` must still say, for every claim, where it stands; at 10k claims
and 100k records, listing every record folder, opening the settled record of every seed and
judging it again would cost most of such a run and most of its memory. So when a claim's
configuration needed no run, its outcome (state, per-prediction summaries, message) is
remembered with what it was computed from:

- the claim's identity in that configuration, its predictions, its seeds and whether a GPU
  was at hand (one key);
- the record folder's modification time, which changes whenever a record is added, renamed
  or removed in it;
- the size and modification time of the settled record standing for each seed.

A later run that finds all of these unchanged reuses the outcome without listing the folder
or opening a record; anything else plans and judges the claim from its records as before.
A folder or record touched within the clock's resolution of the run is not remembered (it
could change again unseen), nor is a claim with an unreadable or future-dated record. The
memo is validated when loaded; a damaged one reads as empty and costs time, never
correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

import site_tools
from site_tools.fsio import atomic_write
from site_tools.identity import RACY_NS, Identity, predictions_digest
from site_tools.judge import MetricSummary
from site_tools.models import Claim
from site_tools.runner.report import RowState

MEMO_VERSION: Literal[1] = 1

REMEMBERED_STATES: frozenset[RowState] = frozenset(
    {"reproduced", "inconclusive", "failed", "caught", "insensitive"}
)
"""Row states computed from settled records alone (errors and stale rows are replanned)."""


class Outcome(BaseModel):
    """One claim's configuration as last judged, and what that judgement stood on."""

    key: str
    folder_mtime_ns: int
    files: dict[int, tuple[str, int, int]]
    """Seed to the settled record's file name, size and modification time."""
    state: RowState
    message: str
    summaries: list[MetricSummary]


class _Stored(BaseModel):
    version: Literal[1]
    lmhub: str
    outcomes: dict[str, Outcome]
    """``claim_id configuration`` to its outcome."""


def _key(claim: Claim, identity: Identity, gpu: bool, predictions: str) -> str:
    parts = [
        identity.digest,
        identity.configuration,
        predictions,
        list(claim.reproduction.seeds),
        gpu,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _settled(mtime_ns: int, now_ns: int) -> bool:
    return now_ns - mtime_ns > RACY_NS


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=False)
    except OSError:
        return None


class OutcomeMemo:
    """Outcomes of claims that needed no run, for one record store.

    Parameters
    ----------
    path
        The memo file (``None``: remember nothing).
    predictions
        Claim id to its :func:`predictions_digest`, where the caller knows them already;
        the digest of a claim not in it is computed.
    """

    def __init__(self, path: Path | None, predictions: Mapping[str, str] | None = None):
        self.path = path
        self.predictions = predictions or {}
        self._old: dict[str, Outcome] = {}
        self._new: dict[str, Outcome] = {}
        self._changed = False
        if path is None:
            return
        with contextlib.suppress(OSError, ValidationError):
            stored = _Stored.model_validate_json(path.read_bytes())
            if stored.lmhub == site_tools.__version__:
                self._old = stored.outcomes

    @classmethod
    def for_store(
        cls, cache_dir: Path, store: Path, predictions: Mapping[str, str] | None = None
    ) -> OutcomeMemo:
        """The memo of the record store ``store``, kept in ``cache_dir``."""
        key = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
        return cls(cache_dir / f"outcomes-{key}.json", predictions)

    def _key(self, claim: Claim, identity: Identity, gpu: bool) -> str:
        known = self.predictions.get(claim.id)
        return _key(claim, identity, gpu, known or predictions_digest(claim))

    def lookup(self, claim: Claim, identity: Identity, folder: Path, gpu: bool) -> Outcome | None:
        """The remembered outcome of ``claim`` in ``identity``'s configuration, when nothing it
        stood on has changed."""
        name = f"{claim.id} {identity.configuration}"
        old = self._old.get(name)
        if old is None or old.key != self._key(claim, identity, gpu):
            return None
        where = str(folder)
        info = _stat(where)
        if info is None or info.st_mtime_ns != old.folder_mtime_ns:
            return None
        for file, size, mtime_ns in old.files.values():
            record = _stat(os.path.join(where, file))
            if record is None or (record.st_size, record.st_mtime_ns) != (size, mtime_ns):
                return None
        self._new[name] = old
        return old

    def remember(
        self,
        claim: Claim,
        identity: Identity,
        gpu: bool,
        folder_mtime_ns: int | None,
        files: dict[int, Path],
        result: tuple[RowState, str, list[MetricSummary]],
    ) -> None:
        """Remember the outcome ``result`` (state, message, summaries) of a configuration that
        needed no run, judged from the records ``files`` (seed to path) in a folder whose
        modification time was ``folder_mtime_ns`` before it was listed."""
        state, message, summaries = result
        now = time.time_ns()
        if (
            self.path is None
            or state not in REMEMBERED_STATES
            or folder_mtime_ns is None
            or not _settled(folder_mtime_ns, now)
        ):
            return
        stats: dict[int, tuple[str, int, int]] = {}
        for seed, path in files.items():
            info = _stat(path)
            if info is None or not _settled(info.st_mtime_ns, now):
                return
            stats[seed] = (path.name, info.st_size, info.st_mtime_ns)
        if not stats:
            return
        self._new[f"{claim.id} {identity.configuration}"] = Outcome(
            key=self._key(claim, identity, gpu),
            folder_mtime_ns=folder_mtime_ns,
            files=stats,
            state=state,
            message=message,
            summaries=summaries,
        )
        self._changed = True

    def save(self, planned: set[str]) -> None:
        """Write the memo when it changed: configurations of the claims in ``planned`` keep
        only what this run remembered; other claims keep theirs."""
        if self.path is None:
            return
        kept = {k: v for k, v in self._old.items() if k.split(" ", 1)[0] not in planned}
        outcomes = {**kept, **self._new}
        if not self._changed and outcomes.keys() == self._old.keys():
            return
        stored = _Stored(version=MEMO_VERSION, lmhub=site_tools.__version__, outcomes=outcomes)
        with contextlib.suppress(OSError):
            atomic_write(self.path, stored.model_dump_json())
