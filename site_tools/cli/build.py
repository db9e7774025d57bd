"""``lmhub build``: validate, optionally run what is stale, build the site."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from site_tools.catalog import load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.site.build import ENGINES, EchoHandler, build_site, run_stale


@click.command("build")
@click.option(
    "--run",
    "run_first",
    is_flag=True,
    help="First run every claim seed with no result at its current content hash.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --run: runs at once.",
)
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the site (default: site/); emptied first.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Ignore and keep no memo of results, plots, exports and built pages (build/cache).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="mkdocs",
    show_default=True,
    help="Site engine: mkdocs-material, or Zensical (its successor; pip install -e '.[zensical]').",
)
@root_option
@reports_problems
def command(
    run_first: bool,
    jobs: int,
    site_dir: Path | None,
    no_cache: bool,
    engine: str,
    root: Path | None,
) -> None:
    """Validate the hub, optionally run what is stale, and build the site (strict).

    The pages are generated from the entries and run records into build/docs, merged with
    the hand-written pages of docs/, and built by mkdocs-material into site/. Any mkdocs
    warning (a broken link, a formula that cannot be rendered) fails the build.
    """
    hub_root = resolve_root(root)
    catalog = load_catalog(hub_root)
    click.echo(
        f"ok: {len(catalog.claims)} claims, {len(catalog.questions)} open questions, "
        f"{len(catalog.bib.references)} references"
    )
    if run_first:
        run_stale(hub_root, jobs, click.echo)
    handler = EchoHandler(lambda line: click.echo(line, err=True))
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        result = build_site(
            hub_root, catalog=catalog, site_dir=site_dir, use_cache=not no_cache, engine=engine
        )
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    gen = result.generation
    click.echo(
        f"generated {len(gen.files)} files ({len(gen.written)} written, "
        f"{len(gen.removed)} removed, {gen.plots_drawn} plots drawn)"
    )
    reused = (
        f" (pages from an earlier build: {gen.pages_reused} converted, "
        f"{gen.layouts_reused} laid out)"
        if gen.pages_reused or gen.layouts_reused
        else ""
    )
    shared = f"; shared among {gen.workers} worker processes" if gen.workers else ""
    if gen.pages_by_workers or gen.layouts_by_workers:
        shared += (
            f", which converted {gen.pages_by_workers} pages and laid out {gen.layouts_by_workers}"
        )
    click.echo(f"built the site in {result.seconds:.1f} s{reused}{shared}: {result.site_dir}")
    click.echo("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.stages().items()))
