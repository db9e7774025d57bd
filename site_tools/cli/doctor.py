from __future__ import annotations

import sys
from pathlib import Path

import click

from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.doctor import healthy, run_doctor
from site_tools.hub import HubPaths


@click.command("doctor")
@root_option
@click.option(
    "--cluster",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler to check (default: $LMHUB_CLUSTER, if set).",
)
@reports_problems
def command(root: Path | None, cluster: str | None) -> None:
    """Check the local setup (Python, packages, torch and CUDA, Dask, results/) and say what to fix."""
    checks = run_doctor(HubPaths(resolve_root(root)), cluster)
    for check in checks:
        click.echo(check.format())
    if not healthy(checks):
        click.echo("some required checks failed; see the fixes above", err=True)
        sys.exit(1)
    click.echo("all required checks passed")
