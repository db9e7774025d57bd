from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from site_tools.site.text import (
    anchor,
    entry_inline,
    entry_markdown,
    inline,
    safe_url,
    slug,
    yaml_string,
)
from tests.site.htmlcheck import elements, live_problems


def html_text(markup: str) -> str:
    """The text a browser shows for ``markup``."""
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(markup)
    return "".join(parts)


def render(text: str) -> str:
    return markdown.markdown(
        text, extensions=["attr_list", "tables", "site_tools.site.math", "site_tools.site.safety"]
    )


def test_inline_shows_text_as_written_and_cannot_open_markup() -> None:
    text = "a *b* [c](javascript:x) <script>alert(1)</script> | {: onclick=x } $x$"
    html = render(inline(text))
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert html_text(html) == text


def test_inline_keeps_a_table_row_intact() -> None:
    row = f"| {inline('a | b')} | c |"
    html = render(f"| x | y |\n|---|---|\n{row}\n")
    assert html.count("<td>") == 2


def test_entry_markdown_escapes_html_and_attribute_lists_but_keeps_markdown() -> None:
    text = '**bold** and $x_1$ <img src=x onerror=alert(1)> <b>b</b>\n{: onclick="alert(1)" }'
    html = render(entry_markdown(text))
    tags = {tag for tag, _ in elements(html)}
    assert {"strong", "math"} <= tags
    assert not tags & {"img", "b"}
    assert live_problems(html) == []
    assert "<img src=x onerror=alert(1)>" in html_text(html)


def test_entry_markdown_keeps_code_spans_verbatim() -> None:
    html = render(entry_markdown("use `a<b>{c}` here <x>"))
    assert "<code>a&lt;b&gt;{c}</code>" in html
    assert "&lt;x&gt;" in html


@pytest.mark.parametrize(
    "link, kept",
    [
        (
            "[paper](https://example.org/p?a=1)",
            '<p><a href="https://example.org/p?a=1">paper</a></p>',
        ),
        ("[paper](doi:10.1000/xyz)", '<p><a href="https://doi.org/10.1000/xyz">paper</a></p>'),
        (
            "[paper](arXiv:2106.15933)",
            '<p><a href="https://arxiv.org/abs/2106.15933">paper</a></p>',
        ),
        ("[paper](javascript:alert(1))", "<p>paper</p>"),
        ("[paper](&#106;avascript:alert(1))", "<p>paper</p>"),
        ("[paper](data:text/html;base64,AAAA)", "<p>paper</p>"),
        ("[paper](../../etc/passwd)", "<p>paper</p>"),
        ("![tracker](https://example.org/pixel.png)", "<p>tracker</p>"),
        ("<https://example.org>", '<p><a href="https://example.org">https://example.org</a></p>'),
    ],
)
def test_entry_markdown_allows_only_http_doi_and_arxiv_links(link: str, kept: str) -> None:
    assert render(entry_markdown(link)) == kept


def test_reference_definitions_with_bad_urls_are_dropped() -> None:
    text = "[a][1] and [b][2]\n\n[1]: https://example.org\n[2]: javascript:alert(1)\n"
    html = render(entry_markdown(text))
    assert '<a href="https://example.org">a</a>' in html
    assert "javascript" not in html


def test_entry_inline_is_one_line() -> None:
    assert "\n" not in entry_inline("a\nb\n\nc")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://x.org/a b", None),
        ("http://x.org/(a)", "http://x.org/%28a%29"),
        ("doi:10.1073/pnas.1903070116", "https://doi.org/10.1073/pnas.1903070116"),
        ("doi:not-a-doi", None),
        ("arxiv:nope", None),
        ("ftp://x.org", None),
        ("//x.org", None),
        ("https:///nohost", None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_slug_and_anchor_are_path_and_id_safe() -> None:
    assert slug("dln-mode-timescales") == "dln-mode-timescales"
    hostile = slug('../../x"><script>')
    assert hostile.startswith("x-script-") and "/" not in hostile and "." not in hostile
    assert slug("a/b") != slug("a:b")
    assert anchor("saxe2014exact") == "ref-saxe2014exact"
    assert anchor('a"b').startswith("ref-a-b")


def test_yaml_string_is_escaped_html_in_a_safe_yaml_scalar() -> None:
    import yaml

    value = yaml.safe_load(yaml_string('A "quoted" <script> & λ\\'))
    assert value == "A &quot;quoted&quot; &lt;script&gt; &amp; λ\\"


@pytest.mark.parametrize(
    "text, shown",
    [
        # mutransfer-lr, diag-linear-sparse-bias: stars that cannot open or close emphasis.
        ("|change of log2 η*| across widths", "|change of log2 η*| across widths"),
        ("‖P_null β*‖/‖β*‖ ≈ √(1 − n/d) = 0.77", "‖P_null β*‖/‖β*‖ ≈ √(1 − n/d) = 0.77"),
        ("B_crit = E_min/S_min", "B_crit = E_min/S_min"),
        ("a *real* emphasis and **strong**", "a real emphasis and strong"),
    ],
)
def test_entry_markdown_shows_stars_and_underscores_as_written(text: str, shown: str) -> None:
    html = render(entry_inline(text))
    assert html_text(html) == f"{shown}"
    if "*real*" in text:
        assert "<em>real</em>" in html and "<strong>strong</strong>" in html
    else:
        assert "<em>" not in html and "<strong>" not in html


def test_entry_markdown_renders_bare_tex_and_keeps_math_intact() -> None:
    # he-init-variance: TeX outside dollars; balancedness-conservation: ∇_{w_j}.
    html = render(entry_inline("mean per-layer ratio q_{l+1}/q_l at σ_w² = 2, and ∇_{w_j} L."))
    assert html.count("<math") == 2 and "q_{l+1}" not in html_text(html)
    assert html_text(html).endswith(" L.")
    starred = render(entry_inline("$a_*^2 + b*c$ then x*y"))
    assert "<em>" not in starred and html_text(starred).endswith("then x*y")


def test_entry_inline_cell_keeps_pipes_inside_the_cell() -> None:
    cell = entry_inline("|ΔD_j| and $|x| + \\|y\\|$", cell=True)
    html = render(f"| a | b |\n|---|---|\n| {cell} | z |\n")
    assert html.count("<td>") == 2 and "<math" in html
    assert "|ΔD_j| and |x|+‖y‖" in html_text(html)
