from __future__ import annotations

from pathlib import Path

import click

from site_tools.catalog import Catalog, load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.problems import HubError, Problem


def echo_warnings(warnings: list[Problem], fmt: str) -> None:
    """Print warnings as problems are printed (text on stderr, annotations on stdout)."""
    for problem in warnings:
        line = problem.format_github() if fmt == "github" else problem.format()
        click.echo(line, err=fmt != "github")


def validated(root: Path | None, fmt: str, strict: bool) -> Catalog:
    """Load the hub, print its warnings, and fail on them too when ``strict``."""
    catalog = load_catalog(resolve_root(root))
    if strict and catalog.warnings:
        raise HubError(catalog.warnings)
    echo_warnings(catalog.warnings, fmt)
    return catalog


@click.command("validate")
@root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    help="github: print errors as GitHub workflow annotations.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on warnings too (template leftovers, confusable BibTeX keys).",
)
@reports_problems
def command(root: Path | None, fmt: str, strict: bool) -> None:
    """Check every claim, open question and reference; report all problems at once.

    Warnings (what a template left, keys that look alike) are printed but do not fail,
    unless --strict.
    """
    catalog = validated(root, fmt, strict)
    warned = len(catalog.warnings)
    click.echo(
        f"ok: {len(catalog.claims)} claims, {len(catalog.questions)} open questions, "
        f"{len(catalog.bib.references)} references"
        + (f"; {warned} warning{'s' if warned != 1 else ''}" if warned else "")
    )
