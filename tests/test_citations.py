from __future__ import annotations

from pathlib import Path

from site_tools.citations import latex_to_text, load_bibliography
from tests.conftest import BASE_HUB, REPO


def test_reference_formatting() -> None:
    bib, problems = load_bibliography(BASE_HUB / "references.bib", "references.bib")
    assert problems == []
    saxe = bib["saxe2014exact"]
    assert saxe.cite_label() == "Saxe, McClelland & Ganguli (2014)"
    assert saxe.full_authors() == "Andrew M. Saxe, James L. McClelland, Surya Ganguli"
    assert saxe.venue == "International Conference on Learning Representations (ICLR)"
    assert saxe.links() == {"arXiv": "https://arxiv.org/abs/1312.6120"}
    belkin = bib["belkin2019reconciling"]
    assert belkin.short_authors() == "Belkin et al."
    assert (
        belkin.title
        == "Reconciling modern machine-learning practice and the classical bias–variance trade-off"
    )
    assert belkin.links() == {"DOI": "https://doi.org/10.1073/pnas.1903070116"}


def test_export_subset_round_trips(tmp_path: Path) -> None:
    bib, _ = load_bibliography(BASE_HUB / "references.bib", "references.bib")
    text = bib.export(["belkin2019reconciling"])
    assert text.startswith("@article{belkin2019reconciling,") and "saxe" not in text
    (tmp_path / "one.bib").write_text(text)
    again, problems = load_bibliography(tmp_path / "one.bib", "one.bib")
    assert problems == [] and list(again.references) == ["belkin2019reconciling"]


def test_latex_is_decoded_for_display() -> None:
    assert (
        latex_to_text(r"Boix-Adser{\`a} and G{\"o}del on {N}eural \& {ReLU}")
        == "Boix-Adserà and Gödel on Neural & ReLU"
    )


def test_repo_bibliography_is_clean_and_complete() -> None:
    bib, problems = load_bibliography(REPO / "references.bib", "references.bib")
    assert [p.format() for p in problems] == []
    for ref in bib.references.values():
        assert ref.venue, f"{ref.key}: no venue"
        assert ref.arxiv or ref.doi or ref.url, f"{ref.key}: needs an arXiv id, a DOI or a URL"
