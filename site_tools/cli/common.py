"""What every command shares: ``--root``, and turning a HubError into exit code 1."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from site_tools.hub import find_root
from site_tools.problems import HubError

F = TypeVar("F", bound=Callable[..., Any])

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Hub checkout to work on (default: the one around the current folder).",
)


def resolve_root(root: Path | None) -> Path:
    return root.resolve() if root is not None else find_root()


def reports_problems(func: F) -> F:
    """Print a HubError's problems (text or GitHub annotations) and exit 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HubError as exc:
            fmt = kwargs.get("fmt", "text")
            for problem in exc.problems:
                line = problem.format_github() if fmt == "github" else problem.format()
                click.echo(line, err=fmt != "github")
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]
