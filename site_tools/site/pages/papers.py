"""The papers pages: every work in ``references.bib``, with the entries that cite it.

``papers/index.md`` counts the works and links to the pages that list them, by first author
(:mod:`~site_tools.site.pages.papers_layout`); each of those pages is a filterable table of at
most :data:`~site_tools.site.pages.papers_layout.PAGE_SIZE` works, each with an anchor
(:func:`~site_tools.site.text.anchor` of its key) that the entries' pages link to.
"""

from __future__ import annotations

import posixpath
import re

from site_tools.citations import Reference, surname
from site_tools.site.pages.common import (
    PAPERS,
    SiteData,
    claim_page,
    front_matter,
    link,
    plural,
    question_page,
    rel,
    table,
)
from site_tools.site.pages.filters import filter_controls
from site_tools.site.pages.papers_layout import PapersPage
from site_tools.site.text import anchor, inline

KINDS = ("claims", "open questions", "claims and open questions", "not cited")


def _backlinks(data: SiteData, page: str, key: str) -> str:
    links = []
    for kind, entry_id in data.cited_by.get(key, []):
        if kind == "claim":
            claim = data.catalog.claims[entry_id]
            links.append(link(page, claim_page(entry_id), claim.title))
        else:
            question = data.catalog.questions[entry_id]
            links.append(link(page, question_page(entry_id), question.title) + " (question)")
    return "<br>".join(links) or "not cited yet"


def _cited_by_kind(data: SiteData, key: str) -> str:
    kinds = {kind for kind, _ in data.cited_by.get(key, [])}
    if not kinds:
        return "not cited"
    if kinds == {"claim"}:
        return "claims"
    if kinds == {"question"}:
        return "open questions"
    return "claims and open questions"


def _first_author(ref: Reference) -> str:
    return surname(ref.authors[0]) if ref.authors else "(no author)"


def _ends(data: SiteData, page: PapersPage) -> tuple[str, str]:
    """The first authors of the page's first and last works (escaped)."""
    refs = data.catalog.bib.references
    return inline(_first_author(refs[page.keys[0]])), inline(_first_author(refs[page.keys[-1]]))


def _span(data: SiteData, page: PapersPage) -> str:
    first, last = _ends(data, page)
    return first if first == last else f"{first} – {last}"


def _groups_bar(data: SiteData, here: PapersPage) -> str:
    """Links to the index and to the first page of every group; the page's own group bold."""
    links = [link(here.path, PAPERS, "All papers")]
    for group, pages in data.papers.groups().items():
        label = pages[0].group_label
        bold = f"**{inline(label)}**"
        links.append(bold if group == here.group else link(here.path, pages[0].path, label))
    return " · ".join(links)


def papers_index_md(data: SiteData) -> str:
    """``papers/index.md``: how many works, and a link to each page that lists them."""
    refs = data.catalog.bib.references
    cited = sum(1 for key in refs if key in data.cited_by)
    rows = [
        [link(PAPERS, page.path, page.label), _span(data, page), str(len(page.keys))]
        for page in data.papers.pages
    ]
    listing = table(["Page", "First authors", "Works"], rows) if rows else "No works yet.\n"
    return (
        front_matter("Papers", hide=("navigation", "toc")) + "# Papers\n\n"
        f"The {len(refs)} works of the hub's bibliography, {cited} of them cited by a claim or "
        "an open question, listed by the first author's surname, each with the entries that "
        "cite it. The whole bibliography is one file: "
        f"[references.bib]({rel(PAPERS, 'references.bib')}).\n\n{listing}"
    )


def papers_page_md(data: SiteData, page: PapersPage) -> str:
    """One page of works: a filterable, sortable table with each work's citing entries."""
    refs = [data.catalog.bib.references[key] for key in page.keys]
    headers = ["Work", "Year", "Cited by", "Cited by kind"]
    rows = [
        [
            f'<span id="{anchor(ref.key)}"></span>**{inline(ref.cite_label())}**: '
            f"{data.reference(ref.key)}",
            inline(ref.year or "n.d."),
            _backlinks(data, page.path, ref.key),
            _cited_by_kind(data, ref.key),
        ]
        for ref in refs
    ]
    years = sorted({ref.year or "n.d." for ref in refs}, reverse=True)
    controls = filter_controls(
        "papers-table",
        headers,
        {"Year": years, "Cited by kind": [k for k in KINDS if any(r[3] == k for r in rows)]},
    )
    group = data.papers.groups()[page.group]
    pager = []
    if page.number > 1:
        before = group[page.number - 2]
        pager.append("Previous: " + link(page.path, before.path, before.label))
    if page.number < page.of:
        after = group[page.number]
        pager.append("Next: " + link(page.path, after.path, after.label))
    pager_md = " · ".join(pager) + "\n\n" if pager else ""
    # The label is made of letters, digits and "(2 of 3)": nothing to escape.
    title = f"Papers: {page.label}"
    first, last = _ends(data, page)
    authors = f"first author {first}" if first == last else f"first authors {first} to {last}"
    return (
        front_matter(title, hide=("navigation", "toc")) + f"# {title}\n\n"
        f"{_groups_bar(data, page)}\n\n"
        f"{plural(len(refs), 'work')} by {authors}, each with the entries that cite it. Filter "
        "by year, by who cites it, or by any word (an author, a title); click a column header "
        "to sort.\n\n"
        f"{pager_md}"
        f'{controls}\n<div class="lmhub-table lmhub-table--papers" id="papers-table" markdown>\n\n'
        f"{table(headers, rows)}\n</div>\n\n{pager_md}"
    )


PAPER_LINK = re.compile(
    r"(?P<open>\]\(\s*|^\[[^\]\n]+\]:[ \t]*)(?P<path>[^\s()#]+)#(?P<anchor>ref-[A-Za-z0-9_-]+)",
    re.MULTILINE,
)
"""A Markdown link (inline, or a reference definition) with a work's anchor."""


def resolve_paper_links(markdown: str, data: SiteData, page: str) -> str:
    """``markdown`` (a hand-written page at ``page``) with links to a work on the papers index
    (``../papers/index.md#ref-saxe2014exact``) pointed at the page that shows the work.

    A work's page depends on the whole bibliography, so hand-written pages link to the index
    and the build finds the page; a link to an anchor no work has is left as written (the
    strict build then reports it).
    """
    if "#ref-" not in markdown:
        return markdown
    by_anchor = data.papers.page_of_anchor
    folder = posixpath.dirname(page)

    def point(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(folder, match["path"]))
        found = by_anchor.get(match["anchor"])
        if target != PAPERS or found is None:
            return match.group(0)
        return f"{match['open']}{rel(page, found)}#{match['anchor']}"

    return PAPER_LINK.sub(point, markdown)
