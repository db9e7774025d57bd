"""The mkdocs plugin: ``plugins: [lmhub]`` makes ``mkdocs build`` and ``mkdocs serve`` publish
the hub.

It is a thin adapter around :func:`~site_tools.site.generate.generate`:

* ``on_config``: load and validate the hub (or take the catalog ``lmhub build`` already
  loaded), generate the pages into ``generated_dir``, and set the site's name from
  ``hub.yaml``, the navigation, the Markdown extensions the pages need (including
  server-side math and the safety pass) and the hub's stylesheet and script;
* ``on_files``: add the generated files to the hand-written ones from ``docs_dir``, refusing
  a symlink among those (it would publish whatever file it points to);
* ``on_page_markdown``: fill the catalog-generated parts of hand-written pages (the lists of
  each strand's entries in ``docs/guide/strands.md``) and point their links to works at the
  papers page that shows each (:mod:`site_tools.site.handwritten`);
* ``on_nav``, ``on_env``, and ``on_page_markdown``, ``on_page_content``, ``on_page_context``
  and ``on_post_page`` of a generated page: reuse its HTML and its laid-out page from an
  earlier build when what they depend on is unchanged (:mod:`site_tools.site.render_memo`);
* ``on_page_markdown`` and ``on_page_context`` of the first generated page the memo lacks:
  when most pages after it are missing too (a build from nothing), have forked workers
  convert and lay them out into the memo first (:mod:`site_tools.site.workers`);
* ``on_page_content``: sanitise the HTML of hand-written pages (:mod:`site_tools.site.sanitize`),
  which may carry raw HTML that generated pages never do;
* ``on_post_page``: drop the indentation of each built page (:mod:`site_tools.site.compact`)
  and draw the theme's icons and palette script from shared files
  (:mod:`site_tools.site.chrome`);
* ``on_post_build``: write those files, and index the built site for search with Pagefind
  (:mod:`site_tools.site.search`);
* ``on_serve``: also watch the entries, ``references.bib``, the scripts and the run records,
  so that ``mkdocs serve`` regenerates when any of them changes.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from site_tools.catalog import Catalog, load_catalog
from site_tools.problems import HubError
from site_tools.site.chrome import SharedChrome
from site_tools.site.compact import compact_page
from site_tools.site.generate import GenerateReport, generate
from site_tools.site.handwritten import hand_written_markdown
from site_tools.site.render_memo import (
    RenderMemo,
    UnstableSettings,
    context_digest,
    theme_digest,
)
from site_tools.site.sanitize import sanitise_html
from site_tools.site.search import SearchIndexError, build_search_index
from site_tools.site.text import html, safe_url
from site_tools.site.workers import can_fork, run_shares, shares, until_stopped, worker_count

# The steps mkdocs' build takes for each page, which workers take too; without them (another
# mkdocs), the build makes every page itself.
_populate_page: Any = getattr(mkdocs_build, "_populate_page", None)
_build_page: Any = getattr(mkdocs_build, "_build_page", None)

OVERRIDES = Path(__file__).parent / "overrides"
"""Theme templates the hub replaces: the header's repository link, without the theme's call to
the forge's API for star and fork counts (the site loads nothing from other hosts)."""
LOCK = "build/.lmhub-build.lock"
"""Held, relative to the root, while a build generates and writes the site."""

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
    ".evidence",
    "references.bib",
    "taxonomy.yaml",
    "hub.yaml",
)
"""What ``mkdocs serve`` watches besides ``docs_dir`` and ``mkdocs.yml``, under the hub root."""


log = logging.getLogger("mkdocs.plugins.lmhub")

TAG_LISTING = "<!-- material/tags"
"""Marker of a listing that the theme's tags plugin fills in after the conversion."""


def _skip_render(page: Any, config: Any, files: Any) -> None:
    page.content = ""  # the memo's HTML replaces it in on_page_content


_LOCKS: dict[str, FileLock] = {}


