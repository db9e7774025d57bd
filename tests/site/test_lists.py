"""The claims and open-questions indexes and the strand pages, cut into bounded pages."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from site_tools.catalog import load_catalog
from site_tools.site.build import build_site
from site_tools.site.generate import GenerateReport, generate
from site_tools.site.pages import listing, strands
from tests.site.htmlcheck import broken_links, elements

SIZE = 2


def test_later_pages_sit_in_a_folder_no_entry_page_can_be_in() -> None:
    assert listing.page_path("claims/index.md", 1) == "claims/index.md"
    assert listing.page_path("claims/index.md", 2) == "claims/list/2.md"
    assert listing.page_path("questions/index.md", 12) == "questions/list/12.md"
    assert listing.page_path("strands/simple-laws.md", 1) == "strands/simple-laws.md"
    assert listing.page_path("strands/simple-laws.md", 3) == "strands/simple-laws/3.md"
    # A claim whose id is "list" has its page beside the folder, never in it.
    assert listing.page_path("claims/index.md", 2) != "claims/list.md"


def test_rows_are_cut_into_pages_of_at_most_the_size() -> None:
    assert [listing.page_count(n, 3) for n in (0, 1, 3, 4, 7)] == [1, 1, 1, 2, 3]
    rows = list(range(7))
    pages = listing.list_pages("claims/index.md", listing.page_count(len(rows), 3))
    assert [listing.rows_of(rows, p, 3) for p in pages] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [listing.title_of("Claims", p) for p in pages] == [
        "Claims",
        "Claims (page 2 of 3)",
        "Claims (page 3 of 3)",
    ]


def test_the_pager_links_every_page_and_its_neighbours() -> None:
    second = listing.ListPage("claims/index.md", 2, 3)
    assert listing.pager_md(second) == (
        '<div class="lmhub-pager" markdown>\n\n**Page 2 of 3** · '
        "[← Previous](../../claims/index.md) · [Next →](3.md) · "
        "Pages: [1](../../claims/index.md) **2** [3](3.md)\n\n</div>\n"
    )
    first = listing.ListPage("strands/x.md", 1, 2)
    assert (
        "· [Next →](../strands/x/2.md) · Pages: **1** [2](../strands/x/2.md)"
        in listing.pager_md(first)
    )
    assert "Previous" not in listing.pager_md(first)
    assert listing.pager_md(listing.ListPage("claims/index.md", 1, 1)) == ""


def _copy(path: Path, old_id: str, new_id: str, replace: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8").replace(f"id: {old_id}", f"id: {new_id}")
    for old, new in replace.items():
        text = text.replace(old, new)
    (path.parent / f"{new_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def lists_hub(site_hub: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The site hub with three more claims in one strand and two more questions (one partial,
    one resolved) in another, and at most two rows in a table of a list page: seven claims on
    four index pages, four questions on two, and two strands of two pages each (one of them
    with no claim on its second page)."""
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", SIZE)
    claims, questions = site_hub / "claims", site_hub / "open_questions"
    for n in (2, 3, 4):
        _copy(
            claims / "lr-transfer.yaml",
            "lr-transfer",
            f"lr-transfer-{n}",
            {"transfers across width": f"transfers across width, take {n}"},
        )
    for n, status in ((2, "partial"), (3, "resolved")):
        _copy(
            questions / "nonlinear-solvable.yaml",
            "nonlinear-solvable",
            f"nonlinear-solvable-{n}",
            {
                "solvable deep nonlinear model?": f"solvable deep nonlinear model, take {n}?",
                "status: open": f"status: {status}\nstatus_evidence: Some progress.",
                "related_claims: [logistic-modes]": "related_claims: []",
            },
        )
    return site_hub


def _generate(root: Path) -> GenerateReport:
    return generate(load_catalog(root), root / "build" / "docs", root / "build" / "cache")


