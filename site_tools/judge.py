"""Judging measured metrics against a claim's predictions: per seed, then per claim."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_tools.models import AtLeast, AtMost, Claim, Interval, Prediction, Target, seeds_required
from site_tools.records import RunRecord, Verdict

ExpectationT = Target | Interval | AtLeast | AtMost


def miss_text(expect: ExpectationT, measured: float) -> str:
    """How far ``measured`` is outside ``expect``, in words."""
    if isinstance(expect, Target):
        off = measured - expect.value
        rel = f" ({off / expect.value:+.1%})" if expect.value else ""
        return f"off by {off:+.4g}{rel}; allowed ±{expect.allowed():.4g}"
    if isinstance(expect, Interval):
        edge = expect.low if measured < expect.low else expect.high
        return f"{measured - edge:+.4g} outside [{expect.low:.4g}, {expect.high:.4g}]"
    return f"{measured - expect.value:+.4g} past the bound {expect.value:.4g}"


def judge_prediction(prediction: Prediction, measured: float) -> Verdict:
    expect = prediction.expect
    passed = expect.check(measured)
    alternative = prediction.alternative
    return Verdict(
        metric=prediction.metric,
        expected=expect.describe(),
        measured=measured,
        passed=passed,
        miss=None if passed else miss_text(expect, measured),
        alternative_rejected=None
        if alternative is None
        else not alternative.expect.check(measured),
    )


def metric_problem(name: str, value: object) -> str | None:
    """Why a reported metric value cannot be judged, or None when it is a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"metric '{name}' is {type(value).__name__} {value!r}, not a number"
    if not math.isfinite(value):
        return f"metric '{name}' is {value}, not a finite number"
    return None


def judge_run(claim: Claim, metrics: Mapping[str, object]) -> tuple[list[Verdict], str | None]:
    """Verdicts for one seed, or the reason the output cannot be judged (an ``error``)."""
    for prediction in claim.predictions:
        if prediction.metric not in metrics:
            return [], f"metric '{prediction.metric}' is missing from the script's output"
        why = metric_problem(prediction.metric, metrics[prediction.metric])
        if why:
            return [], why
    verdicts = []
    for prediction in claim.predictions:
        value = metrics[prediction.metric]
        assert isinstance(value, int | float)
        verdicts.append(judge_prediction(prediction, float(value)))
    return verdicts, None


@dataclass(frozen=True)
class MetricSummary:
    """One prediction across seeds."""

    metric: str
    expected: str
    values: list[float]
    passes: list[bool]
    required: int
    mean: float
    spread: float
    """Sample standard deviation over seeds (0 for one seed)."""
    held: bool
    alternative_rejected: bool | None


def sample_stdev(values: Sequence[float]) -> float:
    """Sample standard deviation (0 for fewer than two values).

    In floating point: ``statistics.stdev`` computes exactly with fractions, which costs more
    than everything else a no-op ``lmhub run`` over a large hub does.
    """
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def summarise(claim: Claim, records: Sequence[RunRecord]) -> list[MetricSummary]:
    """Apply each prediction's seed rule to the per-seed verdicts of ``records``."""
    out = []
    for prediction in claim.predictions:
        verdicts = [v for r in records for v in r.verdicts if v.metric == prediction.metric]
        values = [v.measured for v in verdicts if v.measured is not None]
        passes = [v.passed for v in verdicts]
        required = seeds_required(prediction.seeds, len(claim.reproduction.seeds))
        rejections = [
            v.alternative_rejected for v in verdicts if v.alternative_rejected is not None
        ]
        out.append(
            MetricSummary(
                metric=prediction.metric,
                expected=prediction.expect.describe(),
                values=values,
                passes=passes,
                required=required,
                mean=statistics.fmean(values) if values else math.nan,
                spread=sample_stdev(values),
                held=sum(passes) >= required,
                alternative_rejected=all(rejections) if rejections else None,
            )
        )
    return out
