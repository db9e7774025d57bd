"""What every page shares: where pages live, links between them, badges, citations, tables."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from site_tools.catalog import Catalog
from site_tools.citations import Reference
from site_tools.memo import JsonMemo
from site_tools.models import Claim, OpenQuestion
from site_tools.site.badges import state_class
from site_tools.site.pages.papers_layout import PAPERS_INDEX, PapersLayout, remembered_layout
from site_tools.site.results import ClaimResults
from site_tools.site.search import NOT_INDEXED
from site_tools.site.text import anchor, html, inline, safe_tags, safe_url, slug, yaml_string
from site_tools.states import CLAIM_STATES

HOME = "index.md"
CLAIMS_INDEX = "claims/index.md"
QUESTIONS_INDEX = "questions/index.md"
STRANDS_INDEX = "strands/index.md"
PAPERS = PAPERS_INDEX
TAGS = "tags.md"
EXAMPLE = "contributing-example.md"


def claim_page(claim_id: str) -> str:
    """Path of a claim's page in the docs folder."""
    return f"claims/{slug(claim_id)}.md"


def question_page(question_id: str) -> str:
    """Path of an open question's page in the docs folder."""
    return f"questions/{slug(question_id)}.md"


def strand_page(strand_id: str) -> str:
    """Path of a strand's page in the docs folder."""
    return f"strands/{slug(strand_id)}.md"


def badge_file(claim_id: str) -> str:
    """Path of a claim's SVG status badge."""
    return f"badges/{slug(claim_id)}.svg"


def bib_file(claim_id: str) -> str:
    """Path of the BibTeX file of a claim's references."""
    return f"bib/{slug(claim_id)}.bib"


def plot_file(claim_id: str) -> str:
    """Path of a claim's SVG plot."""
    return f"plots/{slug(claim_id)}.svg"


def rel(from_page: str, target: str) -> str:
    """Relative link from the Markdown file ``from_page`` to the file ``target``.

    Both are paths from the docs root; the link climbs to the root and descends again
    (``../papers/index.md`` from ``claims/x.md``), which mkdocs resolves like the shortest form.
    """
    depth = from_page.count("/")
    if depth and posixpath.dirname(from_page) == posixpath.dirname(target):
        return posixpath.basename(target)
    return "../" * depth + target


@dataclass(frozen=True)
class MutantOutcome:
    """What a run of one mutant showed: the slot the site keeps for mutation testing."""

    caught: bool
    """Whether every metric in the mutant's ``must_fail`` missed its prediction."""
    detail: str = ""
    """One line of plain text (which metrics held, when it was run)."""


def _mutant_detail(caught: bool, seeds: int) -> str:
    verdict = "every named prediction missed" if caught else "a named prediction still held"
    return f"{verdict} on {seeds} seed{'s' * (seeds != 1)}"


