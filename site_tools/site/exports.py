"""Files the site publishes for machines: the catalog export, BibTeX and the schemas.

The catalog export follows :mod:`site_tools.site.export_models`: a small header,
``catalog.json``; index pages of at most :data:`INDEX_SIZE` rows under ``catalog/``; and one
file per claim, open question and reference under ``catalog/claims/``, ``catalog/questions/``
and ``catalog/references/``. Their schemas are published under ``schemas/``
(:data:`EXPORT_SCHEMAS`). ``references.bib`` is the hub's bibliography as committed, and
``bib/<claim-id>.bib`` holds the references of one claim.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from site_tools.memo import JsonMemo
from site_tools.models import Claim, OpenQuestion
from site_tools.site.dependencies import claim_page_key, question_page_key, reference_key
from site_tools.site.export_models import (
    EXPORT_VERSION,
    CatalogExport,
    ClaimExport,
    CountsExport,
    EnvironmentExport,
    IndexesExport,
    IndexPageExport,
    IndexRowExport,
    MetricExport,
    MutantExport,
    QuestionExport,
    ReferenceExport,
    RelatedClaimExport,
    SchemasExport,
    StatusExport,
    StrandExport,
)
from site_tools.site.pages.common import (
    SiteData,
    badge_file,
    bib_file,
    claim_page,
    plot_file,
    question_page,
    strand_page,
)
from site_tools.site.text import anchor, slug
from site_tools.states import claim_state_names
from site_tools.status import EnvironmentResult

MEMO_VERSION = 2
CATALOG = "catalog.json"
INDEX_SIZE = 1000
"""Most rows on one index page (read when the export is made, so tests may lower it)."""
EXPORT_SCHEMAS = {
    "catalog": "catalog",
    "index": "catalog-index",
    "claim": "catalog-claim",
    "question": "catalog-question",
    "reference": "catalog-reference",
}
"""Each kind of file of the export (a field of the header's ``schemas``) to its schema's name
(see :data:`site_tools.schema.SCHEMAS`)."""
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def schema_file(name: str) -> str:
    """Path of a published schema, by its name in :data:`site_tools.schema.SCHEMAS`."""
    return f"schemas/{name}.schema.json"


def claim_file(claim_id: str) -> str:
    """Path of a claim's export file."""
    return f"catalog/claims/{slug(claim_id)}.json"


def question_file(question_id: str) -> str:
    """Path of an open question's export file."""
    return f"catalog/questions/{slug(question_id)}.json"


def reference_file(key: str) -> str:
    """Path of a reference's export file: its key, or a cleaned form and a hash of it.

    A key of letters, digits, ``_`` and ``-`` is the file's name: no two such keys differ
    only in case (the bibliography refuses that, as BibTeX does), so they cannot collide even
    on a file system that ignores case. Any other key (``Saxe:2014``) gives its characters in
    lower case with runs of others as ``-``, a dot and 16 hex digits of its SHA-256; the dot
    keeps these apart from the plain names.
    """
    if _PLAIN_KEY.match(key):
        return f"catalog/references/{key}.json"
    cleaned = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:60] or "key"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"catalog/references/{cleaned}.{digest}.json"


def index_file(kind: str, number: int) -> str:
    """Path of the ``number``-th index page of ``kind`` (``claims``, ``open_questions``,
    ``references``)."""
    stem = "questions" if kind == "open_questions" else kind
    return f"catalog/{stem}-{number}.json"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _metrics(data: SiteData, claim: Claim) -> list[MetricExport]:
    result = data.results.get(claim.id)
    summaries = {s.metric: s for s in (result.summaries if result else [])}
    out = []
    for prediction in claim.predictions:
        s = summaries.get(prediction.metric)
        measured = s is not None and bool(s.values)
        out.append(
            MetricExport(
                metric=prediction.metric,
                description=prediction.description,
                expected=prediction.expect.describe(),
                expect=prediction.expect.model_dump(mode="json"),
                source=prediction.source,
                seed_rule=prediction.seeds,
                required=s.required if s else None,
                values=list(s.values) if s else [],
                passes=list(s.passes) if s else [],
                mean=_finite(s.mean) if s and measured else None,
                spread=_finite(s.spread) if s and measured else None,
                held=s.held if s and s.passes else None,
                alternative=prediction.alternative.description if prediction.alternative else None,
                alternative_rejected=s.alternative_rejected if s else None,
            )
        )
    return out


