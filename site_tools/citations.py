"""The hub's bibliography: ``references.bib`` read with bibtexparser 2, checked and formatted."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from site_tools.bib_values import evaluate, inherit
from site_tools.latex_text import latex_to_text
from site_tools.problems import Problem

_PARSER = f"bibtexparser {bibtexparser.__version__}\0".encode()
"""Part of :meth:`Bibliography.text_digest`: the parser that reads the references."""

REQUIRED_FIELDS = ("author", "title", "year")
EDITED_TYPES = frozenset({"book", "collection", "mvbook"})
"""Entry types whose people may be editors instead of authors."""
UNAUTHORED_TYPES = frozenset({"proceedings", "mvproceedings"})
"""Entry types with no author: a volume of proceedings names at most its editors."""
VENUE_FIELDS = (
    "journal",
    "journaltitle",
    "booktitle",
    "publisher",
    "school",
    "institution",
    "organization",
    "howpublished",
    "series",
)
"""Fields that say where a work appeared."""
IDENTIFIER_FIELDS = ("doi", "eprint", "url")
_LOOKALIKE = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0"})
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
# New-style arXiv ids (1501.00001, optionally versioned) and old-style (math.PR/0601001).
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
YEAR_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, its fields decoded for display."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    raw: str

    @property
    def authors(self) -> list[str]:
        return [
            a.strip() for a in re.split(r"\s+and\s+", self.fields.get("author", "")) if a.strip()
        ]

    @property
    def title(self) -> str:
        return latex_to_text(self.fields.get("title", ""))

    @property
    def year(self) -> str:
        return self.fields.get("year", "")

    @property
    def venue(self) -> str:
        for name in VENUE_FIELDS:
            if self.fields.get(name):
                return latex_to_text(self.fields[name])
        if self.entry_type == "proceedings" and self.fields.get("title"):
            return latex_to_text(self.fields["title"])  # a volume of proceedings is the venue
        return "arXiv preprint" if self.arxiv else ""

    @property
    def doi(self) -> str | None:
        return self.fields.get("doi") or None

    @property
    def arxiv(self) -> str | None:
        eprint = self.fields.get("eprint")
        if eprint and self.fields.get("archiveprefix", "arxiv").lower() == "arxiv":
            return eprint
        return None

    @property
    def url(self) -> str | None:
        url = self.fields.get("url")
        return url if url and url.startswith(("https://", "http://")) else None

    def short_authors(self) -> str:
        """``Saxe, McClelland & Ganguli``; ``Kaplan et al.`` from four authors on."""
        surnames = [surname(a) for a in self.authors]
        if not surnames:
            return ""
        if len(surnames) >= 4:
            return f"{surnames[0]} et al."
        if len(surnames) == 1:
            return surnames[0]
        return ", ".join(surnames[:-1]) + " & " + surnames[-1]

    def cite_label(self) -> str:
        """Short in-text label: ``Saxe, McClelland & Ganguli (2014)``."""
        return f"{self.short_authors()} ({self.year})"

    def full_authors(self) -> str:
        names = [display_name(a) for a in self.authors]
        return ", ".join(names)

    def links(self) -> dict[str, str]:
        """DOI, arXiv and URL links; only https links are ever produced."""
        out: dict[str, str] = {}
        if self.doi:
            out["DOI"] = f"https://doi.org/{self.doi}"
        if self.arxiv:
            out["arXiv"] = f"https://arxiv.org/abs/{self.arxiv}"
        if self.url and self.url.startswith("https://"):
            out["link"] = self.url
        return out


def surname(name: str) -> str:
    name = latex_to_text(name)
    if "," in name:
        return name.split(",", 1)[0].strip()
    return name.split()[-1] if name.split() else name


def display_name(name: str) -> str:
    name = latex_to_text(name)
    if "," in name:
        last, first = (p.strip() for p in name.split(",", 1))
        return f"{first} {last}".strip()
    return name


@dataclass
class Bibliography:
    """Every reference of the hub, by key."""

    path: str
    references: dict[str, Reference]
    read_from: tuple[dict[str, Reference], str] | None = field(default=None, compare=False)
    """The references as read from the file, and a digest of its bytes (see
    :meth:`text_digest`)."""

    def text_digest(self) -> str | None:
        """A digest of the file the references were read from, which with the code and the
        parser determines them, for the keys of memos (hashing a 10 MB file takes a
        fiftieth of a second, where a digest of each of 20,000 works takes a tenth);
        ``None`` when the references are not those read from the file."""
        if self.read_from is not None and self.read_from[0] is self.references:
            return self.read_from[1]
        return None

    def __contains__(self, key: str) -> bool:
        return key in self.references

    def __getitem__(self, key: str) -> Reference:
        return self.references[key]

    def export(self, keys: list[str]) -> str:
        """BibTeX text of the given keys, in the order given, as written in ``references.bib``."""
        return (
            "\n\n".join(self.references[k].raw.strip() for k in keys if k in self.references) + "\n"
        )


def load_bibliography(path: Path, shown: str) -> tuple[Bibliography, list[Problem]]:
    """Parse and check a ``.bib`` file; return what could be read and every problem found.

    Values are read as BibTeX reads them: ``@string`` macros expanded, ``#`` joined, and each
    entry completed from the entry its ``crossref`` names before it is checked. Keys are
    compared without case, as BibTeX does.
    """
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Bibliography(shown, {}), [Problem(shown, 1, 1, "", "bibliography file is missing")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Bibliography(shown, {}), [
            Problem(shown, line, 1, "", "file is not valid UTF-8; save it as UTF-8")
        ]
    library = _parse_quietly(text)
    macros = _macros(library, shown, problems)
    own: dict[str, Reference] = {}
    by_folded: dict[str, Reference] = {}
    for entry in library.entries:
        ref = _to_reference(entry, macros, shown, problems)
        earlier = by_folded.get(ref.key.lower())
        if earlier is not None:
            problems.append(
                Problem(
                    shown,
                    ref.line,
                    1,
                    ref.key,
                    f"duplicate BibTeX key '{ref.key}': BibTeX ignores case, and "
                    f"'{earlier.key}' is defined on line {earlier.line}",
                )
            )
            continue
        own[ref.key] = ref
        by_folded[ref.key.lower()] = ref
    refs = {key: _resolved(ref, by_folded, shown, problems) for key, ref in own.items()}
    for ref in refs.values():
        problems.extend(_check(ref, shown))
    problems.extend(_confusable(list(own.values()), shown))
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = f" (first defined on line {refs[block.key].line})" if block.key in refs else ""
            problems.append(
                Problem(shown, line, 1, block.key, f"duplicate BibTeX key '{block.key}'{first}")
            )
        elif isinstance(block, ParsingFailedBlock):
            problems.append(
                Problem(shown, line, 1, "", f"BibTeX syntax error: {_first_line(block.error)}")
            )
    digest = hashlib.sha256(_PARSER + raw).hexdigest()
    return Bibliography(shown, refs, (refs, digest)), problems


def _parse_quietly(text: str) -> Library:
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        # No middleware: values come as written, and are evaluated by site_tools.bib_values.
        return bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    finally:
        logger.setLevel(previous)


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[-1] if str(error).strip() else "cannot parse this entry"


def _undefined(names: list[str], shown: str, line: int, key: str) -> list[Problem]:
    return [
        Problem(
            shown,
            line,
            1,
            key,
            f"undefined @string macro '{name}'; define it with @string{{{name} = ...}} "
            "before it is used, or put the text in braces",
        )
        for name in dict.fromkeys(names)
    ]


def _macros(library: Library, shown: str, problems: list[Problem]) -> dict[str, str]:
    """Every ``@string`` value, evaluated in file order, by lower-case name."""
    macros: dict[str, str] = {}
    for string in library.strings:
        undefined: list[str] = []
        macros[string.key.lower()] = evaluate(str(string.value), macros, undefined)
        line = (string.start_line or 0) + 1
        problems.extend(_undefined(undefined, shown, line, string.key))
    return macros


def _to_reference(
    entry: Entry, macros: dict[str, str], shown: str, problems: list[Problem]
) -> Reference:
    line = (entry.start_line or 0) + 1
    undefined: list[str] = []
    fields = {
        k.lower(): evaluate(str(f.value), macros, undefined).strip()
        for k, f in entry.fields_dict.items()
    }
    problems.extend(_undefined(undefined, shown, line, entry.key))
    return Reference(entry.key, entry.entry_type.lower(), fields, line, entry.raw or "")


def _resolved(
    ref: Reference, by_folded: dict[str, Reference], shown: str, problems: list[Problem]
) -> Reference:
    """``ref`` with the fields inherited through its chain of ``crossref`` entries."""
    fields, seen, current = dict(ref.fields), {ref.key.lower()}, ref
    while current.fields.get("crossref"):
        target = current.fields["crossref"]
        parent = by_folded.get(target.lower())
        if parent is None or target.lower() in seen:
            why = "names no entry of the bibliography" if parent is None else "loops back"
            problems.append(Problem(shown, ref.line, 1, ref.key, f"crossref '{target}' {why}"))
            break
        seen.add(target.lower())
        fields = inherit(ref.entry_type, fields, parent.entry_type, parent.fields)
        current = parent
    if fields == ref.fields:
        return ref
    return Reference(ref.key, ref.entry_type, fields, ref.line, ref.raw)


def _confusable(refs: list[Reference], shown: str) -> list[Problem]:
    """Warnings for keys that differ only in characters that look alike (l, I, 1; O, 0)."""
    first: dict[str, Reference] = {}
    found = []
    for ref in refs:
        skeleton = ref.key.translate(_LOOKALIKE).lower()
        other = first.setdefault(skeleton, ref)
        if other is not ref:
            found.append(
                Problem(
                    shown,
                    ref.line,
                    1,
                    ref.key,
                    f"key '{ref.key}' looks like '{other.key}' (line {other.line}): they differ "
                    "only in characters that are easy to confuse (l, I, 1 or O, 0); rename one",
                    "warning",
                )
            )
    return found


def _check(ref: Reference, shown: str) -> list[Problem]:
    out = []

    def bad(message: str) -> None:
        out.append(Problem(shown, ref.line, 1, ref.key, message))

    for name in REQUIRED_FIELDS:
        if ref.fields.get(name):
            continue
        if name == "author" and ref.entry_type in UNAUTHORED_TYPES:
            continue
        if name == "author" and ref.entry_type in EDITED_TYPES:
            if not ref.fields.get("editor"):
                bad(f"@{ref.entry_type} entry is missing 'author' or 'editor'")
            continue
        bad(f"entry is missing '{name}'")
    if ref.year and not YEAR_RE.match(ref.year):
        bad(f"year '{ref.year}' is not a four-digit year")
    if not ref.venue and not any(ref.fields.get(name) for name in IDENTIFIER_FIELDS):
        bad(
            "entry says neither where the work appeared (journal, booktitle, publisher, "
            "school, institution, howpublished) nor how to find it (doi, eprint, url); add one"
        )
    doi = ref.fields.get("doi")
    if doi is not None and not DOI_RE.match(doi):
        hint = "; write the bare DOI, without https://doi.org/" if "doi.org" in doi else ""
        bad(f"malformed DOI '{doi}': a DOI looks like 10.1234/suffix{hint}")
    eprint = ref.fields.get("eprint")
    if (
        eprint is not None
        and ref.fields.get("archiveprefix", "arxiv").lower() == "arxiv"
        and not ARXIV_RE.match(eprint)
    ):
        bad(f"malformed arXiv id '{eprint}': expected e.g. 2106.15933 or hep-th/9901001")
    return out
