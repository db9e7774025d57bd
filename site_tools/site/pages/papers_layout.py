"""Which papers page shows each work: the bibliography by first author, in bounded pages.

The works are grouped by the first letter of their first author's surname (accents dropped;
``other`` for a name that starts with anything else, or a work without authors), sorted by
surname, year and key, and each group is cut into pages of at most :data:`PAGE_SIZE` works:
``papers/s.md``, ``papers/s-2.md``, ... A page holds a bounded number of works however large
the bibliography grows; ``papers/index.md`` links to every page.

A work's page can change when works are added before it, so links to a work are made from
this layout at build time (hand-written pages link to the index, see
:func:`~site_tools.site.pages.papers.resolve_paper_links`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from site_tools.citations import Reference, surname
from site_tools.memo import JsonMemo
from site_tools.site.text import anchor

PAPERS_INDEX = "papers/index.md"
PAGE_SIZE = 200
"""Most works on one papers page (read when a layout is made, so tests may lower it)."""
OTHER = "other"
"""The group of works whose first author's surname does not start with a letter a-z."""


def folded(text: str) -> str:
    """``text`` without accents, case-folded: ``Érdős`` gives ``erdos``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def first_surname(ref: Reference) -> str:
    """The first author's surname, folded (empty for a work without authors)."""
    return folded(surname(ref.authors[0])) if ref.authors else ""


def group_of(name: str) -> str:
    """The group of a folded surname: its first letter, or :data:`OTHER`."""
    return name[0] if name and "a" <= name[0] <= "z" else OTHER


@dataclass(frozen=True)
class PapersPage:
    """One page of the papers list."""

    path: str
    """Path in the docs folder: ``papers/s.md``, ``papers/s-2.md``."""
    group: str
    """``a`` to ``z`` or :data:`OTHER`."""
    number: int
    """1 for the first page of its group."""
    of: int
    """Pages of its group."""
    keys: tuple[str, ...]
    """Citation keys of its works, in the order shown."""

    @property
    def group_label(self) -> str:
        """``S``, or ``Other``."""
        return self.group.upper() if self.group != OTHER else "Other"

    @property
    def label(self) -> str:
        """``S``, ``S (2 of 3)``, ``Other``."""
        name = self.group_label
        return name if self.of == 1 else f"{name} ({self.number} of {self.of})"


@dataclass(frozen=True)
class PapersLayout:
    """Every papers page, and the page of each work."""

    pages: list[PapersPage]
    page_of: dict[str, str] = field(default_factory=dict)
    """Citation key to the path of its page."""

    @cached_property
    def page_of_anchor(self) -> dict[str, str]:
        """A work's anchor (:func:`~site_tools.site.text.anchor` of its key) to its page."""
        return {anchor(key): path for key, path in self.page_of.items()}

    def groups(self) -> dict[str, list[PapersPage]]:
        """The pages of each group, groups in order."""
        out: dict[str, list[PapersPage]] = {}
        for page in self.pages:
            out.setdefault(page.group, []).append(page)
        return out


def page_path(group: str, number: int) -> str:
    """Path of the ``number``-th page of ``group``."""
    return f"papers/{group}.md" if number == 1 else f"papers/{group}-{number}.md"


def papers_layout(refs: Iterable[Reference], size: int | None = None) -> PapersLayout:
    """Cut ``refs`` into pages of at most ``size`` works (default :data:`PAGE_SIZE`)."""
    size = size or PAGE_SIZE
    by_group: dict[str, list[tuple[str, str, str]]] = {}
    for ref in refs:
        name = first_surname(ref)
        by_group.setdefault(group_of(name), []).append((name, ref.year, ref.key))
    pages: list[PapersPage] = []
    for group in sorted(by_group, key=lambda g: (g == OTHER, g)):
        keys = [key for *_, key in sorted(by_group[group])]
        chunks = [keys[i : i + size] for i in range(0, len(keys), size)]
        for number, chunk in enumerate(chunks, 1):
            pages.append(
                PapersPage(page_path(group, number), group, number, len(chunks), tuple(chunk))
            )
    return _layout(pages)


def _layout(pages: list[PapersPage]) -> PapersLayout:
    page_of: dict[str, str] = {}
    for page in pages:
        page_of.update(dict.fromkeys(page.keys, page.path))
    return PapersLayout(pages, page_of)


def remembered_layout(
    refs: Iterable[Reference], memo: JsonMemo, text: str | None = None
) -> PapersLayout:
    """:func:`papers_layout` of ``refs``, taken from ``memo`` when it was made from the same
    keys, authors and years and the same page size, else made now and kept there.
    ``text``, the digest of the file the references were read from
    (:meth:`~site_tools.citations.Bibliography.text_digest`), stands for them when given.

    Decoding every first author's name takes most of a second for 20,000 works. The memo's
    version must stamp the code that makes the layout.
    """
    refs = list(refs)
    size = PAGE_SIZE
    made_of = (
        f"{size} {text}"
        if text is not None
        else json.dumps([size, [[r.key, r.fields.get("author", ""), r.year] for r in refs]])
    )
    key = hashlib.sha256(made_of.encode()).hexdigest()
    stored = memo.load()
    if stored.get("key") == key:
        try:
            return _layout(
                [
                    PapersPage(str(path), str(group), int(number), int(of), tuple(map(str, keys)))
                    for path, group, number, of, keys in stored["pages"]
                ]
            )
        except (KeyError, TypeError, ValueError):
            pass  # a damaged memo only costs time
    layout = papers_layout(refs, size)
    pages = [[p.path, p.group, p.number, p.of, list(p.keys)] for p in layout.pages]
    memo.save({"key": key, "pages": pages})
    return layout
