"""The mkdocs plugin: ``plugins: [lmhub]`` makes ``mkdocs build`` and ``mkdocs serve`` publish
the hub.

It is a thin adapter around :func:`~site_tools.site.generate.generate`:

* ``on_config``: load and validate the hub (or take the catalog ``lmhub build`` already
  loaded), generate the pages into ``generated_dir``, and set the site's name from
  ``hub.yaml``, the navigation, the Markdown extensions the pages need (including
  server-side math and the safety pass) and the hub's stylesheet and script;
* ``on_files``: add the generated files to the hand-written ones from ``docs_dir``;
* ``on_page_markdown``: fill the catalog-generated parts of hand-written pages (the lists of
  each strand's entries in ``docs/guide/strands.md``);
* ``on_serve``: also watch the entries, ``references.bib``, the scripts and the run records,
  so that ``mkdocs serve`` regenerates when any of them changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from site_tools.catalog import Catalog, load_catalog
from site_tools.problems import HubError
from site_tools.site.generate import GenerateReport, generate
from site_tools.site.pages.strands import expand_strand_entries
from site_tools.site.text import html

REQUIRED_EXTENSIONS = (
    "tables",
    "attr_list",
    "md_in_html",
    "admonition",
    "site_tools.site.math",
    "site_tools.site.safety",
)
"""Markdown extensions the generated pages rely on; added when ``mkdocs.yml`` lacks them."""
STYLESHEET = "assets/lmhub.css"
SCRIPT = "assets/lmhub.js"
WATCHED = (
    "claims",
    "open_questions",
    "repro",
    "results",
    "references.bib",
    "taxonomy.yaml",
    "hub.yaml",
)
"""What ``mkdocs serve`` watches besides ``docs_dir`` and ``mkdocs.yml``, under the hub root."""


class HubPluginConfig(Config):  # type: ignore[no-untyped-call]
    """Options of the ``lmhub`` plugin in ``mkdocs.yml``."""

    root = opt.Optional(opt.Type(str))
    """Hub root (default: the folder of ``mkdocs.yml``)."""
    generated_dir = opt.Type(str, default="build/docs")
    """Where generated pages go, relative to the root; rewritten on every build."""
    cache_dir = opt.Type(str, default="build/cache")
    """Memo of results and drawn plots between builds, relative to the root."""
    nav = opt.Type(bool, default=True)
    """Generate the navigation (ignored when ``mkdocs.yml`` has its own ``nav``)."""


class HubPlugin(BasePlugin[HubPluginConfig]):  # type: ignore[no-untyped-call]
    """Generate the hub's pages and add them to the mkdocs build."""

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog | None = None
        """A catalog already loaded and validated by the caller (``lmhub build``); else the
        plugin loads it."""
        self.report: GenerateReport | None = None
        self.use_cache = True
        """Whether to use the memo in ``cache_dir`` (``lmhub build --no-cache`` turns it off)."""

    def root(self, config: Any) -> Path:
        """The hub root: the plugin's ``root`` option, else the folder of ``mkdocs.yml``."""
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / self.config.root).resolve() if self.config.root else base

    def on_config(self, config: Any) -> Any:
        """Generate the pages; set the site name, nav, extensions, stylesheet and script."""
        root = self.root(config)
        try:
            catalog = self.catalog or load_catalog(root)
            self.report = generate(
                catalog,
                root / self.config.generated_dir,
                root / self.config.cache_dir if self.use_cache else None,
                directory_urls=bool(config.use_directory_urls),
            )
        except HubError as exc:
            lines = "\n".join(p.format() for p in exc.problems)
            raise PluginError(f"the hub at {root} has problems:\n{lines}") from None
        # hub.yaml names the hub; the theme prints these unescaped, so they are stored escaped.
        config.site_name = html(catalog.settings.name)
        if catalog.settings.description:
            config.site_description = html(catalog.settings.description)
        if self.config.nav and not config.nav:
            config.nav = self.report.nav
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if all(str(script) != SCRIPT for script in config.extra_javascript):
            config.extra_javascript.append(opt.ExtraScriptValue(SCRIPT))
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Add the generated files to the hand-written ones."""
        assert self.report is not None
        generated = str(self.root(config) / self.config.generated_dir)
        for rel in self.report.files:
            files.append(File(rel, generated, config.site_dir, config.use_directory_urls))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        """Fill each ``<!-- lmhub:strand-entries ID -->`` line of a hand-written page."""
        assert self.report is not None and self.report.data is not None
        if "<!-- lmhub:" not in markdown:
            return markdown
        try:
            return expand_strand_entries(markdown, self.report.data, page.file.src_uri)
        except KeyError as exc:
            raise PluginError(str(exc.args[0])) from None

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Watch the hub's entries, bibliography, scripts and run records too."""
        root = self.root(config)
        for name in WATCHED:
            if (root / name).exists():
                server.watch(str(root / name))
        return server
