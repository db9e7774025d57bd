"""What the site shows of each claim's run records, read once and remembered between builds.

:func:`collect_results` gives, for every claim, its :class:`~site_tools.status.ClaimStatus`
(computed by :func:`~site_tools.status.claim_status`, never re-derived here), the records
whose numbers the page shows, the per-prediction summaries, the number of distinct
environments it reproduced on, and the source of its plot.

Reading every record of a large hub is most of the cost of a rebuild, and records never
change once written (:mod:`site_tools.records`), so a claim's results are cached in
``<cache>/results.json`` under a key made of the claim's content hash and the names of its
record files. A new record, a changed script or prediction changes the key and only that
claim is read again. Series are left out of the cache; a plot remembers the hash of its
series instead, and a claim whose plot is not in the plot cache is read again in full.

What the index pages need (state, last run, environments, plot) is kept beside each cached
status, and the status itself, with every record, is parsed only when a page that shows it
is rendered: a rebuild after one claim changed parses one status, not a thousand.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

import site_tools
from site_tools.catalog import Catalog
from site_tools.judge import MetricSummary, summarise
from site_tools.models import Claim
from site_tools.records import SETTLED, RunRecord, Series
from site_tools.runner.hashing import FileDigests, content_hash
from site_tools.site.plots import STYLE, drawable, plot_key
from site_tools.site.timeline import Change, last_change
from site_tools.status import ClaimState, ClaimStatus, claim_status

CACHE_VERSION = 4


@dataclass(frozen=True)
class PlotSource:
    """The series a claim's plot draws, and the hash that names the drawing."""

    key: str
    """Hash of the series, the plot spec and the drawing style
    (:func:`~site_tools.site.plots.plot_key`)."""
    seed: int
    series: Mapping[str, Series] | None
    """``None`` when the results came from the cache (the drawing is cached too)."""
    others: tuple[Mapping[str, Series], ...] = ()
    """The series of the other seeds, drawn thin under the first seed's."""


class ClaimResults:
    """Everything the site needs from one claim's run records.

    ``state``, ``last_run``, ``environments``, ``plot`` and ``key`` are at hand; ``status``,
    ``shown`` and ``summaries`` are derived from the full status, loaded on first use.
    """

    def __init__(
        self,
        claim: Claim,
        *,
        key: str,
        state: ClaimState,
        last_run: datetime | None,
        environments: int,
        plot: PlotSource | None,
        status: ClaimStatus | Callable[[], ClaimStatus],
        last_change: Change | None = None,
    ):
        self.claim = claim
        self.key = key
        """The claim's content hash and record files, hashed: it changes when results may."""
        self.state: ClaimState = state
        self.last_run = last_run
        """Start of the most recent full run of this claim, at any content hash."""
        self.environments = environments
        """Distinct (platform, machine, Python, numpy, torch, device) on which it reproduced."""
        self.plot = plot
        self.last_change = last_change
        """When the claim's outcome last changed between versions, or first ran."""
        self._status = status

    @functools.cached_property
    def status(self) -> ClaimStatus:
        """The claim's full status, with every record (series left out when cached)."""
        return self._status if isinstance(self._status, ClaimStatus) else self._status()

    @functools.cached_property
    def _shown(self) -> tuple[list[RunRecord], bool]:
        return _shown_records(self.status)

    @property
    def shown(self) -> list[RunRecord]:
        """Records whose numbers the page shows: the current ones, else the newest older."""
        return self._shown[0]

    @property
    def shown_current(self) -> bool:
        """Whether ``shown`` ran at the claim's current content hash."""
        return self._shown[1]

    @functools.cached_property
    def summaries(self) -> list[MetricSummary]:
        """Each prediction across the shown seeds."""
        return _summaries(self.claim, self.status, self.shown)


def results_for(claim: Claim, status: ClaimStatus, key: str = "") -> ClaimResults:
    """Derive the shown records, summaries, environments and plot source from a status."""
    shown, _ = _shown_records(status)
    plot = None
    spec = claim.reproduction.plot
    drawn = sorted(
        (r for r in shown if r.series and drawable(r.series, spec)), key=lambda r: r.seed
    )
    if drawn:
        others = tuple(r.series for r in drawn[1:] if r.series)
        plot = PlotSource(
            plot_key(drawn[0].series, spec, others), drawn[0].seed, drawn[0].series, others
        )
    last_run = status.history[-1].started_at if status.history else None
    return ClaimResults(
        claim,
        key=key,
        state=status.state,
        last_run=last_run,
        environments=reproduced_environments(claim, status.history),
        plot=plot,
        status=status,
        last_change=last_change(status.history),
    )


def _summaries(claim: Claim, status: ClaimStatus, shown: list[RunRecord]) -> list[MetricSummary]:
    if not status.summaries and any(r.verdicts for r in shown):
        return summarise(claim, [r for r in shown if r.verdicts])
    return status.summaries


def reproduced_environments(claim: Claim, history: list[RunRecord]) -> int:
    """In how many distinct environments a full set of seeds at one content hash reproduced.

    An environment is (platform, machine, Python, numpy, torch, device). Within one, the
    latest record of each declared seed at a hash is judged under the claim's seed rules
    (:func:`~site_tools.judge.summarise`), as the claim's status is.
    """
    groups: dict[tuple[object, ...], dict[int, RunRecord]] = {}
    for record in history:
        p = record.provenance
        env = (p.platform, p.machine, p.python, p.numpy, p.torch, p.device)
        if record.seed in claim.reproduction.seeds:
            groups.setdefault((*env, record.content_hash), {})[record.seed] = record
    reproduced = set()
    for key, latest in groups.items():
        records = list(latest.values())
        if (
            len(records) == len(claim.reproduction.seeds)
            and all(r.status in SETTLED for r in records)
            and all(s.held for s in summarise(claim, records))
        ):
            reproduced.add(key[:-1])
    return len(reproduced)


