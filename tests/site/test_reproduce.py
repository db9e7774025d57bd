"""The rerun, parameters and mutants sections of a claim page, on this repository's example."""

from __future__ import annotations

import pytest

from site_tools.catalog import Catalog, load_catalog
from site_tools.site.pages.common import MutantOutcome, SiteData
from site_tools.site.pages.reproduce import mutants_md, parameters_md, rerun_md
from tests.site.hubs import REPO

EXAMPLE = "dln-mode-timescales"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO)


def test_parameters_show_declared_and_smoke_values(catalog: Catalog) -> None:
    text = parameters_md(catalog.claims[EXAMPLE])
    assert "| Parameter | Value | Smoke | Unit | Meaning |" in text
    assert "| `dt` | 0.001 | 0.01 | time |" in text


def test_mutants_list_why_and_must_fail_and_keep_a_slot_for_results(catalog: Catalog) -> None:
    claim = catalog.claims[EXAMPLE]
    empty = mutants_md(SiteData(catalog, {}), claim)
    assert "`larger-init`" in empty and "`t_half_weakest`" in empty
    assert "*Mutation runs:* none recorded yet." in empty
    data = SiteData(
        catalog, {}, sensitivity={EXAMPLE: {"larger-init": MutantOutcome(True, "both missed")}}
    )
    known = mutants_md(data, claim)
    assert "**Sensitivity:** 1 of 2 mutants run and caught; the others not run yet." in known
    assert "| `larger-init` | caught | both missed |" in known
    assert "| `doubled-spectrum` | not run |  |" in known


def test_rerun_works_from_nothing(catalog: Catalog) -> None:
    text = rerun_md(SiteData(catalog, {}), catalog.claims[EXAMPLE])
    assert (
        "git clone https://github.com/learning-mechanics/hub\n"
        "cd hub && bash scripts/setup.sh\n.venv/bin/lmhub run dln-mode-timescales\n"
    ) in text
    assert "/blob/main/repro/dln_mode_timescales.py)" in text
    assert "/tree/main/results/dln-mode-timescales)" in text
