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
from site_tools.content import content_problems
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import PlainDisplay
from site_tools.site.pages.strands import ENTRIES_DIRECTIVE
from tests.conftest import REPO

MINIMUM_PER_STRAND = {
    "solvable-settings": 8,
    "tractable-limits": 8,
    "simple-laws": 6,
    "hyperparameters": 6,
    "universal-behaviours": 6,
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO)


def test_every_strand_has_enough_claims(catalog: Catalog) -> None:
    counts = Counter(c.strand for c in catalog.claims.values())
    for strand, minimum in MINIMUM_PER_STRAND.items():
        assert counts[strand] >= minimum, f"{strand}: {counts[strand]} claims"
    assert sum(c.reproduction.device == "gpu" for c in catalog.claims.values()) >= 3


def test_every_claim_has_enough_seeds(catalog: Catalog) -> None:
    # Cost, plot, alternative and open-question links are content checks (lmhub check).
    assert [c.id for c in catalog.claims.values() if len(c.reproduction.seeds) < 3] == []


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


def test_the_strands_guide_lists_every_strand_from_the_catalogue(catalog: Catalog) -> None:
    # The lists themselves are generated at build time; the page only names the strands.
    guide = (REPO / "docs" / "guide" / "strands.md").read_text(encoding="utf-8")
    named = ENTRIES_DIRECTIVE.findall(guide)
    assert sorted(named) == sorted(s.id for s in catalog.taxonomy.strands)


def test_every_claim_passes_the_content_checks(catalog: Catalog) -> None:
    assert [p.format() for p in content_problems(catalog)] == []


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_gpu_claims_pass_their_cpu_smoke_run(hub_copy: Path, catalog: Catalog) -> None:
    gpu = tuple(c.id for c in catalog.claims.values() if c.reproduction.device == "gpu")
    log = io.StringIO()
    report = run_hub(hub_copy, RunOptions(ids=gpu, smoke=True, jobs=2), PlainDisplay(log))
    assert {r.claim.id: r.state for r in report.results} == dict.fromkeys(gpu, "smoke-ok"), (
        log.getvalue()[-3000:]
    )
