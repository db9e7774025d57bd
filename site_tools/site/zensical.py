"""``lmhub build --engine zensical``: the same pages built by Zensical instead of mkdocs.

mkdocs 1.x is unmaintained and mkdocs-material is in maintenance mode; Zensical, its
successor, reads ``mkdocs.yml`` but runs no mkdocs plugins. Since the generator writes plain
files (:func:`~site_tools.site.generate.generate`), this module does outside the engine what
the ``lmhub`` plugin does inside mkdocs:

1. generate the pages into ``build/docs`` (as the plugin does);
2. merge them with the hand-written ``docs/`` into ``build/zensical/docs`` (hard links or
   copies; symlinks are refused before this), each hand-written page filled in as the plugin
   does (:mod:`site_tools.site.handwritten`);
3. write ``build/zensical/mkdocs.yml``: the hub's ``mkdocs.yml`` with the generated
   navigation, the site name and repository from ``hub.yaml``, the Markdown extensions the
   pages need (server-side math, the safety pass), the hub's stylesheet and script and its
   theme overrides; and run ``zensical build`` on it;
4. sanitise each page's article (:mod:`site_tools.site.sanitize`: the engine has no hook for
   hand-written pages, so every page goes through it), drop the theme's indentation
   (:mod:`site_tools.site.compact`) and index the site for search.

mkdocs-material stays the default engine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from site_tools.catalog import Catalog
from site_tools.site.build import CONFIG_FILE, MISSING_CONFIG, site_problem
from site_tools.site.chrome import SharedChrome
from site_tools.site.compact import compact_page
from site_tools.site.generate import GenerateReport, generate
from site_tools.site.handwritten import hand_written_markdown
from site_tools.site.pages.common import SiteData
from site_tools.site.plugin import OVERRIDES, REQUIRED_EXTENSIONS, SCRIPT, STYLESHEET
from site_tools.site.sanitize import sanitise_html
from site_tools.site.search import SearchIndexError, build_search_index
from site_tools.site.text import html, safe_url

WORK = "build/zensical"
"""Zensical's project folder, relative to the hub root (its docs, config and raw output)."""
_ARTICLE = re.compile(r'(<article class="md-content__inner[^"]*">)(.*?)(</article>)', re.DOTALL)


def available() -> bool:
    """Whether Zensical is installed (the ``zensical`` extra)."""
    try:
        import zensical  # noqa: F401
    except ImportError:
        return False
    return True


def _merge(sources: list[Path], target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    for source in sources:
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.is_dir():
                continue
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)


def _fill_hand_written(docs: Path, target: Path, data: SiteData) -> None:
    for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        page = path.relative_to(docs).as_posix()
        text = path.read_text(encoding="utf-8")
        try:
            filled = hand_written_markdown(text, data, page)
        except KeyError as exc:
            raise site_problem(str(exc.args[0])) from None
        if filled != text:
            dest = target / page
            dest.unlink()  # may be a hard link to the hand-written file: never write through it
            dest.write_text(filled, encoding="utf-8")


def _read_config(root: Path) -> dict[str, Any]:
    """The hub's ``mkdocs.yml``, read before anything is generated, so that a missing or
    broken one is reported as a hub problem at once."""
    path = root / CONFIG_FILE
    try:
        with path.open(encoding="utf-8") as handle:
            config = yaml.load(handle, Loader=_Loader)
    except FileNotFoundError:
        raise site_problem(MISSING_CONFIG) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise site_problem(f"invalid site configuration: {exc}") from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise site_problem(
            f"invalid site configuration: {CONFIG_FILE} must hold a mapping of settings"
        )
    return config


def _config(
    config: dict[str, Any], catalog: Catalog, report: GenerateReport, strict: bool
) -> dict[str, Any]:
    config = dict(config)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["strict"] = strict
    config["site_name"] = html(catalog.settings.name)
    if catalog.settings.description:
        config["site_description"] = html(catalog.settings.description)
    config.setdefault("nav", report.nav)
    repo = safe_url(catalog.settings.repo_url) if catalog.settings.repo_url else None
    if repo and repo.startswith("https://"):
        config.setdefault("repo_url", repo)
        config.setdefault("repo_name", html(repo.split("://", 1)[-1]))
    extensions = list(config.get("markdown_extensions") or [])
    names = {e if isinstance(e, str) else next(iter(e)) for e in extensions}
    extensions += [name for name in REQUIRED_EXTENSIONS if name not in names]
    config["markdown_extensions"] = extensions
    config["extra_css"] = [*(config.get("extra_css") or []), STYLESHEET]
    config["extra_javascript"] = [*(config.get("extra_javascript") or []), SCRIPT]
    theme = dict(config.get("theme") or {"name": "material"})
    theme["custom_dir"] = str(OVERRIDES)
    config["theme"] = theme
    # Zensical ignores plugins it does not know; the hub's work is done here instead.
    plugins: list[Any] = [p for p in config.get("plugins") or [] if p not in ("lmhub", "search")]
    # Its own search loads one file of every page's text; the hub's search is Pagefind's.
    plugins.append({"search": {"enabled": False}})
    config["plugins"] = plugins
    return config


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may carry ``!!python/name:`` tags (pymdownx options): kept as text."""


def _python_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    return f"!!python/name:{suffix}"


_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_tag)


def build_with_zensical(
    root: Path, catalog: Catalog, site_dir: Path | None, strict: bool
) -> tuple[Path, GenerateReport]:
    """Build the site with Zensical into ``site_dir`` (default ``site/``)."""
    if not available():
        raise site_problem("Zensical is not installed: pip install -e '.[zensical]'")
    settings = _read_config(root)
    work = root / WORK
    report = generate(catalog, root / "build" / "docs", root / "build" / "cache")
    _merge([catalog.paths.docs, root / "build" / "docs"], work / "docs")
    assert report.data is not None
    _fill_hand_written(catalog.paths.docs, work / "docs", report.data)
    config = _config(settings, catalog, report, strict)
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    out = work / "site"
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "zensical", "build", "-f", str(work / "mkdocs.yml"), "-c"]
    if strict:
        command.append("--strict")
    done = subprocess.run(command, capture_output=True, text=True, cwd=work, timeout=1800)
    if done.returncode != 0 or not (out / "index.html").is_file():
        # Zensical prints what went wrong to stdout and only its summary to stderr.
        lines = [line for line in (done.stdout + "\n" + done.stderr).splitlines() if line.strip()]
        raise site_problem("the Zensical build failed: " + " / ".join(lines[-12:]))
    chrome = SharedChrome()
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        clean = _ARTICLE.sub(lambda m: m.group(1) + sanitise_html(m.group(2))[0] + m.group(3), text)
        if page != out / "404.html":  # served at any missing address: relative links break
            clean = chrome.share(clean, "../" * (len(page.relative_to(out).parts) - 1))
        clean = compact_page(clean)
        if clean != text:
            page.write_text(clean, encoding="utf-8")
    chrome.write(out)
    target = site_dir or root / "site"
    if target.exists():
        shutil.rmtree(target)
    shutil.move(str(out), str(target))
    try:
        build_search_index(target)
    except SearchIndexError as exc:
        raise site_problem(str(exc)) from None
    return target, report
