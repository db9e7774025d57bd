from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from site_tools.catalog import load_catalog
from site_tools.citations import Reference
from site_tools.memo import JsonMemo
from site_tools.site.build import build_site
from site_tools.site.generate import generate
from site_tools.site.pages import papers_layout
from site_tools.site.pages.common import SiteData
from site_tools.site.pages.papers import resolve_paper_links
from site_tools.site.results import ResultsCache, collect_results
from tests.site.htmlcheck import broken_anchor_links


def ref(key: str, author: str = "", year: str = "2020", kind: str = "article") -> Reference:
    fields = {"title": f"Title of {key}", "year": year}
    if author:
        fields["author"] = author
    return Reference(key, kind, fields, 1, "")


def test_works_are_grouped_by_the_first_letter_of_the_first_surname() -> None:
    layout = papers_layout.papers_layout(
        [
            ref("z1", "Zhang, Chiyuan and Bengio, Samy"),
            ref("e1", "Erd{\\H{o}}s, Paul"),
            ref("a2", '{\\AA}ngstr{\\"o}m, Anders'),
            ref("a1", "Adam Smith Able"),  # surname "Able"
            ref("v1", "van der Waals, Johannes"),
            ref("o1", "岩田, 健"),
            ref("o2", kind="proceedings"),
        ]
    )
    assert [(p.path, p.keys) for p in layout.pages] == [
        ("papers/a.md", ("a1", "a2")),
        ("papers/e.md", ("e1",)),
        ("papers/v.md", ("v1",)),
        ("papers/z.md", ("z1",)),
        ("papers/other.md", ("o2", "o1")),
    ]
    assert layout.page_of["a2"] == "papers/a.md" and layout.page_of["o1"] == "papers/other.md"
    assert [p.label for p in layout.pages] == ["A", "E", "V", "Z", "Other"]


def test_the_layout_is_remembered_for_the_same_works_or_the_same_file(tmp_path: Path) -> None:
    memo = JsonMemo(tmp_path / "papers.json", "code")
    works = [ref("a1", "Able, Ann"), ref("b1", "Bell, Bo")]
    made = papers_layout.remembered_layout(works, memo)
    assert [p.path for p in made.pages] == ["papers/a.md", "papers/b.md"]
    # The same works: read back. Another author: made again.
    assert papers_layout.remembered_layout(works, memo).page_of == made.page_of
    moved = [ref("a1", "Zorn, Ann"), ref("b1", "Bell, Bo")]
    assert papers_layout.remembered_layout(moved, memo).page_of["a1"] == "papers/z.md"
    # With the digest of the file the works were read from, that digest stands for them
    # (which the memo alone can show, by holding a layout these works would not make).
    papers_layout.remembered_layout(works, memo, "digest of a file")
    assert papers_layout.remembered_layout(moved, memo, "digest of a file").page_of == (
        made.page_of
    )
    assert papers_layout.remembered_layout(moved, memo, "another").page_of["a1"] == ("papers/z.md")


def test_a_group_is_cut_into_pages_of_at_most_the_page_size() -> None:
    refs = [ref(f"k{i}", f"Smith, A{i}", year=str(2000 + i)) for i in range(7)]
    layout = papers_layout.papers_layout(refs, size=3)
    assert [(p.path, len(p.keys), p.label) for p in layout.pages] == [
        ("papers/s.md", 3, "S (1 of 3)"),
        ("papers/s-2.md", 3, "S (2 of 3)"),
        ("papers/s-3.md", 1, "S (3 of 3)"),
    ]
    assert [k for p in layout.pages for k in p.keys] == [f"k{i}" for i in range(7)]


EXTRA_BIB = """
@article{Smith:2020,
  author = {Smith, Ann},
  title = {A work with a colon in its key},
  journal = {J},
  year = {2020},
}
@article{simon2023a,
  author = {Simon, James},
  title = {Another S work},
  journal = {J},
  year = {2023},
}
@article{sorscher2022,
  author = {Sorscher, Ben},
  title = {Yet another S work},
  journal = {J},
  year = {2022},
}
@article{simon2024b,
  author = {{\\v{S}}imon, Petr},
  title = {An accented S work},
  journal = {J},
  year = {2024},
}
@proceedings{icml2020,
  editor = {Daum{\\'e}, Hal},
  title = {Proceedings of ICML 2020},
  year = {2020},
}
"""


