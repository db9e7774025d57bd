"""Entry pages converted from Markdown once and reused by later builds.

Markdown conversion is most of an mkdocs build of a large hub: about 8 ms a page, so more
than two minutes for the 20,000 entry pages of a hub of 10,000 claims and as many questions,
although a change to one claim changes a handful of them. The HTML of a page depends only on
its Markdown, its address, the addresses of the site's files (which links resolve to), the
Markdown configuration and the code of the extensions. :class:`RenderMemo` keeps, for each
entry page, the HTML and what mkdocs derives from the conversion (table of contents, title,
anchors, links to anchors in other pages) under a key of all of those, and hands them back
when the key matches. A page whose conversion logged a warning is not kept, so that a strict
build reports it every time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.structure.toc import AnchorLink, get_toc

from site_tools.fsio import atomic_write
from site_tools.site.dependencies import code_digest

VERSION = "1"
PACKAGES = ("mkdocs", "markdown", "pymdown-extensions", "pygments")
"""Packages whose version changes what a page converts to."""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def context_digest(config: Any, files: Any) -> str:
    """Hash of what every page's conversion depends on besides its own Markdown and address:
    the site's files and their addresses, the Markdown configuration, the hub's code and the
    versions of the converting packages."""
    digest = hashlib.sha256(VERSION.encode())
    for name in PACKAGES:
        digest.update(f"{name}={_version(name)}\n".encode())
    digest.update(code_digest().encode())
    settings = [
        config.markdown_extensions,
        config.mdx_configs,
        config.use_directory_urls,
        config.site_url,
    ]
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    for file in sorted(files, key=lambda f: f.src_uri):
        digest.update(f"{file.src_uri}\0{file.url}\n".encode())
    return digest.hexdigest()


def _toc(items: Any) -> list[dict[str, Any]]:
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _toc(a.children)}
        for a in items
        if isinstance(a, AnchorLink)
    ]


class RenderMemo:
    """Converted entry pages under ``folder``, for one build whose context hashes to
    ``context`` (see :func:`context_digest`)."""

    def __init__(self, folder: Path, context: str):
        self.folder = folder
        self.context = context
        self.used: set[str] = set()
        self.reused = 0
        self._hits: dict[str, dict[str, Any]] = {}
        self._keys: dict[str, str] = {}
        self._warned = False
        self._handler = _WarningFlag(self)

    def key(self, page: Any, markdown: str) -> str:
        """Key of ``page``'s conversion of ``markdown`` in this build."""
        digest = hashlib.sha256(self.context.encode())
        for part in (page.file.src_uri, page.url, markdown):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little") + data)
        return digest.hexdigest()

    def lookup(self, page: Any, markdown: str) -> bool:
        """Whether ``page`` has a kept conversion of ``markdown``; if so it is applied by
        :meth:`restore`. Otherwise the conversion that follows is watched for warnings and
        kept by :meth:`keep`."""
        key = self.key(page, markdown)
        self.used.add(key)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_bytes())
            if not isinstance(entry, dict) or not isinstance(entry.get("html"), str):
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

    def watch(self) -> None:
        """Start noting warnings that mkdocs logs (call before the pages are converted)."""
        logging.getLogger("mkdocs").addHandler(self._handler)

    def close(self, prune: bool) -> None:
        """Stop watching; with ``prune``, delete the kept pages this build did not use."""
        logging.getLogger("mkdocs").removeHandler(self._handler)
        if not prune or not self.folder.is_dir():
            return
        for name in os.listdir(self.folder):
            if name.endswith(".json") and name[:-5] not in self.used:
                (self.folder / name).unlink(missing_ok=True)


class _WarningFlag(logging.Handler):
    def __init__(self, memo: RenderMemo):
        super().__init__(logging.WARNING)
        self.memo = memo

    def emit(self, record: logging.LogRecord) -> None:
        self.memo._warned = True
