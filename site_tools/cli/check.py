"""``lmhub check``: the quick checks to pass before opening a pull request."""

from __future__ import annotations

from pathlib import Path

import click

from site_tools.cli.common import reports_problems, root_option
from site_tools.cli.validate import validated
from site_tools.content import content_problems
from site_tools.problems import HubError
from site_tools.reference_docs import reference_is_stale, reference_path
from site_tools.schema import stale_schemas


@click.command("check")
@root_option
@reports_problems
def command(root: Path | None) -> None:
    """Validate strictly, then run the content checks; a few seconds, no reproduction runs.

    Fails on any validation problem or warning (template leftovers included), on a claim that
    is not ready for review (no plot, no stated cost, no alternative, no linked open
    question), and on committed JSON Schemas that no longer match the models.
    """
    catalog = validated(root, "text", strict=True)
    problems = content_problems(catalog)
    schemas = catalog.paths.schemas
    if schemas.is_dir():
        stale = [f"schemas/{name}.schema.json" for name in stale_schemas(schemas)]
        if reference_path(catalog.root).is_file() and reference_is_stale(catalog.root):
            stale.append("docs/reference/fields.md")
        if stale:
            raise click.ClickException(f"out of date: {', '.join(stale)}; run `lmhub schema`")
    if problems:
        raise HubError(problems)
    claims, questions = len(catalog.claims), len(catalog.questions)
    click.echo(
        f"ok: {claims} claim{'s' if claims != 1 else ''} and {questions} open "
        f"question{'s' if questions != 1 else ''} pass validation and the content checks"
    )
