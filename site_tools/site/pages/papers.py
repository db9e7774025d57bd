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
)
from site_tools.site.text import anchor, inline


def _sort_key(ref: Reference) -> tuple[str, str, str]:
    first = surname(ref.authors[0]).lower() if ref.authors else ""
    return (first, ref.year, ref.key)


def _backlinks(data: SiteData, key: str) -> str:
    links = []
    for kind, entry_id in data.cited_by.get(key, []):
        if kind == "claim":
            claim = data.catalog.claims[entry_id]
            links.append(link(PAPERS, claim_page(entry_id), claim.title) + " (claim)")
        else:
            question = data.catalog.questions[entry_id]
            links.append(link(PAPERS, question_page(entry_id), question.title) + " (open question)")
    return " · ".join(links)


def papers_md(data: SiteData) -> str:
    """The papers page: cited works with their backlinks, then the uncited ones."""
    refs = sorted(data.catalog.bib.references.values(), key=_sort_key)
    cited = [r for r in refs if r.key in data.cited_by]
    uncited = [r for r in refs if r.key not in data.cited_by]
    out = [
        front_matter("Papers", hide=("navigation", "toc")),
        "# Papers\n\n"
        f"Every work the hub cites ({len(cited)}), with the claims and open questions that "
        "cite it. The whole bibliography is one file: "
        "[references.bib](references.bib).\n",
    ]
    for ref in cited:
        out.append(
            f"**{inline(ref.cite_label())}**: {data.reference(ref.key)}  \n"
            f"Cited by: {_backlinks(data, ref.key)}\n"
            f"{{ #{anchor(ref.key)} .lmhub-ref }}\n"
        )
    if uncited:
        out.append("## In the bibliography, not cited yet\n")
        for ref in uncited:
            out.append(
                f"**{inline(ref.cite_label())}**: {data.reference(ref.key)}\n"
                f"{{ #{anchor(ref.key)} .lmhub-ref }}\n"
            )
    return "\n".join(out)