def _shown_records(status: ClaimStatus) -> tuple[list[RunRecord], bool]:
    if status.current:
        return list(status.current), True
    if not status.history:
        return [], False
    newest_hash = status.history[-1].content_hash
    latest: dict[int, RunRecord] = {}
    for record in status.history:
        if record.content_hash == newest_hash:
            latest[record.seed] = record
    return sorted(latest.values(), key=lambda r: r.seed), False


class _StatusBox(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="constants")  # a mean over no seeds is NaN

    status: ClaimStatus


class _Cached(BaseModel):
    key: str
    state: str
    last_run: datetime | None
    environments: int
    plot_key: str | None
    plot_seed: int | None
    change_when: datetime | None = None
    change_before: str | None = None
    change_after: str | None = None
    status: str
    """The :class:`_StatusBox` as JSON text, parsed only when needed."""


class _Store(BaseModel):
    version: int
    lmhub: str
    claims: dict[str, _Cached]


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(n for n in os.listdir(folder) if n.endswith(".json") and n[0] != ".")
    except OSError:
        return []


def _key(claim: Claim, digest: str, names: list[str]) -> str:
    # The drawing style is part of every plot key, so a new style must not reuse cached keys.
    text = "\n".join([claim.id, digest, STYLE, *names])
    return hashlib.sha256(text.encode()).hexdigest()


def _load_status(text: str) -> ClaimStatus:
    return _StatusBox.model_validate_json(text).status


def _strip(status: ClaimStatus) -> ClaimStatus:
    def bare(records: list[RunRecord]) -> list[RunRecord]:
        return [r.model_copy(update={"series": {}}) if r.series else r for r in records]

    return ClaimStatus(
        status.claim_id,
        status.state,
        status.content_hash,
        bare(status.current),
        bare(status.history),
        list(status.summaries),
        list(status.bad),
    )


class ResultsCache:
    """The on-disk memo behind :func:`collect_results` (``None`` folder: no memo).

    Parameters
    ----------
    folder
        Cache folder; ``results.json`` and ``files.json`` are kept there and overwritten.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.files = FileDigests(folder / "files.json" if folder else None)
        self.entries: dict[str, _Cached] = {}
        if folder is not None:
            try:
                store = _Store.model_validate_json((folder / "results.json").read_bytes())
                if store.version == CACHE_VERSION and store.lmhub == site_tools.__version__:
                    self.entries = dict(store.claims)
            except (OSError, ValueError, ValidationError):
                pass  # a missing or damaged memo only costs time

    def save(self, entries: dict[str, _Cached]) -> None:
        """Replace the memo with ``entries`` (atomically)."""
        self.files.save()
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        store = _Store(version=CACHE_VERSION, lmhub=site_tools.__version__, claims=entries)
        target = self.folder / "results.json"
        tmp = target.with_name(f".results.{os.getpid()}.tmp")
        tmp.write_bytes(store.model_dump_json().encode())
        os.replace(tmp, target)


def collect_results(
    catalog: Catalog, cache: ResultsCache, have_plot: set[str] | None = None
) -> dict[str, ClaimResults]:
    """Results of every claim of ``catalog``, reading only what changed since ``cache``.

    Parameters
    ----------
    catalog
        The validated hub.
    cache
        The memo; it is updated and saved.
    have_plot
        Plot keys whose drawing is already cached; a cached claim whose plot key is not in
        it is read again, to get its series. ``None``: trust every cached claim.
    """
    results_dir = catalog.paths.results
    out: dict[str, ClaimResults] = {}
    kept: dict[str, _Cached] = {}
    changed = False
    for claim_id in sorted(catalog.claims):
        claim = catalog.claims[claim_id]
        digest = content_hash(claim, catalog.root, cache.files).digest
        key = _key(claim, digest, _listing(results_dir / claim_id))
        cached = cache.entries.get(claim_id)
        usable = (
            cached is not None
            and cached.key == key
            and (cached.plot_key is None or have_plot is None or cached.plot_key in have_plot)
        )
        if usable:
            assert cached is not None
            plot = None
            if cached.plot_key is not None and cached.plot_seed is not None:
                plot = PlotSource(cached.plot_key, cached.plot_seed, None)
            result = ClaimResults(
                claim,
                key=key,
                state=cached.state,  # type: ignore[arg-type]
                last_run=cached.last_run,
                environments=cached.environments,
                plot=plot,
                status=functools.partial(_load_status, cached.status),
                last_change=Change(cached.change_when, cached.change_before, cached.change_after)
                if cached.change_when is not None and cached.change_after is not None
                else None,
            )
            kept[claim_id] = cached
        else:
            status = claim_status(claim, results_dir, digest)
            result = results_for(claim, status, key)
            changed = True
            kept[claim_id] = _Cached(
                key=key,
                state=status.state,
                last_run=result.last_run,
                environments=result.environments,
                plot_key=result.plot.key if result.plot else None,
                plot_seed=result.plot.seed if result.plot else None,
                change_when=result.last_change.when if result.last_change else None,
                change_before=result.last_change.before if result.last_change else None,
                change_after=result.last_change.after if result.last_change else None,
                status=_StatusBox(status=_strip(status)).model_dump_json(),
            )
        out[claim_id] = result
    if changed or kept.keys() != cache.entries.keys():
        cache.save(kept)
    else:
        cache.files.save()
    cache.entries = kept
    return out
