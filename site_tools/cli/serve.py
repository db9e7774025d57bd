"""``lmhub serve``: preview the site with live reload."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from site_tools.catalog import load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.site.build import EchoHandler, serve_site


@click.command("serve")
@click.option(
    "-a",
    "--dev-addr",
    metavar="IP:PORT",
    default=None,
    help="Address to serve on (default: mkdocs.yml's dev_addr, 127.0.0.1:8000).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@root_option
@reports_problems
def command(dev_addr: str | None, open_browser: bool, root: Path | None) -> None:
    """Serve the site locally with live reload.

    Editing an entry, references.bib, a script, a page under docs/ or adding a run record
    regenerates the pages and reloads the browser. Stop with Ctrl-C.
    """
    hub_root = resolve_root(root)
    load_catalog(hub_root)  # refuse to start on an invalid hub, with every problem listed
    handler = EchoHandler(lambda line: click.echo(line, err=True), logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        serve_site(hub_root, dev_addr, open_browser)
    finally:
        logger.removeHandler(handler)
