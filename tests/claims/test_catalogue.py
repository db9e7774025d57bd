"""The catalogue itself: enough claims per strand, each honest about cost and falsifiable,
and every CPU claim reproducing with every naive alternative rejected.

The reproduction test runs the real scripts (in a copy of the repository, so that cached
records are reused and none is added to the checkout); it is the slowest test of the suite.
"""

from __future__ import annotations

import io
import shutil
from collections import Counter
from pathlib import Path

import pytest

from site_tools.catalog import Catalog, load_catalog
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import PlainDisplay
from tests.conftest import REPO

MINIMUM_PER_STRAND = {
    "solvable-settings": 8,
    "tractable-limits": 8,
    "simple-laws": 6,
    "hyperparameters": 6,
    "universal-behaviours": 6,
}
CPU_BUDGET_S = 30.0


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO)


def test_every_strand_has_enough_claims(catalog: Catalog) -> None:
    counts = Counter(c.strand for c in catalog.claims.values())
    for strand, minimum in MINIMUM_PER_STRAND.items():
        assert counts[strand] >= minimum, f"{strand}: {counts[strand]} claims"
    assert sum(c.reproduction.device == "gpu" for c in catalog.claims.values()) >= 3


def test_every_claim_is_seeded_cheap_and_plotted(catalog: Catalog) -> None:
    for claim in catalog.claims.values():
        repro = claim.reproduction
        assert len(repro.seeds) >= 3, claim.id
        assert repro.plot is not None, f"{claim.id}: no plot"
        assert repro.cost_s is not None, f"{claim.id}: cost_s not stated"
        if repro.device == "cpu":
            assert repro.cost_s <= CPU_BUDGET_S, f"{claim.id}: {repro.cost_s} s per seed"
        else:
            assert repro.smoke is not None, claim.id


def test_every_claim_names_a_naive_alternative(catalog: Catalog) -> None:
    for claim in catalog.claims.values():
        assert any(p.alternative for p in claim.predictions), f"{claim.id}: no alternative"
        for prediction in claim.predictions:
            if prediction.alternative:
                # An alternative the prediction itself would satisfy could never be rejected.
                expect, alt = prediction.expect, prediction.alternative.expect
                if hasattr(expect, "value") and expect.kind == "target":
                    assert not alt.check(expect.value), f"{claim.id}.{prediction.metric}"


def test_every_claim_bears_on_an_open_question(catalog: Catalog) -> None:
    lonely = [c.id for c in catalog.claims.values() if not c.open_questions]
    assert lonely == []


@pytest.fixture(scope="module")
def hub_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hub")
    for name in ("claims", "open_questions", "repro", "results"):
        shutil.copytree(
            REPO / name,
            root / name,
            ignore=shutil.ignore_patterns("__pycache__", ".lock", ".tmp-*"),
        )
    for name in ("references.bib", "taxonomy.yaml", "hub.yaml"):
        shutil.copyfile(REPO / name, root / name)
    return root


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_every_cpu_claim_reproduces_and_rejects_its_alternative(hub_copy: Path) -> None:
    log = io.StringIO()
    report = run_hub(hub_copy, RunOptions(all_claims=True, jobs=2), PlainDisplay(log))
    problems = []
    for result in report.results:
        if result.claim.reproduction.device == "gpu":
            continue
        if result.state != "reproduced":
            problems.append(f"{result.claim.id}: {result.state}")
        for summary in result.summaries:
            if summary.alternative_rejected is False:
                problems.append(f"{result.claim.id}.{summary.metric}: alternative not rejected")
    assert problems == [], log.getvalue()[-5000:]


def test_the_strands_guide_lists_every_entry_under_its_strand(catalog: Catalog) -> None:
    guide = (REPO / "docs" / "guide" / "strands.md").read_text(encoding="utf-8")
    for entry in [*catalog.claims.values(), *catalog.questions.values()]:
        folder = "claims" if entry.id in catalog.claims else "questions"
        assert f"({folder}/{entry.id}.md)" in guide or f"(../{folder}/{entry.id}.md)" in guide, (
            f"docs/guide/strands.md does not link {folder}/{entry.id}"
        )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_gpu_claims_pass_their_cpu_smoke_run(hub_copy: Path, catalog: Catalog) -> None:
    gpu = tuple(c.id for c in catalog.claims.values() if c.reproduction.device == "gpu")
    log = io.StringIO()
    report = run_hub(hub_copy, RunOptions(ids=gpu, smoke=True, jobs=2), PlainDisplay(log))
    assert {r.claim.id: r.state for r in report.results} == dict.fromkeys(gpu, "smoke-ok"), (
        log.getvalue()[-3000:]
    )
