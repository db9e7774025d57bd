"""What each generated page depends on, as a key: a page is rendered again only when it changes.

A claim page shows the claim, its results, its strand's title, the titles and statuses of
its open questions, its references and the hub's settings; an open-question page shows the
question, the titles and states of its related claims, its references and the settings. The
key of a page hashes exactly those, plus :func:`code_digest` (the generator's own source), so
an edit to the site's code renders every page again. Index pages list every entry and are
always rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import site_tools
from site_tools.models import Claim, OpenQuestion
from site_tools.site.pages.common import SiteData


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


def _key(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _common(data: SiteData, kind: str, entry_id: str, citations: list[str]) -> list[str]:
    bib = data.catalog.bib.references
    return [code_digest(), data.catalog.settings.model_dump_json(),
            data.catalog.sources.get(f"{kind}:{entry_id}", ""),
            *(bib[k].raw if k in bib else f"missing {k}" for k in citations)]


def claim_page_key(data: SiteData, claim: Claim) -> str:
    """Key of a claim's page."""
    result = data.results.get(claim.id)
    questions = [data.catalog.questions.get(q) for q in claim.open_questions]
    return _key([
        "claim", claim.model_dump_json(), result.key if result else "no results",
        data.strand_title(claim.strand),
        *(f"{q.id}\0{q.title}\0{q.status}" if q else "missing" for q in questions),
        *_common(data, "claim", claim.id, claim.citations),
    ])


def question_page_key(data: SiteData, question: OpenQuestion) -> str:
    """Key of an open question's page."""
    claims = [data.catalog.claims.get(c) for c in question.related_claims]
    return _key([
        "question", question.model_dump_json(), data.strand_title(question.strand),
        *(f"{c.id}\0{c.title}\0{data.state(c.id)}" if c else "missing" for c in claims),
        *_common(data, "question", question.id, question.citations),
    ])
