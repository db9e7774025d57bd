"""The command group; commands register themselves by being imported here."""

from __future__ import annotations

import importlib

import click

from site_tools import __version__

COMMAND_MODULES = ["validate", "schema", "new", "doctor", "run", "build", "serve"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lmhub")
def cli() -> None:
    """Validate, reproduce and publish the claims of a learning-mechanics hub."""


for _name in COMMAND_MODULES:
    _module = importlib.import_module(f"site_tools.cli.{_name}")
    cli.add_command(_module.command)


def main() -> None:
    cli(prog_name="lmhub")
