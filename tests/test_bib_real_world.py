"""A large bibliography written by people, not for this hub: read as BibTeX reads it.

Without ``crossref`` resolution and ``@string`` expansion the same file gives 1,335
problems, 846 of them a missing author or year that its cross-referenced volume supplies.
"""

from __future__ import annotations

from collections import Counter

import pytest

from site_tools.citations import Bibliography, load_bibliography
from site_tools.problems import Problem
from tests.conftest import FIXTURES

REAL = FIXTURES / "bib" / "iridia.bib"


@pytest.fixture(scope="module")
def loaded() -> tuple[Bibliography, list[Problem]]:
    return load_bibliography(REAL, "iridia.bib")


def test_every_entry_is_read(loaded: tuple[Bibliography, list[Problem]]) -> None:
    bib, _ = loaded
    assert len(bib.references) == 3305
    assert sum("crossref" in r.fields for r in bib.references.values()) == 847


def test_only_real_gaps_are_reported(loaded: tuple[Bibliography, list[Problem]]) -> None:
    bib, problems = loaded
    kinds = Counter(p.message.split(" '")[0].split(":")[0] for p in problems)
    assert kinds == {
        "malformed arXiv id": 4,  # a URL in eprint without an archive prefix
        "entry says neither where the work appeared (journal, booktitle, publisher, "
        "school, institution, howpublished) nor how to find it (doi, eprint, url); add one": 5,
        "entry is missing": 2,  # two @misc entries with no author at all
    }
    assert all(p.severity == "error" for p in problems)
    crossreffed = {k for k, r in bib.references.items() if "crossref" in r.fields}
    assert [p.format() for p in problems if p.field in crossreffed] == []
    assert sorted((p.line, p.field) for p in problems if "missing" in p.message) == [
        (25469, "COSEAL"),
        (29989, "JoH2015:policy"),
    ]


def test_crossref_fills_the_volume(loaded: tuple[Bibliography, list[Problem]]) -> None:
    bib, _ = loaded
    chapter = bib["AarKorMic2005"]  # @incollection, crossref = {SearchMethod2005}
    assert chapter.year == "2005"
    assert chapter.venue == "Search Methodologies"
    assert chapter.cite_label() == "Aarts, Korst & Michiels (2005)"  # '#and#' macros joined


def test_math_in_titles_stays_math(loaded: tuple[Bibliography, list[Problem]]) -> None:
    bib, _ = loaded
    assert bib["AhmOsm2004:aor"].title == (
        "Density Based Problem Space Search for the Capacitated Clustering $p$-Median Problem"
    )
