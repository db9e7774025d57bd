"""The hub's bibliography: ``references.bib`` read with bibtexparser 2, checked and formatted."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from site_tools.problems import Problem

REQUIRED_FIELDS = ("author", "title", "year")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
# New-style arXiv ids (1501.00001, optionally versioned) and old-style (math.PR/0601001).
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
YEAR_RE = re.compile(r"^\d{4}$")

_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "c": "\u0327",
    "v": "\u030c",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
}
_ACCENT_RE = re.compile(r"""\\(['`^"~=.]|[cvu](?=[\s{]))\s*\{?\\?([A-Za-z])\}?""")
_SYMBOLS = {
    r"\&": "&",
    r"\%": "%",
    r"\_": "_",
    r"\$": "$",
    "--": "–",
    r"\ss": "ß",
    r"\o": "ø",
    r"\O": "Ø",
    r"\l": "ł",
    r"\i": "ı",
    r"\ae": "æ",
    r"\aa": "å",
    "~": " ",
}


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
        for name in ("journal", "booktitle", "howpublished", "publisher", "school", "institution"):
            if self.fields.get(name):
                return latex_to_text(self.fields[name])
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


def latex_to_text(text: str) -> str:
    """Decode the little LaTeX that titles and names use (accents, braces, escapes)."""
    text = _ACCENT_RE.sub(
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), text
    )
    for source, target in _SYMBOLS.items():
        text = text.replace(source, target)
    text = re.sub(r"\\[a-zA-Z]+\s*", "", text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


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
    """Parse and check ``references.bib``; return what could be read and every problem found."""
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
    refs: dict[str, Reference] = {}
    for entry in library.entries:
        ref = _to_reference(entry)
        refs[ref.key] = ref
        problems.extend(_check(ref, shown))
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
    return Bibliography(shown, refs), problems


def _parse_quietly(text: str) -> Library:
    logger = logging.getLogger("bibtexparser")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    finally:
        logger.setLevel(previous)


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[-1] if str(error).strip() else "cannot parse this entry"


def _to_reference(entry: Entry) -> Reference:
    fields = {k.lower(): str(f.value).strip() for k, f in entry.fields_dict.items()}
    return Reference(
        entry.key, entry.entry_type.lower(), fields, (entry.start_line or 0) + 1, entry.raw or ""
    )


def _check(ref: Reference, shown: str) -> list[Problem]:
    out = []

    def bad(message: str) -> None:
        out.append(Problem(shown, ref.line, 1, ref.key, message))

    for name in REQUIRED_FIELDS:
        if not ref.fields.get(name):
            bad(f"entry is missing '{name}'")
    if ref.year and not YEAR_RE.match(ref.year):
        bad(f"year '{ref.year}' is not a four-digit year")
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
