"""Run records: one immutable JSON file per run of one claim at one seed.

Layout: ``results/<claim-id>/<UTC start>_<hash12>_s<seed>_<status>_<full|smoke>_<random>.json``. A record is
written to a temporary file and renamed into place, and no record is ever rewritten, so the
folder is an append-only history. Every record carries :data:`FORMAT_VERSION`; a record of
another version is refused with a message, a corrupt one is reported and skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT_VERSION: Literal[1] = 1

RunStatus = Literal["reproduced", "failed", "error", "timeout", "needs-gpu", "smoke-ok"]
"""Outcome of one run. ``failed`` is a scientific verdict (a prediction missed); ``error``
and ``timeout`` are breakage and never settle a claim; ``smoke-ok`` is a smoke run that
produced every metric (no verdict)."""

SETTLED: frozenset[str] = frozenset({"reproduced", "failed"})


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Verdict(_Record):
    """How one prediction fared on one seed."""

    metric: str
    expected: str
    """The expectation in words, e.g. ``1.9 (±0.02 rel)``."""
    measured: float | None
    passed: bool
    miss: str | None = None
    """By how much it missed, in words, when it did."""
    alternative_rejected: bool | None = None
    """Whether the measured value rules out the naive alternative (None: no alternative)."""


class Provenance(_Record):
    """Where and with what a run ran."""

    git_commit: str | None
    python: str
    numpy: str | None
    torch: str | None
    platform: str
    machine: str
    device: str
    """``cpu`` or the CUDA device name."""
    sandbox: Literal["bwrap", "session"] | None = None
    """What walled the run in: ``bwrap`` (bubblewrap namespaces), or ``session`` (a process
    session with a scrubbed environment, where bubblewrap cannot start); ``None`` for
    records made before this was recorded, and for records of runs that never started."""
    memory_limit: Literal["cgroup-v2", "cgroup-v1", "rlimit", "rss-poll"] | None = None
    """How the memory limit was enforced: a memory cgroup over the whole process tree, an
    address-space limit per process, or polling the tree's resident memory."""
    threads: int | None = None
    """Size of the run's BLAS/OpenMP/torch thread pools."""


class Series(_Record):
    x: list[float]
    y: list[float]
    style: Literal["theory", "measured"] = "measured"


class RunRecord(_Record):
    """One run of one claim at one seed."""

    format_version: Literal[1] = 1
    claim_id: str
    content_hash: str
    """Hash of everything the run depends on (see ``site_tools.runner.hashing``)."""
    inputs: dict[str, str] = {}
    """The hash of each input alone, so that a later run can say which input changed."""
    seed: int
    status: RunStatus
    smoke: bool = False
    metrics: dict[str, float | None] = {}
    series: dict[str, Series] = {}
    verdicts: list[Verdict] = []
    message: str = ""
    """Why the run ended as it did, in a sentence (the miss, the crash, the timeout)."""
    stderr_tail: str = ""
    """The end of the script's stderr; a cut is marked ``[... N bytes cut ...]``."""
    stdout_tail: str = ""
    """The end of the script's stdout, cut the same way."""
    started_at: datetime
    duration_s: Annotated[float, Field(ge=0)]
    peak_memory_mb: float | None = None
    provenance: Provenance


@dataclass(frozen=True)
class BadRecord:
    """A record file that could not be read; reported, never fatal."""

    path: Path
    reason: str


@dataclass(frozen=True)
class RecordName:
    """What a record's file name says, so that planning need not open the file."""

    stamp: str
    hash_prefix: str
    seed: int
    status: str
    smoke: bool

    @classmethod
    def parse(cls, name: str) -> RecordName | None:
        parts = name.removesuffix(".json").split("_")
        if len(parts) != 6 or not parts[2].startswith("s") or not parts[2][1:].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2][1:]), parts[3], parts[4] == "smoke")


def record_filename(record: RunRecord) -> str:
    """``<UTC start>_<hash12>_s<seed>_<status>_<full|smoke>_<random>.json``."""
    stamp = record.started_at.strftime("%Y%m%dT%H%M%S%fZ")
    mode = "smoke" if record.smoke else "full"
    return (
        f"{stamp}_{record.content_hash[:12]}_s{record.seed}_{record.status}_{mode}_"
        f"{secrets.token_hex(3)}.json"
    )


def write_record(results: Path, record: RunRecord) -> Path:
    """Write ``record`` atomically under ``results/<claim>/``; never replaces a file."""
    folder = results / record.claim_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / record_filename(record)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(record.model_dump_json(indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        # link() fails if the target exists, so an earlier record can never be replaced.
        os.link(tmp, target)
    finally:
        os.unlink(tmp)
    return target


def read_record(path: Path) -> RunRecord | BadRecord:
    try:
        text = path.read_bytes()
    except OSError as exc:
        return BadRecord(path, f"not readable ({exc.__class__.__name__}); ignored")
    try:
        # The common case, parsed and validated in one step by pydantic-core; anything it
        # refuses goes the slow way below, which says precisely why.
        return RunRecord.model_validate_json(text)
    except ValidationError:
        pass
    try:
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return BadRecord(path, f"not valid JSON ({exc.__class__.__name__}); left in place, ignored")
    if not isinstance(data, dict):
        return BadRecord(path, "not a JSON object; left in place, ignored")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        return BadRecord(
            path,
            f"record format version {version!r} is not supported "
            f"(this lmhub reads version {FORMAT_VERSION}); "
            "upgrade lmhub or move the record aside",
        )
    try:
        return RunRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return BadRecord(path, f"invalid record ({where}: {first['msg']}); ignored")


def iter_records(
    results: Path, claim_id: str | None = None
) -> Iterator[tuple[Path, RunRecord | BadRecord]]:
    """Every record file under ``results/`` (or one claim's folder), oldest first by name."""
    folders = (
        [results / claim_id] if claim_id else sorted(p for p in results.glob("*") if p.is_dir())
    )
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            if not path.name.startswith("."):
                yield path, read_record(path)
