"""From what a run did to its record: read the script's output, judge it, name the outcome.

Scripts measure, the YAML predicts, and this module judges. Every way a run can go wrong
becomes a status with a one-sentence message a contributor can act on: ``error`` for
breakage (non-zero exit, no or invalid ``result.json``, a missing, non-numeric or non-finite
metric, a passed cap), ``timeout``, and ``failed`` (a scientific verdict: a prediction
missed, saying by how much).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import signal
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from site_tools.identity import Identity, predictions_digest
from site_tools.judge import judge_run, metric_problem
from site_tools.models import Claim
from site_tools.records import Origin, Provenance, RunRecord, Series, Verdict
from site_tools.runner.host import HostInfo, host_info
from site_tools.runner.isolation import RESULT_FILE, RawOutcome, RunSpec
from site_tools.runner.limits import ADDRESS_SPACE_HEADROOM_MB, size_text
from site_tools.runner.provenance import TreeState
from site_tools.states import RunStatus

_MEMORY_SIGNS = (
    "MemoryError",
    "Cannot allocate memory",
    "std::bad_alloc",
    "failed to allocate",
    "Unable to allocate",
)
LAST_LINE_CHARS = 300
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in ``result.json`` (the contract needs 3)."""
_LARGEST_INT_DIGITS = 309
"""Digits of the largest integer a float can hold (about 1.8e308)."""
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


class BadOutput(Exception):
    """The script's output cannot be judged; the message says why."""


def _what_ran(claim: Claim, identity: Identity) -> dict[str, Any]:
    """The fields of a record that say what ran: the claim and its identity."""
    return {
        "claim_id": claim.id,
        "identity": identity.digest,
        "inputs": identity.parts,
        "configuration": identity.configuration,
        "parameters": identity.parameters,
    }


def _how_it_ran(raw: RawOutcome, git_commit: TreeState) -> dict[str, Any]:
    """The fields of a record that say how the run went: output, time, memory, provenance."""
    return {
        "stderr_tail": raw.stderr_tail,
        "stdout_tail": raw.stdout_tail,
        "started_at": raw.started_at,
        "duration_s": max(raw.duration_s, 0.0),
        "peak_memory_mb": raw.peak_memory_mb,
        "provenance": provenance(git_commit, raw.host),
    }


def provenance(git_commit: TreeState, host: HostInfo) -> Provenance:
    """A record's provenance: the hub's commit and its state, and where the run ran."""
    return Provenance(
        git_commit=git_commit.commit, git_dirty=git_commit.dirty, **dataclasses.asdict(host)
    )


def provenance_here(git_commit: TreeState, device: str = "cpu") -> Provenance:
    """Provenance of something decided on this machine (e.g. a ``needs-gpu`` record)."""
    return provenance(git_commit, host_info(device))


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line and not line.startswith("[... "):
            return line[:LAST_LINE_CHARS]
    return ""


def _crash_message(raw: RawOutcome, spec: RunSpec) -> str:
    code = raw.returncode
    last = _last_line(raw.stderr_tail)
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGXFSZ":
            return f"a file it wrote hit the size cap of {size_text(spec.limits.disk_bytes)}"
        return f"killed by {name}" + (f": {last}" if last else "")
    if "[Errno 27] File too large" in raw.stderr_tail:  # Python ignores SIGXFSZ: EFBIG instead
        return f"a file it wrote hit the size cap of {size_text(spec.limits.disk_bytes)}: {last}"
    if spec.limits.address_space and any(s in raw.stderr_tail for s in _MEMORY_SIGNS):
        return (
            f"ran out of memory under the limit of {spec.limits.memory_mb} MiB "
            f"(memory_mb; address space capped at "
            f"{spec.limits.memory_mb + ADDRESS_SPACE_HEADROOM_MB} MiB): {last}"
        )
    return f"exited with code {code}" + (f": {last}" if last else "")


