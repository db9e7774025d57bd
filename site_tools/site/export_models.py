"""The format of the site's machine-readable export (version 3).

The export is a small header, ``catalog.json`` (:class:`CatalogExport`: the hub, its counts
and strands, and the paths of everything else), index pages of at most
``catalog.json``'s ``index_size`` rows each (:class:`IndexPageExport`:
``catalog/claims-1.json``, ``catalog/questions-1.json``, ``catalog/references-1.json``, ...),
and one file per entry (:class:`ClaimExport` in ``catalog/claims/<id>.json``,
:class:`QuestionExport` in ``catalog/questions/<id>.json``, :class:`ReferenceExport` in
``catalog/references/<name>.json``; an index row gives each entry's file). No file grows with
the whole catalogue: a reader fetches the header, then the index pages, then the entries it
wants.

These models are the definition: ``schemas/catalog.schema.json`` (the header) and
``schemas/catalog-index.schema.json``, ``catalog-claim``, ``catalog-question`` and
``catalog-reference`` are generated from them by ``lmhub schema`` (see
:mod:`site_tools.schema`), and ``lmhub schema --check`` fails when a committed schema is
stale. A reader checks ``format_version`` first (the header's holds for every file of the
export); a change that could break a reader bumps :data:`EXPORT_VERSION`, and the old
version's meaning is kept in this docstring's history. Paths and URLs are relative to the
site root. Numbers that were not measured are ``null``.

History: version 1 had ``status.content_hash`` (a hash that included the Python, numpy and
torch versions) and took a claim's state from any committed record; version 2 has
``status.identity`` (what can change the numbers, environment excluded), judges only the
hub's own runs, and adds per-environment verdicts, reported evidence and mutants. Version 2
was one file, ``catalog.json``, with every entry in ``claims``, ``open_questions`` and
``references`` and each strand's entry ids; version 3 splits it into the header, index pages
and entry files, gives each strand's entry counts instead of ids, and gives each reference
its place on the papers pages (``page``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from site_tools.states import ClaimState, Sensitivity

EXPORT_VERSION: Literal[3] = 3


class _Export(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class MetricExport(_Export):
    """One prediction of a claim and how it fared on the shown run."""

    metric: str
    """Name of the metric the script reports."""
    description: str
    """What the metric measures (Markdown, as written in the claim)."""
    expected: str
    """The prediction in words, e.g. ``1.9 (±0.02 rel)``."""
    expect: dict[str, Any]
    """The prediction as data: ``kind`` (target, interval, at_least, at_most) and its numbers."""
    source: str
    """Where the predicted value comes from."""
    seed_rule: str
    """``all`` or ``majority``: how many seeds must meet the prediction."""
    required: int | None
    """Seeds that must pass; null when the claim has not been run."""
    values: list[float]
    """Measured value per seed, in seed order."""
    passes: list[bool]
    """Whether each seed met the prediction."""
    mean: float | None
    """Mean over seeds; null when nothing was measured."""
    spread: float | None
    """Sample standard deviation over seeds (0 for one seed); null when nothing was measured."""
    held: bool | None
    """Whether the prediction held under its seed rule; null when not judged."""
    alternative: str | None
    """The naive alternative the prediction should rule out, if any."""
    alternative_rejected: bool | None
    """Whether the measurement rules the alternative out; null when there is none or no run."""


class EnvironmentExport(_Export):
    """The claim judged in one environment at its current identity."""

    label: str
    """Device, Python, numpy, torch, OS and sandbox, in words."""
    state: ClaimState
    last_run: datetime


class MutantExport(_Export):
    """What the runs of one mutant show."""

    id: str
    caught: bool | None
    """Whether every prediction the mutant names missed; None until it has run."""


class StatusExport(_Export):
    """Where a claim stands, judged from the hub's own runs (the evidence store)."""

    state: ClaimState
    """Current state (see the states in ``site_tools/states.py``)."""
    identity: str
    """Hash of everything that can change the claim's numbers, now."""
    current: bool
    """Whether ``metrics`` come from the hub's own runs at the current identity."""
    last_run: datetime | None
    """Start of the most recent full run at any hash (UTC)."""
    runs: int
    """Full runs recorded, at any hash."""
    environments: int
    """Environments of the hub's own runs in which it reproduced at its current identity."""
    by_environment: list[EnvironmentExport] = []
    """The hub's own verdict in each environment."""
    reported: list[EnvironmentExport] = []
    """Verdicts from records made elsewhere; they never set ``state``."""
    sensitivity: Sensitivity = "unchecked"
    """Whether every mutant made its named predictions fail."""
    mutants: list[MutantExport] = []


