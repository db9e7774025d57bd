"""What the site shows of each claim's run records, read once and remembered between builds.

:func:`collect_results` gives, for every claim, its :class:`~site_tools.status.ClaimStatus`
(computed by :func:`~site_tools.status.claim_status`, never re-derived here), the records
whose numbers the page shows, the per-prediction summaries, the number of distinct
environments it reproduced on, and the source of its plot.

Reading every record of a large hub is most of the cost of a rebuild, and records never
change once written (:mod:`site_tools.records`), so a claim's results are cached under a key
made of the claim's content hash and the names of its record files: what the index pages
need in ``<cache>/results.json``, and the full status in a file of its own,
``<cache>/statuses/<key>.json``, read only when the claim's page is rendered (at 10,000
claims the statuses come to 250 MB, which a single memo would read and write whole on every
build). A new record, a changed script or prediction changes the key and only that
claim is read again. Series are left out of the cache; a plot remembers the hash of its
series instead, and a claim whose plot is not in the plot cache is read again in full.

What the index pages need (state, last run, environments, plot) is kept beside each cached
status, and the status itself, with every record, is parsed only when a page that shows it
is rendered: a rebuild after one claim changed parses one status, not a thousand. A claim
read again has its plot drawn at once and is then held the same way, so even a cold build
never holds every record of the hub in memory; parsed statuses are kept for the last few
claims only (:data:`RECENT_STATUSES`).

Computing a claim's key (its identities, which hash every file a run reads, and the listing
of its records) is itself most of the cost of a rebuild after one claim changed, so the key
is remembered too, with the facts it is trusted on while they hold: the claim itself, and
the modification times of the files, of ``repro/`` and of the record folders (see
:func:`_key_inputs`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

import site_tools
from site_tools.catalog import Catalog
from site_tools.fsio import atomic_write
from site_tools.identity import RACY_NS, FileDigests, Identity, predictions_digest
from site_tools.judge import MetricSummary, judge_record, summarise
from site_tools.memo import JsonMemo
from site_tools.models import Claim, Prediction
from site_tools.records import RunRecord, Series, is_record_name
from site_tools.site.codebase import code_digest
from site_tools.site.plots import STYLE, PlotCache, drawable, plot_key
from site_tools.site.timeline import Change, last_change
from site_tools.site.workers import can_fork, run_shares, shares, until_stopped
from site_tools.states import ClaimState
from site_tools.status import ClaimStatus, EnvironmentResult, claim_status, identities

CACHE_VERSION = 5
STATUSES = "statuses"
"""Folder of the cache holding each claim's status, one file per results key."""


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
        """Environments of the hub's own runs in which it reproduced at its current identity."""
        self.plot = plot
        self.last_change = last_change
        """When the claim's outcome last changed between versions, or first ran."""
        self._status = status
        self._eager: _Derived | None = None

    def _derived(self) -> _Derived:
        if isinstance(self._status, ClaimStatus):
            if self._eager is None:
                self._eager = _derive(self.claim, self._status)
            return self._eager
        # Loaded statuses are kept for the few pages being rendered, not for the whole hub.
        name = (self.claim.id, self.key)
        found = _RECENT.get(name)
        if found is None:
            found = _derive(self.claim, self._status())
            _RECENT[name] = found
            while len(_RECENT) > RECENT_STATUSES:
                _RECENT.popitem(last=False)
        else:
            _RECENT.move_to_end(name)
        return found

    @property
    def status(self) -> ClaimStatus:
        """The claim's full status, with every record (series left out when cached)."""
        return self._derived().status

    @property
    def shown(self) -> list[RunRecord]:
        """Records whose numbers the page shows: the current ones, else the newest older."""
        return self._derived().shown

    @property
    def shown_current(self) -> bool:
        """Whether ``shown`` are the hub's own full runs at the claim's current identity."""
        return self._derived().shown_current

    @property
    def shown_source(self) -> str:
        """Where the shown numbers come from: ``hub``, ``reported``, ``smoke`` or ``older``."""
        return _source(self.status)

    @property
    def summaries(self) -> list[MetricSummary]:
        """Each prediction across the shown seeds."""
        return self._derived().summaries


RECENT_STATUSES = 64
"""How many claims' full statuses loaded from the memo are kept parsed at once."""


@dataclass(frozen=True)
class _Derived:
    status: ClaimStatus
    shown: list[RunRecord]
    shown_current: bool
    summaries: list[MetricSummary]


_RECENT: OrderedDict[tuple[str, str], _Derived] = OrderedDict()


