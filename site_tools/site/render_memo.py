"""Generated pages converted and laid out once, and reused by later builds.

Markdown conversion and the theme's layout are most of an mkdocs build of a large hub: about
8 ms and 4 ms a page, so four minutes for the 20,000 entry pages of a hub of 10,000 claims
and as many questions, although a change to one claim changes a handful of pages.
:class:`RenderMemo` keeps both steps' results for each generated page (the plugin leaves out
the tags page, which the theme's tags plugin fills in after the conversion):

* the conversion: the HTML and what mkdocs derives from it (table of contents, title,
  anchors, links to anchors in other pages), under a key of what it depends on: the page's
  Markdown and address, the addresses of the site's files (which links resolve to), the
  Markdown configuration, the hub's code and the converting packages' versions
  (:func:`context_digest`). A conversion that logged a warning is not kept, so that a strict
  build reports it every time.
* the laid-out page, as written to the site, under a key of the page's HTML, title, table
  of contents, front matter and neighbours, and of the theme, its settings and templates
  and the navigation (:func:`theme_digest`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sysconfig
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.structure.toc import AnchorLink, get_toc

from site_tools.fsio import atomic_write
from site_tools.site.dependencies import code_digest, parts_digest

VERSION = "1"
PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "pygments", "mkdocs-material")
"""Packages whose version changes what a page converts to or how it is laid out."""
OVERRIDES = Path(__file__).parent / "overrides"
INSTALLED = tuple(Path(sysconfig.get_paths()[name]).resolve() for name in ("purelib", "platlib"))
"""Where installed packages live: their templates change only with their version."""
SITE_SETTINGS = (
    "site_name",
    "site_description",
    "site_author",
    "site_url",
    "repo_url",
    "repo_name",
    "edit_uri",
    "copyright",
    "extra",
    "extra_css",
    "extra_javascript",
    "use_directory_urls",
)
"""Settings of ``mkdocs.yml`` that the theme's templates may print on any page."""


class UnstableSettings(ValueError):
    """A setting holds an object that has no description that stays the same from one
    process to the next (its ``repr`` shows a memory address): no key can be made."""


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _described(value: Any) -> Any:
    """A JSON-able description of a setting that JSON cannot hold: a function by its import
    path, a partial function by its parts, a set sorted, anything else by its ``repr``."""
    if isinstance(value, functools.partial):
        return {"partial": value.func, "args": value.args, "keywords": value.keywords}
    name = getattr(value, "__qualname__", None)
    if callable(value) and isinstance(name, str) and "<" not in name:
        return f"{value.__module__}.{name}"
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(v, sort_keys=True, default=_described) for v in value)
    text = repr(value)
    if _ADDRESS.search(text):
        raise UnstableSettings(text)
    return text


def _settings(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, default=_described).encode()


def _plugins(config: Any) -> dict[str, Any]:
    """Each plugin of the build as it can change pages: its class, the version of the package
    that holds it, and its settings; a hook module (``hooks:`` in ``mkdocs.yml``) by the hash
    of its source."""
    described: dict[str, Any] = {}
    for name, plugin in config.plugins.items():
        source = getattr(plugin, "__file__", None)
        if isinstance(source, str) and not hasattr(plugin, "config"):
            try:
                described[name] = hashlib.sha256(Path(source).read_bytes()).hexdigest()
            except OSError:
                described[name] = source
            continue
        kind = type(plugin)
        package = kind.__module__.split(".")[0]
        # The hub's own code is in the key by its digest. Its version would be read from
        # whichever of its metadata comes first on the path: from the repository's folder,
        # `python -m site_tools` finds an `lmhub.egg-info` there besides the installed one,
        # and every page would then miss the memo of a build run as `lmhub`.
        names = [] if package == __name__.split(".")[0] else _distributions_of(kind, package)
        versions = sorted({f"{d}={_version(d)}" for d in names})
        settings = dict(getattr(plugin, "config", {}) or {})
        described[name] = [f"{kind.__module__}.{kind.__qualname__}", versions, settings]
    return described


def _distributions_of(kind: type, package: str) -> list[str]:
    """The distributions that hold the plugin class ``kind`` of the top-level ``package``:
    the one that registers it as an mkdocs plugin (its entry point names the class's
    module), else every one that installs ``package``."""
    registered = _registered_plugins().get(kind.__module__)
    return registered if registered else list(_distributions().get(package, []))


