"""Load a whole hub into a read-only :class:`Catalog`, reporting every problem in one pass."""

from __future__ import annotations

import hashlib
import math
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
import yaml

from site_tools.citations import Bibliography, load_bibliography
from site_tools.entry_errors import model_problems
from site_tools.gc_pause import cycle_collection_paused
from site_tools.html_safety import may_be_unsafe, unsafe_html
from site_tools.hub import HubPaths, find_root, load_settings
from site_tools.leftovers import template_leftovers
from site_tools.models import (
    TIMEOUT_HEADROOM,
    Claim,
    HubSettings,
    OpenQuestion,
    Reproduction,
    Taxonomy,
)
from site_tools.problems import HubError, Problem, errors
from site_tools.suggest import did_you_mean
from site_tools.yaml_source import Loc, SourceDoc, read_yaml_file

_READER = f"pydantic {pydantic.VERSION}, PyYAML {yaml.__version__}\0"
"""Part of every entry's :meth:`Catalog.entry_key`: the libraries that make a model of text."""


@dataclass(frozen=True)
class Catalog:
    """Every valid entry of a hub, with its bibliography and settings. Built once, then read."""

    paths: HubPaths
    settings: HubSettings
    taxonomy: Taxonomy
    bib: Bibliography
    claims: dict[str, Claim]
    questions: dict[str, OpenQuestion]
    sources: dict[str, str] = field(default_factory=dict)
    """Entry id (``claim:x`` or ``question:x``) to its YAML path relative to the root."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems that do not stop a command: template leftovers, confusable BibTeX keys."""
    texts: dict[str, tuple[Claim | OpenQuestion, str]] = field(default_factory=dict)
    """Entry id (as in :attr:`sources`) to the model read from its file and a digest of the
    file's text (see :meth:`entry_key`)."""

    def entry_key(self, kind: str, entry: Claim | OpenQuestion) -> str:
        """A text that changes whenever ``entry`` (of ``kind``, ``claim`` or ``question``)
        does, for the keys of memos: the digest of the YAML it was read from, which with the
        code (every memo is keyed on it too) and the parsing libraries determines the model;
        the model's JSON for a model made otherwise. A hub of 10,000 claims makes its JSON
        in a fifth of a second, the digest of its text at load in a fiftieth."""
        known = self.texts.get(f"{kind}:{entry.id}")
        if known is not None and known[0] is entry:
            return known[1]
        return entry.model_dump_json()

    @property
    def root(self) -> Path:
        return self.paths.root


def load_catalog(root: Path | None = None) -> Catalog:
    """Load and validate the hub at ``root`` (default: the hub around the working folder).

    Raises
    ------
    HubError
        With every problem found in every file, sorted by file and line.
    """
    catalog, problems = catalog_problems(root)
    if errors(problems):
        raise HubError(problems)
    assert catalog is not None
    return catalog


