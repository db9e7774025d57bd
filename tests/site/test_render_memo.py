from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.plugins import BasePlugin
from mkdocs.structure.toc import get_toc

from site_tools.fsio import atomic_write
from site_tools.site import render_memo
from site_tools.site.build import BuildResult, build_site
from site_tools.site.plugin import HubPlugin
from site_tools.site.render_memo import RenderMemo
from tests.site.hubs import make_site_hub


def _page(src_uri: str = "claims/x.md") -> SimpleNamespace:
    return SimpleNamespace(
        file=SimpleNamespace(src_uri=src_uri),
        url=src_uri.removesuffix(".md") + "/",
        toc=get_toc([{"level": 1, "id": "x", "name": "X", "children": []}]),
        _title_from_render="X",
        present_anchor_ids={"x"},
        links_to_anchors=None,
    )


def _memo_pages(result: BuildResult) -> int:
    """Generated pages that go through the memo: all but the tags page, which the theme's
    tags plugin fills in after the conversion."""
    return sum(rel.endswith(".md") for rel in result.generation.files) - 1


def _files(tmp_path: Path) -> list[Path]:
    return sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.html"))


def test_a_rebuild_reuses_every_generated_page_and_builds_the_same_site(tmp_path: Path) -> None:
    root = make_site_hub(tmp_path / "hub")
    first = build_site(root, site_dir=tmp_path / "first")
    assert first.generation.pages_reused == first.generation.layouts_reused == 0
    again = build_site(root, site_dir=tmp_path / "again")
    memo_pages = _memo_pages(first)
    assert again.generation.pages_reused == again.generation.layouts_reused == memo_pages > 0
    pages = _files(tmp_path / "first")
    assert pages == _files(tmp_path / "again") and len(pages) > memo_pages
    for rel in pages:
        before = (tmp_path / "first" / rel).read_text(encoding="utf-8")
        assert (tmp_path / "again" / rel).read_text(encoding="utf-8") == before, rel


def test_only_a_changed_entry_is_converted_again(tmp_path: Path) -> None:
    root = make_site_hub(tmp_path / "hub")
    first = build_site(root)
    claim = root / "claims" / "width-limit.yaml"
    text = claim.read_text(encoding="utf-8")
    claim.write_text(text.replace("with width $n$.", "with width $n$. Edited."), encoding="utf-8")
    again = build_site(root)
    assert again.generation.pages_reused == again.generation.layouts_reused
    assert again.generation.pages_reused == _memo_pages(first) - 1
    html = (again.site_dir / "claims" / "width-limit" / "index.html").read_text(encoding="utf-8")
    assert "Edited." in html


def test_a_kept_page_comes_back_with_its_toc_title_and_anchors(tmp_path: Path) -> None:
    memo = RenderMemo(tmp_path, "context")
    page = _page()
    assert not memo.lookup(page, "# X")
    memo.keep(page, "<h1 id='x'>X</h1>")

    memo = RenderMemo(tmp_path, "context")
    fresh = _page()
    fresh.toc, fresh._title_from_render, fresh.present_anchor_ids = get_toc([]), None, None
    assert memo.lookup(fresh, "# X")
    assert memo.restore(fresh, files=None) == "<h1 id='x'>X</h1>"
    assert [(a.id, a.title, a.level) for a in fresh.toc] == [("x", "X", 1)]
    assert fresh._title_from_render == "X" and fresh.present_anchor_ids == {"x"}
    assert memo.reused == 1

    assert not RenderMemo(tmp_path, "context").lookup(_page(), "# X, edited")
    assert not RenderMemo(tmp_path, "another context").lookup(_page(), "# X")


def test_a_conversion_that_logged_a_warning_is_not_kept(tmp_path: Path) -> None:
    memo = RenderMemo(tmp_path, "context")
    memo.watch()
    try:
        page = _page()
        assert not memo.lookup(page, "$\\frac{1}{$")
        logging.getLogger("mkdocs.plugins.lmhub").warning("cannot render math")
        memo.keep(page, "<p>broken</p>")
    finally:
        memo.close(prune=False)
    assert list(tmp_path.iterdir()) == []
    assert not RenderMemo(tmp_path, "context").lookup(_page(), "$\\frac{1}{$")


def test_pruning_deletes_what_the_build_did_not_use(tmp_path: Path) -> None:
    memo = RenderMemo(tmp_path, "context")
    for name in ("a", "b"):
        page = _page(f"claims/{name}.md")
        memo.lookup(page, name)
        memo.keep(page, name)
    assert len(list(tmp_path.iterdir())) == 2
    memo = RenderMemo(tmp_path, "context")
    memo.lookup(_page("claims/a.md"), "a")
    memo.close(prune=True)
    assert len(list(tmp_path.iterdir())) == 1
    assert RenderMemo(tmp_path, "context").lookup(_page("claims/a.md"), "a")


def test_a_generated_file_linked_into_the_site_keeps_its_content_when_regenerated(
    tmp_path: Path,
) -> None:
    root = make_site_hub(tmp_path / "hub")
    built = build_site(root)
    badge = next((root / "build" / "docs" / "badges").glob("*.svg"))
    published = built.site_dir / "badges" / badge.name
    before = published.read_bytes()
    assert before == badge.read_bytes()
    atomic_write(badge, b"<svg>another</svg>")  # as the generator replaces its files
    assert published.read_bytes() == before


