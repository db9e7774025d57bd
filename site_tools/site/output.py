"""The generated docs folder, written incrementally.

The generator hands every file it wants to :class:`OutputTree`; on :meth:`~OutputTree.commit`
only files whose content differs from the last build are written, and files the last build
wrote but this one no longer wants are deleted. What was written is recorded in
``.lmhub-manifest.json`` (path to content digest), so that a rebuild after one claim
changed touches that claim's files and the pages that list it, and nothing else; mkdocs and
the live-reload watcher then see only real changes.

The files of one entry (a claim's page, export, badge, BibTeX and plot; the works listed on
one papers page) are a *group* with one key (:meth:`OutputTree.add_group`): the manifest
holds one row per group, so a build that keeps them pays for 20,000 rows, not 90,000 files
(at 10,000 claims, keeping a row for each file took a quarter of generating the site after
one claim changed).

While a commit writes, ``.lmhub-pending.json`` lists the paths it is about to change. A
commit stopped halfway (Ctrl-C, a crash) leaves that list behind, and the next build treats
those paths (and the groups holding them) as unknown and writes them again: the manifest
never vouches for a file that may not hold what it says. The list is small where the
manifest is not, which is why it is a separate file.

The manifest also records each folder's identity (inode, modification and change times) as
the commit left it. Adding, renaming or removing a file changes its folder's times, so a
folder that still has them holds every file the manifest says it does, and is not listed;
one that changed is (see :class:`_Present`). Listing the 90,000 files of a 10,000-claim
site was a twentieth of generating it after one claim changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_tools.fsio import atomic_write
from site_tools.identity import RACY_NS
from site_tools.memo import JsonMemo
from site_tools.site.workers import can_fork, run_shares, shares, until_stopped

MANIFEST = ".lmhub-manifest.json"
MANIFEST_VERSION = "3"
PENDING = ".lmhub-pending.json"
WRITTEN, HELD, NOTHING = "written", "held", "nothing"
"""What became of a lazy file: written; already on disk as produced; produced as nothing."""
FLUSH_ONE_BY_ONE = 64
"""Up to this many changed files are flushed to disk one by one; more, all at once with
``sync`` (a thousand ``fsync`` calls take seconds, but ``sync`` flushes every file system of
the machine, which takes long when other work has left much unwritten)."""


@dataclass
class WriteReport:
    """What a commit did, by path relative to the folder."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    workers: int = 0
    """Forked processes that produced lazy files (0: the commit produced every one)."""
    tallied: int = 0
    """What the ``tally`` given to :meth:`OutputTree.commit` counted in the workers."""


def digest(data: bytes) -> str:
    """Content digest recorded in the manifest."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


Producer = Callable[[], bytes | None]
"""Makes a lazy file's content, or ``None`` when there is nothing to write."""


def _folder_stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _folder_fact(st: os.stat_result) -> str:
    """What changes whenever a file is added to, renamed in or removed from a folder."""
    return f"{st.st_ino} {st.st_mtime_ns} {st.st_ctime_ns}"


class _Present:
    """Whether a file the manifest lists as written is still on disk.

    A folder whose :func:`_folder_fact` is the one recorded when the manifest was saved has
    had no file added or removed since: each of its files the manifest lists is there. Any
    other folder is listed once, when first asked about. Asked only of paths the manifest
    lists as written: for another path in an unchanged folder the answer would be wrong.
    """

    def __init__(self, root: Path, recorded: dict[str, str]):
        self.root = str(root)
        self.recorded = recorded
        self.trusted: dict[str, bool] = {}
        """Folders asked about, and whether each is unchanged."""
        self.listed: dict[str, set[str]] = {}

    def __contains__(self, rel: object) -> bool:
        assert isinstance(rel, str)
        folder, _, name = rel.rpartition("/")
        trusted = self.trusted.get(folder)
        if trusted is None:
            trusted = self.trusted[folder] = self._unchanged(folder)
        if trusted:
            return True
        names = self.listed.get(folder)
        if names is None:
            names = self.listed[folder] = self._names(folder)
        return name in names

    def _unchanged(self, folder: str) -> bool:
        fact = self.recorded.get(folder)
        st = _folder_stat(os.path.join(self.root, folder)) if fact is not None else None
        return st is not None and _folder_fact(st) == fact

    def _names(self, folder: str) -> set[str]:
        try:
            return set(os.listdir(os.path.join(self.root, folder)))
        except OSError:
            return set()

    def issuperset(self, rels: Iterable[str]) -> bool:
        trusted = self.trusted
        # The test of a folder known to be unchanged inlined: this runs for every file.
        return all(trusted.get(rel.rpartition("/")[0]) is True or rel in self for rel in rels)

    def facts(self, written: Iterable[str]) -> dict[str, str]:
        """The facts to record of every folder asked about or holding a path of ``written``,
        but the root (the manifest is saved there) and folders changed too recently to be
        told apart from a later change (git's racy rule, :data:`RACY_NS`)."""
        folders = set(self.trusted)
        folders.update(rel.rpartition("/")[0] for rel in written)
        folders.discard("")
        now = time.time_ns()
        out = {}
        for folder in sorted(folders):
            st = _folder_stat(os.path.join(self.root, folder))
            if st is not None and now - st.st_ctime_ns > RACY_NS:
                out[folder] = _folder_fact(st)
        return out


