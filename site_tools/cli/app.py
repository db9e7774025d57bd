"""The command group; each command is the ``command`` of its module ``site_tools.cli.<name>``."""

from __future__ import annotations

import importlib

import click

from site_tools import __version__

COMMAND_MODULES = [
    "validate",
    "check",
    "schema",
    "new",
    "doctor",
    "run",
    "evidence",
    "build",
    "serve",
    "clean",
]


class _LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or help lists it): the site
    commands pull in matplotlib and mkdocs, which ``lmhub run`` has no use for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMAND_MODULES:
            return None
        command: click.Command = importlib.import_module(f"site_tools.cli.{cmd_name}").command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lmhub")
def cli() -> None:
    """Validate, reproduce and publish the claims of a learning-mechanics hub."""


def main() -> None:
    cli(prog_name="lmhub")
