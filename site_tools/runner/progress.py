"""Showing a run as it happens: a live progress bar on a terminal, plain lines elsewhere (CI)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from site_tools.records import RunRecord
from site_tools.runner.plan import ClaimPlan, Task


class Display(Protocol):
    """What the runner tells the person watching it."""

    def planned(self, plans: Sequence[ClaimPlan], notes: Sequence[str], gpu_note: str) -> None: ...
    def started(self, task: Task) -> None: ...
    def finished(self, task: Task, record: RunRecord | None) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


def _seeds(seeds: Sequence[int]) -> str:
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {', '.join(map(str, seeds))}"


def plan_lines(plans: Sequence[ClaimPlan], notes: Sequence[str], gpu_note: str) -> list[str]:
    """The plan in words: a headline, then one line per claim that runs or cannot."""
    runs = sum(len(p.tasks) for p in plans)
    up_to_date = sum(1 for p in plans if not p.tasks and not p.needs_gpu)
    chosen = len({p.claim.id for p in plans})
    lines = [
        f"{chosen} claim{'s' * (chosen != 1)} chosen: {runs} "
        f"run{'s' * (runs != 1)} to make, {up_to_date} claim{'s' * (up_to_date != 1)} "
        "up to date"
    ]
    lines += [f"note: {n}" for n in notes]
    for plan in plans:
        config = plan.hash.configuration
        label = plan.claim.id + ("" if config == "full" else f" [{config}]")
        if plan.tasks:
            seeds = [t.seed for t in plan.tasks]
            lines.append(f"  {label}: {_seeds(seeds)} ({plan.reason})")
        if plan.needs_gpu:
            seeds = sorted(plan.needs_gpu)
            verb = "needs" if len(seeds) == 1 else "need"
            lines.append(f"  {label}: {_seeds(seeds)} {verb} a GPU ({gpu_note})")
    return lines


def _done_line(task: Task, record: RunRecord | None) -> str:
    where = task.label
    if record is None:
        return f"{where}: stopped, nothing recorded"
    text = f"{where}: {record.status} in {record.duration_s:.2f} s"
    if record.message and not record.message.endswith(" met"):
        text += f": {record.message}"
    return text


class PlainDisplay:
    """One line per event, flushed at once: readable in a CI log, and by a test."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.total = 0
        self.done = 0

    def _print(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def planned(self, plans: Sequence[ClaimPlan], notes: Sequence[str], gpu_note: str) -> None:
        self.total = sum(len(p.tasks) for p in plans)
        for line in plan_lines(plans, notes, gpu_note):
            self._print(line)

    def started(self, task: Task) -> None:
        self._print(f"start {task.label}")

    def finished(self, task: Task, record: RunRecord | None) -> None:
        self.done += 1
        self._print(f"[{self.done}/{self.total}] {_done_line(task, record)}")

    def note(self, text: str) -> None:
        self._print(text)

    def close(self) -> None:
        pass


class RichDisplay:
    """A live bar with the runs in flight; each finished run printed above it."""

    def __init__(self, console: Console):
        self.console = console
        self.running: list[str] = []
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.bar = self.progress.add_task("planning", total=None)

    def planned(self, plans: Sequence[ClaimPlan], notes: Sequence[str], gpu_note: str) -> None:
        for line in plan_lines(plans, notes, gpu_note):
            self.console.print(line, highlight=False, markup=False)
        self.progress.update(
            self.bar, total=sum(len(p.tasks) for p in plans), description="running"
        )
        self.progress.start()

    def _describe(self) -> None:
        shown = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
        self.progress.update(self.bar, description=f"running {shown}" if shown else "running")

    def started(self, task: Task) -> None:
        self.running.append(f"{task.claim_id}:{task.seed}")
        self._describe()

    def finished(self, task: Task, record: RunRecord | None) -> None:
        label = f"{task.claim_id}:{task.seed}"
        if label in self.running:
            self.running.remove(label)
        style = {
            "measured": "green",
            "needs-gpu": "yellow",
        }.get(record.status if record else "", "bold red")
        self.progress.console.print(
            _done_line(task, record), style=style, highlight=False, markup=False
        )
        self.progress.advance(self.bar)
        self._describe()

    def note(self, text: str) -> None:
        self.progress.console.print(text, highlight=False, markup=False)

    def close(self) -> None:
        self.progress.stop()
