"""The claims the runner needs, validated once and remembered until a file changes.

Validating a large hub (parsing every YAML file with line numbers, checking every citation)
takes longer than everything else a no-op ``lmhub run`` does. So after a full validation
passes, the valid claims are kept in ``.hub-cache/runner/`` with a fingerprint of every file
that could change the outcome (the entries, the bibliography, the settings, every file under
``repro/``, and the hub's own code). The next command reuses them when the fingerprint
matches, and validates everything again when anything differs. The cache holds plain JSON
that is validated again on load: a damaged or tampered cache costs time, never correctness.

Each claim's identity in its full configuration is kept with it: it depends only on the
claim and on files under ``repro/`` (script, helpers, declared inputs), all of which the
fingerprint covers, and hashing 10,000 claims' files again took a fifth of a no-op run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

import site_tools
from site_tools.catalog import load_catalog
from site_tools.fsio import atomic_write
from site_tools.hub import HubPaths
from site_tools.identity import (
    RACY_NS,
    FileDigests,
    Identity,
    claim_identities,
    claim_identity,
    predictions_digest,
)
from site_tools.models import Claim, HubSettings

CACHE_DIR = ".hub-cache/runner"
CACHE_VERSION: Literal[3] = 3


@dataclass(frozen=True)
class HubClaims:
    """What the runner reads from a valid hub."""

    paths: HubPaths
    settings: HubSettings
    claims: dict[str, Claim]
    sources: dict[str, str]
    """``claim:<id>`` to the YAML path relative to the root (as in the catalog)."""
    predictions: dict[str, str]
    """Claim id to its :func:`~site_tools.identity.predictions_digest` (serialising 10,000
    claims' predictions again at every command takes longer than reading their digests)."""
    full: dict[str, Identity]
    """Claim id to its identity in the full configuration, where the cache holds it."""

    def cache_dir(self) -> Path:
        return self.paths.root / CACHE_DIR

    def identities(
        self, claim: Claim, configurations: list[str], files: FileDigests
    ) -> dict[str, Identity]:
        """:func:`~site_tools.identity.claim_identities` of ``claim``, the full configuration's
        from the cache when it holds it."""
        known = self.full.get(claim.id)
        if known is not None and configurations == ["full"]:
            return {"full": known}
        return claim_identities(claim, self.paths.root, configurations, files)

    def file_digests(self) -> FileDigests:
        """The on-disk memo of script digests for one command's planning
        (:func:`~site_tools.identity.claim_identities`)."""
        return FileDigests(self.cache_dir() / "files.json", one_pass=True)


SKIPPED = "__pycache__"
"""Folders the fingerprint leaves out: Python's bytecode, written when a script is imported,
is no input of a run."""


def _walk(folder: str, suffix: str, recursive: bool) -> Iterator[os.DirEntry[str]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if recursive and entry.is_dir(follow_symlinks=False):
            if entry.name != SKIPPED:
                yield from _walk(entry.path, suffix, recursive)
        elif entry.name.endswith(suffix):
            yield entry


def _watched(paths: HubPaths) -> Iterator[tuple[str, os.stat_result]]:
    for path in (paths.settings, paths.taxonomy, paths.bib):
        with contextlib.suppress(OSError):
            yield str(path), path.stat()
    # Every file of the entry folders (a stray .yml is a problem validation reports), every
    # file a run may read (scripts, helpers and declared inputs all live under repro/), and
    # the validation rules themselves: a new lmhub may judge files differently.
    folders = [
        (str(paths.claims), "", False),
        (str(paths.questions), "", False),
        (str(paths.repro), "", True),
        (str(Path(site_tools.__file__).parent), ".py", True),
    ]
    for folder, suffix, recursive in folders:
        for entry in _walk(folder, suffix, recursive):
            with contextlib.suppress(OSError):
                yield entry.path, entry.stat()


def _fingerprint(paths: HubPaths) -> tuple[str, int]:
    """Digest of every watched file's path, size and mtime, and the newest mtime."""
    rows = []
    newest = 0
    for path, stat in _watched(paths):
        rows.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
        newest = max(newest, stat.st_mtime_ns)
    rows.sort()
    return hashlib.sha256("\n".join(rows).encode()).hexdigest(), newest


class _Stored(BaseModel):
    """The cache file: validated in one pass by pydantic-core when read back."""

    version: Literal[3]
    fingerprint: str
    settings: HubSettings
    claims: dict[str, Claim]
    sources: dict[str, str]
    predictions: dict[str, str]
    full: dict[str, Identity]


def _from_cache(paths: HubPaths, fingerprint: str) -> HubClaims | None:
    store = paths.root / CACHE_DIR / "claims.json"
    try:
        stored = _Stored.model_validate_json(store.read_bytes())
    except (OSError, ValidationError):
        return None
    if stored.fingerprint != fingerprint or not (
        stored.predictions.keys() == stored.full.keys() == stored.claims.keys()
    ):
        return None
    return HubClaims(
        paths, stored.settings, stored.claims, stored.sources, stored.predictions, stored.full
    )


def _save(hub: HubClaims, fingerprint: str) -> None:
    stored = _Stored(
        version=CACHE_VERSION,
        fingerprint=fingerprint,
        settings=hub.settings,
        claims=hub.claims,
        sources=hub.sources,
        predictions=hub.predictions,
        full=hub.full,
    )
    atomic_write(hub.cache_dir() / "claims.json", stored.model_dump_json())


def load_hub_claims(root: Path, use_cache: bool = True) -> HubClaims:
    """The valid claims of the hub at ``root``, from the cache when nothing changed.

    Raises
    ------
    HubError
        When the hub does not validate (every problem, as :func:`load_catalog` reports).
    """
    paths = HubPaths(root.resolve())
    fingerprint, newest = _fingerprint(paths) if use_cache else ("", 0)
    if use_cache:
        cached = _from_cache(paths, fingerprint)
        if cached is not None:
            return cached
    catalog = load_catalog(paths.root)
    hub = HubClaims(
        catalog.paths,
        catalog.settings,
        dict(catalog.claims),
        {k: v for k, v in catalog.sources.items() if k.startswith("claim:")},
        {cid: predictions_digest(claim) for cid, claim in catalog.claims.items()},
        {},
    )
    # A file written within the clock's resolution of now could change again without its
    # mtime changing; such a fingerprint is not worth keeping.
    if use_cache and time.time_ns() - newest > RACY_NS:
        files = hub.file_digests()
        root = catalog.paths.root
        hub.full.update(
            {cid: claim_identity(c, root, "full", files) for cid, c in hub.claims.items()}
        )
        files.save()
        _save(hub, fingerprint)
    return hub
