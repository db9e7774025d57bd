"""Content checks: what this hub asks of every claim beyond a valid schema.

``lmhub validate`` checks that entries are well formed; these checks say whether a claim is
ready for review: seeded, cheap enough to rerun, plotted, falsifiable, and linked to the
questions it bears on. ``lmhub check`` runs them after validation; the test suite runs them
on the whole catalogue.
"""

from __future__ import annotations

from pathlib import Path

from site_tools.catalog import Catalog
from site_tools.models import Claim, Target
from site_tools.problems import Problem
from site_tools.yaml_source import Loc, SourceDoc, read_yaml_file

CPU_BUDGET_S = 30.0
"""Most seconds one seed of a CPU claim may cost on one core."""


def _claim_problems(claim: Claim) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    repro = claim.reproduction
    if repro.plot is None:
        found.append(
            (
                ("reproduction",),
                "add `plot:` (axis labels) so the page shows theory and measurement",
            )
        )
    if repro.cost_s is None:
        found.append(
            (("reproduction",), "state `cost_s:`, the seconds one seed takes (see `lmhub run`)")
        )
    elif repro.device == "cpu" and repro.cost_s > CPU_BUDGET_S:
        found.append(
            (
                ("reproduction", "cost_s"),
                f"{repro.cost_s:g} s per seed is above the {CPU_BUDGET_S:g} s budget of a CPU "
                "claim; shrink the configuration or set device: gpu with a smoke configuration",
            )
        )
    if not any(p.alternative for p in claim.predictions):
        found.append(
            (
                ("predictions",),
                "no prediction names an `alternative`: add the naive answer the tolerance rules out",
            )
        )
    for i, prediction in enumerate(claim.predictions):
        expect, alt = prediction.expect, prediction.alternative
        if alt is not None and isinstance(expect, Target) and alt.expect.check(expect.value):
            found.append(
                (
                    ("predictions", i, "alternative", "expect"),
                    "the alternative accepts the predicted value itself, so no run can reject "
                    "it; make it the naive answer, away from the prediction",
                )
            )
    if not claim.mutants:
        found.append(
            (
                ("predictions",),
                "declare at least one `mutants:` entry: a change of the parameters under which "
                "the claim's theory predicts another outcome, and the predictions that must "
                "then fail (see CONTRIBUTING, 'Parameters, smoke runs and mutants')",
            )
        )
    elif not claim.reproduction.parameters:
        found.append(
            (
                ("reproduction",),
                "declare the script's inputs under `parameters:` so that mutants can change them",
            )
        )
    if not claim.open_questions:
        found.append(
            (
                ("open_questions",),
                "link at least one open question the claim bears on "
                "(and list the claim back in its related_claims)",
            )
        )
    return found


def content_problems(catalog: Catalog) -> list[Problem]:
    """What keeps each claim of ``catalog`` from review, at the position of the field."""
    problems = []
    for claim in catalog.claims.values():
        found = _claim_problems(claim)
        if not found:
            continue
        rel = catalog.sources.get(f"claim:{claim.id}", f"claims/{claim.id}.yaml")
        limit = catalog.settings.limits.max_file_bytes
        doc = read_yaml_file(catalog.root / Path(rel), rel, max_bytes=limit)
        for loc, message in found:
            if isinstance(doc, SourceDoc):
                problems.append(doc.problem(loc, message))
            else:
                problems.append(Problem(rel, 0, 0, ".".join(map(str, loc)), message))
    return sorted(problems)
