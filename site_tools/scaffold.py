"""Templates for new entries: ``lmhub new claim`` and ``lmhub new question``."""

from __future__ import annotations

from pathlib import Path

from site_tools.catalog import Catalog
from site_tools.models import is_id
from site_tools.problems import HubError, Problem
from site_tools.suggest import did_you_mean

CLAIM_TEMPLATE = """\
# yaml-language-server: $schema=../schemas/claim.schema.json
# A claim is one falsifiable, quantitative prediction with a minimal reproduction.
# Field reference: docs/reference/fields.md. Check it with `lmhub validate`, run it with
# `lmhub run {id}`.
id: {id}
title: {title}
strand: {strand}
tags: [example]
# The claim in a few sentences. Markdown, with LaTeX math between $...$.
statement: >-
  The mean of $n$ independent standard normal draws has standard deviation $1/\\sqrt{{n}}$,
  so it lies within $4/\\sqrt{{n}}$ of zero with probability above 0.9999.
# Keys into references.bib: the papers the prediction comes from.
citations: [{citation}]
# Ids of open questions this claim bears on (each must list this claim back).
open_questions: []
reproduction:
  script: repro/{module}.py
  device: cpu        # gpu for claims that need one at full size (then add `smoke:`)
  timeout_s: 60      # per seed, in seconds
  seeds: [0, 1, 2]
  plot:
    x_label: number of draws n
    y_label: "|sample mean|"
    x_log: true
    y_log: true
predictions:
  - metric: scaled_mean
    description: sample mean of n = 10000 standard normal draws, times sqrt(n)
    # The expected value and its tolerance come from theory, written before the run.
    expect: {{kind: interval, low: -4.0, high: 4.0}}
    source: central limit theorem; |sqrt(n) * mean| > 4 has probability 6e-5
    seeds: all
    alternative:
      description: a mean that does not shrink with n (scaled mean of order sqrt(n) = 100)
      expect: {{kind: at_least, value: 50.0}}
"""

SCRIPT_TEMPLATE = '''\
"""{title}: a minimal reproduction (replace this example with your measurement)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)
n = 1_000 if args.smoke else 10_000

draws = rng.standard_normal(n)
sizes = np.unique(np.logspace(1, np.log10(n), 20).astype(int))
running = np.abs(np.cumsum(draws)[sizes - 1] / sizes)

write_result(
    args,
    metrics={{"scaled_mean": float(draws.mean() * np.sqrt(n))}},
    curves={{
        "measured |mean|": series(sizes, running),
        "theory 1/sqrt(n)": series(sizes, 1 / np.sqrt(sizes), style="theory"),
    }},
)
'''

QUESTION_TEMPLATE = """\
# yaml-language-server: $schema=../schemas/open_question.schema.json
# An open question: what the field does not know yet, and what would count as progress.
id: {id}
title: {title}
strand: {strand}
tags: []
statement: >-
  State the question so that a graduate student can understand it.
why_it_matters: >-
  Say what an answer would change, for theory or for practice.
# Concrete, checkable results: what would be measured, and how, to count as progress.
progress_criteria:
  - A prediction of ..., made before training, that matches measurement within ...
status: open         # open, partial (add status_evidence) or resolved
related_claims: []   # claims that bear on it; each must list this question back
citations: []
"""


def new_entry(catalog: Catalog, kind: str, entry_id: str, strand: str) -> list[Path]:
    """Write a template claim (with its script) or question; never overwrites a file.

    Returns the paths written.
    """
    problems = []
    if not is_id(entry_id):
        problems.append(
            Problem(
                entry_id, 0, 0, "id", "use kebab-case: lowercase letters and digits joined by '-'"
            )
        )
    strands = [s.id for s in catalog.taxonomy.strands]
    if strand not in strands:
        problems.append(
            Problem(
                "taxonomy.yaml",
                0,
                0,
                "strand",
                f"unknown strand '{strand}'{did_you_mean(strand, strands)}; "
                f"one of {', '.join(strands)}",
            )
        )
    folder = catalog.paths.claims if kind == "claim" else catalog.paths.questions
    target = folder / f"{entry_id}.yaml"
    module = entry_id.replace("-", "_")
    script = catalog.paths.repro / f"{module}.py"
    for path in (target, script) if kind == "claim" else (target,):
        if path.exists():
            problems.append(
                Problem(catalog.paths.shown(path), 0, 0, "", "already exists; not overwritten")
            )
    if problems:
        raise HubError(problems)
    title = entry_id.replace("-", " ").capitalize()
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "question":
        target.write_text(
            QUESTION_TEMPLATE.format(id=entry_id, title=title, strand=strand), "utf-8"
        )
        return [target]
    citation = next(iter(catalog.bib.references), "add-a-key")
    target.write_text(
        CLAIM_TEMPLATE.format(
            id=entry_id, title=title, strand=strand, citation=citation, module=module
        ),
        "utf-8",
    )
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(SCRIPT_TEMPLATE.format(title=title), "utf-8")
    return [target, script]
