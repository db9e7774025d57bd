"""The strands of the taxonomy: cards for the home page, an index and one page per strand."""

from __future__ import annotations

from site_tools.models import Strand
from site_tools.site.pages.claims import claims_table
from site_tools.site.pages.common import (
    STRANDS_INDEX,
    SiteData,
    front_matter,
    link,
    plural,
    strand_page,
)
from site_tools.site.pages.questions import questions_table
from site_tools.site.text import entry_markdown, indent, inline


def strand_cards(data: SiteData, page: str) -> str:
    """Material grid cards, one per strand, with its summary and how many entries it has."""
    cards = []
    for strand in data.catalog.taxonomy.strands:
        claims = data.claims_in(strand.id)
        reproduced = sum(data.state(c.id) == "reproduced" for c in claims)
        questions = data.questions_in(strand.id)
        cards.append(
            f"-   **{link(page, strand_page(strand.id), strand.title)}**\n\n"
            "    ---\n\n"
            f"    {indent(entry_markdown(strand.summary))}\n\n"
            f"    *Physics analogue:* {inline(strand.physics_analogue)}.\n\n"
            f"    {plural(len(claims), 'claim')} ({reproduced} reproduced) · "
            f"{plural(len(questions), 'open question')}\n"
        )
    return '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"


def strand_md(data: SiteData, strand: Strand) -> str:
    """The page of one strand: its summary, then tables of its claims and questions."""
    page = strand_page(strand.id)
    claims = data.claims_in(strand.id)
    questions = data.questions_in(strand.id)
    out = [
        front_matter(strand.title, hide=("toc",)),
        f"# {inline(strand.title)}\n",
        entry_markdown(strand.summary) + "\n",
        f"*Physics analogue:* {inline(strand.physics_analogue)}.\n",
        f"## Claims ({len(claims)})\n",
    ]
    if claims:
        out.append(claims_table(data, page, claims, table_id="strand-claims", with_strand=False))
    else:
        out.append("No claim in this strand yet.\n")
    out.append(f"## Open questions ({len(questions)})\n")
    if questions:
        out.append(
            questions_table(data, page, questions, table_id="strand-questions", with_strand=False)
        )
    else:
        out.append("No open question in this strand yet.\n")
    return "\n".join(out)


def strand_pages(data: SiteData) -> dict[str, str]:
    """The strands index and one page per strand, by path in the docs folder."""
    pages = {strand_page(s.id): strand_md(data, s) for s in data.catalog.taxonomy.strands}
    pages[STRANDS_INDEX] = (
        front_matter("Strands") + "# Strands\n\n"
        "The evidence for a mechanics of learning comes in strands, each with an analogue in "
        "physics. Every claim and open question belongs to one.\n\n"
        + strand_cards(data, STRANDS_INDEX)
    )
    return pages
