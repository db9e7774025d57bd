from __future__ import annotations

from pathlib import Path

import click

from site_tools.catalog import load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option


@click.command("validate")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    help="github: print errors as GitHub workflow annotations.",
)
@reports_problems
def command(root: Path | None, fmt: str) -> None:
    """Check every claim, open question and reference; report all problems at once."""
    catalog = load_catalog(resolve_root(root))
    click.echo(
        f"ok: {len(catalog.claims)} claims, {len(catalog.questions)} open questions, "
        f"{len(catalog.bib.references)} references"
    )
