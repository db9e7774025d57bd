"""Sanitising the HTML of hand-written pages with the rules generated pages follow.

Files under ``docs/`` arrive by pull request like entries do, but they are Markdown written
by hand and may hold raw HTML (the status pills of the about page). Their rendered HTML is
rebuilt here: elements that can run script or pull in another document (``script``,
``iframe``, ``object``, ``embed``, ``style``, ``form``, ``base``, ``meta``, ``link``,
``frame``...) are dropped with their content, and every attribute goes through
:func:`site_tools.site.safety.clean_element`'s rules (no event handlers or inline styles,
links only http, https, mailto or relative, media only relative). Everything else is written
back as it was parsed.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from site_tools.site.safety import clean_element

DROPPED = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "style",
        "form",
        "base",
        "meta",
        "link",
        "template",
        "noscript",
    }
)
"""Elements removed with everything inside them."""
_VOID = frozenset(
    {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping: list[str] = []
        self.removed: list[str] = []

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        element = ET.Element(tag, {k: v or "" for k, v in attrs})
        clean_element(element)
        kept = [(k, v) for k, v in attrs if k in element.attrib]
        dropped = {k for k, _ in attrs} - {k for k, _ in kept}
        if dropped:
            self.removed.append(f"{', '.join(sorted(dropped))} on <{tag}>")
        return "".join(
            f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in kept
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in DROPPED:
            if tag not in _VOID:
                self.skipping.append(tag)
            if tag in DROPPED:
                self.removed.append(f"<{tag}>")
            return
        self.out.append(f"<{tag}{self._attrs(tag, attrs)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in DROPPED:
            if tag in DROPPED:
                self.removed.append(f"<{tag}>")
            return
        self.out.append(f"<{tag}{self._attrs(tag, attrs)} />")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag not in DROPPED:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data.replace("<", "&lt;"))

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        if not self.skipping and "<" not in data and ">" not in data:
            self.out.append(f"<!--{data}-->")

    def unknown_decl(self, data: str) -> None:
        if not self.skipping and data.startswith("CDATA["):
            self.out.append(html.escape(data[6:]))


def sanitise_html(markup: str) -> tuple[str, list[str]]:
    """``markup`` with script-capable elements and attributes removed, and what was removed."""
    parser = _Sanitiser()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out), parser.removed
