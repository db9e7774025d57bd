"""A Markdown extension that strips script-capable attributes from every rendered page.

The generator already escapes contributed text (:mod:`site_tools.site.text`); this is the
second wall, applied to the element tree after Markdown has parsed everything, so it also
catches what escaping might miss (a link syntax the rewriter did not recognise, an
attribute list). It removes

* event-handler attributes (``on...``) and ``style`` set through attribute lists;
* links whose scheme is not http, https or mailto (``javascript:``, ``data:``, ``vbscript:``,
  including entity- or whitespace-obfuscated forms): the ``href`` goes, the text stays;
* image and media sources that are not relative to the site: a page never loads anything
  from another host.

Raw HTML that trusted templates put in the page is not part of the tree and is not touched.
Use it in ``mkdocs.yml`` as ``site_tools.site.safety``; the hub's plugin adds it when absent.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_LINK_ATTRS = ("href", "action", "formaction", "xlink:href", "cite")
_SOURCE_ATTRS = ("src", "srcset", "poster", "data", "background")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in ``value`` (lowercase), or None for a relative URL."""
    normal = _INVISIBLE.sub("", html.unescape(value)).lower()
    if normal.startswith("//"):
        return "//"
    match = _SCHEME.match(normal)
    return match.group(1) if match else None


def clean_element(element: ET.Element) -> None:
    """Remove unsafe attributes from ``element`` in place."""
    for name in list(element.attrib):
        lowered = name.lower()
        value = element.attrib[name]
        if lowered.startswith("on") or lowered == "style":
            del element.attrib[name]
        elif lowered in _LINK_ATTRS:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in LINK_SCHEMES:
                del element.attrib[name]
        elif lowered in _SOURCE_ATTRS and url_scheme(value) is not None:
            del element.attrib[name]


class _Clean(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.attrib:
                clean_element(element)


class SafetyExtension(Extension):
    """Strip event handlers, inline styles and non-http(s) links from the rendered tree."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # Last of all: after inline patterns (20), attribute lists (8) and the unescaping of
        # backslash escapes (0), so that the values checked are the ones the browser gets.
        md.treeprocessors.register(_Clean(md), "lmhub-safety", -10)


def makeExtension(**kwargs: Any) -> SafetyExtension:
    """Entry point for ``markdown.Markdown(extensions=["site_tools.site.safety"])``."""
    return SafetyExtension(**kwargs)
