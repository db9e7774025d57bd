"""Templates for new entries: ``lmhub new claim`` and ``lmhub new question``."""

from __future__ import annotations

from pathlib import Path

from site_tools.catalog import Catalog
from site_tools.fsio import atomic_write
from site_tools.leftovers import derived_title
from site_tools.models import is_id
from site_tools.problems import HubError, Problem
from site_tools.suggest import did_you_mean

CLAIM_TEMPLATE = """\
# yaml-language-server: $schema=../schemas/claim.schema.json
# A claim is one falsifiable, quantitative prediction with a minimal reproduction.
# Field reference: docs/reference/fields.md. `lmhub validate` lists every line still marked
# `# placeholder:`; `lmhub run {id}` runs it; `lmhub check` says when it is ready for review.
id: {id}
title: {title}  # placeholder: state the result in one sentence
strand: {strand}
tags: [example]  # placeholder: name the topic
# The claim in a few sentences. Markdown, with LaTeX math between $...$.
statement: >-
  The mean of $n$ independent standard normal draws has standard deviation $1/\\sqrt{{n}}$,
  so it lies within $4/\\sqrt{{n}}$ of zero with probability above 0.9999.
# Keys into references.bib: the papers the prediction comes from.
citations: [{citation}]  # placeholder: cite the paper the prediction comes from
# Ids of open questions this claim bears on (each must list this claim back).
open_questions: []
reproduction:
  script: repro/{module}.py
  device: cpu        # gpu for claims that need one at full size (then `smoke:` runs on CPU)
  timeout_s: 60      # per seed, in seconds
  cost_s: 0.1        # typical seconds per seed, as `lmhub run` reports them
  seeds: [0, 1, 2]
  # Every input of the script, read there as `p = args.params` then `p.n`.
  parameters:
    n: {{value: 10000, meaning: number of standard normal draws}}
    offset: {{value: 0.0, meaning: mean added to every draw; the theory assumes 0}}
  # A tiny configuration for a quick check, as overrides of the parameters.
  smoke:
    timeout_s: 30
    overrides: {{n: 1000}}
    description: a tenth of the draws; checks only that every metric is written
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
# Changes of parameters under which the theory predicts another outcome: the run must then
# miss every metric in must_fail, or the measurement does not test the theory.
mutants:
  - id: shifted-mean
    overrides: {{offset: 0.1}}
    why: "draws of mean 0.1 give a scaled mean of 0.1 sqrt(n) = 10, outside [-4, 4]"
    must_fail: [scaled_mean]
"""

SCRIPT_TEMPLATE = '''\
"""{title}: a minimal reproduction (replace this example with your measurement)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params  # the claim's reproduction.parameters, with any overrides applied
rng = np.random.default_rng(args.seed)

draws = p.offset + rng.standard_normal(p.n)
sizes = np.unique(np.logspace(1, np.log10(p.n), 20).astype(int))
running = np.abs(np.cumsum(draws)[sizes - 1] / sizes)

write_result(
    args,
    metrics={{"scaled_mean": float(draws.mean() * np.sqrt(p.n))}},
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
title: {title}  # placeholder: ask the question in one line
strand: {strand}
tags: []
statement: >-  # placeholder: state the question for a graduate student
  State the question so that a graduate student can understand it.
why_it_matters: >-  # placeholder: say what an answer would change
  Say what an answer would change, for theory or for practice.
# Concrete, checkable results: what would be measured, and how, to count as progress.
progress_criteria:
  - A prediction of ..., made before training, that matches measurement within ...  # placeholder: name a checkable result
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
    title = derived_title(entry_id)
    if kind == "question":
        text = QUESTION_TEMPLATE.format(id=entry_id, title=title, strand=strand)
        atomic_write(target, text, replace=False)
        return [target]
    # Any key of the bibliography keeps the template valid; it is marked as a placeholder.
    citation = next(iter(catalog.bib.references), "add-a-key")
    text = CLAIM_TEMPLATE.format(
        id=entry_id, title=title, strand=strand, citation=citation, module=module
    )
    atomic_write(target, text, replace=False)
    atomic_write(script, SCRIPT_TEMPLATE.format(title=title), replace=False)
    return [target, script]
