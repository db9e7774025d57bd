"""The theme's repeated chrome, drawn from shared files instead of copied into every page.

Material writes the same markup around every page. Two parts of it are large and never vary
from page to page:

* its icons, as inline SVG: the logo and the repository icon twice each, the two palette
  toggles, the menu button and the back-to-top arrow, about 1.6 KB of each page;
* its inline scripts: the one that applies the reader's chosen colour palette (700 bytes),
  the one that opens a tab named by the address's fragment (150 bytes) and the helpers for
  the reader's stored settings (300 bytes).

On a hub of 10,000 claims and as many questions that is 50 MB of the published site (GitHub
Pages takes at most 1 GB). :class:`SharedChrome` replaces each icon outside the page's
``<article>`` with a ``<use>`` of a symbol in ``assets/icons.svg``, and each such script with
a ``<script src>`` of a file named by its content; a browser fetches both once for the whole
site. An icon keeps its ``<svg>`` element and ``viewBox``, so the theme's styles (size, colour
from ``currentColor``) apply as before; a script loaded by ``src`` without ``async`` or
``defer`` runs at the same point of the page as the inline one did. The article itself, and
any script that holds a relative address (it differs from page to page), are left alone,
except for the theme's first script: only its first statement, which sets the site's root
from the page's address, stays inline, and the helpers after it are shared.

Two parts of the chrome are dropped: the ``generator`` meta tag (the versions of mkdocs and
the theme, 65 bytes of every page), which no browser or reader uses, and the table of contents
of a page that hides it (``hide: [toc]`` in its front matter: the lists and the questions),
which the theme writes all the same, only marked ``hidden``.

A browser does not follow ``<use>`` into another file of a site opened from disk
(``file://``): served by any web server, including ``lmhub serve``, the icons show.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

SPRITE = "assets/icons.svg"
"""The shared icon file, relative to the site root."""
SCRIPTS = "assets/chrome"
"""The folder of the shared scripts, relative to the site root."""
SHARED_SCRIPT_MIN = 128
"""Shorter inline scripts stay inline: a request costs more than their bytes."""

# The form in which the theme inlines an icon: the icon file's markup, as it is.
_ICON = re.compile(
    r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="(?P<box>[-0-9. ]+)">'
    r"(?P<body>(?:(?!</?svg)[^>]*>)*?)</svg>"
)
_SCRIPT = re.compile(r"<script>(?P<code>(?:(?!</script)[^<]|<(?!/script))*)</script>")
# A quoted relative address: the script depends on where the page is.
_RELATIVE = re.compile(r"""["'](?:\.\.?)(?:/|["'])""")
# The theme's first script: the site's root, relative to the page, then helpers that use it.
_SCOPE = re.compile(
    r'<script>(__md_scope=new URL\("[./]*",location\)),(__md_\w+=(?:[^<]|<(?!/script))*)</script>'
)
_GENERATOR = re.compile(r'<meta name="generator" content="[^"<>]*">\n?')
_HIDDEN_TOC = re.compile(
    r'<div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" '
    r'data-md-type="toc" hidden>\s*<div class="md-sidebar__scrollwrap">\s*'
    r'<div class="md-sidebar__inner">\s*<nav class="md-nav md-nav--secondary"[^>]*>'
    r"(?:(?!</?nav\b).)*</nav>\s*</div>\s*</div>\s*</div>\n?",
    re.S,
)
_SHARED = re.compile(
    r'<use href="[^"#]*#(i[0-9a-f]{8})"/>|<script src="[^"]*?(assets/chrome/[0-9a-f]{8}\.js)">'
)


def _name(markup: str) -> str:
    return hashlib.blake2b(markup.encode(), digest_size=4).hexdigest()


class SharedChrome:
    """Collects the icons and scripts of the pages it rewrites; :meth:`write` saves them."""

    def __init__(self) -> None:
        self.symbols: dict[str, str] = {}
        """Symbol id to its ``<symbol>`` markup."""
        self.scripts: dict[str, str] = {}
        """Path of a shared script, relative to the site root, to its code."""
        self.used: set[str] = set()
        """Symbol ids and script paths that this build's pages use: what :meth:`write` saves."""

    def share(self, page: str, root: str) -> str:
        """``page`` with the chrome outside its article drawn from shared files.

        ``root`` is the relative address of the site's root from the page (``../../``)."""
        start, end = page.find("<article"), page.rfind("</article>")
        if start < 0 or end < start:
            return self._swap(self._head(page, root), root)
        before, after = self._head(page[:start], root), page[end:]
        return self._swap(before, root) + page[start:end] + self._swap(after, root)

    def _shared(self, code: str, root: str) -> str:
        path = f"{SCRIPTS}/{_name(code)}.js"
        self.scripts.setdefault(path, code)
        self.used.add(path)
        return f'<script src="{root}{path}"></script>'

    def _head(self, chrome: str, root: str) -> str:
        """The chrome before the article without what only it holds and the page needs not:
        the generator tag, a hidden table of contents, the helpers of the theme's first
        script (shared)."""

        def scope(match: re.Match[str]) -> str:
            return f"<script>{match.group(1)}</script>" + self._shared(match.group(2), root)

        chrome = _HIDDEN_TOC.sub("", _GENERATOR.sub("", chrome, count=1), count=1)
        return _SCOPE.sub(scope, chrome, count=1)

    def _swap(self, chrome: str, root: str) -> str:
        def icon(match: re.Match[str]) -> str:
            box, body = match.group("box"), match.group("body")
            name = "i" + _name(match.group(0))
            self.symbols.setdefault(name, f'<symbol id="{name}" viewBox="{box}">{body}</symbol>')
            self.used.add(name)
            return f'<svg viewBox="{box}"><use href="{root}{SPRITE}#{name}"/></svg>'

        def script(match: re.Match[str]) -> str:
            code = match.group("code")
            if len(code) < SHARED_SCRIPT_MIN or _RELATIVE.search(code):
                return match.group(0)
            return self._shared(code, root)

        return _SCRIPT.sub(script, _ICON.sub(icon, chrome))

    def covers(self, page: str) -> bool:
        """Whether every shared icon and script that ``page`` (rewritten before) uses is
        among those collected, so that :meth:`write` saves them."""
        names = {symbol or script for symbol, script in _SHARED.findall(page)}
        if any(name not in self.symbols and name not in self.scripts for name in names):
            return False
        self.used |= names
        return True

    def state(self) -> dict[str, dict[str, str]]:
        """What was collected and used, as JSON-able data (see :meth:`add_state`)."""
        return {
            "symbols": {k: v for k, v in self.symbols.items() if k in self.used},
            "scripts": {k: v for k, v in self.scripts.items() if k in self.used},
        }

    def add_state(self, state: Any) -> None:
        """Add what :meth:`state` returned elsewhere; damaged data adds nothing."""
        try:
            symbols, scripts = dict(state["symbols"]), dict(state["scripts"])
        except (ValueError, TypeError, KeyError):
            return
        self.symbols.update({str(k): str(v) for k, v in symbols.items()})
        self.scripts.update({str(k): str(v) for k, v in scripts.items()})

    def save_state(self, path: Path) -> None:
        """Remember what was collected (for a later build that reuses rewritten pages)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.state()), "utf-8")

    def load_state(self, path: Path) -> None:
        """Add what :meth:`save_state` remembered; a missing or damaged file adds nothing."""
        try:
            self.add_state(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            return

    def write(self, site_dir: Path) -> None:
        """Save the collected icons and scripts under ``site_dir``."""
        files = {path: code + "\n" for path, code in self.scripts.items() if path in self.used}
        used = sorted(name for name in self.symbols if name in self.used)
        if used:
            symbols = "".join(self.symbols[name] for name in used)
            files[SPRITE] = f'<svg xmlns="http://www.w3.org/2000/svg">{symbols}</svg>\n'
        for rel, text in files.items():
            path = site_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