def _derive(claim: Claim, status: ClaimStatus) -> _Derived:
    shown, current = _shown_records(status)
    return _Derived(status, shown, current, _summaries(claim, status, shown))


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
        environments=status.reproduced_on,
        plot=plot,
        status=status,
        last_change=last_change(claim, status.history),
    )


def _summaries(claim: Claim, status: ClaimStatus, shown: list[RunRecord]) -> list[MetricSummary]:
    """The summaries of the shown records, judged now: the hub's, else the latest reported
    environment's, else an older version's. A smoke run is not judged (its configuration is
    tiny on purpose), so it has none."""
    if status.summaries:
        return status.summaries
    reported = [e for e in status.reported if e.summaries]
    if reported:
        return reported[-1].summaries
    if _source(status) != "older":
        return []
    digest = predictions_digest(claim)
    judged = [judge_record(claim, r, digest) for r in shown if r.status == "measured"]
    if not judged or any(j.problem for j in judged):
        return []
    return summarise(claim, judged)


def _source(status: ClaimStatus) -> str:
    if status.current:
        return "hub"
    if any(e.records for e in status.reported):
        return "reported"
    if status.smoke:
        return "smoke"
    return "older" if status.history else "none"


def _shown_records(status: ClaimStatus) -> tuple[list[RunRecord], bool]:
    """The hub's current records; else the latest reported environment's; else the smoke
    runs (a claim awaiting a GPU); else the newest older identity's."""
    if status.current:
        return list(status.current), True
    reported = [e for e in status.reported if e.records]
    if reported:
        return list(reported[-1].records), False
    if status.smoke:
        return list(status.smoke), False
    if not status.history:
        return [], False
    newest = status.history[-1].identity
    latest: dict[int, RunRecord] = {}
    for record in status.history:
        if record.identity == newest:
            latest[record.seed] = record
    return sorted(latest.values(), key=lambda r: r.seed), False


class _StatusBox(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="constants")  # a mean over no seeds is NaN

    status: ClaimStatus


class _Cached(BaseModel):
    key: str
    state: ClaimState
    last_run: datetime | None
    environments: int
    plot_key: str | None
    plot_seed: int | None
    change_when: datetime | None = None
    change_before: ClaimState | None = None
    change_after: ClaimState | None = None
    inputs: str | None = None
    """What ``key`` was computed from (:func:`_key_inputs`): while it is the same, so is
    ``key``. ``None``: compute the key again."""
    files: list[str] = []
    """The files a run of the claim reads, relative to the root (``inputs`` covers them)."""


_ENTRIES = TypeAdapter(dict[str, _Cached])
"""The memo's entries, read and written in one call each (10,000 calls take a tenth of a
second)."""


def _record_names(folder: str | None) -> list[str]:
    if folder is None:
        return []
    try:
        return sorted(filter(is_record_name, os.listdir(folder)))
    except OSError:
        return []


