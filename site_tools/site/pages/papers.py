"""The papers page: every work in ``references.bib``, with the entries that cite it."""

from __future__ import annotations

from site_tools.citations import Reference, surname
from site_tools.site.pages.common import (
    PAPERS,
    SiteData,
    claim_page,
    front_matter,
    link,
    question_page,
    table,
)
from site_tools.site.pages.filters import filter_controls
from site_tools.site.text import anchor, inline


def _sort_key(ref: Reference) -> tuple[str, str, str]:
    first = surname(ref.authors[0]).lower() if ref.authors else ""
    return (first, ref.year, ref.key)


def _backlinks(data: SiteData, key: str) -> str:
    links = []
    for kind, entry_id in data.cited_by.get(key, []):
        if kind == "claim":
            claim = data.catalog.claims[entry_id]
            links.append(link(PAPERS, claim_page(entry_id), claim.title))
        else:
            question = data.catalog.questions[entry_id]
            links.append(link(PAPERS, question_page(entry_id), question.title) + " (question)")
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


def papers_md(data: SiteData) -> str:
    """The papers page: a filterable, sortable table of every work in ``references.bib``."""
    refs = sorted(data.catalog.bib.references.values(), key=_sort_key)
    cited = sum(1 for r in refs if r.key in data.cited_by)
    headers = ["Work", "Year", "Cited by", "Cited by kind"]
    rows = [
        [
            f'<span id="{anchor(ref.key)}"></span>**{inline(ref.cite_label())}**: '
            f"{data.reference(ref.key)}",
            inline(ref.year or "n.d."),
            _backlinks(data, ref.key),
            _cited_by_kind(data, ref.key),
        ]
        for ref in refs
    ]
    kinds = ["claims", "open questions", "claims and open questions", "not cited"]
    years = sorted({ref.year or "n.d." for ref in refs}, reverse=True)
    controls = filter_controls(
        "papers-table",
        headers,
        {"Year": years, "Cited by kind": [k for k in kinds if any(r[3] == k for r in rows)]},
    )
    return (
        front_matter("Papers", hide=("navigation", "toc")) + "# Papers\n\n"
        f"The {len(refs)} works of the hub's bibliography, {cited} of them cited by a claim or "
        "an open question, each with the entries that cite it. Filter by year, by who cites "
        "it, or by any word (an author, a title); click a column header to sort. The whole "
        "bibliography is one file: [references.bib](references.bib).\n\n"
        f'{controls}\n<div class="lmhub-table lmhub-table--papers" id="papers-table" markdown>\n\n'
        f"{table(headers, rows)}\n</div>\n"
    )
