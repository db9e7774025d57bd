from __future__ import annotations

from pathlib import Path

import click

from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.hub import HubPaths
from site_tools.reference_docs import reference_is_stale, reference_path, write_reference
from site_tools.schema import stale_schemas, write_schemas


@click.command("schema")
@root_option
@click.option("--check", is_flag=True, help="Exit 1 if the committed files are out of date.")
@reports_problems
def command(root: Path | None, check: bool) -> None:
    """Write the JSON Schemas (schemas/) and the field reference (docs/reference/fields.md).

    Both are generated from the models; existing files are overwritten.
    """
    paths = HubPaths(resolve_root(root))
    if check:
        stale = stale_schemas(paths.schemas)
        if reference_is_stale(paths.root):
            stale.append(paths.shown(reference_path(paths.root)))
        if stale:
            raise click.ClickException(f"out of date: {', '.join(stale)}; run `lmhub schema`")
        click.echo("schemas and field reference are up to date")
        return
    for path in [*write_schemas(paths.schemas), write_reference(paths.root)]:
        click.echo(f"wrote {paths.shown(path)}")