def build_lock(root: Path) -> FileLock:
    """The lock that keeps two builds of one hub from writing its pages at once.

    One object per hub and process, so that ``lmhub build`` (which holds it around the whole
    build) and the plugin inside that build take it reentrantly instead of waiting on each
    other."""
    path = (root / LOCK).resolve()
    if str(path) not in _LOCKS:
        path.parent.mkdir(parents=True, exist_ok=True)
        _LOCKS[str(path)] = FileLock(str(path))
    return _LOCKS[str(path)]


def symlinks(folder: Path) -> list[str]:
    """Paths under ``folder`` that are symbolic links (relative, sorted)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.is_symlink():
            found.append(path.relative_to(folder).as_posix())
    return sorted(found)


class GeneratedFile(File):
    """A generated file; one that is not a page is linked into the site rather than copied.

    At 10,000 claims the generator writes 70,000 plots, badges, BibTeX and JSON files, and
    copying them takes longer than the rest of a rebuild. A hard link costs one directory
    entry. The generator replaces its files (write and rename) rather than writing into them,
    so a linked copy in the site keeps the content it was built with.
    """

    def copy_file(self, dirty: bool = False) -> None:
        if (dirty and not self.is_modified()) or self._content is not None:
            super().copy_file(dirty)
            return
        assert self.abs_src_path is not None
        target = self.abs_dest_path
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.unlink(target)
            os.link(self.abs_src_path, target)
        except OSError:  # another file system, or links not allowed: copy
            super().copy_file(dirty)


_THEME_SEARCH = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")


def _unloaded_theme_file(file: File, config: Any, searching: bool) -> bool:
    """Whether ``file`` is one of the theme's that no page loads: its own search (lunr in
    every language and its worker, 1.2 MB) when that plugin is off, the hub searching with
    Pagefind, and source maps (1.3 MB), which only a browser's developer tools fetch."""
    if file.abs_src_path is None or Path(file.abs_src_path).is_relative_to(config.docs_dir):
        return False
    return file.src_uri.endswith(".map") or (
        not searching and file.src_uri.startswith(_THEME_SEARCH)
    )


