"""What a build fills in or points anew in the hand-written pages under ``docs/``.

Both engines pass every hand-written page through :func:`hand_written_markdown` before it is
rendered: the mkdocs plugin in ``on_page_markdown``, the Zensical build while it copies
``docs/`` (that engine runs no plugins).
"""

from __future__ import annotations

from site_tools.site.pages.common import SiteData
from site_tools.site.pages.papers import resolve_paper_links
from site_tools.site.pages.strands import expand_strand_entries


def hand_written_markdown(markdown: str, data: SiteData, page: str) -> str:
    """``markdown`` of the hand-written page ``page`` (path in the docs folder), with each
    ``<!-- lmhub:strand-entries ID -->`` line filled in and each link to a work on the papers
    index pointed at the page that shows it.

    Raises
    ------
    KeyError
        With a message, when a strand-entries line names a strand the taxonomy lacks.
    """
    if "<!-- lmhub:" in markdown:
        markdown = expand_strand_entries(markdown, data, page)
    return resolve_paper_links(markdown, data, page)
