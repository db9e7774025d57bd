"""The open-questions index and one page per open question."""

from __future__ import annotations

import functools
from collections import Counter

from site_tools.models import OpenQuestion
from site_tools.site.dependencies import list_page_key, question_page_key
from site_tools.site.pages.common import (
    QUESTIONS_INDEX,
    SiteData,
    citations_md,
    claim_page,
    front_matter,
    link,
    question_page,
    question_status_html,
    status_html,
    strand_page,
    table,
    tags_md,
    unindexed,
)
from site_tools.site.pages.filters import filter_controls
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
from site_tools.site.search import NOT_INDEXED
from site_tools.site.text import entry_markdown, html, indent, inline, safe_tags

QUESTION_STATES = ("open", "partial", "resolved")


def questions_table(
    data: SiteData,
    page: str,
    questions: list[OpenQuestion],
    *,
    table_id: str,
    with_strand: bool = True,
) -> str:
    """A filterable, sortable table of open questions with their status."""
    headers = ["Question", *(["Strand"] if with_strand else []), "Status", "Claims", "Tags"]
    rows = []
    for question in questions:
        row = [link(page, question_page(question.id), question.title)]
        if with_strand:
            row.append(link(page, strand_page(question.strand), data.strand_title(question.strand)))
        row += [
            question_status_html(question.status),
            str(len(question.related_claims)),
            tags_md(question.tags),
        ]
        rows.append(row)
    columns: dict[str, list[str]] = {}
    if with_strand:
        columns["Strand"] = sorted({data.strand_title(q.strand) for q in questions})
    columns["Status"] = [s for s in QUESTION_STATES if any(q.status == s for q in questions)]
    columns["Tags"] = sorted({t for q in questions for t in safe_tags(q.tags)})
    controls = filter_controls(table_id, headers, columns, word_columns={"Tags"})
    return (
        f'{controls}\n<div class="lmhub-table {NOT_INDEXED}" id="{table_id}" markdown>\n\n'
        f"{table(headers, rows)}\n</div>\n"
    )


def questions_index(data: SiteData) -> list[LazyPage]:
    """The pages of the open-questions index: one filterable table per status, at most
    :data:`~site_tools.site.pages.listing.LIST_PAGE_SIZE` questions on a page.

    The questions are cut into pages in the order shown (by status, then title), so a page
    holds the sections of the statuses its questions have.
    """
    questions = data.sorted_questions()
    counts: Counter[str] = Counter(q.status for q in questions)
    summary = ", ".join(f"{counts[s]} {s}" for s in QUESTION_STATES if counts[s])
    ordered = [q for state in QUESTION_STATES for q in questions if q.status == state]
    pages = []
    for page in list_pages(QUESTIONS_INDEX, page_count(len(ordered))):
        shown = rows_of(ordered, page)
        key = list_page_key(
            "questions",
            page,
            [len(questions), summary],
            [question_page_key(data, q) for q in shown],
        )
        render = functools.partial(
            _questions_index_page, data, page, len(questions), summary, shown
        )
        pages.append(LazyPage(page.path, key, render))
    return pages


def _questions_index_page(
    data: SiteData, page: ListPage, total: int, summary: str, shown: list[OpenQuestion]
) -> str:
    title = title_of("Open questions", page)
    out = [
        front_matter(title, hide=("navigation", "toc")),
        f"# {title}\n\n"
        "Questions the field cannot answer yet, each with what would count as progress. "
        f"{total} questions: {summary or 'none yet'}.\n",
    ]
    if page.paged:
        out.append(paged_note(page, "question"))
    for state in QUESTION_STATES:
        chosen = [q for q in shown if q.status == state]
        if chosen:
            out.append(
                f"## {state.capitalize()}\n\n"
                + questions_table(data, page.path, chosen, table_id=f"questions-{state}")
            )
    return "\n".join(out) + bottom_pager(page)


def question_md(data: SiteData, question: OpenQuestion) -> str:
    """The page of one open question."""
    page = question_page(question.id)
    out = [
        # No table of contents: a question's page is short, and the theme would draw one
        # on each of 10,000 pages (0.8 KB each, see site_tools.site.chrome).
        front_matter(question.title, tags=question.tags, hide=("toc",)),
        f"# {inline(question.title)}\n",
        '<span class="lmhub-search-only" data-pagefind-meta="kind:open question"></span>'
        f'<span class="lmhub-search-only" data-pagefind-meta="status:{html(question.status)}">'
        "</span>"
        f"{question_status_html(question.status)} · strand: "
        f"{link(page, strand_page(question.strand), data.strand_title(question.strand))} · "
        f"id `{inline(question.id)}`\n",
        entry_markdown(question.statement) + "\n",
        "## Why it matters\n\n" + entry_markdown(question.why_it_matters) + "\n",
        "## What would count as progress\n\n"
        + "\n".join(f"- {indent(entry_markdown(c), '  ')}" for c in question.progress_criteria)
        + "\n",
        f"## Status: {inline(question.status)}\n",
    ]
    if question.status_evidence:
        out.append(entry_markdown(question.status_evidence) + "\n")
    else:
        out.append("No result counts as progress yet.\n")
    related = [data.catalog.claims[c] for c in question.related_claims if c in data.catalog.claims]
    out.append("## Related claims\n")
    if related:
        # Left out of the search index: each claim is found by its own page.
        rows = [
            [link(page, claim_page(c.id), c.title), status_html(data.state(c.id))] for c in related
        ]
        out.append(unindexed(table(["Claim", "Status"], rows)))
    else:
        out.append("No claim bears on this question yet.\n")
    out.append("## Citations\n\n" + citations_md(data, page, question.citations))
    edit = data.edit_url("question", question.id)
    if edit:
        out.append(f"---\n\n[Edit this question's YAML source]({edit})\n{{: .{NOT_INDEXED} }}\n")
    return "\n".join(out)
