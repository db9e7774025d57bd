"""The outcome of a ``lmhub run``: each claim's state, and the summary table in three forms.

The table is the same data rendered as plain text (CI logs, tests), as a rich table (a
terminal) and as Markdown (``--summary FILE``, e.g. ``$GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table

from site_tools.identity import predictions_digest
from site_tools.judge import MetricSummary, mutant_caught
from site_tools.models import Claim
from site_tools.records import BadRecord, RunRecord
from site_tools.runner.plan import ClaimPlan
from site_tools.status import judge_seeds

RowState = Literal[
    "reproduced",
    "inconclusive",
    "failed",
    "error",
    "timeout",
    "needs-gpu",
    "smoke-ok",
    "measured",
    "caught",
    "insensitive",
    "stale",
    "not run",
    "interrupted",
]
FAILING: frozenset[str] = frozenset(
    {"failed", "inconclusive", "insensitive", "error", "timeout", "stale", "not run"}
)
"""Row states that make ``lmhub run`` exit 1: a miss, breakage, a naive alternative not
ruled out, or a mutant that was not caught."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_MARK = {
    "reproduced": "✅",
    "caught": "✅",
    "measured": "✅",
    "inconclusive": "❔",
    "insensitive": "🟠",
    "smoke-ok": "✅",
    "failed": "❌",
    "error": "💥",
    "timeout": "⏱",
    "needs-gpu": "⏸",
    "interrupted": "⏹",
    "stale": "…",
    "not run": "…",
}
_STYLE = {
    "reproduced": "green",
    "caught": "green",
    "measured": "green",
    "inconclusive": "yellow",
    "insensitive": "red",
    "smoke-ok": "green",
    "failed": "red",
    "error": "bold red",
    "timeout": "bold red",
    "needs-gpu": "yellow",
    "interrupted": "yellow",
}


@dataclass(frozen=True)
class Line:
    """One prediction of a claim, as a row of the table."""

    metric: str
    expected: str
    measured: str
    seeds: str
    ok: bool | None
    alternative: str = ""
    """``rejected``, ``NOT rejected`` or empty (no named alternative)."""


@dataclass
class ClaimResult:
    """Where one chosen claim stands after the run."""

    claim: Claim
    state: RowState
    reason: str
    """Why it ran (empty when it did not)."""
    ran: list[RunRecord] = field(default_factory=list)
    """Records written by this run, by seed."""
    latest: dict[int, RunRecord] = field(default_factory=dict)
    """The record standing for each seed (this run's, or a cached one)."""
    remembered: list[int] = field(default_factory=list)
    """Seeds whose settled records were not opened: the outcome was remembered from a run
    that judged the same records (see :mod:`site_tools.runner.outcomes`)."""
    summaries: list[MetricSummary] = field(default_factory=list)
    not_run: list[int] = field(default_factory=list)
    """Seeds that were to run but did not (interrupted)."""
    smoke: bool = False
    configuration: str = "full"
    message: str = ""
    """Why the state is what it is, when the records alone do not say."""

    @property
    def label(self) -> str:
        if self.configuration == "full":
            return self.claim.id
        return f"{self.claim.id} [{self.configuration}]"

    @property
    def cached(self) -> bool:
        return not self.ran and bool(self.latest or self.remembered) and not self.not_run

    @property
    def duration_s(self) -> float:
        return sum(r.duration_s for r in self.ran)

    def time_text(self) -> str:
        if self.ran:
            return f"{self.duration_s:.2f} s"
        return "cached" if self.cached else "—"

    def lines(self) -> list[Line]:
        if self.summaries:
            return [
                Line(
                    s.metric,
                    s.expected,
                    _measured(s),
                    _seed_text(s),
                    s.held,
                    ""
                    if s.alternative_rejected is None
                    else "rejected"
                    if s.alternative_rejected
                    else "NOT rejected",
                )
                for s in self.summaries
            ]
        if self.state in ("smoke-ok", "measured"):
            record = next(iter(self.latest.values()))
            return [
                Line(
                    p.metric,
                    p.expect.describe(),
                    _value(record, p.metric),
                    self.configuration,
                    None,
                )
                for p in self.claim.predictions
            ]
        return []

    def notes(self) -> list[str]:
        """What went wrong, per seed; seeds with the same message are grouped."""
        by_message: dict[str, list[int]] = {}
        for seed, record in sorted(self.latest.items()):
            if record.status != "measured":
                by_message.setdefault(f"{record.status}: {record.message}", []).append(seed)
        out = [f"{_seeds(seeds)}: {message}" for message, seeds in by_message.items()]
        for summary in self.summaries:
            if all(summary.passes) or self.configuration != "full":
                continue  # nothing missed (formatting every seed's value costs at 10k claims)
            for seed, passed, value in zip(
                summary.seeds, summary.passes, _values(summary), strict=False
            ):
                if not passed:
                    out.append(
                        f"seed {seed}: missed {summary.metric}: measured {value}, "
                        f"expected {summary.expected}"
                    )
        if self.message:
            out.append(self.message)
        if self.not_run:
            out.append(f"{_seeds(self.not_run)}: did not run (interrupted)")
        return out