def test_a_damaged_kept_conversion_is_converted_again(tmp_path: Path) -> None:
    memo = RenderMemo(tmp_path, "context")
    page = _page()
    memo.lookup(page, "# X")
    memo.keep(page, "<h1>X</h1>")
    (kept,) = tmp_path.iterdir()
    damaged_entries = (
        "{not json",
        "[]",
        '{"html": "<h1>X</h1>", "toc": "oops"}',
        '{"html": "", "toc": [{"level": 1}], "title": null, "anchors": [], "links": null}',
        '{"html": "", "toc": [], "title": null, "anchors": [1], "links": null}',
        '{"html": "", "toc": [], "title": null, "anchors": [], "links": {"a.md": 3}}',
    )
    for damaged in damaged_entries:
        kept.write_text(damaged)
        assert not RenderMemo(tmp_path, "context").lookup(_page(), "# X")


def test_settings_are_described_the_same_in_every_process() -> None:
    import functools
    import json

    from site_tools.site.render_memo import _settings

    slugify = functools.partial(json.dumps, sort_keys=True)
    described = json.loads(_settings({"slugify": slugify, "names": {"b", "a"}, "sort": sorted}))
    assert described == {
        "names": ['"a"', '"b"'],
        "slugify": {"partial": "json.dumps", "args": [], "keywords": {"sort_keys": True}},
        "sort": "builtins.sorted",
    }


@pytest.mark.parametrize("setting", [lambda text: text, object()])
def test_a_setting_without_a_stable_description_is_refused(setting: object) -> None:
    from site_tools.site.render_memo import UnstableSettings, _settings

    with pytest.raises(UnstableSettings):
        _settings({"slugify": setting})


def test_an_edit_to_a_custom_template_lays_every_page_out_again(tmp_path: Path) -> None:
    root = make_site_hub(tmp_path / "hub")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("theme:\n", "theme:\n  custom_dir: custom\n"),
        encoding="utf-8",
    )
    footer = root / "custom" / "partials" / "copyright.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<div>First footer</div>\n", encoding="utf-8")
    build_site(root)
    assert build_site(root).generation.layouts_reused > 0
    footer.write_text("<div>Second footer</div>\n", encoding="utf-8")
    again = build_site(root)
    assert again.generation.layouts_reused == 0
    page = (again.site_dir / "claims" / "width-limit" / "index.html").read_text(encoding="utf-8")
    assert "Second footer" in page


def test_a_hook_that_edits_the_markdown_is_part_of_the_key(tmp_path: Path) -> None:
    root = make_site_hub(tmp_path / "hub")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - hook.py\n", "utf-8")
    hook = root / "hook.py"
    hook.write_text(
        "def on_page_markdown(markdown, **kwargs):\n"
        "    return markdown.replace('shrinks like', 'HOOKED-1 shrinks like')\n",
        encoding="utf-8",
    )
    build_site(root)
    again = build_site(root)
    assert again.generation.pages_reused > 0
    page = again.site_dir / "claims" / "width-limit" / "index.html"
    assert "HOOKED-1" in page.read_text(encoding="utf-8")
    # Another file: mkdocs keeps the module it loaded first for a path within one process.
    (root / "hook2.py").write_text(hook.read_text("utf-8").replace("HOOKED-1", "HOOKED-2"), "utf-8")
    config.write_text(config.read_text("utf-8").replace("hook.py", "hook2.py"), "utf-8")
    edited = build_site(root)
    assert edited.generation.pages_reused == 0
    assert "HOOKED-2" in page.read_text(encoding="utf-8")


def test_a_hook_module_is_described_by_its_source(tmp_path: Path) -> None:
    from site_tools.site.render_memo import _plugins

    source = tmp_path / "hook.py"
    source.write_text("X = 1\n")
    config = SimpleNamespace(plugins={"hook": SimpleNamespace(__file__=str(source))})
    first = _plugins(config)
    source.write_text("X = 2\n")
    assert _plugins(config) != first


def test_the_memo_key_does_not_depend_on_where_the_hubs_own_metadata_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Run as `python -m site_tools` from the repository, the path starts with the working
    # folder, whose `lmhub.egg-info` is found besides the installed package's metadata (and
    # may be of another version): the key must be that of a build run as `lmhub`.
    plugin = HubPlugin()
    plugin.load_config({})
    config = SimpleNamespace(plugins={"lmhub": plugin})
    monkeypatch.setattr(render_memo, "_distributions", lambda: {"site_tools": ["lmhub"]})
    installed = render_memo._plugins(config)
    monkeypatch.setattr(render_memo, "_distributions", lambda: {"site_tools": ["lmhub", "lmhub"]})
    monkeypatch.setattr(render_memo, "_version", lambda name: "0.0.1")
    assert render_memo._plugins(config) == installed


def test_a_plugin_is_described_by_the_distribution_that_registers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from material.plugins.tags.plugin import TagsPlugin

    def every_package() -> dict[str, list[str]]:
        raise AssertionError("every installed package was mapped")

    monkeypatch.setattr(render_memo, "_distributions", every_package)
    tags = TagsPlugin()
    tags.load_config({})
    described = render_memo._plugins(SimpleNamespace(plugins={"material/tags": tags}))
    version = metadata.version("mkdocs-material")
    assert described["material/tags"][1] == [f"mkdocs-material={version}"]


def test_a_plugin_no_entry_point_registers_is_described_by_its_packages_distributions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Unregistered(BasePlugin):  # type: ignore[type-arg]
        pass

    Unregistered.__module__ = "material.unregistered"
    monkeypatch.setattr(render_memo, "_distributions", lambda: {"material": ["mkdocs-material"]})
    described = render_memo._plugins(SimpleNamespace(plugins={"x": Unregistered()}))
    assert described["x"][1] == [f"mkdocs-material={metadata.version('mkdocs-material')}"]
