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
    fits_rich_table,
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
    "--medium",
    is_flag=True,
    help="Run each chosen claim's medium CPU configuration (GPU claims that declare one).",
)
@click.option(
    "--mutants",
    is_flag=True,
    help="Run the chosen claims' mutants and check that each makes its named predictions "
    "fail; a mutant that still passes marks the claim insensitive (exit 1).",
)
@click.option(
    "--mutant",
    "mutant_ids",
    multiple=True,
    metavar="MUTANT",
    help="With --mutants: run only this mutant (repeatable).",
)
@click.option(
    "--evidence",
    is_flag=True,
    help="Run as the hub's own workflow: use and extend the evidence store (.evidence/), "
    "recording the workflow run as each record's origin.",
)
@click.option(
    "--results",
    "results_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Keep records in DIR instead of results/; an empty DIR reruns everything chosen "
    "(what a pull-request check does, so committed records cannot stand for runs).",
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
    medium: bool,
    mutants: bool,
    mutant_ids: tuple[str, ...],
    evidence: bool,
    results_dir: Path | None,
    summary: Path | None,
    root: Path | None,
) -> None:
    """Run the reproductions of the chosen claims, once per seed, and judge them.

    A seed measured at the claim's current identity is not run again (unless --force); its
    metrics are judged again against the current predictions. Exit status: 0 when every
    chosen claim that could run reproduced (and every mutant run was caught), 1 when one
    failed, broke, was inconclusive or insensitive, 2 for a usage error or when another run
    holds the hub, 130 when interrupted (finished records are kept).
    """
    if mutant_ids and not mutants:
        raise click.UsageError("--mutant needs --mutants")
    if sum([smoke, medium, mutants]) > 1:
        raise click.UsageError("choose one of --smoke, --medium and --mutants")
    options = RunOptions(
        ids=ids,
        # A smoke or medium run takes little time a claim: with nothing chosen, check them all.
        all_claims=all_claims or ((smoke or medium) and not ids and changed_since is None),
        changed_since=changed_since,
        force=force,
        jobs=jobs,
        device="cuda" if device == "cuda" else "cpu",
        cluster=cluster,
        smoke=smoke,
        medium=medium,
        mutants=mutant_ids if mutants else None,
        evidence=evidence,
        results=str(results_dir) if results_dir else None,
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
    if console.is_terminal and fits_rich_table(report):
        render_rich(report, console)
    else:
        click.echo(render_plain(report), nl=False)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(render_markdown(report))
    sys.exit(report.exit_code)
