"""A claim's identity: everything that can change the numbers its runs measure, and nothing else.

A run record is evidence for a claim when it ran the same script with the same inputs: the
script; every file under ``repro/`` that Python imports for it (followed transitively, a
module shadowing a library's name included) or runs implicitly at start-up
(``sitecustomize.py``, ``usercustomize.py``); the data files the claim declares under
``reproduction.inputs``; and what the script is given: its parameter values (a smoke run, a
medium run or a mutant is another identity), the device and the thread count.

Presentation (title, statement, notes, plot labels, ``cost_s``, sources) is not identity, and
neither are the predictions: changing a tolerance re-judges the stored metrics without
rerunning anything. The environment (Python, numpy, torch and its build, CUDA, OS, hardware,
sandbox) is not identity either: it is recorded with each run as provenance and is a
dimension of a claim's status (see :mod:`site_tools.environment`).

Reading and parsing every script is the slow part of hashing a large hub, so the digest and
the import list of each file are memoised by :class:`FileDigests`, keyed on the file's size
and modification time; the runner keeps that memo on disk between commands.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from site_tools.fsio import atomic_write
from site_tools.models import Claim, ParamValue

HASH_SCHEME = "v2"

IMPLICIT = ("sitecustomize.py", "usercustomize.py")
"""Modules Python imports at start-up from any folder on its path, ``repro/`` included."""

# A file modified this recently may change again within the same clock tick without its
# size or mtime changing, so it is never trusted from the memo (git's "racy" rule).
RACY_NS = 2_000_000_000


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
    one_pass
        The memo serves one pass over the hub (a command's planning, one generation of the
        site): a folder is listed at most once, not checked again for each of 10,000 claims.
        A file added meanwhile is seen by the next pass, as one added just after it would be.
    """

    def __init__(self, store: Path | None = None, *, one_pass: bool = False):
        self.store = store
        self.one_pass = one_pass
        self._loaded: dict[str, _Entry] | None = None if store is not None else {}
        self._listings: dict[str, tuple[int, frozenset[str]]] = {}
        self._listed: dict[str, frozenset[str]] = {}
        self._dirty = False

    @property
    def _entries(self) -> dict[str, _Entry]:
        # Read on first use: a build whose claims are all remembered needs no file digest.
        if self._loaded is None:
            self._loaded = _load_entries(self.store) if self.store is not None else {}
        return self._loaded

    def entry(self, path: Path) -> _Entry | None:
        """The file's digest and imports, read again only when its size or mtime changed;
        ``None`` when it cannot be read."""
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

    def files_in(self, folder: Path) -> frozenset[str]:
        """Names of the files directly in ``folder`` (none when it cannot be listed), listed
        again only when the folder's modification time changes (a file added or removed)."""
        key = str(folder)
        if key in self._listed:
            return self._listed[key]
        try:
            stamp = os.stat(key).st_mtime_ns
        except OSError:
            return frozenset()
        known = self._listings.get(key)
        if known is not None and known[0] == stamp:
            names = known[1]
        else:
            listed_ns = time.time_ns()
            try:
                names = frozenset(e.name for e in os.scandir(key) if e.is_file())
            except OSError:
                return frozenset()
            if listed_ns - stamp > RACY_NS:  # else the folder may change again within its tick
                self._listings[key] = (stamp, names)
        if self.one_pass:
            self._listed[key] = names
        return names

    def sha(self, path: Path) -> str | None:
        """SHA-256 of the file's bytes, or ``None`` when it cannot be read."""
        entry = self.entry(path)
        return entry.sha if entry else None

    def imports(self, path: Path) -> list[str]:
        """Top-level names the file imports absolutely (``import a.b`` gives ``a``)."""
        entry = self.entry(path)
        return entry.imports if entry else []

    def trusted(self) -> dict[str, list[Any]]:
        """The entries that may be trusted later, as JSON-able data (see :meth:`add`)."""
        return {
            key: [e.mtime_ns, e.size, e.sha, e.imports, e.read_ns]
            for key, e in self._entries.items()
            if e.read_ns - e.mtime_ns > RACY_NS
        }

    def add(self, entries: Any) -> None:
        """Add the entries :meth:`trusted` gave in another process, for files this memo does
        not know yet; damaged data adds nothing."""
        added = {k: v for k, v in _entries_of(entries).items() if k not in self._entries}
        if added:
            self._entries.update(added)
            self._dirty = True

    def save(self) -> None:
        """Write the memo to its store (replacing it); entries it cannot trust are left out."""
        if self.store is None or not self._dirty:
            return
        atomic_write(self.store, json.dumps(self.trusted()))
        self._dirty = False


