"""The claims the runner needs, validated once and remembered until a file changes.

Validating a large hub (parsing every YAML file with line numbers, checking every citation)
takes longer than everything else a no-op ``lmhub run`` does. So after a full validation
passes, the valid claims are kept in ``.hub-cache/runner/`` with a fingerprint of every file
that could change the outcome (the entries, the bibliography, the settings, the scripts, and
the hub's own code). The next command reuses them when the fingerprint matches, and
validates everything again when anything differs. The cache holds plain JSON that is
validated again on load: a damaged or tampered cache costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import site_tools
from site_tools.catalog import load_catalog
from site_tools.hub import HubPaths
from site_tools.models import Claim, HubSettings
from site_tools.runner.hashing import RACY_NS, FileDigests

CACHE_DIR = ".hub-cache/runner"
CACHE_VERSION = 1


@dataclass(frozen=True)
class HubClaims:
    """What the runner reads from a valid hub."""

    paths: HubPaths
    settings: HubSettings
    claims: dict[str, Claim]
    sources: dict[str, str]
    """``claim:<id>`` to the YAML path relative to the root (as in the catalog)."""

    def cache_dir(self) -> Path:
        return self.paths.root / CACHE_DIR

    def file_digests(self) -> FileDigests:
        """The on-disk memo of script digests for :func:`~site_tools.runner.hashing.content_hash`."""
        return FileDigests(self.cache_dir() / "files.json")


def _watched(paths: HubPaths) -> Iterator[Path]:
    yield from (paths.settings, paths.taxonomy, paths.bib)
    for folder in (paths.claims, paths.questions):
        if folder.is_dir():
            yield from folder.iterdir()
    if paths.repro.is_dir():
        yield from paths.repro.rglob("*.py")
    # The validation rules themselves: a new lmhub may judge the same files differently.
    yield from Path(site_tools.__file__).parent.rglob("*.py")


def _fingerprint(paths: HubPaths) -> tuple[str, int]:
    """Digest of every watched file's path, size and mtime, and the newest mtime."""
    rows = []
    newest = 0
    for path in _watched(paths):
        try:
            stat = path.stat()
        except OSError:
            continue
        rows.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
        newest = max(newest, stat.st_mtime_ns)
    rows.sort()
    return hashlib.sha256("\n".join(rows).encode()).hexdigest(), newest


def _from_cache(paths: HubPaths, fingerprint: str) -> HubClaims | None:
    store = paths.root / CACHE_DIR / "claims.json"
    try:
        data: Any = json.loads(store.read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION or data.get("fingerprint") != fingerprint:
            return None
        settings = HubSettings.model_validate(data["settings"])
        claims = {cid: Claim.model_validate(dump) for cid, dump in data["claims"].items()}
        sources = {str(k): str(v) for k, v in data["sources"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None
    return HubClaims(paths, settings, claims, sources)


def _save(hub: HubClaims, fingerprint: str) -> None:
    data = {
        "version": CACHE_VERSION,
        "fingerprint": fingerprint,
        "settings": hub.settings.model_dump(mode="json"),
        "claims": {cid: c.model_dump(mode="json") for cid, c in hub.claims.items()},
        "sources": {k: v for k, v in hub.sources.items() if k.startswith("claim:")},
    }
    store = hub.cache_dir() / "claims.json"
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_name(f".claims.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, store)


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
    hub = HubClaims(catalog.paths, catalog.settings, dict(catalog.claims),
                    {k: v for k, v in catalog.sources.items() if k.startswith("claim:")})
    # A file written within the clock's resolution of now could change again without its
    # mtime changing; such a fingerprint is not worth keeping.
    if use_cache and time.time_ns() - newest > RACY_NS:
        _save(hub, fingerprint)
    return hub
