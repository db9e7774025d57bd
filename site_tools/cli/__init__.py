"""The ``lmhub`` command: a thin layer over the library, one module per command."""

from site_tools.cli.app import main

__all__ = ["main"]
