"""``lmhub evidence``: bring the hub's evidence branch into ``.evidence/``, or add to it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from site_tools.catalog import load_catalog
from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.evidence import EvidenceError, fetch, publish
from site_tools.hub import HubPaths


@click.group("evidence")
def command() -> None:
    """The evidence store: records made by the hub's own workflows, kept on the `evidence`
    branch. Only they set a claim's published status (see docs/guide/trust.md)."""


@command.command("fetch")
@click.option("--remote", default="origin", show_default=True, help="Git remote to fetch from.")
@root_option
def fetch_command(remote: str, root: Path | None) -> None:
    """Replace .evidence/ with the remote's evidence branch (empty if it has none)."""
    paths = HubPaths(resolve_root(root))
    try:
        count = fetch(paths, remote)
    except EvidenceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{count} record{'s' * (count != 1)} of the hub's own runs in .evidence/")


@command.command("publish")
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--run-id",
    default=lambda: os.environ.get("GITHUB_RUN_ID", ""),
    help="Workflow run whose records to add (default: $GITHUB_RUN_ID).",
)
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@root_option
@reports_problems
def publish_command(sources: tuple[Path, ...], run_id: str, remote: str, root: Path | None) -> None:
    """Add the records that workflow run RUN_ID made, found in SOURCES, to the evidence
    branch and push it. Only the main workflow's publishing job runs this."""
    if not run_id:
        raise click.UsageError("no --run-id and no $GITHUB_RUN_ID")
    catalog = load_catalog(resolve_root(root))
    try:
        done = publish(
            catalog.paths, list(sources), run_id, remote=remote, claim_ids=set(catalog.claims)
        )
    except EvidenceError as exc:
        raise click.ClickException(str(exc)) from None
    for line in done.refused:
        click.echo(f"refused {line}", err=True)
    click.echo(
        f"added {len(done.added)} record(s), {len(done.already)} already there"
        + (f"; commit {done.commit[:12]}" if done.commit else "")
    )
    sys.exit(1 if done.refused else 0)
