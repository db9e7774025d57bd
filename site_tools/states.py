"""Every state a run, a claim or a question can be in, defined once.

The runner's table, the site's pills and CSS, the badges and the exports all read the names,
words and colours from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

RunStatus = Literal["measured", "error", "timeout", "needs-gpu"]
"""What one run produced. ``measured``: the script finished and reported its metrics (the
verdict is computed from them by whoever reads the record, never stored to be believed);
``error`` and ``timeout`` are breakage and never settle anything; ``needs-gpu``: a GPU run
that could not start on this machine."""

ClaimState = Literal[
    "reproduced",
    "inconclusive",
    "insensitive",
    "regressed",
    "failed",
    "error",
    "timeout",
    "awaiting-gpu",
    "stale",
    "not-run",
]
"""Where a claim stands, judged from the hub's own CI records of its current identity."""

QuestionState = Literal["open", "partial", "resolved"]
"""How far an open question has come (the ``status`` field of its YAML)."""

Sensitivity = Literal["caught", "insensitive", "unchecked", "incomplete"]
"""What the claim's mutant runs show: every mutant caught, one still passing, none run yet,
or some not run (or broken) at the current identity."""


@dataclass(frozen=True)
class StateInfo:
    label: str
    """A word or two for tables and pills."""
    meaning: str
    """One sentence for the legend."""
    colour: str
    """Background of the pill and the badge (``#rrggbb``), readable with white text."""
    symbol: str
    """For terminals and plain text."""


CLAIM_STATES: dict[ClaimState, StateInfo] = {
    "reproduced": StateInfo(
        "reproduced",
        "every prediction held on the declared seeds and every naive alternative was rejected",
        "#2b7a3b",
        "✅",
    ),
    "inconclusive": StateInfo(
        "inconclusive",
        "the predictions held, but the measurement did not rule out the naive alternative",
        "#7a5c00",
        "❔",
    ),
    "insensitive": StateInfo(
        "insensitive",
        "the predictions held, but a mutant under which the theory predicts another outcome "
        "passed too: the reproduction does not react to the physics it tests",
        "#8e3b00",
        "🟠",
    ),
    "regressed": StateInfo(
        "regressed",
        "reproduced in some environments and failed in another",
        "#a8321f",
        "⚠️",
    ),
    "failed": StateInfo("failed", "a prediction missed on the declared seeds", "#b71c1c", "❌"),
    "error": StateInfo("error", "the latest run broke before it could be judged", "#a63c06", "💥"),
    "timeout": StateInfo("timeout", "the latest run ran out of time", "#a63c06", "⏱️"),
    "awaiting-gpu": StateInfo(
        "awaiting a GPU run",
        "needs a GPU and has no GPU run yet; its CPU smoke numbers are shown",
        "#5b3cc4",
        "🖥️",
    ),
    "stale": StateInfo(
        "stale",
        "what can change its numbers changed since its last run, or not every seed has run",
        "#6b5a00",
        "♻️",
    ),
    "not-run": StateInfo("not run", "no run of this claim by the hub yet", "#55595f", "·"),
}

QUESTION_STATES: dict[QuestionState, StateInfo] = {
    "open": StateInfo("open", "no accepted answer yet", "#1864ab", "○"),
    "partial": StateInfo("partial", "progress with evidence, not yet an answer", "#6b5a00", "◐"),
    "resolved": StateInfo("resolved", "answered, with evidence", "#2b7a3b", "●"),
}

SETTLED_RUN: frozenset[str] = frozenset({"measured"})
"""Run statuses that settle a seed: nothing but a finished measurement."""


def claim_state_names() -> tuple[str, ...]:
    return get_args(ClaimState)


def css() -> str:
    """The pill colours as CSS, one rule per state (the site writes it into its stylesheet)."""
    rules = [
        f".lmhub-status--{name} {{ background: {info.colour}; }}"
        for name, info in CLAIM_STATES.items()
    ]
    rules += [
        f".lmhub-qstatus--{name} {{ background: {info.colour}; }}"
        for name, info in QUESTION_STATES.items()
    ]
    return "\n".join(rules) + "\n"
