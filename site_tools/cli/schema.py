from __future__ import annotations

from pathlib import Path

import click

from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.hub import HubPaths
from site_tools.schema import stale_schemas, write_schemas


@click.command("schema")
@root_option
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas are out of date.")
@reports_problems
def command(root: Path | None, check: bool) -> None:
    """Write the JSON Schema of claims and open questions to schemas/."""
    paths = HubPaths(resolve_root(root))
    if check:
        stale = stale_schemas(paths.schemas)
        if stale:
            raise click.ClickException(f"out of date: {', '.join(stale)}; run `lmhub schema`")
        click.echo("schemas are up to date")
        return
    for path in write_schemas(paths.schemas):
        click.echo(f"wrote {paths.shown(path)}")
