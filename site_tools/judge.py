"""Judging measured metrics against a claim's predictions: per seed, then per claim.

Every reader judges a record from its metrics and the claim's current predictions; a verdict
stored in a record is never believed. So changing a tolerance or an alternative re-judges
every stored measurement without running anything.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from site_tools.models import AtLeast, AtMost, Claim, Interval, Prediction, Target, seeds_required
from site_tools.records import RunRecord, Verdict
from site_tools.suggest import did_you_mean

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


def judge_prediction(prediction: Prediction, measured: float | None, absent: str = "") -> Verdict:
    """One prediction on one seed; ``measured`` is None for an event that never happened."""
    expect = prediction.expect
    if measured is None:
        return Verdict(
            metric=prediction.metric,
            expected=expect.describe(),
            measured=None,
            passed=False,
            miss=absent or "no value",
            alternative_rejected=None if prediction.alternative is None else True,
        )
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


def missing_metric_text(name: str, reported: Sequence[str]) -> str:
    """The message for a predicted metric the script did not report, naming what it did."""
    if not reported:
        return f"metric '{name}' is missing: the script reported no metrics"
    hint = did_you_mean(name, list(reported))
    shown = ", ".join(sorted(reported))
    return f"metric '{name}' is missing from the script's output (it reported: {shown}){hint}"


def judge_run(
    claim: Claim, metrics: Mapping[str, object], absent: Mapping[str, str] | None = None
) -> tuple[list[Verdict], str | None]:
    """Verdicts for one seed, or the reason the output cannot be judged (an ``error``).

    A metric in ``absent`` (an event that never happened, with what was waited for) is a
    miss, not an error: the theory predicted the event.
    """
    absent = absent or {}
    problems = []
    for prediction in claim.predictions:
        name = prediction.metric
        if name in absent and metrics.get(name) is None:
            continue
        if name not in metrics:
            problems.append(missing_metric_text(name, list(metrics)))
            continue
        why = metric_problem(name, metrics[name])
        if why:
            problems.append(why)
    if problems:
        return [], "; ".join(problems)
    verdicts = []
    for prediction in claim.predictions:
        value = metrics.get(prediction.metric)
        if value is None:
            verdicts.append(judge_prediction(prediction, None, absent[prediction.metric]))
        else:
            assert isinstance(value, int | float)
            verdicts.append(judge_prediction(prediction, float(value)))
    return verdicts, None


@dataclass(frozen=True)
class JudgedRun:
    """A measured record judged against the current predictions."""

    record: RunRecord
    verdicts: list[Verdict]
    problem: str | None = None
    """Why the record cannot be judged now (a predicted metric it does not have)."""
    disagreement: str | None = None
    """Set when the verdicts stored in the record, made against these same predictions,
    differ from the recomputed ones: the record was edited or forged."""


def judge_record(claim: Claim, record: RunRecord, predictions_digest: str) -> JudgedRun:
    """Judge ``record``'s metrics against ``claim``'s current predictions."""
    verdicts, problem = judge_run(claim, record.metrics, record.absent)
    disagreement = None
    if record.verdicts and record.predictions_digest in (predictions_digest, None):
        stored = {v.metric: v.passed for v in record.verdicts}
        computed = {v.metric: v.passed for v in verdicts}
        differ = sorted(m for m in computed if m in stored and stored[m] != computed[m])
        if differ:
            disagreement = (
                f"{record.claim_id} seed {record.seed}: the record's stored verdict on "
                f"{', '.join(differ)} disagrees with its own metrics; the metrics are judged"
            )
    return JudgedRun(record, verdicts, problem, disagreement)


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
    seeds: list[int] = field(default_factory=list)
    """The seed of each entry of ``passes``."""
    description: str = ""
    absent: list[str] = field(default_factory=list)
    """For seeds on which the event never happened: what was waited for."""
    per_seed: list[float | None] = field(default_factory=list)
    """The value on each seed of ``seeds`` (None: the event never happened)."""

    @property
    def identical(self) -> bool:
        """Whether every seed gave exactly the same value (a deterministic measurement)."""
        return len(self.values) > 1 and len(set(self.values)) == 1


def sample_stdev(values: Sequence[float]) -> float:
    """Sample standard deviation (0 for fewer than two values).

    In floating point: ``statistics.stdev`` computes exactly with fractions, which costs more
    than everything else a no-op ``lmhub run`` over a large hub does.
    """
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def summarise(claim: Claim, runs: Sequence[JudgedRun]) -> list[MetricSummary]:
    """Apply each prediction's seed rule to the per-seed verdicts of ``runs``."""
    out = []
    for prediction in claim.predictions:
        seeds: list[int] = []
        verdicts: list[Verdict] = []
        for run in runs:
            for v in run.verdicts:
                if v.metric == prediction.metric:
                    seeds.append(run.record.seed)
                    verdicts.append(v)
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
                seeds=seeds,
                description=prediction.description,
                absent=[v.miss or "" for v in verdicts if v.measured is None],
                per_seed=[v.measured for v in verdicts],
            )
        )
    return out


ClaimVerdict = Literal["reproduced", "failed", "inconclusive"]


def claim_verdict(summaries: Sequence[MetricSummary]) -> ClaimVerdict:
    """``failed`` if a prediction missed; ``inconclusive`` if all held but a naive
    alternative was not rejected on every seed; else ``reproduced``."""
    if not all(s.held for s in summaries):
        return "failed"
    if any(s.alternative_rejected is False for s in summaries):
        return "inconclusive"
    return "reproduced"


def mutant_caught(summaries: Sequence[MetricSummary], must_fail: Sequence[str]) -> bool:
    """A mutant is caught when every prediction it names misses under its seed rule."""
    held = {s.metric: s.held for s in summaries}
    return all(not held.get(metric, True) for metric in must_fail)
