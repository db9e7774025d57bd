"""What each generated page depends on, as a key: a page is rendered again only when it changes.

A claim page shows the claim, its results, its strand's title, the titles and statuses of
its open questions, its references and the hub's settings; an open-question page shows the
question, the titles and states of its related claims, its references and the settings. The
key of a page hashes exactly those, plus :func:`code_digest` (the generator's own source), so
an edit to the site's code renders every page again. Index pages list every entry and are
always rendered, except the papers pages, each of which changes only with its works, the
titles of the entries that cite them and the pages it links to. The page of each work an
entry cites is part of the entry's key, since its page links there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import site_tools
from site_tools.models import Claim, OpenQuestion
from site_tools.site.pages.common import SiteData
from site_tools.site.pages.papers_layout import PapersPage


@cache
def code_digest() -> str:
    """Hash of every Python and asset file of the ``site_tools`` package, read once."""
    digest = hashlib.sha256()
    package = Path(site_tools.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".css", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def parts_digest(parts: Iterable[str]) -> str:
    """SHA-256 of a sequence of strings, each prefixed by its length (so that no two
    sequences hash alike by moving a boundary)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _common(data: SiteData, kind: str, entry_id: str, citations: list[str]) -> list[str]:
    bib = data.catalog.bib.references
    if "settings" not in data.keys:
        data.keys["settings"] = data.catalog.settings.model_dump_json()
    return [
        code_digest(),
        data.keys["settings"],
        data.catalog.sources.get(f"{kind}:{entry_id}", ""),
        *(f"{bib[k].raw}\0{data.paper_page(k)}" if k in bib else f"missing {k}" for k in citations),
    ]


def claim_page_key(data: SiteData, claim: Claim) -> str:
    """Key of a claim's page."""
    name = f"claim:{claim.id}"
    if name not in data.keys:
        data.keys[name] = _claim_key(data, claim)
    return data.keys[name]


def question_page_key(data: SiteData, question: OpenQuestion) -> str:
    """Key of an open question's page."""
    name = f"question:{question.id}"
    if name not in data.keys:
        data.keys[name] = _question_key(data, question)
    return data.keys[name]


def _claim_key(data: SiteData, claim: Claim) -> str:
    result = data.results.get(claim.id)
    questions = [data.catalog.questions.get(q) for q in claim.open_questions]
    return parts_digest(
        [
            "claim",
            claim.model_dump_json(),
            result.key if result else "no results",
            data.strand_title(claim.strand),
            *(f"{q.id}\0{q.title}\0{q.status}" if q else "missing" for q in questions),
            *_common(data, "claim", claim.id, claim.citations),
        ]
    )


def _question_key(data: SiteData, question: OpenQuestion) -> str:
    claims = [data.catalog.claims.get(c) for c in question.related_claims]
    return parts_digest(
        [
            "question",
            question.model_dump_json(),
            data.strand_title(question.strand),
            *(f"{c.id}\0{c.title}\0{data.state(c.id)}" if c else "missing" for c in claims),
            *_common(data, "question", question.id, question.citations),
        ]
    )


def papers_page_key(data: SiteData, page: PapersPage) -> str:
    """Key of one papers page: its works, who cites them under which title, and the pages
    it links to (the first page of each group, its neighbours)."""
    catalog = data.catalog
    cited = []
    for key in page.keys:
        for kind, entry_id in data.cited_by.get(key, []):
            entry = catalog.claims[entry_id] if kind == "claim" else catalog.questions[entry_id]
            cited.append(f"{key}\0{kind}\0{entry_id}\0{entry.title}")
    groups = data.papers.groups()
    return parts_digest(
        [
            "papers",
            code_digest(),
            f"{page.path}\0{page.number}\0{page.of}",
            *(f"{group}\0{pages[0].path}" for group, pages in groups.items()),
            *(catalog.bib.references[key].raw for key in page.keys),
            *cited,
        ]
    )


def reference_key(data: SiteData, key: str) -> str:
    """Key of one reference's export file: its BibTeX, who cites it and its papers page."""
    ref = data.catalog.bib.references[key]
    return parts_digest(
        [
            "reference",
            code_digest(),
            ref.raw,
            data.paper_page(key),
            *(f"{k}\0{i}" for k, i in data.cited_by.get(key, [])),
        ]
    )