class ClaimExport(_Export):
    """One claim with its current status: ``catalog/claims/<id>.json``."""

    id: str
    title: str
    strand: str
    tags: list[str]
    statement: str
    """Markdown with LaTeX math, as written in the claim."""
    citations: list[str]
    """Keys into ``references.bib``."""
    open_questions: list[str]
    script: str
    """Reproduction script, relative to the hub root."""
    device: Literal["cpu", "gpu"]
    seeds: list[int]
    page: str
    """The claim's page."""
    badge: str
    """SVG status badge."""
    bibtex: str
    """BibTeX of the claim's references."""
    plot: str | None
    """SVG plot of theory and measurement, when the script reports series."""
    status: StatusExport
    metrics: list[MetricExport]
    """One per prediction, in the claim's order."""


class RelatedClaimExport(_Export):
    """A claim an open question bears on, with its current state."""

    id: str
    state: str
    """The related claim's current state."""


class QuestionExport(_Export):
    """One open question: ``catalog/questions/<id>.json``."""

    id: str
    title: str
    strand: str
    tags: list[str]
    status: Literal["open", "partial", "resolved"]
    statement: str
    why_it_matters: str
    progress_criteria: list[str]
    status_evidence: str | None
    related_claims: list[RelatedClaimExport]
    citations: list[str]
    page: str


class StrandExport(_Export):
    """One strand of the taxonomy and how many entries it has."""

    id: str
    title: str
    summary: str
    physics_analogue: str
    page: str
    claims: int
    """How many claims it has (an index row gives each claim's strand)."""
    open_questions: int
    """How many open questions it has, resolved ones included."""


class ReferenceExport(_Export):
    """One work of ``references.bib``, its fields decoded for display:
    ``catalog/references/<name>.json``."""

    key: str
    title: str
    authors: list[str]
    year: str
    venue: str
    doi: str | None
    arxiv: str | None
    cited_by: list[str]
    """Ids of the claims and open questions that cite it."""
    page: str
    """Its place on the papers pages (URL with an anchor)."""


class CountsExport(_Export):
    """The numbers on the home page."""

    claims: int
    reproduced: int
    failed: int
    by_state: dict[str, int] = {}
    """Claims in each state; the counts add up to ``claims``."""
    open_questions: int
    """Open questions not yet resolved."""


class IndexesExport(_Export):
    """The index pages of each kind of entry, in order."""

    claims: list[str]
    open_questions: list[str]
    references: list[str]


class SchemasExport(_Export):
    """The JSON Schema of each kind of file of the export."""

    catalog: str
    index: str
    claim: str
    question: str
    reference: str


class CatalogExport(_Export):
    """The header of the export, ``catalog.json``: the hub, its counts and strands, and where
    every other file of the export is."""

    format_version: Literal[3]
    """Version of this format; a reader should refuse a version it does not know."""
    hub: str
    description: str
    counts: CountsExport
    strands: list[StrandExport]
    index_size: int
    """Most rows on one index page."""
    indexes: IndexesExport
    schemas: SchemasExport


class IndexRowExport(_Export):
    """One entry on an index page."""

    id: str
    """The claim's or open question's id, or the reference's citation key."""
    title: str
    status: str | None
    """A claim's current state or an open question's status; null for a reference."""
    strand: str | None
    """Null for a reference."""
    file: str
    """The entry's own file."""


class IndexPageExport(_Export):
    """One page of the index of one kind of entry: ``catalog/claims-<n>.json``,
    ``catalog/questions-<n>.json`` or ``catalog/references-<n>.json``, by id (key)."""

    format_version: Literal[3]
    kind: Literal["claims", "open_questions", "references"]
    page: int
    """1 for the first page."""
    pages: int
    total: int
    """Entries of this kind, on all pages."""
    previous: str | None
    next: str | None
    rows: list[IndexRowExport]