def read_output(
    text: str | None, problem: str | None
) -> tuple[dict[str, Any], dict[str, Series], dict[str, str]]:
    """The metrics and series in ``result.json``'s text, checked against the contract.

    Raises
    ------
    BadOutput
        When there is no result, it is not a JSON object with a ``metrics`` object, or a
        series is malformed.
    """
    if problem:
        raise BadOutput(problem)
    if text is None:
        raise BadOutput(
            f"the script wrote no {RESULT_FILE} (call harness.write_result, or write "
            f"{RESULT_FILE} into the --out folder)"
        )
    data = parse_result(text)
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise BadOutput(f'{RESULT_FILE} has no "metrics" object')
    raw_series = data.get("series", {})
    if not isinstance(raw_series, dict):
        raise BadOutput(f'{RESULT_FILE} "series" is not an object')
    series: dict[str, Series] = {}
    for name, value in raw_series.items():
        try:
            curve = Series.model_validate(value)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadOutput(f"series '{name}' is invalid ({where}: {first['msg']})") from None
        if len(curve.x) != len(curve.y):
            raise BadOutput(
                f"series '{name}' has {len(curve.x)} x values but {len(curve.y)} y values"
            )
        if not all(math.isfinite(v) for v in (*curve.x, *curve.y)):
            raise BadOutput(f"series '{name}' has a value that is not a finite number")
        series[str(name)] = curve
    absent = data.get("absent", {})
    if not isinstance(absent, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and data["metrics"].get(k, 0) is None
        for k, v in absent.items()
    ):
        raise BadOutput(f'{RESULT_FILE} "absent" must map metrics reported as null to reasons')
    return data["metrics"], series, {k: v[:300] for k, v in absent.items()}


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadOutput(f'{RESULT_FILE} has the key "{key[:80]}" twice')
        out[key] = value
    return out


def _float_range_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _LARGEST_INT_DIGITS or not math.isfinite(_as_float(digits)):
        raise BadOutput(
            f"{RESULT_FILE} has an integer of {len(digits.lstrip('-'))} digits, beyond the "
            "range of a float"
        )
    return int(digits)


