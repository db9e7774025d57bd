"""Generate the site's pages, plots and exports from a catalog and its run records.

The output is a folder of plain files (Markdown pages, SVG plots and badges, BibTeX, JSON),
written incrementally by :class:`~site_tools.site.output.OutputTree`. Nothing here knows
about mkdocs; :mod:`site_tools.site.plugin` adds the folder to an mkdocs build.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from site_tools import states
from site_tools.catalog import Catalog
from site_tools.gc_pause import CollectorPause
from site_tools.memo import JsonMemo
from site_tools.models import Plot
from site_tools.problems import HubError, Problem
from site_tools.schema import schema_text
from site_tools.site.badges import claim_badge
from site_tools.site.dependencies import (
    claim_page_key,
    code_digest,
    papers_page_key,
    question_page_key,
)
from site_tools.site.exports import (
    CATALOG,
    EXPORT_SCHEMAS,
    claim_export,
    claim_file,
    export_text,
    index_files,
    question_export,
    question_file,
    reference_export,
    reference_file,
    schema_file,
)
from site_tools.site.nav import site_nav
from site_tools.site.output import OutputTree, Producer
from site_tools.site.pages.claims import claim_md, claims_index
from site_tools.site.pages.common import (
    EXAMPLE,
    HOME,
    PAPERS,
    STRANDS_INDEX,
    TAGS,
    SiteData,
    badge_file,
    bib_file,
    claim_page,
    plot_file,
    question_page,
)
from site_tools.site.pages.example import example_md
from site_tools.site.pages.home import home_md, tags_md
from site_tools.site.pages.papers import papers_index_md, papers_page_md
from site_tools.site.pages.questions import question_md, questions_index
from site_tools.site.pages.strands import strand_pages, strands_index_md
from site_tools.site.plots import PlotCache
from site_tools.site.results import ClaimResults, ResultsCache, collect_results
from site_tools.site.workers import worker_count

ASSETS = ("lmhub.css", "lmhub.js")
"""Files of ``site_tools/site/assets`` published under ``assets/``."""


@dataclass
class GenerateReport:
    """What :func:`generate` produced."""

    files: list[str]
    """Every generated path, relative to the output folder (the manifest is not one)."""
    written: list[str]
    removed: list[str]
    unchanged: int
    plots_drawn: int
    nav: list[Any]
    data: SiteData | None = None
    """What the pages were generated from; the plugin fills hand-written pages from it."""
    pages_reused: int = 0
    """After an mkdocs build: generated pages whose HTML an earlier build had converted
    (:mod:`site_tools.site.render_memo`)."""
    layouts_reused: int = 0
    """After an mkdocs build: generated pages written as an earlier build had laid them out."""
    workers: int = 0
    """Forked processes that shared the work of generation or, in an mkdocs build, of the
    pages the memo lacked (:mod:`site_tools.site.workers`); 0 when there were none."""
    pages_by_workers: int = 0
    """After an mkdocs build: the pages that workers converted..."""
    layouts_by_workers: int = 0
    """... and those they laid out."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each stage, in seconds: ``results`` (reading run records), ``indexes``
    (index pages), ``exports``, and ``write`` (rendering the entry pages and plots that
    changed, and writing every changed file); after an mkdocs build, also ``search`` (the
    Pagefind index of the built site, see :mod:`site_tools.site.search`)."""


def _asset(name: str) -> bytes:
    return resources.files("site_tools.site").joinpath("assets", name).read_bytes()


def _collisions(docs: Path, generated: Container[str]) -> list[Problem]:
    written = {p.relative_to(docs).as_posix() for p in docs.rglob("*")} if docs.is_dir() else set()
    return [
        Problem(
            f"docs/{rel}",
            0,
            0,
            "",
            "this path is generated from the catalog; rename or remove the hand-written file",
        )
        for rel in sorted(written)
        if rel in generated
    ]


def generate(
    catalog: Catalog,
    out_dir: Path,
    cache_dir: Path | None,
    *,
    directory_urls: bool = True,
    workers: int = 0,
) -> GenerateReport:
    """Write the generated part of the site for ``catalog`` into ``out_dir``.

    Parameters
    ----------
    catalog
        The validated hub; its run records are read from ``results/``.
    out_dir
        The generated docs folder. Files that changed are rewritten, files no longer
        generated are deleted (only those this function wrote before).
    cache_dir
        Memo of results and drawn plots between builds (created if missing); ``None``
        reads and keeps no memo.
    directory_urls
        Whether the site uses ``page/`` URLs (mkdocs' ``use_directory_urls``); only the URLs
        written into the catalog export depend on it.
    workers
        Processes that render the pages, plots and export files to write, when there are
        many (:mod:`site_tools.site.workers`): 0, one per CPU; 1, none besides this one.

    Raises
    ------
    HubError
        When a hand-written file under ``docs/`` has the path of a generated one.
    """
    with CollectorPause():  # see site_tools.gc_pause: a 10k-claim build is millions of objects
        return _generate(catalog, out_dir, cache_dir, directory_urls, worker_count(workers))


def _generate(
    catalog: Catalog, out_dir: Path, cache_dir: Path | None, directory_urls: bool, workers: int
) -> GenerateReport:
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    plots = PlotCache(cache_dir / "plots" if cache_dir else None)
    results = collect_results(catalog, ResultsCache(cache_dir), plots=plots, workers=workers)
    # The papers layout is code: its memo is stamped with the code's digest.
    papers_memo = JsonMemo(cache_dir / "papers.json" if cache_dir else None, code_digest())
    works_memo = JsonMemo(cache_dir / "works.json" if cache_dir else None, code_digest())
    data = SiteData(
        catalog, results, directory_urls, papers_memo=papers_memo, works_memo=works_memo
    )
    seconds["results"] = time.perf_counter() - start

    start = time.perf_counter()
    tree = OutputTree(out_dir)
    pages: dict[str, str] = {
        HOME: home_md(data),
        TAGS: tags_md(),
        EXAMPLE: example_md(data),
        STRANDS_INDEX: strands_index_md(data),
    }
    for rel, text in pages.items():
        tree.add(rel, text)
    # The claims, questions and strand lists are cut into pages of a bounded size, each
    # rendered only when the rows it shows or the counts it states change.
    for lazy in [*claims_index(data), *questions_index(data), *strand_pages(data)]:
        tree.add_lazy(lazy.path, lazy.key, functools.partial(_render_text, lazy.render))
    tree.add(PAPERS, papers_index_md(data))
    header, indexes = index_files(data)
    tree.add(CATALOG, header)
    for entry in indexes:
        tree.add_lazy(entry.path, entry.key, functools.partial(_export, entry.build))
    urls = f"{directory_urls}:"
    # Each entry's files are one group with one key (see site_tools.site.output): a page is
    # rendered again only when what it shows has changed (see dependencies), and its export
    # file, badge, BibTeX and plot show nothing its key does not cover.
    for paper_page in data.papers.pages:
        key = papers_page_key(data, paper_page)
        files: list[tuple[str, Producer]] = [
            (paper_page.path, functools.partial(_render, papers_page_md, data, paper_page))
        ]
        files += [
            (reference_file(ref), functools.partial(_export, reference_export, data, ref))
            for ref in paper_page.keys
        ]
        tree.add_group(f"papers:{paper_page.path}", urls + key, files)
    seconds["indexes"] = time.perf_counter() - start

    start = time.perf_counter()
    badges: dict[str, bytes] = {}  # a badge shows the state alone
    for claim in catalog.claims.values():
        state = data.state(claim.id)
        if state not in badges:
            badges[state] = claim_badge(state).encode("utf-8")
        result = results[claim.id]
        files = [
            (claim_page(claim.id), functools.partial(_render, claim_md, data, claim)),
            (claim_file(claim.id), functools.partial(_export, claim_export, data, claim)),
            (badge_file(claim.id), functools.partial(bytes, badges[state])),
            (bib_file(claim.id), functools.partial(_bib, catalog, claim.citations)),
        ]
        plot_key = ""
        if result.plot is not None:
            plot_key = result.plot.key
            files.append(
                (
                    plot_file(claim.id),
                    _plot_producer(plots, result, catalog.claims[claim.id].reproduction.plot),
                )
            )
        key = f"{urls}{claim_page_key(data, claim)}\0{state}\0{plot_key}"
        tree.add_group(f"claim:{claim.id}", key, files)
    for question in catalog.questions.values():
        files = [
            (question_page(question.id), functools.partial(_render, question_md, data, question)),
            (
                question_file(question.id),
                functools.partial(_export, question_export, data, question),
            ),
        ]
        tree.add_group(f"question:{question.id}", urls + question_page_key(data, question), files)
    if cache_dir is not None:
        # The memo of export files that earlier versions kept; the manifest's keys replace it.
        (cache_dir / "exports.json").unlink(missing_ok=True)
    for name in EXPORT_SCHEMAS.values():
        tree.add(schema_file(name), schema_text(name))
    try:
        tree.add("references.bib", catalog.paths.bib.read_bytes())
    except OSError:
        tree.add("references.bib", "")
    for name in ASSETS:
        # The stylesheet gets the state colours from the one place that defines them.
        extra = states.css().encode() if name == "lmhub.css" else b""
        tree.add(f"assets/{name}", _asset(name) + extra)
    seconds["exports"] = time.perf_counter() - start

    problems = _collisions(catalog.paths.docs, tree)
    if problems:
        raise HubError(problems)
    start = time.perf_counter()
    report = tree.commit(workers, tally=lambda: plots.drawn)
    seconds["write"] = time.perf_counter() - start
    return GenerateReport(
        files=tree.paths,
        written=report.written,
        removed=report.removed,
        unchanged=report.unchanged,
        plots_drawn=plots.drawn + report.tallied,
        workers=report.workers,
        nav=site_nav(catalog, catalog.paths.docs),
        data=data,
        seconds=seconds,
    )


def _render(page: Callable[[SiteData, Any], str], data: SiteData, entry: Any) -> bytes:
    return page(data, entry).encode("utf-8")


def _render_text(render: Callable[[], str]) -> bytes:
    return render().encode("utf-8")


def _export(build: Callable[..., BaseModel], *args: Any) -> bytes:
    return export_text(build(*args)).encode("utf-8")


def _bib(catalog: Catalog, citations: list[str]) -> bytes:
    return catalog.bib.export(citations).encode("utf-8")


def _plot_producer(
    plots: PlotCache, result: ClaimResults, spec: Plot | None
) -> Callable[[], bytes | None]:
    assert result.plot is not None
    source = result.plot

    def produce() -> bytes | None:
        svg = plots.get_or_draw(source.key, source.series, spec, source.others)
        return svg.encode("utf-8") if svg is not None else None

    return produce
