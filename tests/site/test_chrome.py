from __future__ import annotations

import re
from pathlib import Path

from site_tools.site.chrome import SCRIPTS, SPRITE, SharedChrome

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M1 1h22v22H1z"/></svg>'
REPO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M2 2h4"/><path d="M5 5z"/></svg>'
)
PALETTE = "<script>var palette=__md_get('__palette');" + "x=1;" * 80 + "</script>"
SCOPE = '<script>__md_scope=new URL("../..",location);' + "y=1;" * 80 + "</script>"


def _page(article: str) -> str:
    return (
        f"<head>{SCOPE}</head><header>{LOGO}<a>{REPO}</a>{PALETTE}</header><nav>{LOGO}</nav>"
        f'<article class="md-content__inner">{article}</article><footer>{REPO}</footer>'
    )


def test_chrome_icons_become_uses_of_one_symbol_each(tmp_path: Path) -> None:
    chrome = SharedChrome()
    out = chrome.share(_page("<p>text</p>"), "../../")
    assert LOGO not in out and REPO not in out
    uses = re.findall(
        r'<svg viewBox="([^"]+)"><use href="\.\./\.\./assets/icons\.svg#(i[0-9a-f]{8})"/></svg>',
        out,
    )
    assert [box for box, _ in uses] == ["0 0 24 24", "0 0 16 16", "0 0 24 24", "0 0 16 16"]
    assert len({name for _, name in uses}) == 2  # each icon stored once

    chrome.write(tmp_path)
    text = (tmp_path / SPRITE).read_text()
    for box, name in uses:
        assert f'<symbol id="{name}" viewBox="{box}">' in text
    assert '<path d="M2 2h4"/><path d="M5 5z"/></symbol>' in text


def test_a_long_script_moves_to_a_shared_file_unless_it_holds_a_relative_address(
    tmp_path: Path,
) -> None:
    chrome = SharedChrome()
    out = chrome.share(_page(""), "../")
    again = chrome.share(_page(""), "")
    assert PALETTE not in out and SCOPE in out and SCOPE in again
    shared = re.findall(r'<script src="\.\./(assets/chrome/[0-9a-f]{8}\.js)"></script>', out)
    assert len(shared) == 1 and f'<script src="{shared[0]}"></script>' in again
    chrome.write(tmp_path)
    assert (tmp_path / SCRIPTS).is_dir()
    assert (tmp_path / shared[0]).read_text() == PALETTE.removeprefix("<script>").removesuffix(
        "</script>"
    ) + "\n"


def test_the_article_and_short_scripts_are_left_as_they_are() -> None:
    short = "<script>var target=document.getElementById(location.hash.slice(1))</script>"
    page = _page(f"<p>an icon in the text</p>{LOGO}{PALETTE}") + short
    out = SharedChrome().share(page, "")
    article = out[out.index("<article") : out.index("</article>")]
    assert LOGO in article and PALETTE in article
    assert out.count(LOGO) == 1 and out.count(PALETTE) == 1
    assert out.endswith(short)


def test_svg_markup_of_another_form_is_not_touched() -> None:
    other = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" class="x"><path/></svg>'
    nested = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><svg><path/></svg></svg>'
    page = f"<header>{other}{nested}</header>"
    assert SharedChrome().share(page, "") == page


def test_the_themes_first_script_keeps_only_its_root_inline(tmp_path: Path) -> None:
    # The theme's own first script, as it writes it: the root from the page's address, then
    # helpers that read it when they run.
    helpers = "__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e)=>e"
    chrome = SharedChrome()
    deep = chrome.share(
        f'<head><script>__md_scope=new URL("../..",location),{helpers}</script>', "../../"
    )
    top = chrome.share(f'<head><script>__md_scope=new URL(".",location),{helpers}</script>', "")
    name = re.search(r"assets/chrome/[0-9a-f]{8}\.js", deep)
    assert name is not None
    assert deep == (
        '<head><script>__md_scope=new URL("../..",location)</script>'
        f'<script src="../../{name[0]}"></script>'
    )
    assert (
        top
        == f'<head><script>__md_scope=new URL(".",location)</script><script src="{name[0]}"></script>'
    )
    chrome.write(tmp_path)
    assert (tmp_path / name[0]).read_text() == helpers + "\n"


def test_the_generator_tag_is_dropped_from_the_head_only() -> None:
    meta = '<meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.2">\n'
    page = _page(f"<pre>{meta}</pre>").replace("<head>", "<head>" + meta)
    out = SharedChrome().share(page, "")
    assert out.count('name="generator"') == 1 and f"<pre>{meta}</pre>" in out