def _stat_fact(path: str, since: int | None) -> str | None:
    """A file's modification time and size; ``None`` when ``since`` (when it is looked at,
    in ns) is given and the file changed less than RACY_NS before, so that it may change
    again within the same clock tick without either changing."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    if since is not None and since - stat.st_mtime_ns <= RACY_NS:
        return None
    return f"{stat.st_mtime_ns} {stat.st_size}"


def _key_inputs(
    claim: str,
    code: str,
    repro: str,
    root: str,
    files: list[str],
    folders: list[str | None],
    since: int | None,
) -> str | None:
    """Hash of what a claim's results key is computed from, but for the files' contents and
    the records' names: the claim (its :meth:`~site_tools.catalog.Catalog.entry_key`), the
    code, the modification time of ``repro/`` (which helpers and implicit modules there
    are), the modification time and size of each file a run reads (``files``, relative to
    ``root``), and the modification time of the record ``folders`` (a record is never
    changed, only added or removed; ``None`` for a folder known to be missing). Those facts
    are what the file digests and the listing of ``repro/`` are trusted on already
    (:class:`FileDigests`). ``None`` when one is too recent to be trusted (see
    :func:`_stat_fact`).

    Computing the identities (a memo entry for each file, JSON and hashes for each
    configuration) and listing the records are most of the cost of reading a large hub's
    results when nothing changed.
    """
    facts = [code, repro]
    for rel in files:
        # Joined by hand: os.path.join took a tenth of this loop's time.
        fact = _stat_fact(f"{root}/{rel}", since)
        if fact is None:
            return None
        facts.append(f"{rel}\0{fact}")
    for folder in folders:
        fact = _stat_fact(folder, since) if folder is not None else "missing"
        if fact is None:
            return None
        facts.append(fact)
    digest = hashlib.sha256(claim.encode("utf-8", "surrogatepass"))
    # No path or fact holds a NUL, so the joined text splits back into them.
    digest.update("\0".join(facts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _key(
    claim: Claim,
    claim_key: str,
    root: Path,
    files: FileDigests,
    cached: _Cached | None,
    repro: str | None,
    folders: list[str | None],
) -> tuple[str, str | None, list[str]]:
    """The claim's results key, what it was computed from (:func:`_key_inputs`) and the
    files a run reads: remembered in ``cached`` while those are unchanged, else computed."""
    code, text_root = code_digest(), str(root)
    if (
        repro is not None
        and cached is not None
        and cached.inputs is not None
        and _key_inputs(claim_key, code, repro, text_root, cached.files, folders, None)
        == cached.inputs
    ):
        return cached.key, cached.inputs, cached.files
    full, mutants, smoke = identities(claim, root, files)
    names = [*_record_names(folders[0]), "--", *_record_names(folders[1])]
    key = _results_key(claim, _identity_digest(full, mutants, smoke), names)
    run_files = list(full.files)
    if repro is None:  # repro/ changed just now: remember nothing
        return key, None, run_files
    # Looked at after the files were hashed and the records listed: a change since then is
    # recent, and nothing is then remembered.
    now = time.time_ns()
    return key, _key_inputs(claim_key, code, repro, text_root, run_files, folders, now), run_files


def _identity_digest(full: Identity, mutants: dict[str, Identity], smoke: Identity | None) -> str:
    return "\n".join(
        [full.digest, *(m.digest for m in mutants.values()), smoke.digest if smoke else ""]
    )


_PREDICTIONS = TypeAdapter(list[Prediction])


def _results_key(claim: Claim, digest: str, names: list[str]) -> str:
    # The drawing style is part of every plot key, so a new style must not reuse cached keys;
    # the predictions are not part of the identity, but they change every verdict (their
    # JSON, made in one call, is a third of the cost of predictions_digest).
    predictions = _PREDICTIONS.dump_json(claim.predictions).decode()
    text = "\n".join([claim.id, digest, predictions, STYLE, *names])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _load_status(text: str) -> ClaimStatus:
    return _StatusBox.model_validate_json(text).status


def _stored_status(folder: Path, name: str, recompute: Callable[[], ClaimStatus]) -> ClaimStatus:
    """The status stored in ``folder`` under ``name``; read from the records again if the
    file is unusable."""
    try:
        return _load_status((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _strip(recompute())


def _strip(status: ClaimStatus) -> ClaimStatus:
    def bare(records: list[RunRecord]) -> list[RunRecord]:
        return [r.model_copy(update={"series": {}}) if r.series else r for r in records]

    def bare_envs(envs: list[EnvironmentResult]) -> list[EnvironmentResult]:
        return [dataclasses.replace(e, records=bare(e.records)) for e in envs]

    return dataclasses.replace(
        status,
        current=bare(status.current),
        history=bare(status.history),
        environments=bare_envs(status.environments),
        reported=bare_envs(status.reported),
        smoke=bare(status.smoke),
    )


class ResultsCache:
    """The on-disk memo behind :func:`collect_results` (``None`` folder: no memo).

    Parameters
    ----------
    folder
        Cache folder; ``results.json``, ``files.json`` and the ``statuses`` folder are kept
        there and overwritten.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.files = FileDigests(folder / "files.json" if folder else None, one_pass=True)
        self.memo = JsonMemo(
            folder / "results.json" if folder else None,
            f"{CACHE_VERSION}:{site_tools.__version__}",
        )
        self.statuses = folder / STATUSES if folder else None
        self._held: dict[str, str] = {}
        """Statuses as JSON text, by results key, when there is no folder to keep them in."""
        self.entries: dict[str, _Cached] = {}
        with contextlib.suppress(ValidationError):  # a damaged memo only costs time
            self.entries = _ENTRIES.validate_python(self.memo.load())
        self._stored: set[str] = set()
        if self.statuses is not None:
            with contextlib.suppress(OSError):
                self._stored = set(os.listdir(self.statuses))

    def _status_name(self, key: str) -> str:
        return f"{key}.json"

    def stored_statuses(self) -> set[str]:
        """Names of the status files kept in the folder."""
        return set(self._stored)

    def add_stored_statuses(self, names: list[str]) -> None:
        """Note status files that another process kept in the folder."""
        self._stored.update(str(name) for name in names)

    def has_status(self, key: str) -> bool:
        """Whether the status for ``key`` is kept (a memo entry without it is stale)."""
        return key in self._held or self._status_name(key) in self._stored

    def put_status(self, key: str, status: ClaimStatus) -> None:
        """Keep a claim's status (records without their series) under its results key."""
        text = _StatusBox(status=_strip(status)).model_dump_json()
        if self.statuses is None:
            self._held[key] = text
            return
        # Written at once, not held: a cold build of a large hub never holds every status.
        # No flush per file: a file lost to a power cut reads as unusable and is recomputed.
        name = self._status_name(key)
        atomic_write(self.statuses / name, text, durable=False)
        self._stored.add(name)

    def status_loader(
        self, key: str, recompute: Callable[[], ClaimStatus]
    ) -> Callable[[], ClaimStatus]:
        """A call that parses the status kept for ``key``."""
        held = self._held.get(key)
        if held is not None:
            return functools.partial(_load_status, held)
        assert self.statuses is not None
        return functools.partial(_stored_status, self.statuses, self._status_name(key), recompute)

    def save(self, entries: dict[str, _Cached]) -> None:
        """Replace the memo with ``entries`` (atomically) and drop the statuses of others."""
        self.files.save()
        if self.statuses is None:  # no folder: nothing is kept
            return
        self.memo.save_json(_ENTRIES.dump_json(entries))
        wanted = {self._status_name(v.key) for v in entries.values()}
        for name in self._stored - wanted:
            with contextlib.suppress(OSError):
                (self.statuses / name).unlink()
        self._stored &= wanted


