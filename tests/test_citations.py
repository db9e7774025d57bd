from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\L}ukasz Kaiser and {\l}{\'o}d{\'z}", "Łukasz Kaiser and łódź"),
        (r"Erd\H{o}s, Ko\v{c}i, \c{C}a\u{g}lar, Fran\c cois", "Erdős, Koči, Çağlar, François"),
        (r"Sch\"{o}lkopf, Sch{\"o}lkopf, Sch\"olkopf", "Schölkopf, Schölkopf, Schölkopf"),
        (r"\'{\i}, {\ss}, {\o}, St\r{a}l, \k{a}", "í, ß, ø, Stål, ą"),
        (r"pages 10--20 --- a dash", "pages 10–20 — a dash"),
        (r"``quoted'' and \emph{emphasised}", "“quoted” and emphasised"),
        (
            r"Learning in $O(n \log n)$ time, 50\% of \$5",
            r"Learning in $O(n \log n)$ time, 50% of $5",
        ),
    ],
)
def test_latex_is_decoded_faithfully(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_strings_concatenation_and_crossref(tmp_path: Path) -> None:
    (tmp_path / "x.bib").write_text(
        "@string{nips = {Advances in Neural Information Processing Systems}}\n"
        "@proceedings{nips31, editor = {Bengio, Samy}, title = nips # { 31}, year = 2018,\n"
        "  publisher = {Curran Associates}}\n"
        "@inproceedings{jacot2018, author = {Jacot, Arthur}, title = {Neural Tangent Kernel},\n"
        "  crossref = {NIPS31}, month = dec, eprint = {1806.07572}}\n",
        encoding="utf-8",
    )
    bib, problems = load_bibliography(tmp_path / "x.bib", "x.bib")
    assert problems == []
    jacot = bib["jacot2018"]
    assert jacot.year == "2018"
    assert jacot.venue == "Advances in Neural Information Processing Systems 31"
    assert jacot.fields["month"] == "December"


def test_editors_stand_for_authors_of_edited_volumes(tmp_path: Path) -> None:
    (tmp_path / "x.bib").write_text(
        "@book{edited, editor = {Mezard, Marc}, title = {Spin Glass Theory}, year = 1987,\n"
        "  publisher = {World Scientific}}\n"
        "@proceedings{volume, title = {Proceedings of a Workshop}, year = 2001}\n"
        "@article{nobody, title = {Anonymous}, year = 2001, journal = {J}}\n",
        encoding="utf-8",
    )
    _, problems = load_bibliography(tmp_path / "x.bib", "x.bib")
    assert [p.format() for p in problems] == ["x.bib:4:1: nobody: entry is missing 'author'"]


def test_a_bibliography_digest_follows_its_file(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    path.write_bytes((BASE_HUB / "references.bib").read_bytes())
    bib, _ = load_bibliography(path, "references.bib")
    digest = bib.text_digest()
    assert digest is not None
    assert load_bibliography(path, "references.bib")[0].text_digest() == digest
    path.write_text(path.read_text(encoding="utf-8") + "\n% a comment\n", encoding="utf-8")
    assert load_bibliography(path, "references.bib")[0].text_digest() not in (digest, None)
    # References that are not those read from the file have no digest to stand for them.
    fewer = dataclasses.replace(bib, references=dict(list(bib.references.items())[:1]))
    assert fewer.text_digest() is None
