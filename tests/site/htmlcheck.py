"""Find live markup in HTML: elements and attributes a browser would act on."""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser
from pathlib import Path

from site_tools.site.safety import LINK_SCHEMES

_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(markup)
    return parser.elements


def live_problems(markup: str, marker: str = "alert(") -> list[str]:
    """What in ``markup`` could run script or load from elsewhere because of ``marker`` text.

    Theme scripts are allowed; a script element whose source or text holds ``marker``, any
    event-handler attribute, any link or source with a scheme other than http(s)/mailto,
    and any iframe, object or embed element are reported.
    """
    parser = _Elements()
    parser.feed(markup)
    problems = [f"script text {s[:60]!r}" for s in parser.scripts if marker in s]
    for tag, attrs in parser.elements:
        if tag in ("iframe", "object", "embed", "frame", "base"):
            problems.append(f"<{tag}> element")
        if tag == "script" and marker in attrs.get("src", ""):
            problems.append(f"script src {attrs['src']!r}")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRS:
                normal = _INVISIBLE.sub("", _html.unescape(value)).lower()
                scheme = (
                    normal.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", normal) else None
                )
                if scheme is not None and scheme not in LINK_SCHEMES:
                    problems.append(f"<{tag} {name}={value!r}>")
    return problems


def broken_anchor_links(site: Path, prefix: str = "ref-") -> tuple[int, list[str]]:
    """Links between the built pages of ``site`` to an anchor starting with ``prefix`` whose
    page or anchor is missing.

    Returns how many such links there are and, for each broken one, ``page: href``.
    """
    ids: dict[Path, set[str]] = {}

    def anchors(page: Path) -> set[str]:
        if page not in ids:
            found = elements(page.read_text(encoding="utf-8")) if page.is_file() else []
            ids[page] = {attrs["id"] for _, attrs in found if "id" in attrs}
        return ids[page]

    count, broken = 0, []
    for page in sorted(site.rglob("*.html")):
        for tag, attrs in elements(page.read_text(encoding="utf-8")):
            href = attrs.get("href", "")
            if tag != "a" or f"#{prefix}" not in href or re.match(r"^[a-z]+:", href):
                continue
            count += 1
            path, fragment = href.split("#", 1)
            target = (page.parent / path).resolve() if path else page
            if target.is_dir() or path.endswith("/"):
                target = target / "index.html"
            if fragment not in anchors(target):
                broken.append(f"{page.relative_to(site).as_posix()}: {href}")
    return count, broken


def broken_links(site: Path, pages: list[Path]) -> tuple[int, list[str]]:
    """Links from ``pages`` (built pages of ``site``) to a file of the site that is missing.

    Links to another site, or to an anchor of the same page, are not counted. Returns how
    many links were followed and, for each broken one, ``page: href``.
    """
    count, broken = 0, []
    for page in pages:
        for tag, attrs in elements(page.read_text(encoding="utf-8")):
            path = attrs.get("href", "").split("#", 1)[0].split("?", 1)[0]
            if tag != "a" or not path or re.match(r"^[a-z][a-z0-9+.-]*:", path):
                continue
            count += 1
            target = (page.parent / path).resolve()
            if target.is_dir() or path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site).as_posix()}: {attrs['href']}")
    return count, broken
