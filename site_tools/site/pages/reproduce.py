"""The parts of a claim page that say how to rerun it and with what: the rerun commands, the
declared parameters with their smoke and medium overrides, and the mutants."""

from __future__ import annotations

import posixpath

from site_tools.evidence import BRANCH as EVIDENCE_BRANCH
from site_tools.models import Claim, ParamValue
from site_tools.site.pages.common import MutantOutcome, SiteData, fence, table
from site_tools.site.text import entry_inline, inline


def param_value(value: ParamValue) -> str:
    """A parameter value as inline Markdown, as declared (an input, not a measurement: shown
    with the digits it was written with, ``0.001`` rather than ``0.001000``)."""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, int):
        return inline(str(value))
    if isinstance(value, float):
        return inline(f"{value:.12g}")
    if isinstance(value, str):
        return inline(value)
    return inline("[" + ", ".join(param_value(v) for v in value) + "]")


def _overrides(overrides: dict[str, ParamValue]) -> str:
    return ", ".join(f"{inline(k)} = {param_value(v)}" for k, v in overrides.items())


def clone_commands(data: SiteData) -> list[str]:
    """The commands that get the hub and install it, from nothing."""
    url = data.repo_url()
    setup = "bash scripts/setup.sh"
    if url is None:
        return [f"cd <your copy of the hub> && {setup}"]
    folder = posixpath.basename(url.rstrip("/")).removesuffix(".git") or "hub"
    return [f"git clone {url}", f"cd {folder} && {setup}"]


def rerun_md(data: SiteData, claim: Claim) -> str:
    """The "Rerun it" section: clone, set up, run and judge; links to the script and records."""
    repro = claim.reproduction
    run = f".venv/bin/lmhub run {claim.id}"
    lines = [*clone_commands(data)]
    if repro.device == "gpu":
        lines += [
            f"{run} --device cuda    # full size, on a GPU",
            f"{run} --smoke          # tiny configuration, on a CPU in seconds",
        ]
    else:
        lines.append(run)
    out = [
        "## Rerun it\n",
        "From nothing: get the hub, install it (a virtual environment in `.venv`), then run "
        "the claim on every seed and judge each prediction. The script alone prints its "
        "metrics as JSON: `cd repro && ../.venv/bin/python "
        # The script path is validated (letters, digits, ``_./-``): safe inside a code span.
        f"{posixpath.relpath(repro.script, 'repro')} --seed {repro.seeds[0]}`.\n",
        fence("\n".join(lines), "bash"),
    ]
    links = []
    script = data.repo_url(repro.script)
    if script:
        links.append(f"[script source]({script})")
    # The hub's own records are on the evidence branch; reported ones under results/.
    records = data.repo_url(claim.id, "tree", branch=EVIDENCE_BRANCH)
    if records:
        links.append(f"[the hub's run records]({records})")
    reported = data.repo_url(f"results/{claim.id}", "tree")
    if reported:
        links.append(f"[reported run records]({reported})")
    facts = (
        f"Device: {inline(repro.device)} · seeds: "
        f"{inline(', '.join(str(s) for s in repro.seeds))} · time limit per seed: "
        f"{repro.timeout_s} s"
    )
    out.append(facts + (" · " + " · ".join(links) if links else "") + "\n")
    return "\n".join(out)


def parameters_md(claim: Claim) -> str:
    """The declared parameters, with the smoke and medium values beside the full ones."""
    repro = claim.reproduction
    if not repro.parameters:
        return ""
    configs = [(name, c) for name, c in (("Smoke", repro.smoke), ("Medium", repro.medium)) if c]
    headers = ["Parameter", "Value", *(name for name, _ in configs), "Unit", "Meaning"]
    rows = []
    for name, param in repro.parameters.items():
        row = [f"`{name}`", param_value(param.value)]
        for _, config in configs:
            value = config.overrides.get(name)
            row.append("—" if value is None else param_value(value))
        row += [inline(param.unit) if param.unit else "—", entry_inline(param.meaning, cell=True)]
        rows.append(row)
    out = [
        "## Parameters\n",
        "The script's inputs as the claim declares them; the full run uses *Value*. "
        + (
            "The smaller configurations change only the values shown in their column (— keeps "
            "the declared value).\n"
            if configs
            else "\n"
        ),
        f'<div class="lmhub-table lmhub-table--params" markdown>\n\n{table(headers, rows)}\n</div>\n',
    ]
    for name, config in configs:
        if config.description:
            out.append(
                f"*{name}* ({config.timeout_s} s per seed): {entry_inline(config.description)}\n"
            )
    return "\n".join(out)


def mutants_md(data: SiteData, claim: Claim) -> str:
    """The mutants: what each changes, what the theory then predicts, which metrics must fail;
    and, kept apart, the outcome of their runs when :attr:`SiteData.sensitivity` has one."""
    if not claim.mutants:
        return ""
    rows = [
        [
            f"`{m.id}`",
            _overrides(m.overrides),
            entry_inline(m.why, cell=True),
            " ".join(f"`{metric}`" for metric in m.must_fail),
        ]
        for m in claim.mutants
    ]
    out = [
        "## Mutants\n",
        "Changes of the parameters under which the claim's own theory predicts another "
        "outcome. A mutant is *caught* when every metric it lists misses its prediction; a "
        "reproduction that stays green under a mutant does not measure what it claims to.\n",
        '<div class="lmhub-table lmhub-table--mutants" markdown>\n\n'
        + table(["Mutant", "Change", "What the theory then predicts", "Must fail"], rows)
        + "\n</div>\n",
    ]
    outcomes = data.mutant_outcomes(claim.id)
    out.append(sensitivity_md(claim, outcomes))
    return "\n".join(out)


def sensitivity_md(claim: Claim, outcomes: dict[str, MutantOutcome]) -> str:
    """The mutation runs' results (``caught``/``missed`` per mutant), or a line saying that
    none is recorded."""
    known = {k: v for k, v in outcomes.items() if k in {m.id for m in claim.mutants}}
    if not known:
        return "*Mutation runs:* none recorded yet.\n"
    caught = sum(v.caught for v in known.values())
    rows = []
    for mutant in claim.mutants:
        outcome = known.get(mutant.id)
        if outcome is None:
            rows.append([f"`{mutant.id}`", "not run", ""])
        else:
            rows.append(
                [
                    f"`{mutant.id}`",
                    "caught" if outcome.caught else "**missed**",
                    inline(outcome.detail) if outcome.detail else "",
                ]
            )
    n = len(claim.mutants)
    missed = [m.id for m in claim.mutants if m.id in known and not known[m.id].caught]
    if missed:
        lead = (
            f"**Sensitivity: insensitive.** Mutant{'s' * (len(missed) > 1)} "
            + ", ".join(f"`{m}`" for m in missed)
            + " left the predictions it names green: the reproduction does not react to that "
            "change."
        )
    elif caught == n:
        lead = f"**Sensitivity:** {n} mutant{'s' * (n != 1)}, all caught."
    else:
        lead = f"**Sensitivity:** {caught} of {n} mutants run and caught; the others not run yet."
    return f"### Mutation runs\n\n{lead}\n\n" + table(["Mutant", "Outcome", "Detail"], rows)
