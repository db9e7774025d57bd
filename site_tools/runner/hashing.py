"""The content hash of a claim: everything its runs depend on, and nothing else.

It covers the script, the local helper modules it imports (followed transitively inside
``repro/``), the YAML's ``reproduction`` and ``predictions``, and the Python, numpy and torch
versions. Editing a claim's title or statement does not rerun it; editing a helper reruns
exactly the claims whose scripts import it.

Reading and parsing every script is the slow part of hashing a large hub, so the digest and
the import list of each file are memoised by :class:`FileDigests`, keyed on the file's size
and modification time; the runner keeps that memo on disk between commands.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from site_tools.models import Claim

HASH_SCHEME = "v1"

# A file modified this recently may change again within the same clock tick without its
# size or mtime changing, so it is never trusted from the memo (git's "racy" rule).
RACY_NS = 2_000_000_000


@cache
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment_versions() -> dict[str, str | None]:
    return {
        "python": platform.python_version(),
        "numpy": package_version("numpy"),
        "torch": package_version("torch"),
    }


def _imported_names(source: bytes, filename: str) -> list[str]:
    """Top-level module names of the absolute imports in ``source`` (empty if it won't parse)."""
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError):
        return []  # the run itself will report it
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return sorted(names)


@dataclass
class _Entry:
    mtime_ns: int
    size: int
    sha: str
    imports: list[str]
    read_ns: int
    """When the file was read; the entry is trusted only if the file was old by then."""

    def matches(self, stat: os.stat_result) -> bool:
        return (self.mtime_ns, self.size) == (
            stat.st_mtime_ns,
            stat.st_size,
        ) and self.read_ns - self.mtime_ns > RACY_NS


class FileDigests:
    """Memo of each file's SHA-256 and imported module names, keyed on size and mtime.

    Parameters
    ----------
    store
        JSON file to load the memo from and :meth:`save` it to; ``None`` keeps it in memory.
    """

    def __init__(self, store: Path | None = None):
        self.store = store
        self._entries: dict[str, _Entry] = {}
        self._dirty = False
        if store is not None:
            self._entries = _load_entries(store)

    def _entry(self, path: Path) -> _Entry | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = str(path)
        entry = self._entries.get(key)
        if entry is not None and entry.matches(stat):
            return entry
        try:
            data = path.read_bytes()
        except OSError:
            return None
        entry = _Entry(
            stat.st_mtime_ns,
            stat.st_size,
            hashlib.sha256(data).hexdigest(),
            _imported_names(data, str(path)),
            time.time_ns(),
        )
        self._entries[key] = entry
        self._dirty = True
        return entry

    def sha(self, path: Path) -> str | None:
        """SHA-256 of the file's bytes, or ``None`` when it cannot be read."""
        entry = self._entry(path)
        return entry.sha if entry else None

    def imports(self, path: Path) -> list[str]:
        """Top-level names the file imports absolutely (``import a.b`` gives ``a``)."""
        entry = self._entry(path)
        return entry.imports if entry else []

    def save(self) -> None:
        """Write the memo to its store (replacing it); entries it cannot trust are left out."""
        if self.store is None or not self._dirty:
            return
        data = {
            key: [e.mtime_ns, e.size, e.sha, e.imports, e.read_ns]
            for key, e in self._entries.items()
            if e.read_ns - e.mtime_ns > RACY_NS
        }
        _atomic_write(self.store, json.dumps(data))
        self._dirty = False


def _load_entries(store: Path) -> dict[str, _Entry]:
    try:
        raw: Any = json.loads(store.read_text(encoding="utf-8"))
        return {
            key: _Entry(int(v[0]), int(v[1]), str(v[2]), [str(n) for n in v[3]], int(v[4]))
            for key, v in raw.items()
        }
    except (OSError, ValueError, TypeError, AttributeError, IndexError, KeyError):
        return {}  # a missing or damaged memo only costs time


def _atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` via a temporary file and rename (overwrites ``path``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_MEMORY = FileDigests()


def local_imports(script: Path, repro: Path, files: FileDigests | None = None) -> list[Path]:
    """Helper modules under ``repro/`` that ``script`` imports, directly or not, sorted."""
    files = files or _MEMORY
    found: set[Path] = set()
    todo = [script]
    while todo:
        current = todo.pop()
        for name in files.imports(current):
            candidate = repro / f"{name}.py"
            if candidate not in found and candidate != script and candidate.is_file():
                found.add(candidate)
                todo.append(candidate)
    return sorted(found)


@dataclass(frozen=True)
class ContentHash:
    """The hash and the named inputs it was computed from (to say why a claim reruns)."""

    digest: str
    parts: dict[str, str]
    """Input name (``script``, ``helper repro/harness.py``, ``predictions``, ``numpy``...) to
    the hash of that input alone."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(claim: Claim, root: Path, files: FileDigests | None = None) -> ContentHash:
    """Hash of everything a run of ``claim`` depends on, with each input's own hash.

    Parameters
    ----------
    claim
        The claim.
    root
        The hub root; the script and helpers are read under it.
    files
        Memo of file digests to use (default: one kept in memory for this process).
    """
    files = files or _MEMORY
    script = root / claim.reproduction.script
    repro = root / "repro"
    parts: dict[str, str] = {"scheme": HASH_SCHEME}
    parts["script"] = files.sha(script) or "missing"
    for helper in local_imports(script, repro, files):
        parts[f"helper {helper.relative_to(root).as_posix()}"] = files.sha(helper) or "missing"
    parts["reproduction"] = _sha(
        json.dumps(claim.reproduction.model_dump(mode="json"), sort_keys=True).encode()
    )
    parts["predictions"] = _sha(
        json.dumps([p.model_dump(mode="json") for p in claim.predictions], sort_keys=True).encode()
    )
    for name, version in environment_versions().items():
        parts[name] = version or "absent"
    digest = _sha(json.dumps(parts, sort_keys=True).encode())
    return ContentHash(digest, parts)