def _seeds(seeds: Sequence[int]) -> str:
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {', '.join(map(str, seeds))}"


def _measured(summary: MetricSummary) -> str:
    if not summary.values:
        return "never" if summary.absent else "—"
    if len(summary.values) == 1:
        return f"{summary.mean:.4g}"
    return f"{summary.mean:.4g} ± {summary.spread:.2g}"


def _seed_text(summary: MetricSummary) -> str:
    text = f"{sum(summary.passes)}/{len(summary.passes)}"
    return text if summary.held else f"{text} (needs {summary.required})"


def _values(summary: MetricSummary) -> list[str]:
    """Each seed's value in words (``never`` for an event that did not happen)."""
    return ["never" if v is None else f"{v:.6g}" for v in summary.per_seed]


def _value(record: RunRecord, metric: str) -> str:
    value = record.metrics.get(metric)
    if value is None:
        return "never" if metric in record.absent else "—"
    return f"{value:.4g}"


def claim_result(
    plan: ClaimPlan,
    ran: Mapping[int, RunRecord],
    gpu_records: Mapping[int, RunRecord],
    not_run: Sequence[int],
) -> ClaimResult:
    """Combine a claim's cached records with this run's into its state (as the site does).

    A smoke or medium run only says whether every metric was reported; a full run is judged
    against the current predictions; a mutant's runs are judged the same way and the row
    says whether the mutant was caught (every prediction it names missed).
    """
    claim = plan.claim
    config = plan.hash.configuration
    latest: dict[int, RunRecord] = {**plan.cached, **gpu_records, **ran}
    result = ClaimResult(
        claim,
        "not run",
        plan.reason,
        [ran[s] for s in sorted(ran)],
        dict(sorted(latest.items())),
        not_run=sorted(not_run),
        smoke=config == "smoke",
        configuration=config,
    )
    if any(r.status == "needs-gpu" for r in latest.values()):
        result.state = "needs-gpu"
        return result
    if config in ("smoke", "medium"):
        statuses = {r.status for r in latest.values()}
        if "error" in statuses or "timeout" in statuses:
            result.state = "error" if "error" in statuses else "timeout"
        elif latest and not not_run:
            result.state = "smoke-ok" if config == "smoke" else "measured"
        else:
            result.state = "interrupted" if not_run else "not run"
        return result
    disagreements: list[str] = []
    state, result.summaries, message = judge_seeds(
        claim, latest, predictions_digest(claim), disagreements
    )
    result.message = "; ".join([*([message] if state == "stale" else []), *disagreements])
    row: RowState = (
        state
        if state in ("reproduced", "inconclusive", "failed", "error", "timeout", "stale")
        else "stale"
    )
    mutant = claim.mutant(config.removeprefix("mutant:")) if config.startswith("mutant:") else None
    if mutant is not None and state in ("reproduced", "inconclusive", "failed"):
        caught = mutant_caught(result.summaries, mutant.must_fail)
        row = "caught" if caught else "insensitive"
        if not caught:
            held = [s.metric for s in result.summaries if s.held and s.metric in mutant.must_fail]
            result.message = (
                f"mutant '{mutant.id}' ({mutant.why}) still passes {', '.join(held)}: "
                "the measurement does not react to the change"
            )
    result.state = "interrupted" if not_run and row in ("stale", "not run") else row
    return result


@dataclass
class RunReport:
    """Everything ``lmhub run`` reports, and its exit code."""

    results: list[ClaimResult]
    smoke: bool = False
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)
    """About the choice of claims (e.g. a deleted claim file)."""
    bad: list[BadRecord] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if any(r.state in FAILING for r in self.results):
            return EXIT_FAILED
        return EXIT_OK

    def did_not_run(self) -> list[str]:
        return [f"{r.claim.id} ({_seeds(r.not_run)})" for r in self.results if r.not_run]

    def headline(self) -> str:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.state] = counts.get(r.state, 0) + 1
        n = len({r.claim.id for r in self.results})
        states = ", ".join(f"{count} {state}" for state, count in counts.items())
        runs = sum(len(r.ran) for r in self.results)
        cached = sum(1 for r in self.results if r.cached)
        text = f"{n} claim{'s' * (n != 1)}" + (f": {states}" if states else "")
        text += f"; {runs} run{'s' * (runs != 1)} in {self.wall_s:.1f} s"
        if cached:
            text += f"; {cached} up to date (cached)"
        return text

    def footer(self) -> list[str]:
        lines = [self.headline()]
        if self.interrupted:
            missing = self.did_not_run()
            lines.append(
                "interrupted; did not run: "
                + (", ".join(missing) if missing else "nothing (every run had finished)")
            )
        lines += [f"problem: {b.path}: {b.reason}" for b in self.bad]
        return lines


# --- rendering --------------------------------------------------------------------------------

