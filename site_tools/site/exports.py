"""Files the site publishes for machines: ``catalog.json``, BibTeX and the schema.

``catalog.json`` follows :mod:`site_tools.site.export_models`; its schema is published next
to it as ``schemas/catalog.schema.json``. ``references.bib`` is the hub's bibliography as
committed, and ``bib/<claim-id>.bib`` holds the references of one claim.
"""

from __future__ import annotations

import functools
import math
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
    MetricExport,
    MutantExport,
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
from site_tools.states import claim_state_names
from site_tools.status import EnvironmentResult

MEMO_VERSION = 1


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
    )


def _header(data: SiteData) -> CatalogExport:
    """Everything but the entries (left empty)."""
    catalog = data.catalog
    states = [data.state(c) for c in catalog.claims]
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
                claims=[c.id for c in data.claims_in(s.id)],
                open_questions=[q.id for q in data.questions_in(s.id)],
            )
            for s in catalog.taxonomy.strands
        ],
        claims=[],
        open_questions=[],
        references=[],
    )


def catalog_export(data: SiteData) -> CatalogExport:
    """The whole catalog with statuses and metric summaries, as :class:`CatalogExport`."""
    return _header(data).model_copy(
        update={
            "claims": [_claim(data, c) for c in data.sorted_claims()],
            "open_questions": [_question(data, q) for q in data.sorted_questions()],
            "references": [_reference(data, k) for k in sorted(data.catalog.bib.references)],
        }
    )


class ExportMemo:
    """The JSON of each entry of ``catalog.json`` by its key, kept between builds.

    Building and validating 2,000 export models takes about a second, so an entry is built
    again only when its key changes (the key of its page, see
    :mod:`site_tools.site.dependencies`), and ``catalog.json`` is assembled from the pieces.

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


def catalog_json(data: SiteData, memo: ExportMemo | None = None) -> str:
    """``catalog.json``: :func:`catalog_export` as compact JSON, built from ``memo``."""
    memo = memo or ExportMemo(None)
    catalog = data.catalog
    base = _header(data)
    claims = [
        memo.fragment(
            f"claim:{c.id}",
            f"{data.directory_urls}:{claim_page_key(data, c)}",
            functools.partial(_claim, data, c),
        )
        for c in data.sorted_claims()
    ]
    questions = [
        memo.fragment(
            f"question:{q.id}",
            f"{data.directory_urls}:{question_page_key(data, q)}",
            functools.partial(_question, data, q),
        )
        for q in data.sorted_questions()
    ]
    references = [
        memo.fragment(
            f"reference:{k}", reference_key(data, k), functools.partial(_reference, data, k)
        )
        for k in sorted(catalog.bib.references)
    ]
    memo.save()
    head = base.model_dump_json(exclude={"claims", "open_questions", "references"})
    return (
        head[:-1]
        + ',"claims":['
        + ",".join(claims)
        + '],"open_questions":['
        + ",".join(questions)
        + '],"references":['
        + ",".join(references)
        + "]}\n"
    )