@functools.cache
def _registered_plugins() -> Mapping[str, list[str]]:
    """Module of each installed mkdocs plugin to the distributions that register it: read
    from the entry points, which takes a tenth of the time of mapping every installed
    package to its distribution (:func:`_distributions`, which reads each one's list of
    files)."""
    found: dict[str, list[str]] = {}
    for entry in metadata.entry_points(group="mkdocs.plugins"):
        dist = getattr(entry, "dist", None)
        if dist is not None:
            found.setdefault(entry.module, []).append(dist.name)
    return found


@functools.cache
def _distributions() -> Mapping[str, list[str]]:
    # Read once per process (both keys of a build need it): the installed packages of a
    # running process do not change under the code it has loaded.
    return metadata.packages_distributions()


@functools.cache
def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def context_digest(config: Any, files: Any) -> str:
    """Hash of what every page's conversion depends on besides its own Markdown and address:
    the site's files and their addresses, the Markdown configuration, the plugins (theirs
    run on the Markdown after the hub's), the hub's code and the versions of the converting
    packages.

    Raises
    ------
    UnstableSettings
        When a setting holds an object that cannot be described stably.
    """
    digest = hashlib.sha256(VERSION.encode())
    for name in PACKAGES:
        digest.update(f"{name}={_version(name)}\n".encode())
    digest.update(code_digest().encode())
    settings = [
        config.markdown_extensions,
        config.mdx_configs,
        config.use_directory_urls,
        config.site_url,
        _plugins(config),  # a plugin after the hub's may change the Markdown it converts
    ]
    digest.update(_settings(settings))
    for file in sorted(files, key=lambda f: f.src_uri):
        digest.update(f"{file.src_uri}\0{file.url}\n".encode())
    return digest.hexdigest()


def _nav(items: Any) -> list[Any]:
    return [
        [type(item).__name__, item.title, getattr(item, "url", None), _nav(item.children or [])]
        for item in items
    ]


def _template_folders(config: Any) -> list[Path]:
    """The hub's templates and any ``custom_dir`` of ``mkdocs.yml``: every theme folder
    outside the installed packages, whose versions are in :data:`PACKAGES`."""
    folders = [OVERRIDES]
    for name in getattr(config.theme, "dirs", []):
        folder = Path(name).resolve()
        if folder not in folders and not any(folder.is_relative_to(p) for p in INSTALLED):
            folders.append(folder)
    return folders


def theme_digest(config: Any, nav: Any) -> str:
    """Hash of what the layout of every page depends on besides the page itself: the theme
    and its settings, the hub's templates and those of ``custom_dir``, the site's settings,
    the plugins and theirs, and the navigation.

    Raises
    ------
    UnstableSettings
        When a setting holds an object that cannot be described stably.
    """
    digest = hashlib.sha256(VERSION.encode())
    for folder in _template_folders(config):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    theme = {key: config.theme[key] for key in config.theme if key != "dirs"}
    settings = [theme, [config[key] for key in SITE_SETTINGS], _plugins(config)]
    digest.update(_settings(settings))
    digest.update(_settings(_nav(nav.items)))
    return digest.hexdigest()


def _toc(items: Any) -> list[dict[str, Any]]:
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _toc(a.children)}
        for a in items
        if isinstance(a, AnchorLink)
    ]


def _toc_usable(tokens: Any) -> bool:
    return isinstance(tokens, list) and all(
        isinstance(t, dict)
        and isinstance(t.get("level"), int)
        and isinstance(t.get("id"), str)
        and isinstance(t.get("name"), str)
        and _toc_usable(t.get("children"))
        for t in tokens
    )


def _usable(entry: Any) -> bool:
    """Whether a stored conversion has every part :meth:`RenderMemo.restore` sets."""
    links = entry.get("links") if isinstance(entry, dict) else None
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("html"), str)
        and _toc_usable(entry.get("toc"))
        and isinstance(entry.get("title"), (str, type(None)))
        and isinstance(entry.get("anchors"), list)
        and all(isinstance(a, str) for a in entry["anchors"])
        and (links is None or isinstance(links, dict))
        and all(isinstance(v, dict) for v in (links or {}).values())
    )