def _from_memo(claim: Claim, cached: _Cached, status: Callable[[], ClaimStatus]) -> ClaimResults:
    """A claim's results as remembered: its full status is parsed only when a page needs it."""
    plot = None
    if cached.plot_key is not None and cached.plot_seed is not None:
        plot = PlotSource(cached.plot_key, cached.plot_seed, None)
    change = None
    if cached.change_when is not None and cached.change_after is not None:
        change = Change(cached.change_when, cached.change_before, cached.change_after)
    return ClaimResults(
        claim,
        key=cached.key,
        state=cached.state,
        last_run=cached.last_run,
        environments=cached.environments,
        plot=plot,
        status=status,
        last_change=change,
    )


def _memo_entry(result: ClaimResults, status: ClaimStatus) -> _Cached:
    return _Cached(
        key=result.key,
        state=status.state,
        last_run=result.last_run,
        environments=result.environments,
        plot_key=result.plot.key if result.plot else None,
        plot_seed=result.plot.seed if result.plot else None,
        change_when=result.last_change.when if result.last_change else None,
        change_before=result.last_change.before if result.last_change else None,
        change_after=result.last_change.after if result.last_change else None,
    )


def collect_results(
    catalog: Catalog,
    cache: ResultsCache,
    have_plot: set[str] | None = None,
    plots: PlotCache | None = None,
    workers: int = 1,
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
        it is read again, to get its series. ``None``: trust every cached claim (or, with
        ``plots``, the keys that ``plots`` holds).
    plots
        Where a claim read again has its plot drawn at once. Its records are then let go:
        the claim's results hold its status as the memo does (parsed again when a page needs
        it), so a build never holds every record of the hub at once. Without it the series
        stay in the results for the caller to draw.
    workers
        Processes that read the claims the memo does not know, when there are many (a build
        from nothing; see :func:`_read_ahead`).
    """
    paths = catalog.paths
    if have_plot is None and plots is not None:
        have_plot = plots.keys
    out: dict[str, ClaimResults] = {}
    kept: dict[str, _Cached] = {}
    changed = False
    # Looked at before any key is computed, so that a later change shows as a new time.
    repro = _stat_fact(str(paths.repro), time.time_ns())
    if workers > 1 and plots is not None and plots.folder is not None:
        unknown = [c for c in sorted(catalog.claims) if c not in cache.entries]
        changed = _read_ahead(catalog, cache, plots, unknown, repro, workers)
    folders = _record_folders(catalog)
    for claim_id in sorted(catalog.claims):
        claim = catalog.claims[claim_id]
        cached = cache.entries.get(claim_id)
        key, inputs, run_files = _key(
            claim,
            catalog.entry_key("claim", claim),
            catalog.root,
            cache.files,
            cached,
            repro,
            folders(claim_id),
        )
        remembered = {"inputs": inputs, "files": run_files}
        recompute = functools.partial(claim_status, claim, paths, cache.files)
        if (
            cached is not None
            and cached.key == key
            and cache.has_status(key)
            and (cached.plot_key is None or have_plot is None or cached.plot_key in have_plot)
        ):
            if (cached.inputs, cached.files) != (inputs, run_files):
                cached = cached.model_copy(update=remembered)
                changed = True
            result = _from_memo(claim, cached, cache.status_loader(key, recompute))
        else:
            result, cached = _read(claim, key, cache, plots, recompute)
            cached = cached.model_copy(update=remembered)
            changed = True
        kept[claim_id] = cached
        out[claim_id] = result
    if changed or kept.keys() != cache.entries.keys():
        cache.save(kept)
    else:
        cache.files.save()
    cache.entries = kept
    return out


def _record_folders(catalog: Catalog) -> Callable[[str], list[str | None]]:
    """The two record folders of a claim, by its id, ``None`` for one that is missing (text:
    a path object for each of 20,000 folders costs a tenth of a second, and
    ``catalog.paths`` makes new ones at each call). The stores are listed once, here: most
    claims have records in one of them only, and a failed ``stat`` costs twice a listed
    name. A folder made after this is seen by the next build (its facts then differ)."""
    stores = [str(catalog.paths.evidence), str(catalog.paths.results)]
    present = [_listing(store) for store in stores]

    def folders(claim_id: str) -> list[str | None]:
        return [
            f"{store}/{claim_id}" if claim_id in names else None
            for store, names in zip(stores, present, strict=True)
        ]

    return folders


def _listing(folder: str) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


def _read(
    claim: Claim,
    key: str,
    cache: ResultsCache,
    plots: PlotCache | None,
    recompute: Callable[[], ClaimStatus],
) -> tuple[ClaimResults, _Cached]:
    """A claim's results read from its records (its status kept, its plot drawn), and its
    memo entry."""
    status = recompute()
    result = results_for(claim, status, key)
    cached = _memo_entry(result, status)
    cache.put_status(key, status)
    if plots is not None:
        if result.plot is not None:
            source = result.plot
            plots.get_or_draw(source.key, source.series, claim.reproduction.plot, source.others)
        result = _from_memo(claim, cached, cache.status_loader(key, recompute))
    return result, cached


def _read_ahead(
    catalog: Catalog,
    cache: ResultsCache,
    plots: PlotCache,
    claim_ids: list[str],
    repro: str | None,
    workers: int,
) -> bool:
    """Read the claims ``claim_ids`` in forked workers (:mod:`site_tools.site.workers`) when
    there are enough of them, and add what they read to ``cache`` and ``plots``: each
    worker keeps the statuses and drawings in their folders, as the build does, and answers
    with the memo entries and the names of the statuses and plots it added. The build then finds these claims in the
    memo; a claim no worker answered for is read by the build. Whether any was added."""
    parts = shares(claim_ids, workers) if can_fork() else []
    if not parts:
        return False
    drawn_before, plots_before = plots.drawn, set(plots.keys)
    statuses_before = cache.stored_statuses()
    folders = _record_folders(catalog)

    def read(part: Sequence[str]) -> dict[str, Any]:
        entries = {}
        for claim_id in until_stopped(part):
            claim = catalog.claims[claim_id]
            key, inputs, run_files = _key(
                claim,
                catalog.entry_key("claim", claim),
                catalog.root,
                cache.files,
                None,
                repro,
                folders(claim_id),
            )
            recompute = functools.partial(claim_status, claim, catalog.paths, cache.files)
            _, cached = _read(claim, key, cache, plots, recompute)
            entries[claim_id] = cached.model_copy(update={"inputs": inputs, "files": run_files})
        return {
            "entries": _ENTRIES.dump_python(entries, mode="json"),
            "statuses": sorted(cache.stored_statuses() - statuses_before),
            "files": cache.files.trusted(),
            "plots": sorted(plots.keys - plots_before),
            "drawn": plots.drawn - drawn_before,
        }

    added = False
    for answer in run_shares(parts, read):
        if not isinstance(answer, dict):
            continue
        with contextlib.suppress(ValidationError):
            cache.entries.update(_ENTRIES.validate_python(answer["entries"]))
            cache.add_stored_statuses(answer["statuses"])
            cache.files.add(answer["files"])
            plots.keys.update(answer["plots"])
            plots.drawn += int(answer["drawn"])
            added = True
    return added