class HubPluginConfig(Config):  # type: ignore[no-untyped-call]
    """Options of the ``lmhub`` plugin in ``mkdocs.yml``."""

    root = opt.Optional(opt.Type(str))
    """Hub root (default: the folder of ``mkdocs.yml``)."""
    generated_dir = opt.Type(str, default="build/docs")
    """Where generated pages go, relative to the root; rewritten on every build."""
    cache_dir = opt.Type(str, default="build/cache")
    """Memo of results and drawn plots between builds, relative to the root."""
    search = opt.Type(bool, default=True)
    """Build the Pagefind search index after the site (:mod:`site_tools.site.search`)."""
    nav = opt.Type(bool, default=True)
    """Generate the navigation (ignored when ``mkdocs.yml`` has its own ``nav``)."""
    compact = opt.Type(bool, default=True)
    """Drop the indentation of each built page (:mod:`site_tools.site.compact`)."""
    shared_chrome = opt.Type(bool, default=True)
    """Draw the theme's icons and palette script from shared files rather than inline them
    in each page (:mod:`site_tools.site.chrome`)."""
    workers = opt.Type(int, default=0)
    """Processes that convert and lay out the generated pages missing from the page memo
    (:mod:`site_tools.site.workers`): 0, one per CPU; 1, none besides the build's own."""


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
        self._lock: FileLock | None = None
        self._holding = False
        self.chrome = SharedChrome()
        self.render_memo: RenderMemo | None = None
        self._memo_pages: set[str] = set()
        """Generated pages whose conversion and layout go through the memo in this build."""
        self._generated_pages = 0
        self._pages_seen = 0
        self._page_keys: dict[str, str] = {}
        self._laid_out: set[str] = set()
        self._generated_dir = ""
        self._nav: Any = None
        self._files: Files | None = None
        self._env: Any = None
        self._ahead: set[str] = set()
        """The stages (``convert``, ``lay out``) whose missing pages workers were given."""
        self._in_worker = False

    def _release(self) -> None:
        if self._lock is not None and self._holding:
            self._holding = False
            self._lock.release()

    def on_post_build(self, *, config: Any) -> None:
        """Index the built site for search (Pagefind), then let another build go ahead."""
        try:
            self._close_render_memo(config)
            self.chrome.write(Path(config.site_dir))
            if self.config.search:
                start = time.perf_counter()
                build_search_index(Path(config.site_dir))
                if self.report is not None:
                    self.report.seconds["search"] = time.perf_counter() - start
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from None
        finally:
            self._release()

    def _chrome_state(self, config: Any) -> Path:
        return self.root(config) / self.config.cache_dir / "chrome.json"

    def _close_render_memo(self, config: Any) -> None:
        memo, self.render_memo = self.render_memo, None
        if memo is not None:
            self.chrome.save_state(self._chrome_state(config))
            # A partial build (mkdocs serve --dirty) looks up only some pages: prune nothing.
            memo.close(prune=self._pages_seen == self._generated_pages)
            if self.report is not None:
                # What workers made in this build was found in the memo too: not reused.
                self.report.pages_reused = max(0, memo.reused - self.report.pages_by_workers)
                self.report.layouts_reused = max(0, memo.laid_out - self.report.layouts_by_workers)

    def on_build_error(self, *, error: Exception) -> None:
        """Let another build go ahead after a failed one."""
        if self.render_memo is not None:
            self.render_memo.close(prune=False)
            self.render_memo = None
        self._release()

    def on_shutdown(self) -> None:
        """Never leave the plugin's hold on the lock when mkdocs stops."""
        self._release()

    def root(self, config: Any) -> Path:
        """The hub root: the plugin's ``root`` option, else the folder of ``mkdocs.yml``."""
        base = Path(config.config_file_path or ".").resolve().parent
        return (base / self.config.root).resolve() if self.config.root else base

    def on_config(self, config: Any) -> Any:
        """Generate the pages; set the site name, nav, extensions, stylesheet and script."""
        root = self.root(config)
        self._release()  # a rebuild (mkdocs serve) after one that did not finish
        self._lock = build_lock(root)
        self._lock.acquire()
        self._holding = True
        try:
            catalog = self.catalog or load_catalog(root)
            self.report = generate(
                catalog,
                root / self.config.generated_dir,
                root / self.config.cache_dir if self.use_cache else None,
                directory_urls=bool(config.use_directory_urls),
                workers=self.config.workers,
            )
        except HubError as exc:
            lines = "\n".join(p.format() for p in exc.problems)
            self._release()
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
        repo = safe_url(catalog.settings.repo_url) if catalog.settings.repo_url else None
        if repo and repo.startswith("https://") and not config.repo_url:
            config.repo_url = repo
            config.repo_name = html(repo.rstrip("/").split("://", 1)[-1])
        theme_dirs = getattr(config.theme, "dirs", None)
        if isinstance(theme_dirs, list) and str(OVERRIDES) not in theme_dirs:
            theme_dirs.insert(0, str(OVERRIDES))
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if all(str(script) != SCRIPT for script in config.extra_javascript):
            config.extra_javascript.append(opt.ExtraScriptValue(SCRIPT))
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Add the generated files to the hand-written ones; refuse symlinks among those."""
        assert self.report is not None
        links = symlinks(Path(config.docs_dir))
        if links:
            raise PluginError(
                "symlinks are not allowed under docs/ (a link publishes the file it points "
                "to); replace each with a copy of the file: " + ", ".join(links)
            )
        searching = "material/search" in config.plugins or "search" in config.plugins
        for unloaded in [f for f in files if _unloaded_theme_file(f, config, searching)]:
            files.remove(unloaded)
        generated = str(self.root(config) / self.config.generated_dir)
        self._generated_dir = generated
        for rel in self.report.files:
            files.append(GeneratedFile(rel, generated, config.site_dir, config.use_directory_urls))
        self._generated_pages = sum(rel.endswith(".md") for rel in self.report.files)
        self._pages_seen = 0
        self._memo_pages, self._page_keys, self._laid_out = set(), {}, set()
        self._files, self._ahead = files, set()
        return files

    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        """Open the page memo, keyed on the site's files as every plugin left them; keep the
        navigation for the key of each page's layout (see on_env)."""
        self._nav = nav
        if self.use_cache:
            folder = self.root(config) / self.config.cache_dir / "pages"
            try:
                self.render_memo = RenderMemo(folder, context_digest(config, files))
            except UnstableSettings as exc:
                log.info("every page is converted afresh: a Markdown setting is %s", exc)
                return nav
            self.render_memo.watch()
            self.chrome.load_state(self._chrome_state(config))
        return nav

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Key the layouts on the navigation as every page shows it: its titles are known
        only once every page is converted."""
        self._env = env
        if self.render_memo is not None and self._nav is not None:
            try:
                self.render_memo.theme = theme_digest(config, self._nav)
            except UnstableSettings as exc:
                log.info("every page is laid out afresh: a setting is %s", exc)
        return env

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        """Fill in a hand-written page (:func:`hand_written_markdown`)."""
        assert self.report is not None and self.report.data is not None
        if self._generated(page, config):
            self._pages_seen += 1
            memo = self.render_memo
            if memo is None or TAG_LISTING in markdown:  # the tags plugin fills that page
                return markdown
            self._memo_pages.add(page.file.src_uri)
            if memo.lookup(page, markdown):
                # Converted before: skip the conversion; on_page_content puts the HTML back.
                page.render = functools.partial(_skip_render, page)
                return ""
            self._convert_ahead(page, config, files)
            return markdown
        try:
            return hand_written_markdown(markdown, self.report.data, page.file.src_uri)
        except KeyError as exc:
            raise PluginError(str(exc.args[0])) from None

    def _generated(self, page: Any, config: Any) -> bool:
        """Whether ``page`` is one the plugin generated (not a hand-written one)."""
        return bool(self._generated_dir) and page.file.src_dir == self._generated_dir

    def on_page_content(self, html_text: str, *, page: Any, config: Any, files: Any) -> str:
        """Sanitise a hand-written page's HTML (generated pages are safe by construction);
        put back or keep the HTML of a generated page (:mod:`site_tools.site.render_memo`)."""
        if self._generated(page, config):
            memo = self.render_memo
            if memo is not None and page.file.src_uri in self._memo_pages:
                kept = memo.restore(page, files)
                if kept is not None:
                    return kept
                memo.keep(page, html_text)
            return html_text
        clean, removed = sanitise_html(html_text)
        for what in dict.fromkeys(removed):
            log.warning("docs/%s: removed %s (not allowed on the site)", page.file.src_uri, what)
        return clean

    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        """Lay out a generated page as an earlier build did, when nothing it depends on
        changed."""
        memo, uri = self.render_memo, page.file.src_uri
        if memo is None or memo.theme is None or uri not in self._memo_pages:
            return context
        key = memo.page_key(page)
        kept = memo.laid_out_page(key)
        if kept is not None and self.chrome.covers(kept):
            context["lmhub_page"] = kept  # the hub's main.html then prints it as it is
            self._laid_out.add(uri)
            memo.laid_out += 1
        else:
            self._page_keys[uri] = key
            self._lay_out_ahead(page, config, nav)
        return context

    def _pages_after(self, page: Any, config: Any) -> list[Any]:
        """The generated pages that mkdocs takes after ``page``."""
        assert self._files is not None
        pages = [
            f.page
            for f in self._files.documentation_pages()
            if f.page is not None and self._generated(f.page, config)
        ]
        return pages[pages.index(page) + 1 :] if page in pages else []

    def _share_out(
        self, stage: str, page: Any, config: Any, missing: Callable[[Any], bool]
    ) -> list[list[Any]]:
        """The generated pages after ``page``, in shares for workers, when ``stage`` has not
        been shared out yet and most of them are missing from the memo (a sample of 16 is
        checked: a rebuild after an edit misses a few pages, which the build makes faster
        than it forks)."""
        if (
            stage in self._ahead
            or self._in_worker
            or not (_build_page and _populate_page and can_fork())
        ):
            return []
        self._ahead.add(stage)
        workers = worker_count(self.config.workers)
        if workers < 2:
            return []
        pages = self._pages_after(page, config)
        sample = pages[:: max(1, len(pages) // 16)][:16]
        if sum(map(missing, sample)) * 2 <= len(sample):
            return []
        return shares(pages, workers)

    def _run_ahead(self, parts: list[list[Any]], work: Callable[[Sequence[Any]], None]) -> None:
        """Run ``work`` on each of ``parts`` in a worker; add the icons and scripts the workers
        shared (:class:`SharedChrome`) and count what they kept."""
        memo, report = self.render_memo, self.report
        assert memo is not None and report is not None

        def worker(part: Sequence[Any]) -> dict[str, Any]:
            self._in_worker = True
            memo.kept = memo.kept_pages = 0  # count this worker's own
            work(part)
            return {"chrome": self.chrome.state(), "pages": [memo.kept, memo.kept_pages]}

        for answer in run_shares(parts, worker):
            if isinstance(answer, dict):
                self.chrome.add_state(answer.get("chrome"))
                converted, laid_out = answer.get("pages", [0, 0])
                report.pages_by_workers += int(converted)
                report.layouts_by_workers += int(laid_out)
        report.workers = max(report.workers, len(parts))

    def _convert_ahead(self, page: Any, config: Any, files: Files) -> None:
        """Have workers convert the generated pages after ``page`` (whose conversion missed
        the memo) when most of them miss it too: a build from nothing."""
        memo = self.render_memo
        assert memo is not None

        def missing(other: Page) -> bool:
            markdown, _ = get_data(other.file.content_string)  # as Page.read_source reads it
            return not memo.has_conversion(other, markdown)

        parts = self._share_out("convert", page, config, missing)
        if not parts:
            return

        def convert(part: Sequence[Any]) -> None:
            for other in until_stopped(part):
                try:
                    _populate_page(other, config, files)
                except Exception:  # the build converts it again and reports it
                    continue

        self._run_ahead(parts, convert)

    def _lay_out_ahead(self, page: Any, config: Any, nav: Any) -> None:
        """Have workers lay out the generated pages after ``page`` (whose layout missed the
        memo) when most of them miss it too."""
        memo = self.render_memo
        assert memo is not None and self._files is not None
        if self._env is None:
            return
        candidates = self._memo_pages  # every page is converted by now

        def missing(other: Page) -> bool:
            uri = other.file.src_uri
            return uri in candidates and not memo.has_layout(memo.page_key(other))

        parts = self._share_out("lay out", page, config, missing)
        if not parts:
            return
        doc_files = self._files.documentation_pages()

        def lay_out(part: Sequence[Any]) -> None:
            page.active = False  # the page the build was laying out when it forked
            for other in until_stopped(part):
                if other.file.src_uri not in candidates:
                    continue
                try:
                    _build_page(other, config, doc_files, nav, self._env)
                except Exception:  # the build lays it out again and reports it
                    continue

        self._run_ahead(parts, lay_out)

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        """Draw the page's chrome from shared files; drop its indentation."""
        uri = page.file.src_uri
        if uri in self._laid_out:
            return output  # as an earlier build wrote it
        if self.config.shared_chrome:
            output = self.chrome.share(output, get_relative_url("x", page.url)[:-1])
        if self.config.compact:
            output = compact_page(output)
        key = self._page_keys.get(uri)
        if key is not None and self.render_memo is not None:
            self.render_memo.keep_page(key, output)
        return output

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Watch the hub's entries, bibliography, scripts and run records too."""
        root = self.root(config)
        for name in WATCHED:
            if (root / name).exists():
                server.watch(str(root / name))
        return server
