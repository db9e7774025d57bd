"""Long lists (the claims and open-questions indexes, a strand's entries) cut into bounded pages.

A list of ``n`` rows is shown on ``ceil(n / LIST_PAGE_SIZE)`` pages, so that no page grows with
the catalogue. The first page keeps the list's own path (``claims/index.md``,
``strands/<id>.md``), so links to the list stay valid; later pages sit in a folder no entry
page can be in, since entry pages are ``<folder>/<slug>.md`` and a slug has no ``/``:
``claims/list/2.md`` for an index, ``strands/<id>/2.md`` for a strand. Later pages are not in
the navigation; each page links to every other one through :func:`pager_md`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from site_tools.site.pages.common import link

LIST_PAGE_SIZE = 500
"""Most rows in one table of a list page (read when the pages are made, so tests may lower
it)."""

T = TypeVar("T")


@dataclass(frozen=True)
class ListPage:
    """One page of a list."""

    first: str
    """Path of the list's first page in the docs folder."""
    number: int
    """1 for the first page."""
    of: int
    """Pages of the list."""

    @property
    def path(self) -> str:
        """Path of this page in the docs folder."""
        return page_path(self.first, self.number)

    @property
    def paged(self) -> bool:
        """Whether the list has more than one page (only then is a pager shown)."""
        return self.of > 1


@dataclass(frozen=True)
class LazyPage:
    """A generated page rendered only when its key differs from the last build's."""

    path: str
    key: str
    """Changes whenever the page's text may (see :mod:`site_tools.site.dependencies`)."""
    render: Callable[[], str]


def page_path(first: str, number: int) -> str:
    """Path of the ``number``-th page of the list whose first page is ``first``.

    ``claims/index.md`` gives ``claims/list/2.md``; ``strands/x.md`` gives ``strands/x/2.md``.
    """
    if number == 1:
        return first
    stem = first.removesuffix(".md")
    folder = posixpath.dirname(stem) + "/list" if posixpath.basename(stem) == "index" else stem
    return f"{folder}/{number}.md"


def page_count(rows: int, size: int | None = None) -> int:
    """Pages for ``rows`` rows, at most ``size`` (default :data:`LIST_PAGE_SIZE`) on each;
    an empty list still has its first page."""
    size = size or LIST_PAGE_SIZE
    return max(1, -(-rows // size))


def list_pages(first: str, of: int) -> list[ListPage]:
    """The ``of`` pages of the list whose first page is ``first``."""
    return [ListPage(first, k, of) for k in range(1, of + 1)]


def rows_of(items: list[T], page: ListPage, size: int | None = None) -> list[T]:
    """The rows of ``items`` that ``page`` shows (none past the end of ``items``)."""
    size = size or LIST_PAGE_SIZE
    return items[(page.number - 1) * size : page.number * size]


def title_of(title: str, page: ListPage) -> str:
    """The title of a page: the list's own on its first page, ``Claims (page 2 of 3)`` after."""
    return title if page.number == 1 else f"{title} (page {page.number} of {page.of})"


def pager_md(page: ListPage) -> str:
    """A line with "page k of n", links to the previous and next pages and to every page;
    empty when the list has one page."""
    if not page.paged:
        return ""
    pages = list_pages(page.first, page.of)
    steps = []
    if page.number > 1:
        steps.append(link(page.path, pages[page.number - 2].path, "← Previous"))
    if page.number < page.of:
        steps.append(link(page.path, pages[page.number].path, "Next →"))
    every = " ".join(
        f"**{p.number}**" if p.number == page.number else link(page.path, p.path, str(p.number))
        for p in pages
    )
    return (
        f'<div class="lmhub-pager" markdown>\n\n**Page {page.number} of {page.of}** · '
        + " · ".join(steps)
        + f" · Pages: {every}\n\n</div>\n"
    )


PAGED_NOTE = (
    "This list is long, so it is shown on {of} pages: the filters and sorting apply to the "
    "rows of this page, and the site's search box finds any {noun}.\n"
)
"""Said above the filters of a list with more than one page."""


def paged_note(page: ListPage, noun: str) -> str:
    """:data:`PAGED_NOTE` for ``page`` and its pager (empty when the list has one page)."""
    if not page.paged:
        return ""
    return PAGED_NOTE.format(of=page.of, noun=noun) + "\n" + pager_md(page) + "\n"


def bottom_pager(page: ListPage) -> str:
    """The pager again, after a page's last table (empty when the list has one page)."""
    return "\n" + pager_md(page) if page.paged else ""