def _as_float(digits: str) -> float:
    try:
        return float(int(digits))
    except OverflowError:
        return math.inf


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than :data:`MAX_JSON_DEPTH` in valid JSON."""
    # Strings removed, then every byte but brackets (bytes.translate: C speed on 16 MiB).
    brackets = _JSON_STRING.sub("", text).encode().translate(None, _NOT_BRACKETS).decode()
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return False
        brackets = _EMPTY_PAIR.sub("", brackets)  # one level per pass, arrays and objects alike
    return bool(brackets)


def parse_result(text: str) -> Any:
    """``result.json``'s text as JSON, refusing what only a hostile script writes.

    Duplicate keys, integers beyond the range of a float and nesting deeper than
    :data:`MAX_JSON_DEPTH` are errors. ``NaN`` and ``Infinity`` parse (as the harness
    writes them), so that a non-finite metric is named as such when it is judged.

    Raises
    ------
    BadOutput
        When the text is not such JSON.
    """
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_float_range_int)
    except RecursionError:
        raise BadOutput(
            f"{RESULT_FILE} nests arrays or objects deeper than {MAX_JSON_DEPTH} levels"
        ) from None
    except ValueError as exc:
        raise BadOutput(f"{RESULT_FILE} is not valid JSON ({exc})") from None
    if _too_deep(text):
        raise BadOutput(
            f"{RESULT_FILE} nests arrays or objects deeper than {MAX_JSON_DEPTH} levels"
        )
    return data


def _judge(
    claim: Claim, metrics: Mapping[str, object], absent: Mapping[str, str]
) -> tuple[RunStatus, list[Verdict], str]:
    """``measured`` with the verdicts of the moment (for the message), or raise BadOutput.

    The verdicts are what the table shows now; the record's readers judge its metrics
    again against the predictions of their time.
    """
    verdicts, why = judge_run(claim, metrics, absent)
    if why is None:
        why = next(
            (p for p in (metric_problem(k, v) for k, v in metrics.items() if k not in absent) if p),
            None,
        )
    if why is not None:
        raise BadOutput(why)
    missed = [v for v in verdicts if not v.passed]
    if not missed:
        n = len(verdicts)
        return "measured", verdicts, f"{'all ' if n > 1 else ''}{n} prediction{'s' * (n > 1)} met"
    return (
        "measured",
        verdicts,
        "missed "
        + "; ".join(
            f"{v.metric}: "
            + (f"measured {v.measured:.6g}, " if v.measured is not None else "")
            + f"expected {v.expected}, {v.miss}"
            for v in missed
        ),
    )


def _finite_metrics(found: Mapping[str, object]) -> dict[str, float | None]:
    """The metrics worth keeping from an output that cannot be judged: the good numbers."""
    return {
        k: float(v)  # type: ignore[arg-type]
        for k, v in found.items()
        if metric_problem(k, v) is None
    }


def assess(
    claim: Claim,
    spec: RunSpec,
    raw: RawOutcome,
    identity: Identity,
    git_commit: TreeState,
    origin: Origin,
) -> RunRecord | None:
    """The record of one run, or ``None`` for a run stopped by the user (nothing is kept)."""
    if raw.ending == "interrupted":
        return None
    status: RunStatus = "error"
    verdicts: list[Verdict] = []
    metrics: dict[str, float | None] = {}
    absent: dict[str, str] = {}
    series: dict[str, Series] = {}
    if raw.ending == "timeout":
        status = "timeout"
        message = f"{raw.detail}; the script's whole process group was killed"
    elif raw.ending in ("output-cap", "disk-cap", "memory-cap"):
        message = f"{raw.detail}; the script was stopped"
    elif raw.ending == "spawn-failed":
        message = raw.detail
    elif raw.returncode != 0:
        message = _crash_message(raw, spec)
    else:
        found: dict[str, Any] = {}
        try:
            found, series, absent = read_output(raw.result_text, raw.result_problem)
            status, verdicts, message = _judge(claim, found, absent)
            metrics = {k: None if v is None else float(v) for k, v in found.items()}
        except BadOutput as exc:
            status, message, series = "error", f"the script finished, but {exc}", {}
            metrics, absent = _finite_metrics(found), {}
    return RunRecord(
        **_what_ran(claim, identity),
        seed=spec.seed,
        status=status,
        metrics=metrics,
        absent=absent,
        series=series,
        verdicts=verdicts,
        predictions_digest=predictions_digest(claim),
        message=message,
        **_how_it_ran(raw, git_commit),
        origin=origin,
    )


def judging_failed(
    claim: Claim,
    spec: RunSpec,
    raw: RawOutcome,
    identity: Identity,
    git_commit: TreeState,
    origin: Origin,
    exc: Exception,
) -> RunRecord:
    """The ``error`` record of a run whose output made judging it fail: that run's own
    record, so the other runs of the same ``lmhub run`` go on."""
    why = f"{type(exc).__name__}: {exc}"[:LAST_LINE_CHARS]
    return RunRecord(
        **_what_ran(claim, identity),
        seed=spec.seed,
        status="error",
        origin=origin,
        message=f"the hub could not judge this run's output ({why})",
        **_how_it_ran(raw, git_commit),
    )


def needs_gpu_record(
    claim: Claim,
    seed: int,
    identity: Identity,
    message: str,
    git_commit: TreeState,
    origin: Origin,
) -> RunRecord:
    """The record of a GPU claim's seed that could not run here (it never settles anything)."""
    return RunRecord(
        **_what_ran(claim, identity),
        seed=seed,
        status="needs-gpu",
        origin=origin,
        message=message,
        started_at=datetime.now(timezone.utc),
        duration_s=0.0,
        provenance=provenance_here(git_commit),
    )
