"""What each generated page depends on, as a key: a page is rendered again only when it changes.

A claim page shows the claim, its results, its strand's title, the titles and statuses of
its open questions, its references and the hub's settings; an open-question page shows the
question, the titles and states of its related claims, its references and the settings. The
key of a page hashes exactly those, plus :func:`code_digest` (the generator's own source), so
an edit to the site's code renders every page again. The papers pages change only with
their works, the titles of the entries that cite them and the pages they link to. The page of
each work an entry cites is part of the entry's key, since its page links there.

A page of a long list (the claims and open-questions indexes, a strand's pages) is keyed on
the page keys of the entries it lists, which cover what their rows show, and on the counts
of the whole list it states (:func:`list_page_key`), so that a change to one entry renders
again only the page that lists it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from site_tools.models import Claim, OpenQuestion
from site_tools.site.codebase import code_digest as code_digest  # re-exported
from site_tools.site.pages.common import PAPERS, SiteData
from site_tools.site.pages.listing import ListPage
from site_tools.site.pages.papers_layout import PapersPage


def parts_digest(parts: Iterable[str]) -> str:
    """SHA-256 of a sequence of strings, each prefixed by its length (so that no two
    sequences hash alike by moving a boundary)."""
    # One update of the joined bytes: an update per part is most of the cost of a key.
    chunks = []
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        chunks.append(len(data).to_bytes(8, "little"))
        chunks.append(data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()


def work_digest(data: SiteData, key: str) -> str:
    """Hash of what pages show of the work ``key``: its type and fields as read, with
    ``@string`` macros expanded and ``crossref`` filled in (its own BibTeX text does not
    show those), and that text (the BibTeX exports). The keys of every entry citing the work
    and of its papers page include it."""
    return _work_digests(data)[key]


def _work_digests(data: SiteData) -> dict[str, str]:
    """Every work's digest: made once per build, or taken from ``data.works_memo`` when the
    bibliography was read from the same file
    (:meth:`~site_tools.citations.Bibliography.text_digest`)."""
    if data.works is not None:
        return data.works
    bib = data.catalog.bib
    text = bib.text_digest()
    if text is not None:
        stored = data.works_memo.load()
        works = stored.get("works")
        if (
            stored.get("bib") == text
            and isinstance(works, dict)
            and works.keys() == bib.references.keys()
            and all(isinstance(digest, str) for digest in works.values())
        ):
            data.works = works
            return works
    made = {}
    for key, ref in bib.references.items():
        # The type has no NUL and repr() writes none, so the text is injective (and repr of
        # 20,000 small dicts is a third of the cost of json.dumps).
        made_of = f"{ref.entry_type}\0{ref.fields!r}\0{ref.raw}"
        made[key] = hashlib.sha256(made_of.encode("utf-8", "surrogatepass")).hexdigest()
    data.works = made
    if text is not None:
        data.works_memo.save({"bib": text, "works": made})
    return made


def claim_page_key(data: SiteData, claim: Claim) -> str:
    """Key of a claim's page. The first call computes the key of every claim of the catalog
    (a build needs them all), with what they share looked up once."""
    return _page_key(data, "claim", claim, data.catalog.claims, _claim_keys)


def question_page_key(data: SiteData, question: OpenQuestion) -> str:
    """Key of an open question's page (computed for every question at once, as
    :func:`claim_page_key`)."""
    return _page_key(data, "question", question, data.catalog.questions, _question_keys)


def _page_key(
    data: SiteData,
    kind: str,
    entry: Any,
    entries: dict[str, Any],
    make: Callable[[SiteData, Iterable[Any]], Iterator[tuple[str, str]]],
) -> str:
    """The memoised key of ``entry``'s page: on first use, ``make`` keys every entry of its
    ``kind`` in the catalog; an entry that is not the catalog's own is keyed alone."""
    keys = data.keys
    name = f"{kind}:{entry.id}"
    if name not in keys:
        if entries.get(entry.id) is entry and kind not in data.keyed:
            keys.update(make(data, entries.values()))
            data.keyed.add(kind)
        if name not in keys:
            keys.update(make(data, [entry]))
    return keys[name]


