"""The site's search index: Pagefind, run over the built HTML.

Pagefind writes a chunked index under ``pagefind/`` in the site: a visitor's browser loads
nothing of it until they type in the search box, and then only the index chunks for the
words typed and the snippets of the results shown. mkdocs-material's own search loads one
JSON file of every page's text on every page view (821 KB for 42 claims, and growing
linearly with the hub); with Pagefind, a page view carries none of it and a query carries a
few chunks, whatever the size of the hub.

What is indexed is the article of each page, without code blocks (BibTeX, commands), the
filter controls, the pagers of long lists, a claim's part on rerunning it and its past runs
(the same words on every claim page: indexed, they would make every claim match a query for
"run" or "seed" and every index chunk larger) and the MathML (each formula carries a
plain-text form for the index, see :func:`site_tools.site.math.plain_text`). Also left out:

* the lists of entries (the claims and questions indexes, a strand's page, the tags page):
  each entry is found by its own page, and a list that repeats every title only pushes the
  entries down the results;
* the predictions table, whose words the list under it repeats with the predictions'
  sources, and the measured numbers;
* an entry's list of the works it cites, and the "cited by" columns of the papers pages: a
  work is found at its place on its papers page, with the entries that cite it;
* the sentences every claim or question page repeats (the plot's legend, the link to edit the
  YAML), marked with :data:`NOT_INDEXED`.

On a hub of 10,000 claims and as many questions that took the index from 22 MB to 15 MB,
and Pagefind's peak memory from 2.6 GB to 1.6 GB.

Claim pages add metadata that the search box shows and ranks by: ``kind``, ``status`` and
``tags`` (see :mod:`site_tools.site.pages.claims`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT_SELECTOR = "article.md-content__inner"
RUN_DATA = "lmhub-run-data"
"""Class of the part of a claim page on rerunning the claim and on its runs."""
NOT_INDEXED = "lmhub-not-indexed"
"""Class of the other parts of pages that the search index leaves out (see above)."""
EXCLUDED = (
    f".{RUN_DATA}",
    f".{NOT_INDEXED}",
    ".lmhub-table--predictions",
    ".lmhub-table--papers thead",
    ".lmhub-table--papers td:not(:first-child)",
    "pre",
    "math",
    ".headerlink",
    ".lmhub-filters",
    ".lmhub-pager",
    ".md-source-file",
    ".md-tags",
)
FOLDER = "pagefind"


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


def build_search_index(site_dir: Path, timeout_s: float = 300) -> None:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind``."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--root-selector",
        ROOT_SELECTOR,
        "--output-subdir",
        FOLDER,
        "--quiet",
    ]
    for selector in EXCLUDED:
        command += ["--exclude-selectors", selector]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"cannot run pagefind: {exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SearchIndexError("pagefind failed: " + " / ".join(detail))