@dataclass
class SiteData:
    """The catalog and its results, with the cross-references pages need."""

    catalog: Catalog
    results: dict[str, ClaimResults]
    directory_urls: bool = True
    cited_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Citation key to the entries that cite it: (``claim`` or ``question``, id)."""
    _references: dict[str, str | None] = field(default_factory=dict)
    _papers: PapersLayout | None = None
    sensitivity: dict[str, dict[str, MutantOutcome]] = field(default_factory=dict)
    """Claim id to mutant id to an outcome that overrides the one read from the claim's run
    records (tests use it); normally empty."""
    papers_memo: JsonMemo = field(default_factory=lambda: JsonMemo(None, ""))
    """Where the papers layout is kept between builds (see
    :func:`~site_tools.site.pages.papers_layout.remembered_layout`); by default, nowhere."""
    works_memo: JsonMemo = field(default_factory=lambda: JsonMemo(None, ""))
    """Where the digests of the works (:func:`~site_tools.site.dependencies.work_digest`) are
    kept between builds; by default, nowhere."""
    works: dict[str, str] | None = None
    """Those digests, by citation key, once made."""

    def mutant_outcomes(self, claim_id: str) -> dict[str, MutantOutcome]:
        """What the mutant runs of a claim showed: given, else judged from its records."""
        if claim_id in self.sensitivity:
            return self.sensitivity[claim_id]
        result = self.results.get(claim_id)
        if result is None:
            return {}
        return {
            m.id: MutantOutcome(m.caught, _mutant_detail(m.caught, m.seeds_run))
            for m in result.status.mutants
            if m.caught is not None
        }

    keys: dict[str, str] = field(default_factory=dict)
    """Memo of :mod:`site_tools.site.dependencies` keys, by entry (computed once per build)."""
    keyed: set[str] = field(default_factory=set)
    """The kinds of entries (``claim``, ``question``) whose every key is in :attr:`keys`."""
    keys_cited: dict[str, str] | None = None
    """What the key of an entry citing each work holds of it (made once per build)."""
    _lists: dict[str, list[Any]] = field(default_factory=dict)
    """Memo of the sorted lists of entries, whole and by strand (the catalog is fixed)."""
    _strands: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    """Memo of the sorted lists of entries by strand (``claims``, ``questions``)."""
    _strand_titles: dict[str, str] | None = None

    def __post_init__(self) -> None:
        cited: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for claim in self.catalog.claims.values():
            for key in dict.fromkeys(claim.citations):
                cited[key].append(("claim", claim.id))
        for question in self.catalog.questions.values():
            for key in dict.fromkeys(question.citations):
                cited[key].append(("question", question.id))
        self.cited_by = dict(cited)

    def reference(self, key: str) -> str | None:
        """:func:`reference_md` of a key (memoised: decoding BibTeX fields is slow)."""
        if key not in self._references:
            ref = self.catalog.bib.references.get(key)
            self._references[key] = reference_md(ref) if ref is not None else None
        return self._references[key]

    @property
    def papers(self) -> PapersLayout:
        """Which papers page shows each work (made once, on first use)."""
        if self._papers is None:
            bib = self.catalog.bib
            self._papers = remembered_layout(
                bib.references.values(), self.papers_memo, bib.text_digest()
            )
        return self._papers

    def paper_page(self, key: str) -> str:
        """The papers page that shows the work ``key`` (the index for an unknown key)."""
        return self.papers.page_of.get(key, PAPERS)

    def state(self, claim_id: str) -> str:
        """A claim's current state (``not-run`` when it has no results)."""
        result = self.results.get(claim_id)
        return result.state if result else "not-run"

    def _list(self, name: str, make: Callable[[], list[Any]]) -> list[Any]:
        if name not in self._lists:
            self._lists[name] = make()
        return list(self._lists[name])

    def claims_in(self, strand_id: str) -> list[Claim]:
        """The claims of a strand, by title."""
        return list(self._by_strand("claims", self.sorted_claims).get(strand_id, []))

    def questions_in(self, strand_id: str) -> list[OpenQuestion]:
        """The open questions of a strand, by title."""
        return list(self._by_strand("questions", self.sorted_questions).get(strand_id, []))

    def _by_strand(self, kind: str, entries: Callable[[], list[Any]]) -> dict[str, list[Any]]:
        """A sorted list cut by strand, in one pass (not one pass per strand), made once."""
        if kind not in self._strands:
            cut: dict[str, list[Any]] = {}
            for entry in entries():
                cut.setdefault(entry.strand, []).append(entry)
            self._strands[kind] = cut
        return self._strands[kind]

    def sorted_claims(self) -> list[Claim]:
        """Every claim, by title."""
        return self._list(
            "claims",
            lambda: sorted(self.catalog.claims.values(), key=lambda c: (c.title.lower(), c.id)),
        )

    def sorted_questions(self) -> list[OpenQuestion]:
        """Every open question, by title."""
        return self._list(
            "questions",
            lambda: sorted(self.catalog.questions.values(), key=lambda q: (q.title.lower(), q.id)),
        )

    def strand_title(self, strand_id: str) -> str:
        """A strand's title (its id when the taxonomy lacks it)."""
        if self._strand_titles is None:
            # The first strand of an id wins, as a search of the list would find it.
            titles: dict[str, str] = {}
            for strand in self.catalog.taxonomy.strands:
                titles.setdefault(strand.id, strand.title)
            self._strand_titles = titles
        return self._strand_titles.get(strand_id, strand_id)

    def page_url(self, page: str) -> str:
        """URL of a page relative to the site root, as mkdocs will publish it."""
        stem = page.removesuffix(".md")
        if not self.directory_urls:
            return stem + ".html"
        if stem == "index":
            return ""
        return stem.removesuffix("/index") + "/"

    def edit_url(self, kind: str, entry_id: str) -> str | None:
        """Link to edit an entry's YAML on the hub's forge, when ``repo_url`` is http(s)."""
        settings = self.catalog.settings
        if not settings.repo_url:
            return None
        folder = "claims" if kind == "claim" else "open_questions"
        source = self.catalog.sources.get(f"{kind}:{entry_id}", f"{folder}/{slug(entry_id)}.yaml")
        branch = settings.edit_branch or "main"
        return safe_url(f"{settings.repo_url.rstrip('/')}/edit/{branch}/{source}")

    def repo_url(self, path: str = "", view: str = "blob", branch: str | None = None) -> str | None:
        """Link into the hub's repository: the repository itself, or ``path`` on ``branch``
        (default: the edit branch; ``view`` is ``blob`` for a file, ``tree`` for a folder);
        None without one."""
        settings = self.catalog.settings
        if not settings.repo_url:
            return None
        base = settings.repo_url.rstrip("/")
        if not path:
            return safe_url(base)
        return safe_url(f"{base}/{view}/{branch or settings.edit_branch or 'main'}/{path}")


