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
from dataclasses import dataclass

from pydantic import BaseModel

from site_tools.models import Claim, OpenQuestion
from site_tools.site.dependencies import (
    claim_page_key,
    code_digest,
    papers_page_key,
    parts_digest,
    question_page_key,
    work_digest,
)
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


def claim_export(data: SiteData, claim: Claim) -> ClaimExport:
    """A claim's export file, as its model."""
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


def question_export(data: SiteData, question: OpenQuestion) -> QuestionExport:
    """An open question's export file, as its model."""
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


def reference_export(data: SiteData, key: str) -> ReferenceExport:
    """A reference's export file, as its model."""
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


def _listed(data: SiteData) -> dict[str, list[tuple[str, str]]]:
    """The ids each kind of index lists, in order, each with the key of what its row shows:
    the page key of a claim or an open question (:mod:`site_tools.site.dependencies`,
    made for its page anyway, and covering its title, state and strand), the digest of a
    reference's work (:func:`work_digest`)."""
    catalog = data.catalog
    return {
        "claims": [(i, claim_page_key(data, c)) for i, c in sorted(catalog.claims.items())],
        "open_questions": [
            (i, question_page_key(data, q)) for i, q in sorted(catalog.questions.items())
        ],
        "references": [(key, work_digest(data, key)) for key in sorted(catalog.bib.references)],
    }


def _row(data: SiteData, kind: str, entry_id: str) -> IndexRowExport:
    catalog = data.catalog
    if kind == "claims":
        c = catalog.claims[entry_id]
        return IndexRowExport(
            id=c.id, title=c.title, status=data.state(c.id), strand=c.strand, file=claim_file(c.id)
        )
    if kind == "open_questions":
        q = catalog.questions[entry_id]
        return IndexRowExport(
            id=q.id, title=q.title, status=q.status, strand=q.strand, file=question_file(q.id)
        )
    title = catalog.bib.references[entry_id].title
    return IndexRowExport(
        id=entry_id, title=title, status=None, strand=None, file=reference_file(entry_id)
    )


def _index_page(
    data: SiteData, kind: str, number: int, pages: int, total: int, ids: list[str]
) -> BaseModel:
    return IndexPageExport(
        format_version=EXPORT_VERSION,
        kind=kind,  # type: ignore[arg-type]
        page=number,
        pages=pages,
        total=total,
        previous=index_file(kind, number - 1) if number > 1 else None,
        next=index_file(kind, number + 1) if number < pages else None,
        rows=[_row(data, kind, i) for i in ids],
    )


def _index_pages(data: SiteData, kind: str, listed: list[tuple[str, str]]) -> list[EntryFile]:
    """The index pages of ``kind``, each keyed on its place and the keys of its rows."""
    size = INDEX_SIZE
    chunks = [listed[i : i + size] for i in range(0, len(listed), size)] or [[]]
    pages = len(chunks)
    return [
        EntryFile(
            index_file(kind, n),
            parts_digest(
                ["index", code_digest(), kind, f"{n}\0{pages}\0{len(listed)}"]
                + [f"{i}\0{key}" for i, key in chunk]
            ),
            functools.partial(
                _index_page, data, kind, n, pages, len(listed), [i for i, _ in chunk]
            ),
        )
        for n, chunk in enumerate(chunks, 1)
    ]


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


def _indexes_and_header(data: SiteData) -> tuple[CatalogExport, list[EntryFile]]:
    """``catalog.json``, and the index pages."""
    files: list[EntryFile] = []
    indexes: dict[str, list[str]] = {}
    for kind, listed in _listed(data).items():
        pages = _index_pages(data, kind, listed)
        indexes[kind] = [page.path for page in pages]
        files += pages
    return _header(data, indexes), files


def catalog_exports(data: SiteData) -> dict[str, BaseModel]:
    """Every file of the catalog export as its model, by path (built now, nothing memoised)."""
    header, indexes = _indexes_and_header(data)
    files: dict[str, BaseModel] = {CATALOG: header}
    for entry in [*indexes, *entry_files(data)]:
        files[entry.path] = entry.build()
    return files


@dataclass(frozen=True)
class EntryFile:
    """One entry's export file, to be built only when its key differs from the last build's."""

    path: str
    key: str
    """Changes whenever the file's content may: the key of the entry's page (see
    :mod:`site_tools.site.dependencies`), or of the reference, and the URL style."""
    build: Callable[[], BaseModel]


def entry_files(data: SiteData) -> list[EntryFile]:
    """The export file of every claim, open question and reference, each with its key.

    Building and validating 40,000 export models takes seconds, so the generator writes each
    file lazily (:meth:`~site_tools.site.output.OutputTree.add_lazy`): a build after one
    claim changed builds that claim's file and the files of the entries that show it.
    """
    catalog = data.catalog
    urls = f"{data.directory_urls}:"
    files = [
        EntryFile(
            claim_file(c.id),
            urls + claim_page_key(data, c),
            functools.partial(claim_export, data, c),
        )
        for c in catalog.claims.values()
    ]
    files += [
        EntryFile(
            question_file(q.id),
            urls + question_page_key(data, q),
            functools.partial(question_export, data, q),
        )
        for q in catalog.questions.values()
    ]
    # What a reference's file shows (the work, who cites it, its page) is part of the key of
    # the papers page that lists it, which is computed for that page anyway.
    for page in data.papers.pages:
        key = urls + papers_page_key(data, page)
        files += [
            EntryFile(reference_file(ref), key, functools.partial(reference_export, data, ref))
            for ref in page.keys
        ]
    return files


def export_text(model: BaseModel) -> str:
    """The text of an export file holding ``model``."""
    return model.model_dump_json() + "\n"


def index_files(data: SiteData) -> tuple[str, list[EntryFile]]:
    """The text of ``catalog.json`` (built now), and the index pages, to be built when their
    keys change."""
    header, indexes = _indexes_and_header(data)
    return export_text(header), indexes


def export_files(data: SiteData) -> tuple[str, list[EntryFile]]:
    """The text of ``catalog.json`` (built now), and every other file of the export: the
    index pages and each entry's file, to be built when their keys change."""
    header, indexes = index_files(data)
    return header, [*indexes, *entry_files(data)]


def catalog_files(data: SiteData) -> dict[str, str]:
    """Every file of the catalog export as JSON text, by path (built now)."""
    header, files = export_files(data)
    return {CATALOG: header, **{entry.path: export_text(entry.build()) for entry in files}}
