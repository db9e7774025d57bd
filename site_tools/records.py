"""Run records: one immutable JSON file per run of one claim at one seed in one configuration.

Layout: ``<store>/<claim-id>/<UTC start>_<identity12>_s<seed>_<status>_<configuration>_<random>.json.gz``
where the configuration is ``full``, ``smoke``, ``medium`` or ``mutant-<id>``. A record is
written to a temporary file and linked into place, and no record is ever rewritten, so a
store is an append-only history. Every record carries :data:`FORMAT_VERSION`; version 1
records are read and converted, other versions are refused with a message, and a corrupt or
oversized one is reported and skipped.

A record is compact JSON, gzipped (``zcat`` or ``gzip -dc`` shows it): most of a record is
plot data, which compresses about fourfold: 100k records hold about 200 MB (a file system
rounds each file up to its block size; a git pack of the evidence branch does not).
Records written before compression (plain ``.json``) are read alike; the reader tells the two
apart by content, not by name.

A record stores what was measured, never a verdict to be believed: readers judge its metrics
against the claim's current predictions (:mod:`site_tools.judge`). The verdicts it carries
are what the runner judged at the time, kept for the reader and compared with the
recomputed ones (a disagreement is reported).
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from site_tools.fsio import atomic_write
from site_tools.models import ParamValue
from site_tools.states import SETTLED_RUN, RunStatus

FORMAT_VERSION: Literal[2] = 2

SETTLED = SETTLED_RUN
MAX_RECORD_BYTES = 256 * 1024
"""Largest record read or written, uncompressed; series are thinned to fit (see :func:`thin`)."""
SUFFIX = ".json.gz"
"""The ending of a record's file name (records written before compression end in ``.json``)."""
_SUFFIXES = (SUFFIX, ".json")
_GZIP_MAGIC = b"\x1f\x8b"
MAX_SERIES_POINTS = 120
"""Points kept per series when a record is written (a plot needs no more)."""
SERIES_DIGITS = 6
"""Significant digits kept of each series value: the plot, not the verdict, reads them."""
CLOCK_SKEW_S = 86_400
"""A record dated more than this far in the future never stands for a seed."""


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
    """Where and with what a run ran: the environment, a dimension of a claim's status."""

    git_commit: str | None
    git_dirty: bool | None = None
    """Whether the working tree had uncommitted changes (``None``: unknown, older records)."""
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


class Origin(_Record):
    """Who made a record. Only where a record is kept decides whether it is trusted (the
    hub's evidence store, written by its own workflows); this says which run made it."""

    kind: Literal["hub-ci", "reported"] = "reported"
    """``hub-ci``: made by one of the hub's own workflows; ``reported``: anywhere else."""
    workflow: str | None = None
    run_id: str | None = None
    run_attempt: str | None = None
    repository: str | None = None
    ref: str | None = None
    commit: str | None = None
    runner: str | None = None
    """The machine's name as the workflow knows it (e.g. a self-hosted GPU runner)."""


class RunRecord(_Record):
    """One run of one claim at one seed in one configuration."""

    format_version: Literal[2] = 2
    claim_id: str
    identity: str
    """Hash of everything that can change the run's numbers (:mod:`site_tools.identity`)."""
    inputs: dict[str, str] = {}
    """The hash of each input alone, so that a later run can say which input changed."""
    configuration: str = "full"
    """``full``, ``smoke``, ``medium`` or ``mutant:<id>``."""
    parameters: dict[str, ParamValue] = {}
    """The parameter values the script was given."""
    seed: int
    status: RunStatus
    metrics: dict[str, float | None] = {}
    absent: dict[str, str] = {}
    """Metrics of events that never happened, with what was waited for; judged as misses."""
    series: dict[str, Series] = {}
    verdicts: list[Verdict] = []
    """What the runner judged when it wrote the record (never believed by a reader)."""
    predictions_digest: str | None = None
    """Hash of the predictions those verdicts were judged against."""
    origin: Origin = Origin()
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

    @property
    def smoke(self) -> bool:
        return self.configuration == "smoke"


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
    configuration: str

    @property
    def smoke(self) -> bool:
        return self.configuration == "smoke"

    @classmethod
    def parse(cls, name: str) -> RecordName | None:
        stem = record_stem(name)
        if stem is None:
            return None
        parts = stem.split("_")
        if len(parts) != 6 or not parts[2].startswith("s") or not parts[2][1:].isdigit():
            return None
        config = parts[4]
        if config.startswith("mutant-"):
            config = "mutant:" + config.removeprefix("mutant-")
        return cls(
            parts[0], parts[1], int(parts[2][1:]), _STATUS_V1.get(parts[3], parts[3]), config
        )

    def from_the_future(self, limit: str) -> bool:
        """Dated beyond a day of clock skew ahead of ``now``: such a record never pins a seed.

        Stamps have a fixed width, so they compare as strings (parsing 100k dates costs
        more than everything else a no-op plan does). ``limit`` is :func:`latest_stamp`."""
        return len(self.stamp) != STAMP_CHARS or self.stamp > limit


STAMP = "%Y%m%dT%H%M%S%fZ"
STAMP_CHARS = len("20260101T000000000000Z")


def latest_stamp(now: datetime | None = None) -> str:
    """The stamp of the latest start time a record may have: ``now`` plus the clock skew."""
    now = now or datetime.now(timezone.utc)
    return (now + timedelta(seconds=CLOCK_SKEW_S)).strftime(STAMP)


_STATUS_V1 = {"reproduced": "measured", "failed": "measured", "smoke-ok": "measured"}