def front_matter(title: str, *, tags: list[str] | None = None, hide: tuple[str, ...] = ()) -> str:
    """YAML front matter with an escaped title, valid tags and the theme's ``hide`` list."""
    lines = ["---", f"title: {yaml_string(title)}"]
    good_tags = safe_tags(tags or [])
    if good_tags:
        lines.append("tags:")
        lines.extend(f"  - {t}" for t in good_tags)
    if hide:
        lines.append("hide:")
        lines.extend(f"  - {h}" for h in hide)
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def _css_name(value: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", state_class(value.lower()))


def status_html(state: str) -> str:
    """Inline badge for a claim state (the same colours as the SVG badges)."""
    info = CLAIM_STATES.get(state)  # type: ignore[call-overload]
    label = info.label if info else state
    return f'<span class="lmhub-status lmhub-status--{_css_name(state)}">{html(label)}</span>'


def question_status_html(status: str) -> str:
    """Inline badge for an open question's status."""
    return f'<span class="lmhub-qstatus lmhub-qstatus--{_css_name(status)}">{html(status)}</span>'


def link(from_page: str, target: str, text: str, fragment: str = "") -> str:
    """A Markdown link to another generated file; ``text`` is plain text (escaped here)."""
    return f"[{inline(text)}]({rel(from_page, target)}{'#' + fragment if fragment else ''})"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells must be inline Markdown already (no newline, no bare ``|``)."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(out) + "\n"


def tags_md(tags: list[str]) -> str:
    """Valid tags as inline code, for a table cell."""
    return " ".join(f"`{t}`" for t in safe_tags(tags))


def reference_md(ref: Reference) -> str:
    """A formatted reference: authors (year). *Title*. Venue. DOI and arXiv links."""
    parts = [f"{inline(ref.full_authors() or 'Anonymous')} ({inline(ref.year or 'n.d.')})."]
    if ref.title:
        parts.append(f"*{inline(ref.title)}*.")
    if ref.venue:
        parts.append(f"{inline(ref.venue)}.")
    links = []
    for name, url in ref.links().items():
        safe = safe_url(url)
        if safe:
            links.append(f"[{inline(name)}]({safe})")
    if links:
        parts.append(" · ".join(links))
    return " ".join(parts)


def unindexed(markdown: str) -> str:
    """``markdown`` in a block that the search index leaves out (see
    :mod:`site_tools.site.search`)."""
    return f'<div class="{NOT_INDEXED}" markdown>\n\n{markdown.rstrip()}\n\n</div>\n'


def citations_md(data: SiteData, page: str, keys: list[str]) -> str:
    """A list of an entry's references, each linking to its place on its papers page.

    The list is left out of the search index: each work is found at its place on its papers
    page, which lists the entries that cite it."""
    out = []
    for key in dict.fromkeys(keys):
        formatted = data.reference(key)
        if formatted is None:
            out.append(f"- {inline(key)} (not in references.bib)")
            continue
        back = link(page, data.paper_page(key), "who cites it", anchor(key))
        out.append(f"- {formatted} ({back})")
    if not out:
        return "None.\n"
    return unindexed("\n".join(out))


def fence(text: str, language: str = "") -> str:
    """A fenced code block holding ``text`` verbatim, with a fence it cannot close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}{language}\n{text.rstrip()}\n{marker}\n"


def when(moment: datetime | None) -> str:
    """A timestamp as ``2026-05-03 14:02 UTC`` (``never`` for None)."""
    if moment is None:
        return "never"
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def number(value: float | None, digits: int = 4) -> str:
    """A number for the site, to ``digits`` significant figures, trailing zeros kept.

    The one formatting rule of every measured value, spread and parameter: ``1.000`` stands
    next to ``1.002``, never ``1`` next to ``1.002``. ``—`` when missing or not finite.
    """
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return "—"
    if value == 0:
        return "0"
    text = f"{value:#.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa.rstrip('.')}e{int(exponent)}"
    return text.rstrip(".")


def spread(value: float) -> str:
    """A standard deviation: two significant figures (it is itself uncertain)."""
    return number(value, 2)


def plural(n: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
