"""``lmhub build`` and ``lmhub serve`` as library calls: validate, maybe run, then mkdocs.

Both drive mkdocs through its own API with the hub's ``mkdocs.yml``, whose ``lmhub`` plugin
generates the pages; a build is always strict, so a broken internal link, a missing page or
a formula that cannot be rendered fails it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_tools.catalog import Catalog, load_catalog
from site_tools.problems import HubError, Problem
from site_tools.site.generate import GenerateReport

CONFIG_FILE = "mkdocs.yml"
PLUGIN = "lmhub"


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_site` did."""

    site_dir: Path
    generation: GenerateReport
    seconds: float
    """Wall time of the whole build, in seconds."""

    def stages(self) -> dict[str, float]:
        """Where the build's time went, in seconds: ``generation`` (pages, plots and exports
        from the catalog and the records), ``site`` (the engine converting and laying out
        the pages, and copying the files) and ``search`` (the Pagefind index)."""
        spent = self.generation.seconds
        generation = sum(v for k, v in spent.items() if k != "search")
        search = spent.get("search", 0.0)
        return {
            "generation": generation,
            "site": max(0.0, self.seconds - generation - search),
            "search": search,
        }


MISSING_CONFIG = f"missing: the site needs {CONFIG_FILE} at the hub root"


def site_problem(message: str) -> HubError:
    """A problem of the site's build, reported against ``mkdocs.yml``."""
    return HubError([Problem(CONFIG_FILE, 0, 0, "", message)])


def _load_config(root: Path, **overrides: Any) -> Any:
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        raise site_problem(MISSING_CONFIG)
    try:
        config = load_config(config_file=str(config_file), **overrides)
    except ConfigurationError as exc:
        raise site_problem(f"invalid site configuration: {exc}") from None
    if PLUGIN not in config.plugins:
        raise site_problem(f"the '{PLUGIN}' plugin is not enabled; add it under plugins:")
    return config


def run_stale(root: Path, jobs: int, echo: Callable[[str], None]) -> None:
    """Run every claim seed with no record at its current content hash (``lmhub run --all``).

    A claim that fails or breaks does not stop the build: its page shows the outcome.
    """
    from site_tools.runner.api import RunOptions, run_hub
    from site_tools.runner.progress import PlainDisplay
    from site_tools.runner.report import render_plain
    from site_tools.runner.select import UsageError

    try:
        report = run_hub(root, RunOptions(all_claims=True, jobs=jobs), PlainDisplay())
    except UsageError as exc:
        raise site_problem(f"cannot run the reproductions: {exc}") from None
    echo(render_plain(report).rstrip("\n"))


ENGINES = ("mkdocs", "zensical")
"""Site engines: mkdocs with mkdocs-material (the default), or Zensical."""


def build_site(
    root: Path,
    *,
    catalog: Catalog | None = None,
    site_dir: Path | None = None,
    strict: bool = True,
    use_cache: bool = True,
    engine: str = "mkdocs",
) -> BuildResult:
    """Generate the pages and build the site with mkdocs into ``site_dir``.

    Parameters
    ----------
    root
        The hub root, holding ``mkdocs.yml``.
    catalog
        The hub, already loaded and validated; loaded here when None.
    site_dir
        Output folder (default: mkdocs.yml's ``site_dir``, ``site/``); emptied first.
    strict
        Fail on any mkdocs warning (a broken link, a missing page, bad math).
    use_cache
        Read and keep the memo of results, plots, exports and built pages (``False``: build
        everything from the records and keep nothing).
    engine
        ``mkdocs`` (mkdocs-material) or ``zensical`` (:mod:`site_tools.site.zensical`).

    Raises
    ------
    HubError
        When the hub does not validate, or mkdocs reports a problem.
    """
    from site_tools.site.plugin import build_lock, symlinks

    start = time.perf_counter()
    catalog = catalog or load_catalog(root)
    links = symlinks(catalog.paths.docs)
    if links:
        raise HubError(
            [
                Problem(
                    f"docs/{link}",
                    0,
                    0,
                    "",
                    "symlinks are not allowed under docs/ (a link publishes the file it "
                    "points to); replace it with a copy of the file",
                )
                for link in links
            ]
        )
    with build_lock(root):
        if engine == "zensical":
            from site_tools.site.zensical import build_with_zensical

            target, report = build_with_zensical(root, catalog, site_dir, strict)
            return BuildResult(target, report, time.perf_counter() - start)
        if engine != "mkdocs":
            raise site_problem(f"unknown site engine {engine!r}; use one of {', '.join(ENGINES)}")
        return _build(root, catalog, site_dir, strict, start, use_cache)


def _build(
    root: Path,
    catalog: Catalog,
    site_dir: Path | None,
    strict: bool,
    start: float,
    use_cache: bool = True,
) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, BuildError, ConfigurationError

    overrides: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    config = _load_config(root, **overrides)
    plugin = config.plugins[PLUGIN]
    plugin.catalog = catalog
    plugin.use_cache = use_cache
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    except (Abort, BuildError, ConfigurationError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise site_problem(f"the site build failed: {message}") from None
    finally:
        config.plugins.on_shutdown()
    assert plugin.report is not None
    return BuildResult(Path(config.site_dir), plugin.report, time.perf_counter() - start)


def serve_site(root: Path, dev_addr: str | None = None, open_browser: bool = False) -> None:
    """Serve the site with live reload until interrupted (Ctrl-C).

    Entries, ``references.bib``, scripts, run records, ``docs/`` and ``mkdocs.yml`` are
    watched; any change regenerates the affected pages and reloads the browser.
    """
    from mkdocs.commands.serve import serve

    _load_config(root)  # report a missing or broken mkdocs.yml as a hub problem
    kwargs: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    serve(
        config_file=str(root / CONFIG_FILE), livereload=True, open_in_browser=open_browser, **kwargs
    )


class EchoHandler(logging.Handler):
    """Send mkdocs' log records to a callable (the CLI's echo), as ``LEVEL: message``."""

    def __init__(self, echo: Callable[[str], None], level: int = logging.WARNING):
        super().__init__(level)
        self.echo = echo

    def emit(self, record: logging.LogRecord) -> None:
        self.echo(f"{record.levelname}: {record.getMessage()}")
