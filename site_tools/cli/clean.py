"""``lmhub clean``: delete caches and build output, never run records."""

from __future__ import annotations

from pathlib import Path

import click

from site_tools.cleanup import REBUILT, clean
from site_tools.cli.common import reports_problems, resolve_root, root_option


@click.command("clean")
@root_option
@reports_problems
def command(root: Path | None) -> None:
    """Delete the caches and build output (build/, site/, .hub-cache/).

    Everything removed is rebuilt by the next `lmhub run` or `lmhub build`; the run records
    under results/ are never touched.
    """
    hub_root = resolve_root(root)
    removed = clean(hub_root)
    for folder in removed:
        click.echo(f"removed {folder.relative_to(hub_root).as_posix()}/")
    if not removed:
        click.echo(f"nothing to remove ({', '.join(f'{n}/' for n in REBUILT)} are absent)")
