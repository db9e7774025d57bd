"""Files the site publishes for machines: ``catalog.json``, BibTeX and the schema.

``catalog.json`` follows :mod:`site_tools.site.export_models`; its schema is published next
to it as ``schemas/catalog.schema.json``. ``references.bib`` is the hub's bibliography as
committed, and ``bib/<claim-id>.bib`` holds the references of one claim.
"""

from __future__ import annotations

import math

from site_tools.models import Claim, OpenQuestion
from site_tools.site.export_models import (
    EXPORT_VERSION,
    CatalogExport,
    ClaimExport,
    CountsExport,
    MetricExport,
    QuestionExport,
    ReferenceExport,
    RelatedClaimExport,
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


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _metrics(data: SiteData, claim: Claim) -> list[MetricExport]:
    result = data.results.get(claim.id)
    summaries = {s.metric: s for s in (result.summaries if result else [])}
    out = []
    for prediction in claim.predictions:
        s = summaries.get(prediction.metric)
        measured = s is not None and bool(s.values)
        out.append(MetricExport(
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
        ))
    return out


def _claim(data: SiteData, claim: Claim) -> ClaimExport:
    result = data.results.get(claim.id)
    status = StatusExport(
        state=data.state(claim.id),  # type: ignore[arg-type]
        content_hash=result.status.content_hash if result else "",
        current=bool(result and result.shown_current),
        last_run=result.last_run if result else None,
        runs=len(result.status.history) if result else 0,
        environments=result.environments if result else 0,
    )
    return ClaimExport(
        id=claim.id, title=claim.title, strand=claim.strand, tags=list(claim.tags),
        statement=claim.statement, citations=list(claim.citations),
        open_questions=list(claim.open_questions), script=claim.reproduction.script,
        device=claim.reproduction.device, seeds=list(claim.reproduction.seeds),
        page=data.page_url(claim_page(claim.id)), badge=badge_file(claim.id),
        bibtex=bib_file(claim.id),
        plot=plot_file(claim.id) if result and result.plot else None,
        status=status, metrics=_metrics(data, claim))


def _question(data: SiteData, question: OpenQuestion) -> QuestionExport:
    return QuestionExport(
        id=question.id, title=question.title, strand=question.strand, tags=list(question.tags),
        status=question.status, statement=question.statement,
        why_it_matters=question.why_it_matters,
        progress_criteria=list(question.progress_criteria),
        status_evidence=question.status_evidence,
        related_claims=[RelatedClaimExport(id=c, state=data.state(c))
                        for c in question.related_claims],
        citations=list(question.citations), page=data.page_url(question_page(question.id)))


def catalog_export(data: SiteData) -> CatalogExport:
    """The whole catalog with statuses and metric summaries, as :class:`CatalogExport`."""
    catalog = data.catalog
    claims = [_claim(data, c) for c in data.sorted_claims()]
    states = [c.status.state for c in claims]
    return CatalogExport(
        format_version=EXPORT_VERSION,
        hub=catalog.settings.name,
        description=catalog.settings.description,
        counts=CountsExport(
            claims=len(claims), reproduced=states.count("reproduced"),
            failed=states.count("failed"),
            open_questions=sum(q.status != "resolved" for q in catalog.questions.values())),
        strands=[StrandExport(id=s.id, title=s.title, summary=s.summary,
                              physics_analogue=s.physics_analogue,
                              page=data.page_url(strand_page(s.id)),
                              claims=[c.id for c in data.claims_in(s.id)],
                              open_questions=[q.id for q in data.questions_in(s.id)])
                 for s in catalog.taxonomy.strands],
        claims=claims,
        open_questions=[_question(data, q) for q in data.sorted_questions()],
        references=[ReferenceExport(key=r.key, title=r.title, authors=r.authors, year=r.year,
                                    venue=r.venue, doi=r.doi, arxiv=r.arxiv,
                                    cited_by=[i for _, i in data.cited_by.get(r.key, [])])
                    for r in sorted(catalog.bib.references.values(), key=lambda r: r.key)],
    )


def catalog_json(data: SiteData) -> str:
    """``catalog.json``: :func:`catalog_export` as indented JSON."""
    return catalog_export(data).model_dump_json(indent=1) + "\n"