@pytest.fixture
def papers_hub(site_hub: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The site hub with five more works, one of them cited under a key with a colon, two of
    them linked from a hand-written page, and at most two works on a papers page."""
    monkeypatch.setattr(papers_layout, "PAGE_SIZE", 2)
    with (site_hub / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(EXTRA_BIB)
    claim = site_hub / "claims" / "width-limit.yaml"
    claim.write_text(
        claim.read_text().replace(
            "citations: [belkin2019reconciling]",
            "citations: [belkin2019reconciling, 'Smith:2020', icml2020]",
        )
    )
    (site_hub / "docs" / "guide").mkdir()
    (site_hub / "docs" / "guide" / "sources.md").write_text(
        "# Sources\n\nSee [Saxe et al.](../papers/index.md#ref-saxe2014exact), "
        "[Sorscher][sorscher] and [all papers](../papers/index.md).\n\n"
        "[sorscher]: ../papers/index.md#ref-sorscher2022\n",
        encoding="utf-8",
    )
    return site_hub


def _works(text: str) -> list[str]:
    return re.findall(r'<span id="(ref-[^"]+)"></span>', text)


def test_no_papers_page_holds_more_than_the_page_size(papers_hub: Path) -> None:
    report = generate(load_catalog(papers_hub), papers_hub / "build" / "docs", None)
    out = papers_hub / "build" / "docs"
    pages = sorted(p for p in report.files if p.startswith("papers/") and p != "papers/index.md")
    assert pages == [
        "papers/b.md",
        "papers/c.md",
        "papers/j.md",
        "papers/other.md",
        "papers/s-2.md",
        "papers/s-3.md",
        "papers/s.md",
    ]
    shown = [w for p in pages for w in _works((out / p).read_text(encoding="utf-8"))]
    assert all(len(_works((out / p).read_text(encoding="utf-8"))) <= 2 for p in pages)
    assert len(shown) == len(set(shown)) == 9  # every work once
    index = (out / "papers" / "index.md").read_text(encoding="utf-8")
    assert "| [S &#40;2 of 3&#41;](s-2.md) | Šimon – Smith | 2 |" in index
    middle = (out / "papers" / "s-2.md").read_text(encoding="utf-8")
    assert "Previous: [S &#40;1 of 3&#41;](s.md) · Next: [S &#40;3 of 3&#41;](s-3.md)" in middle


def test_every_generated_link_to_a_work_finds_it(papers_hub: Path) -> None:
    generate(load_catalog(papers_hub), papers_hub / "build" / "docs", None)
    out = papers_hub / "build" / "docs"
    links = 0
    for page in sorted(out.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for path, fragment in re.findall(r"\]\(([^)#\s]+)#(ref-[^)\s]+)\)", text):
            links += 1
            target = out / posixpath.normpath(
                posixpath.join(page.relative_to(out).parent.as_posix(), path)
            )
            assert fragment in _works(target.read_text(encoding="utf-8")), (page, path, fragment)
    assert links >= 8
    claim = (out / "claims" / "width-limit.md").read_text(encoding="utf-8")
    assert "(../papers/s-2.md#ref-smith-2020-" in claim
    assert "(../papers/other.md#ref-icml2020)" in claim


def test_hand_written_links_to_a_work_point_at_its_page(papers_hub: Path) -> None:
    catalog = load_catalog(papers_hub)
    data = SiteData(catalog, collect_results(catalog, ResultsCache(None)))
    text = (papers_hub / "docs" / "guide" / "sources.md").read_text(encoding="utf-8")
    assert resolve_paper_links(text, data, "guide/sources.md") == (
        "# Sources\n\nSee [Saxe et al.](../papers/s.md#ref-saxe2014exact), "
        "[Sorscher][sorscher] and [all papers](../papers/index.md).\n\n"
        "[sorscher]: ../papers/s-3.md#ref-sorscher2022\n"
    )
    untouched = "[x](../papers/index.md#ref-nowhere) [y](../claims/index.md#ref-saxe2014exact)"
    assert resolve_paper_links(untouched, data, "guide/sources.md") == untouched
    at_root = "[Saxe](papers/index.md#ref-saxe2014exact)"
    assert resolve_paper_links(at_root, data, "about.md") == "[Saxe](papers/s.md#ref-saxe2014exact)"


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_built_link_to_a_work_resolves(papers_hub: Path, engine: str) -> None:
    if engine == "zensical":
        from site_tools.site.zensical import available

        if not available():
            pytest.skip("Zensical is not installed (pip install -e '.[zensical]')")
    site = build_site(papers_hub, engine=engine).site_dir
    count, broken = broken_anchor_links(site)
    assert broken == [] and count >= 10
    guide = (site / "guide" / "sources" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../papers/s/#ref-saxe2014exact"' in guide
    assert 'href="../../papers/s-3/#ref-sorscher2022"' in guide
    assert (site / "papers" / "s-2" / "index.html").is_file()
