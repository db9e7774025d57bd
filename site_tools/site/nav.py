"""The site's navigation, as the plain list mkdocs' ``nav`` setting takes.

Generated pages come first; the strands are listed by name from ``taxonomy.yaml``; the
hand-written pages under ``docs/`` join their sections when they exist (the guide in a fixed
reading order, then any other guide page, alphabetically).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from site_tools.catalog import Catalog
from site_tools.site.pages.common import (
    CLAIMS_INDEX,
    EXAMPLE,
    HOME,
    PAPERS,
    QUESTIONS_INDEX,
    STRANDS_INDEX,
    TAGS,
    strand_page,
)

GUIDE_ORDER = (
    "guide/learning-mechanics.md",
    "guide/strands.md",
    "guide/reading-a-claim.md",
    "guide/trust.md",
    "guide/glossary.md",
    "guide/citing.md",
)
ABOUT_ORDER = ("about.md", "contributing.md")


def _present(docs: Path, order: tuple[str, ...], folder: str | None) -> list[str]:
    found = [p for p in order if (docs / p).is_file()]
    if folder is not None and (docs / folder).is_dir():
        extra = sorted(p.relative_to(docs).as_posix() for p in (docs / folder).glob("*.md"))
        found += [p for p in extra if p not in found and not p.endswith("index.md")]
    return found


def site_nav(catalog: Catalog, docs: Path) -> list[Any]:
    """The ``nav`` list for a hub whose hand-written pages are in ``docs``."""
    nav: list[Any] = [
        {"Home": HOME},
        {"Claims": CLAIMS_INDEX},
        {"Open questions": QUESTIONS_INDEX},
        {"Strands": [STRANDS_INDEX, *(strand_page(s.id) for s in catalog.taxonomy.strands)]},
        {"Papers": PAPERS},
    ]
    guide = _present(docs, GUIDE_ORDER, "guide")
    if guide:
        nav.append({"Guide": guide})
    about = _present(docs, ABOUT_ORDER, None)
    about += [EXAMPLE, *_present(docs, (), "reference")]
    nav.append({"About": about})
    nav.append({"Tags": TAGS})
    return nav