def record_stem(name: str) -> str | None:
    """A record file name without its ending, or ``None`` when the name is not a record's
    (a hidden file, another ending)."""
    if name.startswith("."):
        return None
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def is_record_name(name: str) -> bool:
    """Whether a file of a store is meant as a record (by its ending; hidden files never)."""
    # record_stem's test without making the stem: a build tests every record of the hub.
    return not name.startswith(".") and name.endswith(_SUFFIXES)


def record_filename(record: RunRecord) -> str:
    """``<UTC start>_<identity12>_s<seed>_<status>_<configuration>_<random>.json.gz``."""
    stamp = record.started_at.strftime(STAMP)
    config = record.configuration.replace("mutant:", "mutant-")
    return (
        f"{stamp}_{record.identity[:12]}_s{record.seed}_{record.status}_{config}_"
        f"{secrets.token_hex(3)}{SUFFIX}"
    )


def _short(value: float) -> float:
    return float(f"{value:.{SERIES_DIGITS}g}")


def thin(series: dict[str, Series], points: int = MAX_SERIES_POINTS) -> dict[str, Series]:
    """Each series cut to at most ``points`` evenly spaced points (ends kept), each value to
    :data:`SERIES_DIGITS` significant digits. Metrics are never thinned."""
    out = {}
    for name, curve in series.items():
        n = len(curve.x)
        keep = (
            range(n)
            if n <= points
            else sorted({round(i * (n - 1) / (points - 1)) for i in range(points)})
        )
        out[name] = Series(
            x=[_short(curve.x[i]) for i in keep],
            y=[_short(curve.y[i]) for i in keep],
            style=curve.style,
        )
    return out


def record_json(record: RunRecord) -> bytes:
    """The record as compact JSON, series thinned and, past the size cap, dropped."""
    record = record.model_copy(update={"series": thin(record.series)})
    data = record.model_dump_json().encode()
    if len(data) > MAX_RECORD_BYTES:
        record = record.model_copy(update={"series": {}, "stdout_tail": record.stdout_tail[-2000:]})
        data = record.model_dump_json().encode()
    return data


def record_bytes(record: RunRecord) -> bytes:
    """The record file's content: :func:`record_json` gzipped, with no name or time in the
    gzip header, so the same record always gives the same bytes."""
    return gzip.compress(record_json(record), compresslevel=9, mtime=0)


def _decompressed(data: bytes) -> bytes | None:
    """``data`` unzipped when it is gzip, else as is; ``None`` past the size cap (so that a
    small file cannot expand into a large one in memory)."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    unzip = zlib.decompressobj(wbits=31)
    out = unzip.decompress(data, MAX_RECORD_BYTES + 1)
    if len(out) > MAX_RECORD_BYTES or unzip.unconsumed_tail:
        return None
    if not unzip.eof:
        raise zlib.error("truncated")
    return out


def write_record(store: Path, record: RunRecord) -> Path:
    """Write ``record`` atomically under ``<store>/<claim>/``; never replaces a file.

    Raises
    ------
    NotADirectoryError
        When ``<store>/<claim>`` exists and is not a folder.
    """
    folder = store / record.claim_id
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder of run records: move it aside")
    target = folder / record_filename(record)
    atomic_write(target, record_bytes(record), replace=False)
    return target


def read_record(path: Path, series: bool = True) -> RunRecord | BadRecord:
    """The record at ``path``, or why it cannot be read.

    It must be a regular file (never followed through a symlink, never a FIFO) of at most
    :data:`MAX_RECORD_BYTES`, before and after it is unzipped. With ``series=False`` the
    plot data is dropped before validation: planning and judging need only the metrics, and
    a large hub's series would cost most of the time and memory of a no-op run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return BadRecord(path, f"not readable ({exc.__class__.__name__}); ignored")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return BadRecord(path, "not a regular file; ignored")
        if info.st_size > MAX_RECORD_BYTES:
            return BadRecord(path, f"larger than {MAX_RECORD_BYTES} bytes; ignored")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            text = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        return BadRecord(path, f"not readable ({exc.__class__.__name__}); ignored")
    finally:
        os.close(fd)
    try:
        unzipped = _decompressed(text)
    except (zlib.error, EOFError):
        return BadRecord(path, "not a valid gzip file; left in place, ignored")
    if unzipped is None:
        return BadRecord(path, f"larger than {MAX_RECORD_BYTES} bytes unzipped; ignored")
    text = unzipped
    if series:
        try:
            # The common case, parsed and validated in one step by pydantic-core; anything
            # it refuses goes the slow way below, which says precisely why.
            return RunRecord.model_validate_json(text)
        except ValidationError:
            pass
    try:
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return BadRecord(path, f"not valid JSON ({exc.__class__.__name__}); left in place, ignored")
    if not isinstance(data, dict):
        return BadRecord(path, "not a JSON object; left in place, ignored")
    if not series:
        data.pop("series", None)
    version = data.get("format_version")
    if version == 1:
        data = _from_v1(data)
        version = FORMAT_VERSION
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


def _from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 record in version 2's terms: the stored status becomes ``measured`` (the
    verdict it claimed is recomputed like any other), the content hash its identity."""
    data = dict(data)
    data["format_version"] = FORMAT_VERSION
    data["identity"] = data.pop("content_hash", "")
    data["configuration"] = "smoke" if data.pop("smoke", False) else "full"
    data["status"] = _STATUS_V1.get(data.get("status", ""), data.get("status"))
    return data


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
        for path in sorted(folder.iterdir()):
            if is_record_name(path.name):
                yield path, read_record(path)