def _check(rel: str) -> str:
    parts = rel.split("/")
    if not rel or "" in parts or "." in parts or ".." in parts or "\\" in rel or "\0" in rel:
        raise ValueError(f"generated path {rel!r} is not a plain relative path")
    return rel


class OutputTree:
    """Files to generate under ``root``, written by :meth:`commit`.

    Parameters
    ----------
    root
        The generated docs folder; created if missing. Files listed in its manifest and not
        generated again are deleted by :meth:`commit`; other files are left alone.
    """

    def __init__(self, root: Path):
        self.root = root
        self.manifest = JsonMemo(root / MANIFEST, MANIFEST_VERSION)
        stored = self.manifest.load()
        parts: list[Any] = [stored.get(n) for n in ("files", "groups", "nothing", "folders")]
        files, groups, nothing, folders = (
            parts if all(isinstance(part, dict) for part in parts) else [{}, {}, {}, {}]
        )
        self._present = _Present(root, {str(k): str(v) for k, v in folders.items()})
        self.previous: dict[str, str] = {str(k): str(v) for k, v in files.items()}
        self.previous_groups: dict[str, str] = {str(k): str(v) for k, v in groups.items()}
        """Group name to its key and paths, one a line (:meth:`_row`)."""
        self.previous_nothing: dict[str, list[str]] = {
            str(k): [str(rel) for rel in v] for k, v in nothing.items() if isinstance(v, list)
        }
        """Group name to the paths of its files that were produced as nothing, where any
        were."""
        self._interrupted = set(self._pending())
        """Paths a commit stopped halfway was changing: untrusted, and deleted if no longer
        generated."""
        for rel in self._interrupted:
            self.previous.pop(rel, None)
        if self._interrupted:
            for name, row in list(self.previous_groups.items()):
                paths = row.split("\n")[1:]
                if not self._interrupted.isdisjoint(paths):
                    del self.previous_groups[name]
                    self._interrupted.update(paths)
                    self.previous_nothing.pop(name, None)
        self._content: dict[str, bytes | None] = {}
        self._digests: dict[str, str] = {}
        self._producers: dict[str, Producer] = {}
        self._groups: dict[str, tuple[str, list[tuple[str, Producer]]]] = {}
        self._produced: dict[str, list[str]] = {}
        """Group name to the files it holds once committed (those producing nothing left
        out)."""
        self._rows: dict[str, str] = {}
        self._regrouped: set[str] = set()
        """Files held by the last build's groups that this commit makes again (see
        :meth:`_holds`)."""
        self._generated: set[str] | None = None

    def __contains__(self, rel: object) -> bool:
        return rel in self._digests or rel in self._generated_paths()

    def _generated_paths(self) -> set[str]:
        """The files of every group (made once, when asked)."""
        if self._generated is None:
            self._generated = {rel for _, files in self._groups.values() for rel, _ in files}
        return self._generated

    @property
    def paths(self) -> list[str]:
        """Every path this build generates, sorted (after :meth:`commit`, without files
        that were produced as nothing)."""
        grouped: Iterable[str]
        if self._produced:
            grouped = (rel for files in self._produced.values() for rel in files)
        else:
            grouped = (rel for _, files in self._groups.values() for rel, _ in files)
        return sorted([*self._digests, *grouped])

    def add(self, rel: str, content: str | bytes) -> None:
        """Generate ``rel`` with ``content`` (text is written as UTF-8)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._content[_check(rel)] = data
        self._digests[rel] = digest(data)

    def add_lazy(self, rel: str, key: str, produce: Callable[[], bytes | None]) -> None:
        """Generate ``rel`` from ``produce()``, called only when ``key`` differs from the last
        build's (or the file is gone). ``key`` must change whenever the content would."""
        self._content[_check(rel)] = None
        self._digests[rel] = "key:" + key
        self._producers[rel] = produce

    def add_group(self, name: str, key: str, files: list[tuple[str, Producer]]) -> None:
        """Generate ``files`` (path and producer, as :meth:`add_lazy`), all made again when
        ``key`` or the list of paths differs from the last build's, or one of the files the
        group wrote is gone. ``key`` must change whenever the content of any file would.
        A path is checked when it is written or deleted, not here (most groups are neither)."""
        if name in self._groups:
            raise ValueError(f"generated group {name!r} is added twice")
        if "\n" in key:
            raise ValueError(f"the key of generated group {name!r} holds a line break")
        self._groups[name] = (key, files)
        self._generated = None

    def _holds(self, rel: str, data: bytes) -> bool:
        """Whether the lazy file at ``rel``, which the last build wrote, holds ``data``
        already: a lazy file's key changes with everything it may show (a group of files may
        share one key), so many files made again are as they were, and are then neither
        written nor reported. A file an interrupted commit was changing is written anyway."""
        if (rel not in self.previous and rel not in self._regrouped) or rel not in self._present:
            return False
        try:
            return (self.root / rel).read_bytes() == data
        except OSError:
            return False

    def _pending(self) -> list[str]:
        """Paths a commit stopped halfway was changing (none after a finished commit)."""
        try:
            listed = json.loads((self.root / PENDING).read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            # Unreadable: trust no entry of the manifest.
            return list(self.previous)
        return [str(rel) for rel in listed] if isinstance(listed, list) else list(self.previous)

    def commit(self, workers: int = 1, tally: Callable[[], int] | None = None) -> WriteReport:
        """Write what changed, delete what is no longer generated, save the manifest.

        The paths about to change are first listed in the pending file (see the module's
        note), and the manifest is saved only after every written file is on disk. With
        ``workers`` above 1, lazy files to produce are shared among that many forked
        processes (:mod:`site_tools.site.workers`) when there are enough of them; ``tally``
        counts what a producer does besides its file (the plots it drew), and what it
        counts in the workers is reported.
        """
        report = WriteReport()
        self.root.mkdir(parents=True, exist_ok=True)
        previous, on_disk = self.previous, self._present
        stale = [
            rel
            for rel, known in self._digests.items()
            if previous.get(rel) != known or rel not in on_disk
        ]
        report.unchanged = len(self._digests) - len(stale)
        stale_groups, old_grouped = self._stale_groups(on_disk, report)
        self._regrouped = old_grouped
        for name in stale_groups:
            for rel, produce in self._groups[name][1]:
                self._content[_check(rel)] = None
                self._producers[rel] = produce
                stale.append(rel)
        stale.sort()
        # Files no longer generated: the last build's plain files not made now, the files of
        # its groups gone or made again, and those an interrupted commit was changing. A
        # group kept has the same paths as before, and an interrupted one is made again, so
        # what is still generated is among the plain files and the groups made again.
        candidates = (set(self.previous) - set(self._digests)) | old_grouped | self._interrupted
        gone = sorted(candidates - set(stale) - set(self._digests))
        if not stale and not gone:
            (self.root / PENDING).unlink(missing_ok=True)
            return report
        atomic_write(self.root / PENDING, json.dumps(stale + gone))
        one_by_one = len(stale) <= FLUSH_ONE_BY_ONE
        done = self._produce_ahead(stale, workers, tally, report) if workers > 1 else {}
        nothing: set[str] = set()
        for rel in stale:
            outcome = done.get(rel) or self._write(rel, durable=one_by_one)
            if outcome == WRITTEN:
                report.written.append(rel)
            elif outcome == HELD:
                report.unchanged += 1
            else:
                nothing.add(rel)
                self._digests.pop(rel, None)
        for name in stale_groups:
            self._produced[name] = [rel for rel, _ in self._groups[name][1] if rel not in nothing]
        for rel in gone:
            try:
                (self.root / _check(rel)).unlink()
                report.removed.append(rel)
            except (OSError, ValueError):
                pass
        if report.written and not one_by_one:
            os.sync()
        self._save([*stale, *gone])
        (self.root / PENDING).unlink()
        return report

    def _row(self, name: str) -> str:
        """A group's key and paths, one a line, as the manifest holds them (paths hold no
        line break, :func:`_check`, and keys none, :meth:`add_group`)."""
        row = self._rows.get(name)
        if row is None:
            key, files = self._groups[name]
            row = self._rows[name] = "\n".join([key, *[rel for rel, _ in files]])
        return row

    def _held(self, name: str) -> list[str]:
        """The files the last build's group ``name`` wrote (its paths but those it produced
        as nothing)."""
        paths = self.previous_groups[name].split("\n")[1:]
        nothing = self.previous_nothing.get(name)
        return [rel for rel in paths if rel not in nothing] if nothing else paths

    def _stale_groups(self, on_disk: _Present, report: WriteReport) -> tuple[list[str], set[str]]:
        """The groups to make again, and the files the last build's groups held that may be
        no longer generated (those of groups gone or made again). The files of each group
        kept are counted as unchanged in ``report``."""
        stale: list[str] = []
        old_files: set[str] = set()
        previous = self.previous_groups
        for name in self._groups:
            if name in previous:
                held = self._held(name)
                if previous[name] == self._row(name) and on_disk.issuperset(held):
                    self._produced[name] = held
                    report.unchanged += len(held)
                    continue
                old_files.update(held)
            stale.append(name)
        for name in previous.keys() - self._groups.keys():
            old_files.update(self._held(name))
        return stale, old_files

    def _save(self, changed: Iterable[str]) -> None:
        """Save the manifest; ``changed``: the paths this commit wrote or deleted."""
        rows: dict[str, str] = {}
        nothing: dict[str, list[str]] = {}
        for name, (_, files) in self._groups.items():
            rows[name] = self._row(name)
            produced = self._produced.get(name, [])
            if len(produced) != len(files):
                nothing[name] = [rel for rel, _ in files if rel not in produced]
        folders = self._present.facts(changed)
        self.manifest.save(
            {"files": self._digests, "groups": rows, "nothing": nothing, "folders": folders}
        )

    def _write(self, rel: str, durable: bool) -> str:
        """Write ``rel``, a lazy file's content produced now; what became of it: written,
        already on disk as produced (:data:`HELD`), or produced as nothing."""
        data = self._content[rel]
        if data is None:
            data = self._producers[rel]()
            if data is None:
                return NOTHING
            if self._holds(rel, data):
                return HELD
        atomic_write(self.root / rel, data, durable=durable)
        return WRITTEN

    def _produce_ahead(
        self, stale: list[str], workers: int, tally: Callable[[], int] | None, report: WriteReport
    ) -> dict[str, str]:
        """Produce and write the lazy files among ``stale`` in forked workers, when there are
        enough of them; what became of each (:data:`WRITTEN`, :data:`HELD`, :data:`NOTHING`)
        by path. A path a worker did not answer for is left to the commit."""
        lazy = [rel for rel in stale if self._content[rel] is None]
        parts = shares(lazy, workers) if can_fork() else []
        if not parts:
            return {}
        counted = tally() if tally else 0

        def produce(part: Sequence[str]) -> dict[str, Any]:
            outcomes = {rel: self._write(rel, durable=False) for rel in until_stopped(part)}
            return {"outcomes": outcomes, "tallied": (tally() if tally else 0) - counted}

        done: dict[str, str] = {}
        for answer in run_shares(parts, produce):
            if isinstance(answer, dict):
                done.update(answer["outcomes"])
                report.tallied += int(answer["tallied"])
        report.workers = len(parts)
        return done
