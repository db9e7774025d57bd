from __future__ import annotations

from pathlib import Path

import click

from site_tools.catalog import load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.scaffold import new_entry


@click.command("new")
@click.argument("kind", type=click.Choice(["claim", "question"]))
@click.argument("entry_id", metavar="ID")
@click.option("--strand", required=True, help="Strand id from taxonomy.yaml.")
@root_option
@reports_problems
def command(kind: str, entry_id: str, strand: str, root: Path | None) -> None:
    """Write a commented template for a new claim (with its script) or open question."""
    catalog = load_catalog(resolve_root(root))
    for path in new_entry(catalog, kind, entry_id, strand):
        click.echo(f"wrote {catalog.paths.shown(path)}")