def _env(result: EnvironmentResult) -> EnvironmentExport:
    return EnvironmentExport(label=result.label, state=result.state, last_run=result.last_run)


def _claim(data: SiteData, claim: Claim) -> ClaimExport:
    result = data.results.get(claim.id)
    full = result.status if result else None
    status = StatusExport(
        state=data.state(claim.id),  # type: ignore[arg-type]
        identity=full.identity if full else "",
        current=bool(result and result.shown_current),
        last_run=result.last_run if result else None,
        runs=len(full.history) if full else 0,
        environments=result.environments if result else 0,
        by_environment=[_env(e) for e in full.environments] if full else [],
        reported=[_env(e) for e in full.reported] if full else [],
        sensitivity=full.sensitivity if full else "unchecked",
        mutants=[MutantExport(id=m.id, caught=m.caught) for m in full.mutants] if full else [],
    )
    return ClaimExport(
        id=claim.id,
        title=claim.title,
        strand=claim.strand,
        tags=list(claim.tags),
        statement=claim.statement,
        citations=list(claim.citations),
        open_questions=list(claim.open_questions),
        script=claim.reproduction.script,
        device=claim.reproduction.device,
        seeds=list(claim.reproduction.seeds),
        page=data.page_url(claim_page(claim.id)),
        badge=badge_file(claim.id),
        bibtex=bib_file(claim.id),
        plot=plot_file(claim.id) if result and result.plot else None,
        status=status,
        metrics=_metrics(data, claim),
    )


def _question(data: SiteData, question: OpenQuestion) -> QuestionExport:
    return QuestionExport(
        id=question.id,
        title=question.title,
        strand=question.strand,
        tags=list(question.tags),
        status=question.status,
        statement=question.statement,
        why_it_matters=question.why_it_matters,
        progress_criteria=list(question.progress_criteria),
        status_evidence=question.status_evidence,
        related_claims=[
            RelatedClaimExport(id=c, state=data.state(c)) for c in question.related_claims
        ],
        citations=list(question.citations),
        page=data.page_url(question_page(question.id)),
    )


def _reference(data: SiteData, key: str) -> ReferenceExport:
    r = data.catalog.bib.references[key]
    return ReferenceExport(
        key=r.key,
        title=r.title,
        authors=r.authors,
        year=r.year,
        venue=r.venue,
        doi=r.doi,
        arxiv=r.arxiv,
        cited_by=[i for _, i in data.cited_by.get(r.key, [])],
        page=f"{data.page_url(data.paper_page(key))}#{anchor(key)}",
    )


def _rows(data: SiteData) -> dict[str, list[IndexRowExport]]:
    """The index rows of each kind, by id (key)."""
    catalog = data.catalog
    return {
        "claims": [
            IndexRowExport(
                id=c.id,
                title=c.title,
                status=data.state(c.id),
                strand=c.strand,
                file=claim_file(c.id),
            )
            for _, c in sorted(catalog.claims.items())
        ],
        "open_questions": [
            IndexRowExport(
                id=q.id, title=q.title, status=q.status, strand=q.strand, file=question_file(q.id)
            )
            for _, q in sorted(catalog.questions.items())
        ],
        "references": [
            IndexRowExport(
                id=key, title=r.title, status=None, strand=None, file=reference_file(key)
            )
            for key, r in sorted(catalog.bib.references.items())
        ],
    }


def _index_pages(kind: str, rows: list[IndexRowExport]) -> dict[str, IndexPageExport]:
    size = INDEX_SIZE
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    pages = len(chunks)
    return {
        index_file(kind, n): IndexPageExport(
            format_version=EXPORT_VERSION,
            kind=kind,  # type: ignore[arg-type]
            page=n,
            pages=pages,
            total=len(rows),
            previous=index_file(kind, n - 1) if n > 1 else None,
            next=index_file(kind, n + 1) if n < pages else None,
            rows=chunk,
        )
        for n, chunk in enumerate(chunks, 1)
    }