Row = tuple[str, str, str, str, str, str, str, str]
HEADERS: Row = (
    "claim",
    "status",
    "prediction",
    "expected",
    "measured",
    "seeds",
    "alternative",
    "time",
)


LISTED_MAX = 100
"""Most claims a summary lists in full. A longer report lists only the claims that ran this
time or do not pass, and counts the rest: a no-op ``lmhub run --all`` of 10,000 claims
printed 20,000 lines of up-to-date passes (1.9 MB, a tenth of its time), a terminal cannot
show them usefully, and a GitHub step summary over 1 MiB is refused."""

QUIET_STATES: frozenset[str] = frozenset({"reproduced", "caught", "measured", "smoke-ok"})
"""States of a claim that passes: left out of a long summary when nothing ran for it."""


def listed(report: RunReport) -> tuple[list[ClaimResult], int]:
    """The results a summary lists, and how many up-to-date passes it leaves out (see
    :data:`LISTED_MAX`)."""
    if len(report.results) <= LISTED_MAX:
        return report.results, 0
    shown = [r for r in report.results if r.ran or r.not_run or r.state not in QUIET_STATES]
    return shown, len(report.results) - len(shown)


def _left_out(count: int) -> list[str]:
    if not count:
        return []
    claims = "claim" if count == 1 else "claims"
    return [f"not listed: {count} up-to-date {claims} that pass (`lmhub run ID` shows one)"]


def _rows(results: list[ClaimResult]) -> Iterable[tuple[ClaimResult, list[Row]]]:
    for result in results:
        lines = result.lines()
        first = (result.label, result.state)
        if not lines:
            yield result, [(*first, "", "", "", "", "", result.time_text())]
            continue
        rows: list[Row] = []
        for i, line in enumerate(lines):
            head = first if i == 0 else ("", "")
            rows.append(
                (
                    *head,
                    line.metric,
                    line.expected,
                    line.measured,
                    line.seeds,
                    line.alternative,
                    result.time_text() if i == 0 else "",
                )
            )
        yield result, rows


def render_plain(report: RunReport) -> str:
    """The summary as a fixed-width text table, then the notes and the footer."""
    shown, left_out = listed(report)
    table: list[Row] = [HEADERS]
    notes_after: dict[int, list[str]] = {}
    for result, rows in _rows(shown):
        table += rows
        notes = result.notes()
        if notes:
            notes_after[len(table) - 1] = notes
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    out = []
    for index, row in enumerate(table if shown else []):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
        out += [f"    {note}" for note in notes_after.get(index, [])]
    out += _left_out(left_out)
    out += report.footer()
    return "\n".join(out) + "\n"


RICH_TABLE_MAX_CLAIMS = 100
"""Most claims whose summary is drawn as a rich table on a terminal: rich lays out a table
in time that grows with every cell (a no-op run of 10,000 claims took 43 s on a terminal,
most of it drawing the table, and 3 s with the plain one), so a longer summary is printed as
the plain table."""


def fits_rich_table(report: RunReport) -> bool:
    """Whether the claims ``report`` lists are few enough to draw with :func:`render_rich`."""
    return len(listed(report)[0]) <= RICH_TABLE_MAX_CLAIMS


def render_rich(report: RunReport, console: Console) -> None:
    """The summary as a rich table on a terminal."""
    shown, left_out = listed(report)
    table = Table(*HEADERS, title="lmhub run", title_justify="left")
    for result, rows in _rows(shown):
        style = _STYLE.get(result.state)
        for i, row in enumerate(rows):
            cells = list(row)
            if i == 0:
                cells[1] = f"{_MARK.get(result.state, '')} {result.state}"
            table.add_row(*cells, style=style if i == 0 else None)
        for note in result.notes():
            table.add_row("", "", note, style="dim")
    if shown:
        console.print(table)
    for line in [*_left_out(left_out), *report.footer()]:
        console.print(line, highlight=False, markup=False)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: RunReport) -> str:
    """The summary as a Markdown section (for ``$GITHUB_STEP_SUMMARY``)."""
    title = "lmhub run --smoke" if report.smoke else "lmhub run"
    shown, left_out = listed(report)
    out = [f"### {title}: {_md(report.headline())}", ""]
    if shown:
        out += ["| claim | status | predictions | time |", "|---|---|---|---|"]
    for result in shown:
        cells = [
            f"`{line.metric}`: expected {line.expected}, measured {line.measured}"
            + (f" ({line.seeds})" if line.seeds else "")
            + ("" if line.ok is None else " ✅" if line.ok else " ❌")
            + (f"; naive alternative {line.alternative}" if line.alternative else "")
            for line in result.lines()
        ]
        cells += result.notes()
        out.append(
            f"| `{result.label}` | {_MARK.get(result.state, '')} {result.state} | "
            f"{'<br>'.join(_md(c) for c in cells) or '—'} | {result.time_text()} |"
        )
    out += ["", *[f"- {_md(line)}" for line in [*_left_out(left_out), *report.footer()[1:]]]]
    return "\n".join(out).rstrip() + "\n\n"