def _rows(text: str, folder: str, page: str) -> list[str]:
    """Paths of the entries in the first column of every table row of ``text``, read from a
    page at ``page`` that links into ``folder``."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^\| \[[^\]]*\]\(([^)]+)\) \|", line)
        if match:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), match[1]))
            if target.startswith(folder + "/"):
                found.append(target)
    return found


def _tables(text: str) -> list[int]:
    """Rows of each Markdown table of ``text``."""
    return [len(t.splitlines()) - 2 for t in re.findall(r"(?:^\|.*\|\n)+", text, re.MULTILINE)]


def _list(report: GenerateReport, first: str) -> list[str]:
    """The pages of the list whose first page is ``first``, in order."""
    folder = listing.page_path(first, 2).rsplit("/", 1)[0] + "/"
    later = sorted(
        (p for p in report.files if p.startswith(folder)),
        key=lambda p: int(p.rsplit("/", 1)[1].removesuffix(".md")),
    )
    return [first, *later]


def test_every_entry_is_on_exactly_one_page_of_its_list(lists_hub: Path) -> None:
    report = _generate(lists_hub)
    out = lists_hub / "build" / "docs"
    catalog = load_catalog(lists_hub)

    def shown(first: str, folder: str) -> Counter[str]:
        pages = _list(report, first)
        rows: Counter[str] = Counter()
        for number, page in enumerate(pages, 1):
            text = (out / page).read_text(encoding="utf-8")
            assert all(n <= SIZE for n in _tables(text)), page
            on_page = _rows(text, folder, page)
            assert 0 < len(on_page) <= SIZE or first.startswith("strands/"), page
            rows.update(on_page)
            pager = f"**Page {number} of {len(pages)}**"
            assert (pager in text) == (len(pages) > 1), page
        return rows

    claims = {f"claims/{c}.md" for c in catalog.claims}
    questions = {f"questions/{q}.md" for q in catalog.questions}
    assert _list(report, "claims/index.md") == [
        "claims/index.md",
        "claims/list/2.md",
        "claims/list/3.md",
        "claims/list/4.md",
    ]
    assert shown("claims/index.md", "claims") == Counter(dict.fromkeys(claims, 1))
    assert _list(report, "questions/index.md") == ["questions/index.md", "questions/list/2.md"]
    assert shown("questions/index.md", "questions") == Counter(dict.fromkeys(questions, 1))
    for strand in catalog.taxonomy.strands:
        first = f"strands/{strand.id}.md"
        in_strand = {f"claims/{c.id}.md" for c in catalog.claims.values() if c.strand == strand.id}
        in_strand |= {
            f"questions/{q.id}.md" for q in catalog.questions.values() if q.strand == strand.id
        }
        rows = shown(first, "claims") + shown(first, "questions")
        assert rows == Counter(dict.fromkeys(in_strand, 1)), strand.id
    assert _list(report, "strands/hyperparameters.md") == [
        "strands/hyperparameters.md",
        "strands/hyperparameters/2.md",
    ]
    second = (out / "strands" / "solvable-settings" / "2.md").read_text(encoding="utf-8")
    assert "## Claims (1)\n\nNone on this page: see the earlier pages." in second
    assert "## Open questions (3)\n" in second
    assert 'title: "Solvable idealised settings (page 2 of 2)"' in second


def test_each_page_counts_the_whole_list_and_says_what_its_filters_see(lists_hub: Path) -> None:
    _generate(lists_hub)
    out = lists_hub / "build" / "docs"
    third = (out / "claims" / "list" / "3.md").read_text(encoding="utf-8")
    assert "# Claims (page 3 of 4)\n" in third
    assert re.search(r"\n7 claims: [^\n]*\.\n", third)
    assert "shown on 4 pages: the filters and sorting apply to the rows of this page" in third
    assert third.count('<div class="lmhub-pager" markdown>') == 2  # above and below the table
    pager = (
        "**Page 3 of 4** · [← Previous](2.md) · [Next →](4.md) · "
        "Pages: [1](../../claims/index.md) [2](2.md) **3** [4](4.md)"
    )
    assert pager in third
    questions = (out / "questions" / "list" / "2.md").read_text(encoding="utf-8")
    assert "4 questions: 1 open, 2 partial, 1 resolved." in questions


def test_a_list_that_fits_one_page_shows_no_pager(site_hub: Path) -> None:
    report = _generate(site_hub)
    out = site_hub / "build" / "docs"
    assert not [p for p in report.files if "/list/" in p or re.match(r"strands/[^/]+/", p)]
    for page in ("claims/index.md", "questions/index.md", "strands/simple-laws.md"):
        text = (out / page).read_text(encoding="utf-8")
        assert "lmhub-pager" not in text and "Page 1 of" not in text and "pages:" not in text


def _nav_pages(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return [p for item in nav for p in _nav_pages(item)]


def test_later_pages_are_not_in_the_nav(lists_hub: Path) -> None:
    report = _generate(lists_hub)
    listed = _nav_pages(report.nav)
    later = [p for p in report.files if "/list/" in p or re.match(r"strands/[^/]+/", p)]
    assert len(later) == 6 and not set(later) & set(listed)
    assert {"claims/index.md", "questions/index.md", "strands/hyperparameters.md"} <= set(listed)


def test_a_second_generation_rewrites_no_page_and_a_shorter_list_drops_its_last(
    lists_hub: Path,
) -> None:
    _generate(lists_hub)
    assert _generate(lists_hub).written == []
    (lists_hub / "claims" / "lr-transfer-4.yaml").unlink()
    report = _generate(lists_hub)
    assert (
        "claims/list/4.md" in report.removed
        and "strands/hyperparameters/2.md" not in report.removed
    )
    assert not (lists_hub / "build" / "docs" / "claims" / "list" / "4.md").exists()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_built_pager_link_resolves(lists_hub: Path, engine: str) -> None:
    if engine == "zensical":
        from site_tools.site.zensical import available

        if not available():
            pytest.skip("Zensical is not installed (pip install -e '.[zensical]')")
    site = build_site(lists_hub, engine=engine).site_dir
    pages = [
        site / "claims" / "index.html",
        *sorted((site / "claims" / "list").glob("*/index.html")),
        site / "questions" / "index.html",
        site / "questions" / "list" / "2" / "index.html",
        site / "strands" / "hyperparameters" / "index.html",
        site / "strands" / "hyperparameters" / "2" / "index.html",
    ]
    assert len(pages) == 8 and all(p.is_file() for p in pages)
    count, broken = broken_links(site, pages)
    assert broken == [] and count > 50
    third = (site / "claims" / "list" / "3" / "index.html").read_text(encoding="utf-8")
    pager = third[third.index('<div class="lmhub-pager">') :]
    pager = pager[: pager.index("</div>")]
    here = site / "claims" / "list" / "3"
    shown = [
        (here / a["href"]).resolve().relative_to(site.resolve()).as_posix()
        for tag, a in elements(pager)
        if tag == "a"
    ]
    assert shown == ["claims/list/2", "claims/list/4", "claims", "claims/list/2", "claims/list/4"]
    # Outside its pagers, a page (its header, tabs and sidebar) links to no later page.
    for page in pages:
        text = re.sub(
            r'<div class="lmhub-pager">.*?</div>', "", page.read_text("utf-8"), flags=re.S
        )
        for tag, attrs in elements(text):
            href = attrs.get("href", "")
            if tag == "a" and not re.match(r"^([a-z]+:|#|$)", href):
                target = (page.parent / href.split("#")[0]).resolve().relative_to(site.resolve())
                assert not re.match(r"(claims|questions)/list/|strands/[^/]+/\d", target.as_posix())


def test_a_hand_written_strand_list_stops_at_its_bound(
    lists_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(strands, "GUIDE_ENTRIES", 2)
    report = _generate(lists_hub)
    assert report.data is not None
    out = strands.expand_strand_entries(
        "<!-- lmhub:strand-entries hyperparameters -->\n", report.data, "guide/strands.md"
    )
    claims = re.findall(r"^- \[.*\]\(\.\./claims/[^)]+\)$", out, re.MULTILINE)
    assert out.startswith("**Claims** (4):\n") and len(claims) == 2
    assert (
        "- … and 2 more on the [Theories of hyperparameters page](../strands/hyperparameters.md)"
        in out
    )
    assert "**Open questions** (0):\n\n- none yet" in out and out.count("more on the") == 1