def _header(data: SiteData, indexes: dict[str, list[str]]) -> CatalogExport:
    catalog = data.catalog
    states = [data.state(c) for c in catalog.claims]
    claims = Counter(c.strand for c in catalog.claims.values())
    questions = Counter(q.strand for q in catalog.questions.values())
    return CatalogExport(
        format_version=EXPORT_VERSION,
        hub=catalog.settings.name,
        description=catalog.settings.description,
        counts=CountsExport(
            claims=len(states),
            reproduced=states.count("reproduced"),
            failed=states.count("failed"),
            by_state={name: states.count(name) for name in claim_state_names()},
            open_questions=sum(q.status != "resolved" for q in catalog.questions.values()),
        ),
        strands=[
            StrandExport(
                id=s.id,
                title=s.title,
                summary=s.summary,
                physics_analogue=s.physics_analogue,
                page=data.page_url(strand_page(s.id)),
                claims=claims[s.id],
                open_questions=questions[s.id],
            )
            for s in catalog.taxonomy.strands
        ],
        index_size=INDEX_SIZE,
        indexes=IndexesExport(**indexes),
        schemas=SchemasExport(**{kind: schema_file(name) for kind, name in EXPORT_SCHEMAS.items()}),
    )


def _indexes_and_header(data: SiteData) -> dict[str, BaseModel]:
    """``catalog.json`` and the index pages, by path."""
    files: dict[str, BaseModel] = {}
    indexes: dict[str, list[str]] = {}
    for kind, rows in _rows(data).items():
        pages = _index_pages(kind, rows)
        indexes[kind] = list(pages)
        files.update(pages)
    return {CATALOG: _header(data, indexes), **files}


def catalog_exports(data: SiteData) -> dict[str, BaseModel]:
    """Every file of the catalog export as its model, by path (built now, nothing memoised)."""
    files = _indexes_and_header(data)
    for c in data.catalog.claims.values():
        files[claim_file(c.id)] = _claim(data, c)
    for q in data.catalog.questions.values():
        files[question_file(q.id)] = _question(data, q)
    for key in data.catalog.bib.references:
        files[reference_file(key)] = _reference(data, key)
    return files


class ExportMemo:
    """The JSON of each entry's export file by its key, kept between builds.

    Building and validating 2,000 export models takes about a second, so an entry is built
    again only when its key changes (the key of its page, see
    :mod:`site_tools.site.dependencies`).

    Parameters
    ----------
    path
        JSON file to keep the memo in (rewritten when it changes); ``None``: no memo.
    """

    def __init__(self, path: Path | None):
        self.memo = JsonMemo(path, str(MEMO_VERSION))
        self.entries: dict[str, list[str]] = {}
        self.used: dict[str, list[str]] = {}
        for name, value in self.memo.load().items():
            if isinstance(value, list) and len(value) == 2:
                self.entries[str(name)] = [str(value[0]), str(value[1])]

    def fragment(self, name: str, key: str, build: Callable[[], BaseModel]) -> str:
        """The JSON of entry ``name``: remembered if ``key`` matches, else built now."""
        known = self.entries.get(name)
        text = known[1] if known is not None and known[0] == key else build().model_dump_json()
        self.used[name] = [key, text]
        return text

    def save(self) -> None:
        """Keep the entries used by this build (and only those), if anything changed."""
        if self.used != self.entries:
            self.memo.save(dict(self.used))


def catalog_files(data: SiteData, memo: ExportMemo | None = None) -> dict[str, str]:
    """Every file of the catalog export as JSON text, by path: :func:`catalog_exports`, with
    each entry's file taken from ``memo`` when the entry has not changed."""
    memo = memo or ExportMemo(None)
    catalog = data.catalog
    files = {
        path: model.model_dump_json() + "\n" for path, model in _indexes_and_header(data).items()
    }
    for c in catalog.claims.values():
        files[claim_file(c.id)] = (
            memo.fragment(
                f"claim:{c.id}",
                f"{data.directory_urls}:{claim_page_key(data, c)}",
                functools.partial(_claim, data, c),
            )
            + "\n"
        )
    for q in catalog.questions.values():
        files[question_file(q.id)] = (
            memo.fragment(
                f"question:{q.id}",
                f"{data.directory_urls}:{question_page_key(data, q)}",
                functools.partial(_question, data, q),
            )
            + "\n"
        )
    for key in catalog.bib.references:
        files[reference_file(key)] = (
            memo.fragment(
                f"reference:{key}",
                f"{data.directory_urls}:{reference_key(data, key)}",
                functools.partial(_reference, data, key),
            )
            + "\n"
        )
    memo.save()
    return files