class RenderMemo:
    """Converted and laid-out pages under ``folder``, for one build whose context hashes to
    ``context`` (see :func:`context_digest`)."""

    def __init__(self, folder: Path, context: str):
        self.folder = folder
        self.context = context
        self.theme: str | None = None
        """:func:`theme_digest` of this build, once the navigation is known; ``None``: no
        layout is reused or kept."""
        self.used: set[str] = set()
        self.reused = 0
        self.laid_out = 0
        self.kept = 0
        """Conversions this object kept (:meth:`keep`)."""
        self.kept_pages = 0
        """Laid-out pages this object kept (:meth:`keep_page`)."""
        self._hits: dict[str, dict[str, Any]] = {}
        self._keys: dict[str, str] = {}
        self._warned = False
        self._handler = _WarningFlag(self)

    def key(self, page: Any, markdown: str) -> str:
        """Key of ``page``'s conversion of ``markdown`` in this build."""
        return parts_digest([self.context, page.file.src_uri, page.url, markdown])

    def lookup(self, page: Any, markdown: str) -> bool:
        """Whether ``page`` has a kept conversion of ``markdown``; if so it is applied by
        :meth:`restore`. Otherwise the conversion that follows is watched for warnings and
        kept by :meth:`keep`."""
        key = self.key(page, markdown)
        self.used.add(key)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_bytes())
            if not _usable(entry):
                raise ValueError
        except (OSError, ValueError):
            self._keys[page.file.src_uri] = key
            self._warned = False
            return False
        self._hits[page.file.src_uri] = entry
        return True

    def restore(self, page: Any, files: Any) -> str | None:
        """The kept HTML of ``page`` (after :meth:`lookup` found it), with its table of
        contents, title and anchors set on ``page``; ``None`` when there is none."""
        entry = self._hits.pop(page.file.src_uri, None)
        if entry is None:
            return None
        page.toc = get_toc(entry["toc"])
        page._title_from_render = entry["title"]
        page.present_anchor_ids = set(entry["anchors"])
        if entry["links"] is not None:
            linked = {uri: files.get_file_from_path(uri) for uri in entry["links"]}
            page.links_to_anchors = {
                linked[uri]: links for uri, links in entry["links"].items() if linked[uri]
            }
        self.reused += 1
        return str(entry["html"])

    def keep(self, page: Any, html: str) -> None:
        """Keep the conversion of ``page`` that just ended, unless it logged a warning."""
        key = self._keys.pop(page.file.src_uri, None)
        if key is None or self._warned:
            return
        links = page.links_to_anchors
        entry = {
            "html": html,
            "toc": _toc(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None
            if links is None
            else {target.src_uri: dict(anchors) for target, anchors in links.items()},
        }
        atomic_write(self.folder / f"{key}.json", json.dumps(entry), durable=False)
        self.kept += 1

    def has_conversion(self, page: Any, markdown: str) -> bool:
        """Whether a conversion of ``markdown`` for ``page`` is kept (without using it)."""
        return (self.folder / f"{self.key(page, markdown)}.json").is_file()

    def has_layout(self, key: str) -> bool:
        """Whether a laid-out page is kept under ``key`` (without using it)."""
        return (self.folder / f"{key}.html").is_file()

    def page_key(self, page: Any) -> str:
        """Key of the layout of ``page``, whose HTML is set."""
        neighbours = [getattr(p, "url", None) for p in (page.previous_page, page.next_page)]
        parts = [
            self.context,
            self.theme,
            page.url,
            page.title,
            json.dumps(page.meta, sort_keys=True, default=str),
            page.content,
            json.dumps(_toc(page.toc)),
            json.dumps([page.canonical_url, page.edit_url, page.is_homepage, *neighbours]),
        ]
        return parts_digest(str(part) for part in parts)

    def laid_out_page(self, key: str) -> str | None:
        """The page kept under ``key`` by :meth:`keep_page`, or ``None``."""
        self.used.add(key)
        try:
            return (self.folder / f"{key}.html").read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None

    def keep_page(self, key: str, output: str) -> None:
        """Keep a laid-out page under ``key``."""
        atomic_write(self.folder / f"{key}.html", output, durable=False)
        self.kept_pages += 1

    def watch(self) -> None:
        """Start noting warnings that mkdocs logs (call before the pages are converted)."""
        logging.getLogger("mkdocs").addHandler(self._handler)

    def close(self, prune: bool) -> None:
        """Stop watching; with ``prune``, delete the kept pages this build did not use."""
        logging.getLogger("mkdocs").removeHandler(self._handler)
        if not prune or not self.folder.is_dir():
            return
        for name in os.listdir(self.folder):
            if name.rpartition(".")[0] not in self.used:
                (self.folder / name).unlink(missing_ok=True)


class _WarningFlag(logging.Handler):
    def __init__(self, memo: RenderMemo):
        super().__init__(logging.WARNING)
        self.memo = memo

    def emit(self, record: logging.LogRecord) -> None:
        self.memo._warned = True