def _cited(data: SiteData) -> dict[str, str]:
    """What an entry's key holds of each work it cites: the work's digest and its papers
    page (the entry's page links there)."""
    cited = data.keys_cited
    if cited is None:
        works = _work_digests(data)
        page_of = data.papers.page_of
        cited = data.keys_cited = {
            key: f"{works[key]}\0{page_of.get(key, PAPERS)}" for key in data.catalog.bib.references
        }
    return cited


def _shared(data: SiteData) -> str:
    """What every entry's key holds: the code and the hub's settings."""
    return f"{code_digest()}\0{data.catalog.settings.model_dump_json()}"


def _claim_keys(data: SiteData, claims: Iterable[Claim]) -> Iterator[tuple[str, str]]:
    catalog = data.catalog
    shared, cited, sources = _shared(data), _cited(data), catalog.sources
    results, questions, strand_title = data.results, catalog.questions, data.strand_title
    for claim in claims:
        result = results.get(claim.id)
        parts = [
            "claim",
            catalog.entry_key("claim", claim),
            result.key if result else "no results",
            strand_title(claim.strand),
        ]
        for question_id in claim.open_questions:
            q = questions.get(question_id)
            parts.append(f"{q.id}\0{q.title}\0{q.status}" if q else "missing")
        parts += [shared, sources.get(f"claim:{claim.id}", "")]
        parts += [cited.get(k) or f"missing {k}" for k in claim.citations]
        yield f"claim:{claim.id}", parts_digest(parts)


def _question_keys(data: SiteData, questions: Iterable[OpenQuestion]) -> Iterator[tuple[str, str]]:
    catalog = data.catalog
    shared, cited, sources = _shared(data), _cited(data), catalog.sources
    claims, state, strand_title = catalog.claims, data.state, data.strand_title
    for question in questions:
        parts = [
            "question",
            catalog.entry_key("question", question),
            strand_title(question.strand),
        ]
        for claim_id in question.related_claims:
            c = claims.get(claim_id)
            parts.append(f"{c.id}\0{c.title}\0{state(c.id)}" if c else "missing")
        parts += [shared, sources.get(f"question:{question.id}", "")]
        parts += [cited.get(k) or f"missing {k}" for k in question.citations]
        yield f"question:{question.id}", parts_digest(parts)


def papers_page_key(data: SiteData, page: PapersPage) -> str:
    """Key of one papers page: its works, who cites them under which title, and the pages
    it links to (the first page of each group, its neighbours). The export files of its
    works share it."""
    name = f"papers:{page.path}"
    if name not in data.keys:
        data.keys[name] = _papers_key(data, page)
    return data.keys[name]


def _papers_key(data: SiteData, page: PapersPage) -> str:
    catalog = data.catalog
    links = data.keys.get("papers-links")
    if links is None:  # the same for every papers page
        groups = data.papers.groups()
        links = "\n".join(f"{group}\0{pages[0].path}" for group, pages in groups.items())
        data.keys["papers-links"] = links
    works = _work_digests(data)
    cited = []
    for key in page.keys:
        for kind, entry_id in data.cited_by.get(key, ()):
            entry = catalog.claims[entry_id] if kind == "claim" else catalog.questions[entry_id]
            cited.append(f"{key}\0{kind}\0{entry_id}\0{entry.title}")
    return parts_digest(
        [
            "papers",
            code_digest(),
            f"{page.path}\0{page.number}\0{page.of}",
            links,
            *(works[key] for key in page.keys),
            *cited,
        ]
    )


def list_page_key(kind: str, page: ListPage, shared: list[Any], entries: list[str]) -> str:
    """Key of one page of a list: ``shared``, what the page says of the whole list (its
    counts, JSON-serialisable), and ``entries``, the page keys of the entries it lists
    (:func:`claim_page_key`, :func:`question_page_key`), plus the page's place in the list.
    An entry's page key covers all that its row shows (title, strand, state, last run,
    tags...): a list page may be rendered again when a row did not change (a cited work
    did), and is then written only if its text differs."""
    return parts_digest(
        [
            kind,
            code_digest(),
            f"{page.first}\0{page.number}\0{page.of}",
            json.dumps(shared),
            *entries,
        ]
    )
