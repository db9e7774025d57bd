"""Find live markup in HTML: elements and attributes a browser would act on."""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

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