def catalog_problems(root: Path | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Like :func:`load_catalog`, but return the problems (warnings too) instead of raising."""
    with cycle_collection_paused():
        return _catalog_problems(root)


def _catalog_problems(root: Path | None) -> tuple[Catalog | None, list[Problem]]:
    paths = HubPaths(find_root(root) if root is None else root.resolve())
    if not paths.taxonomy.is_file():
        return None, [
            Problem(
                paths.shown(paths.taxonomy),
                0,
                0,
                "",
                "missing: a hub needs taxonomy.yaml at its root",
            )
        ]
    try:
        settings, taxonomy = load_settings(paths)
    except HubError as exc:
        return None, list(exc.problems)
    bib, problems = load_bibliography(paths.bib, paths.shown(paths.bib))
    claim_names, question_names = _yaml_names(paths.claims), _yaml_names(paths.questions)
    claim_docs = list(_read_folder(paths.claims, claim_names, settings, problems))
    question_docs = list(_read_folder(paths.questions, question_names, settings, problems))
    claims: dict[str, Claim] = {}
    questions: dict[str, OpenQuestion] = {}
    sources: dict[str, str] = {}
    texts: dict[str, tuple[Claim | OpenQuestion, str]] = {}
    for doc in claim_docs:
        claim, found = model_problems(Claim, doc)
        problems += found
        if claim is not None:
            claims[claim.id] = claim
            sources[f"claim:{claim.id}"] = doc.path
            texts[f"claim:{claim.id}"] = (claim, _text_digest(doc))
    for doc in question_docs:
        question, found = model_problems(OpenQuestion, doc)
        problems += found
        if question is not None:
            questions[question.id] = question
            sources[f"question:{question.id}"] = doc.path
            texts[f"question:{question.id}"] = (question, _text_digest(doc))
    # Ids whose file exists but failed validation: references to them are not "unknown", and
    # their own errors already explain what is wrong.
    broken = {_stem(name) for name in claim_names + question_names if name.endswith(".yaml")}
    broken -= set(claims) | set(questions)
    checker = _CrossChecker(paths, settings, taxonomy, bib, claims, questions, problems, broken)
    for doc in claim_docs:
        checker.check_text(doc)
        checker.check_claim(doc)
        problems += template_leftovers(doc)
    for doc in question_docs:
        checker.check_text(doc)
        checker.check_question(doc)
        problems += template_leftovers(doc)
    found = sorted(set(problems))
    warnings = [p for p in found if p.severity == "warning"]
    catalog = Catalog(paths, settings, taxonomy, bib, claims, questions, sources, warnings, texts)
    return catalog, found


def _text_digest(doc: SourceDoc) -> str:
    text = _READER + doc.text
    return "text:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read_folder(
    folder: Path, names: list[str], settings: HubSettings, problems: list[Problem]
) -> Iterator[SourceDoc]:
    prefix = folder.name
    for name in names:
        shown = f"{prefix}/{name}"
        suffix = os.path.splitext(name)[1]
        if suffix == ".yml":
            problems.append(Problem(shown, 1, 1, "", "use the .yaml extension, not .yml"))
            continue
        if suffix != ".yaml" or name.startswith("."):
            continue
        doc = read_yaml_file(folder / name, shown, max_bytes=settings.limits.max_file_bytes)
        if isinstance(doc, Problem):
            problems.append(doc)
        else:
            yield doc


def _escapes(rel: str) -> bool:
    """Whether a path declared under repro/ leaves it as written: absolute, or through ``..``."""
    return rel.startswith("/") or ".." in Path(rel).parts


@dataclass
class _CrossChecker:
    """Checks that need more than one entry: references, ids, paths, limits, safety."""

    paths: HubPaths
    settings: HubSettings
    taxonomy: Taxonomy
    bib: Bibliography
    claims: dict[str, Claim]
    questions: dict[str, OpenQuestion]
    problems: list[Problem]
    broken: set[str]

    def __post_init__(self) -> None:
        self.repro_real = os.path.realpath(self.paths.repro) + os.sep

    def add(self, doc: SourceDoc, loc: Loc, message: str) -> None:
        self.problems.append(doc.problem(loc, message))

    def check_common(self, doc: SourceDoc, kind: str) -> None:
        data = doc.data
        stem = _stem(os.path.basename(doc.path))
        entry_id = data.get("id")
        if isinstance(entry_id, str) and entry_id != stem:
            self.add(
                doc,
                ("id",),
                f"id '{entry_id}' must equal the file name '{stem}'; "
                f"rename the file or set id: {stem}",
            )
        other = self.questions if kind == "claim" else self.claims
        if isinstance(entry_id, str) and entry_id in other:
            self.add(doc, ("id",), f"id '{entry_id}' is used by both a claim and an open question")
        strand = data.get("strand")
        strands = [s.id for s in self.taxonomy.strands]
        if isinstance(strand, str) and strand not in strands:
            self.add(
                doc,
                ("strand",),
                f"unknown strand '{strand}'{did_you_mean(strand, strands)}; "
                f"one of {', '.join(strands)}",
            )
        for i, key in enumerate(_strings(data.get("citations"))):
            if key not in self.bib:
                self.add(
                    doc,
                    ("citations", i),
                    f"unknown citation key '{key}'{did_you_mean(key, self.bib.references)}; "
                    "add it to references.bib",
                )

    def check_claim(self, doc: SourceDoc) -> None:
        self.check_common(doc, "claim")
        self.check_links(
            doc,
            "open_questions",
            self.questions,
            "open question",
            self.claims,
            "related_claims",
            "claim",
        )
        repro = doc.data.get("reproduction")
        if isinstance(repro, dict):
            self.check_script(doc, repro.get("script"))
            self.check_inputs(doc, repro.get("inputs"))
            self.check_limits(doc, repro)

    def check_question(self, doc: SourceDoc) -> None:
        self.check_common(doc, "question")
        self.check_links(
            doc,
            "related_claims",
            self.claims,
            "claim",
            self.questions,
            "open_questions",
            "question",
        )

    def check_links(
        self,
        doc: SourceDoc,
        field: str,
        targets: Mapping[str, Claim | OpenQuestion],
        target_kind: str,
        own: Mapping[str, Claim | OpenQuestion],
        back_field: str,
        own_kind: str,
    ) -> None:
        """Every id in ``field`` names an entry, and that entry links back in ``back_field``."""
        own_id = doc.data.get("id")
        for i, target_id in enumerate(_strings(doc.data.get(field))):
            if target_id in self.broken:
                continue  # its own errors already say what is wrong with it
            target = targets.get(target_id)
            if target is None:
                self.add(
                    doc,
                    (field, i),
                    f"unknown {target_kind} '{target_id}'{did_you_mean(target_id, targets)}",
                )
            elif own_id in own and own_id not in getattr(target, back_field):
                self.add(
                    doc,
                    (field, i),
                    f"{target_kind} '{target_id}' does not list this {own_kind} in "
                    f"{back_field}; links go both ways",
                )

    def check_script(self, doc: SourceDoc, script: Any) -> None:
        if not isinstance(script, str):
            return
        loc = ("reproduction", "script")
        if _escapes(script):
            self.add(doc, loc, f"script path '{script}' escapes repro/; give a path under repro/")
            return
        if self._plain_file_in_repro(script):
            return
        path = os.path.join(self.paths.root, script)
        if not os.path.isfile(path):
            self.add(doc, loc, f"script '{script}' does not exist")
            return
        if not os.path.realpath(path).startswith(self.repro_real):
            self.add(doc, loc, f"script '{script}' resolves outside repro/ (a symlink?)")

    def check_inputs(self, doc: SourceDoc, inputs: Any) -> None:
        """Each declared input must be a file under repro/ reached through no symlink: it is
        mounted into the run's sandbox, so a path that leaves repro/ would let a contributed
        script read any file its runner can (a key in the home folder)."""
        if not isinstance(inputs, list):
            return
        for index, rel in enumerate(inputs):
            if not isinstance(rel, str):
                continue
            loc = ("reproduction", "inputs", index)
            if _escapes(rel):
                self.add(doc, loc, f"input path '{rel}' escapes repro/; give a path under repro/")
            elif not self._plain_file_in_repro(rel):
                if os.path.lexists(os.path.join(self.paths.root, rel)):
                    message = f"input '{rel}' is not a plain file under repro/ (a symlink?)"
                else:
                    message = f"input '{rel}' does not exist"
                self.add(doc, loc, message)

    def _plain_file_in_repro(self, script: str) -> bool:
        """Whether ``script`` is a regular file under repro/ reached through no symlink.

        The common case, answered with one ``lstat`` per part below repro/ instead of
        resolving the whole path from the file system's root.
        """
        first, *below = script.split("/")
        if first != "repro" or not below:
            return False
        path, mode = self.repro_real, 0
        for part in below:
            path = os.path.join(path, part)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                return False
            if stat.S_ISLNK(mode):
                return False
        return stat.S_ISREG(mode)

    def check_limits(self, doc: SourceDoc, repro: dict[str, Any]) -> None:
        limits = self.settings.limits
        timeout = repro.get("timeout_s")
        if isinstance(timeout, int) and timeout > limits.max_timeout_s:
            self.add(
                doc,
                ("reproduction", "timeout_s"),
                f"timeout_s {timeout} is above this hub's ceiling of {limits.max_timeout_s}",
            )
        cost = repro.get("cost_s")
        timeout_given = (
            timeout if isinstance(timeout, int) else Reproduction.model_fields["timeout_s"].default
        )
        if (
            isinstance(cost, int | float)
            and not isinstance(cost, bool)
            and cost > 0
            and timeout_given < TIMEOUT_HEADROOM * cost
        ):
            self.add(
                doc,
                ("reproduction", "timeout_s" if "timeout_s" in repro else "cost_s"),
                f"timeout_s {timeout_given} leaves too little headroom over cost_s {cost:g}: "
                f"it must be at least {TIMEOUT_HEADROOM}x cost_s "
                f"({math.ceil(TIMEOUT_HEADROOM * cost)} s)",
            )
        memory = repro.get("memory_mb")
        if isinstance(memory, int) and memory > limits.max_memory_mb:
            self.add(
                doc,
                ("reproduction", "memory_mb"),
                f"memory_mb {memory} is above this hub's ceiling of {limits.max_memory_mb}",
            )
        seeds = repro.get("seeds")
        if isinstance(seeds, list) and len(seeds) > limits.max_seeds:
            self.add(
                doc,
                ("reproduction", "seeds"),
                f"{len(seeds)} seeds is above this hub's ceiling of {limits.max_seeds}",
            )
        if isinstance(seeds, list) and 0 < len(seeds) < limits.min_seeds:
            self.add(
                doc,
                ("reproduction", "seeds"),
                f"{len(seeds)} seeds is below this hub's minimum of {limits.min_seeds}",
            )

    def check_text(self, doc: SourceDoc) -> None:
        if not may_be_unsafe(doc.text):
            return  # nothing suspicious anywhere in the file: skip the walk
        for loc, text in _walk_strings(doc.data, ()):
            why = unsafe_html(text)
            if why:
                self.add(doc, loc, why)


def _yaml_names(folder: Path) -> list[str]:
    """The names in ``folder``, sorted; none if it is not a folder."""
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def _stem(name: str) -> str:
    return os.path.splitext(name)[0]


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _walk_strings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_strings(item, (*loc, i))
