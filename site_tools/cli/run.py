from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from site_tools.cli.common import reports_problems, resolve_root, root_option
from site_tools.runner.api import RunOptions, run_hub
from site_tools.runner.progress import Display, PlainDisplay, RichDisplay
from site_tools.runner.report import (
    EXIT_INTERRUPTED,
    render_markdown,
    render_plain,
    render_rich,
)
from site_tools.runner.select import UsageError


@click.command("run")
@click.argument("ids", nargs=-1, metavar="[IDS]...")
@click.option("--all", "all_claims", is_flag=True, help="Run every claim.")
@click.option(
    "--changed-since",
    metavar="GIT_REF",
    help="Run the claims whose YAML, script or repro/ helper changed since GIT_REF.",
)
@click.option("--force", is_flag=True, help="Run even seeds whose result is already recorded.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs at once; each gets cores/JOBS BLAS/OpenMP threads.",
)
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda"]),
    default="cpu",
    show_default=True,
    help="cuda: run GPU claims on this machine's GPU (else they are needs-gpu).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Run on the Dask scheduler at ADDRESS, or `local` for a LocalCluster of "
    "JOBS workers. GPU claims go to workers with a GPU resource.",
)
@click.option(
    "--smoke",
    is_flag=True,
    help="Run each claim's tiny smoke configuration on CPU (GPU claims too) and "
    "check only that it writes every predicted metric. Without IDS, runs every claim.",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Append the summary as a Markdown table to FILE (e.g. $GITHUB_STEP_SUMMARY).",
)
@root_option
@reports_problems
def command(
    ids: tuple[str, ...],
    all_claims: bool,
    changed_since: str | None,
    force: bool,
    jobs: int,
    device: str,
    cluster: str | None,
    smoke: bool,
    summary: Path | None,
    root: Path | None,
) -> None:
    """Run the reproductions of the chosen claims, once per seed, and judge them.

    A seed whose result is recorded for the claim's current content hash is not run again
    (unless --force). Exit status: 0 when every chosen claim that could run reproduced,
    1 when one failed or broke, 2 for a usage error or when another run holds the hub,
    130 when interrupted (finished records are kept).
    """
    # A smoke run takes seconds a claim, so with nothing chosen it checks them all.
    every = all_claims or (smoke and not ids and changed_since is None)
    options = RunOptions(
        ids=ids,
        all_claims=every,
        changed_since=changed_since,
        force=force,
        jobs=jobs,
        device="cuda" if device == "cuda" else "cpu",
        cluster=cluster,
        smoke=smoke,
    )
    console = Console()
    display: Display = RichDisplay(console) if console.is_terminal else PlainDisplay()
    try:
        report = run_hub(resolve_root(root), options, display)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("interrupted; finished records are kept", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if console.is_terminal:
        render_rich(report, console)
    else:
        click.echo(render_plain(report), nl=False)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(render_markdown(report))
    sys.exit(report.exit_code)