def _load_entries(store: Path) -> dict[str, _Entry]:
    try:
        return _entries_of(json.loads(store.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}  # a missing or damaged memo only costs time


def _entries_of(raw: Any) -> dict[str, _Entry]:
    try:
        return {
            str(key): _Entry(int(v[0]), int(v[1]), str(v[2]), [str(n) for n in v[3]], int(v[4]))
            for key, v in raw.items()
        }
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return {}


_MEMORY = FileDigests()


def local_imports(script: Path, repro: Path, files: FileDigests | None = None) -> list[Path]:
    """Helper modules under ``repro/`` that ``script`` imports, directly or not, sorted."""
    files = files or _MEMORY
    return sorted(_helpers(script, files.entry(script), repro, files.files_in(repro), files))


def _helpers(
    script: Path,
    entry: _Entry | None,
    repro: Path,
    listing: frozenset[str],
    files: FileDigests,
) -> dict[Path, _Entry | None]:
    """The helpers that ``script`` (whose memo entry is ``entry``) imports, directly or not,
    each with its own entry: every file is looked up once, for its imports and its digest."""
    found: dict[Path, _Entry | None] = {}
    todo = [entry]
    while todo:
        current = todo.pop()
        for name in current.imports if current else ():
            # Checked against the listing before a path is made: most names are libraries'.
            if f"{name}.py" not in listing:
                continue
            candidate = repro / f"{name}.py"
            if candidate not in found and candidate != script:
                found[candidate] = files.entry(candidate)
                todo.append(found[candidate])
    return found


@dataclass(frozen=True)
class Identity:
    """A claim's identity in one configuration, with each input's own hash."""

    digest: str
    parts: dict[str, str]
    """Input name (``script``, ``file repro/harness.py``, ``parameters``, ``device``...) to the
    hash or value of that input alone, so that a rerun can say what changed."""
    configuration: str
    """``full``, ``smoke``, ``medium`` or ``mutant:<id>``."""
    parameters: dict[str, ParamValue]
    """The parameter values a run in this configuration is given."""
    device: Literal["cpu", "cuda"]
    files: tuple[str, ...]
    """The hub files the run may read, relative to the root: script, helpers, inputs."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def overrides_for(claim: Claim, configuration: str) -> dict[str, ParamValue]:
    """The parameter overrides of ``configuration`` (``full``: none).

    Raises
    ------
    KeyError
        For a configuration the claim does not declare.
    """
    repro = claim.reproduction
    if configuration == "full":
        return {}
    if configuration == "smoke":
        # A claim without a smoke configuration is small enough: its smoke run is the full
        # configuration on the first seed.
        return dict(repro.smoke.overrides) if repro.smoke else {}
    if configuration == "medium":
        if repro.medium is None:
            raise KeyError(f"claim '{claim.id}' declares no medium configuration")
        return dict(repro.medium.overrides)
    if configuration.startswith("mutant:"):
        mutant = claim.mutant(configuration.removeprefix("mutant:"))
        if mutant is None:
            raise KeyError(f"claim '{claim.id}' declares no mutant '{configuration[7:]}'")
        return dict(mutant.overrides)
    raise KeyError(f"unknown configuration '{configuration}'")


def run_device(claim: Claim, configuration: str) -> Literal["cpu", "cuda"]:
    """Where a run of ``configuration`` belongs: a GPU claim's full and mutant runs on CUDA,
    everything else (smoke and medium runs, CPU claims) on the CPU."""
    small = configuration in ("smoke", "medium")
    return "cuda" if claim.reproduction.device == "gpu" and not small else "cpu"


def run_files(claim: Claim, root: Path, files: FileDigests | None = None) -> list[Path]:
    """Every hub file a run of ``claim`` may read: script, helpers, implicit modules, inputs."""
    return list(_run_file_entries(claim, root, files or _MEMORY))


def _run_file_entries(claim: Claim, root: Path, files: FileDigests) -> dict[Path, _Entry | None]:
    """:func:`run_files` in order, each with its memo entry (``None``: unreadable)."""
    script = root / claim.reproduction.script
    repro = root / "repro"
    listing = files.files_in(repro)
    entry = files.entry(script)
    found = {script: entry}
    helpers = _helpers(script, entry, repro, listing, files)
    for path in sorted(helpers):
        found[path] = helpers[path]
    extra = [repro / name for name in IMPLICIT if name in listing]
    extra += [root / p for p in claim.reproduction.inputs]
    for path in extra:
        if path not in found:
            found[path] = files.entry(path)
    return found


def _relative(path: Path, root: Path) -> str:
    """``path.relative_to(root).as_posix()``, without making a path for each file."""
    text, base = str(path), str(root)
    if os.sep == "/" and text.startswith(base + "/"):
        return text[len(base) + 1 :]
    return path.relative_to(root).as_posix()


def _file_parts(
    claim: Claim, root: Path, files: FileDigests
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The hash of every file a run may read, and their paths relative to ``root``: the same
    for every configuration of the claim, so computed once for all of them."""
    entries = list(_run_file_entries(claim, root, files).items())
    rel = tuple(_relative(path, root) for path, _ in entries)
    shas = [entry.sha if entry else "missing" for _, entry in entries]
    parts = {"script": shas[0]}
    for name, sha in zip(rel[1:], shas[1:], strict=True):
        parts[f"file {name}"] = sha
    return parts, rel


def claim_identities(
    claim: Claim, root: Path, configurations: list[str], files: FileDigests | None = None
) -> dict[str, Identity]:
    """The identity of ``claim`` in each of ``configurations`` (see :func:`claim_identity`),
    reading and hashing its files once."""
    files = files or _MEMORY
    file_parts, rel = _file_parts(claim, root, files)
    out = {}
    for configuration in configurations:
        parameters = claim.parameters(overrides_for(claim, configuration))
        device = run_device(claim, configuration)
        parts: dict[str, str] = {"scheme": HASH_SCHEME, **file_parts}
        parts["parameters"] = _sha(json.dumps(parameters, sort_keys=True).encode())
        parts["device"] = device
        parts["threads"] = str(claim.reproduction.threads)
        digest = _sha(json.dumps(parts, sort_keys=True).encode())
        out[configuration] = Identity(digest, parts, configuration, parameters, device, rel)
    return out


def claim_identity(
    claim: Claim, root: Path, configuration: str = "full", files: FileDigests | None = None
) -> Identity:
    """The identity of ``claim`` run in ``configuration``.

    Parameters
    ----------
    claim
        The claim.
    root
        The hub root; the script, helpers and inputs are read under it.
    configuration
        ``full``, ``smoke``, ``medium`` or ``mutant:<id>``.
    files
        Memo of file digests to use (default: one kept in memory for this process).
    """
    return claim_identities(claim, root, [configuration], files)[configuration]


def predictions_digest(claim: Claim) -> str:
    """Hash of the claim's predictions: stored verdicts are compared only when it matches."""
    data = [p.model_dump(mode="json") for p in claim.predictions]
    return _sha(json.dumps(data, sort_keys=True).encode())[:16]
