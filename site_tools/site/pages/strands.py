"""The strands of the taxonomy: cards for the home page, an index and one page per strand."""

from __future__ import annotations

import functools
import re

from site_tools.models import Claim, OpenQuestion, Strand
from site_tools.site.dependencies import claim_page_key, list_page_key, question_page_key
from site_tools.site.pages.claims import claims_table
from site_tools.site.pages.common import (
    STRANDS_INDEX,
    SiteData,
    claim_page,
    front_matter,
    link,
    plural,
    question_page,
    strand_page,
)
from site_tools.site.pages.listing import (
    LazyPage,
    ListPage,
    bottom_pager,
    list_pages,
    page_count,
    paged_note,
    rows_of,
    title_of,
)
from site_tools.site.pages.questions import questions_table
from site_tools.site.text import entry_markdown, indent, inline

_summary_md = functools.lru_cache(maxsize=64)(entry_markdown)
"""entry_markdown of a strand's summary, which the home page and the strands index both
show (entry_markdown is a function of its text alone, and takes milliseconds)."""


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
            f"    {indent(_summary_md(strand.summary))}\n\n"
            f"    *Physics analogue:* {inline(strand.physics_analogue)}.\n\n"
            f"    {plural(len(claims), 'claim')} ({reproduced} reproduced) · "
            f"{plural(len(questions), 'open question')}\n"
        )
    return '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"


def strand_md(data: SiteData, strand: Strand) -> list[LazyPage]:
    """The pages of one strand: its summary, then tables of its claims and questions.

    A strand with more than :data:`~site_tools.site.pages.listing.LIST_PAGE_SIZE` claims or
    questions has several pages; the ``k``-th shows the ``k``-th slice of each list.
    """
    claims = data.claims_in(strand.id)
    questions = data.questions_in(strand.id)
    pages = []
    for page in list_pages(strand_page(strand.id), page_count(max(len(claims), len(questions)))):
        shown_claims = rows_of(claims, page)
        shown_questions = rows_of(questions, page)
        key = list_page_key(
            "strand",
            page,
            [strand.model_dump(mode="json"), len(claims), len(questions)],
            [
                *(claim_page_key(data, c) for c in shown_claims),
                *(question_page_key(data, q) for q in shown_questions),
            ],
        )
        render = functools.partial(
            _strand_page,
            data,
            strand,
            page,
            (len(claims), shown_claims),
            (len(questions), shown_questions),
        )
        pages.append(LazyPage(page.path, key, render))
    return pages


def _strand_page(
    data: SiteData,
    strand: Strand,
    page: ListPage,
    claims: tuple[int, list[Claim]],
    questions: tuple[int, list[OpenQuestion]],
) -> str:
    """One page of a strand; ``claims`` and ``questions`` are how many the strand has and
    those this page shows."""
    title = title_of(strand.title, page)
    out = [
        front_matter(title, hide=("toc",)),
        f"# {inline(title)}\n",
        entry_markdown(strand.summary) + "\n",
        f"*Physics analogue:* {inline(strand.physics_analogue)}.\n",
    ]
    if page.paged:
        out.append(paged_note(page, "entry"))
    claim_count, shown_claims = claims
    out.append(f"## Claims ({claim_count})\n")
    if shown_claims:
        out.append(
            claims_table(data, page.path, shown_claims, table_id="strand-claims", with_strand=False)
        )
    elif claim_count:
        out.append("None on this page: see the earlier pages.\n")
    else:
        out.append("No claim in this strand yet.\n")
    question_count, shown_questions = questions
    out.append(f"## Open questions ({question_count})\n")
    if shown_questions:
        out.append(
            questions_table(
                data, page.path, shown_questions, table_id="strand-questions", with_strand=False
            )
        )
    elif question_count:
        out.append("None on this page: see the earlier pages.\n")
    else:
        out.append("No open question in this strand yet.\n")
    return "\n".join(out) + bottom_pager(page)


def strand_pages(data: SiteData) -> list[LazyPage]:
    """Every page of every strand."""
    return [page for strand in data.catalog.taxonomy.strands for page in strand_md(data, strand)]


def strands_index_md(data: SiteData) -> str:
    """The strands index: a card for each strand."""
    return (
        front_matter("Strands") + "# Strands\n\n"
        "The evidence for a mechanics of learning comes in strands, each with an analogue in "
        "physics. Every claim and open question belongs to one.\n\n"
        + strand_cards(data, STRANDS_INDEX)
    )


ENTRIES_DIRECTIVE = re.compile(r"^<!-- lmhub:strand-entries ([^ ]*) -->[ \t]*$", re.MULTILINE)
"""A line of a hand-written page replaced by the lists of one strand's claims and questions:
``<!-- lmhub:strand-entries solvable-settings -->``."""


GUIDE_ENTRIES = 50
"""Most claims, and most open questions, a hand-written page lists for one strand; the rest
are on the strand's pages (read at build time, so tests may lower it)."""


def strand_entries_md(data: SiteData, page: str, strand_id: str) -> str:
    """Bulleted lists of a strand's claims and open questions, linked from ``page``: at most
    :data:`GUIDE_ENTRIES` of each, then a link to the strand's page for the rest."""
    claims = data.claims_in(strand_id)
    questions = data.questions_in(strand_id)
    out = [f"**Claims** ({len(claims)}):\n"]
    out += [f"- {link(page, claim_page(c.id), c.title)}" for c in claims[:GUIDE_ENTRIES]] or [
        "- none yet"
    ]
    out += _more(data, page, strand_id, len(claims))
    out.append(f"\n**Open questions** ({len(questions)}):\n")
    out += [f"- {link(page, question_page(q.id), q.title)}" for q in questions[:GUIDE_ENTRIES]] or [
        "- none yet"
    ]
    out += _more(data, page, strand_id, len(questions))
    return "\n".join(out)


def _more(data: SiteData, page: str, strand_id: str, count: int) -> list[str]:
    """The last bullet of a list cut at :data:`GUIDE_ENTRIES`, if it was cut."""
    if count <= GUIDE_ENTRIES:
        return []
    where = link(page, strand_page(strand_id), f"{data.strand_title(strand_id)} page")
    return [f"- … and {count - GUIDE_ENTRIES} more on the {where}"]


def expand_strand_entries(markdown: str, data: SiteData, page: str) -> str:
    """``markdown`` (a hand-written page at ``page``) with each strand-entries line filled in.

    Raises
    ------
    KeyError
        With a message naming the strand, when a line names one the taxonomy lacks.
    """
    known = {s.id for s in data.catalog.taxonomy.strands}

    def fill(match: re.Match[str]) -> str:
        strand_id = match.group(1)
        if strand_id not in known:
            raise KeyError(
                f"{page}: '{match.group(0).strip()}' names no strand of taxonomy.yaml "
                f"(one of {', '.join(sorted(known))})"
            )
        return strand_entries_md(data, page, strand_id)

    return ENTRIES_DIRECTIVE.sub(fill, markdown)
