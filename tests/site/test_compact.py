from __future__ import annotations

from site_tools.site.compact import compact_page


def test_indentation_between_tags_becomes_one_line_break() -> None:
    page = "<ul>\n    <li>\n      <a href='x'>\n        Home\n      </a>\n    </li>\n</ul>\n"
    assert compact_page(page) == "<ul>\n<li>\n<a href='x'>\nHome\n</a>\n</li>\n</ul>\n"


def test_preformatted_code_and_scripts_are_kept_exactly() -> None:
    kept = (
        "<pre><code>def f():\n    return 1\n\n\n</code></pre>",
        "<code>a\n    b</code>",
        "<textarea>\n  x\n</textarea>",
        '<script>\n  var a = "\n   ";\n</script>',
        "<STYLE>\n  p { }\n</STYLE>",
    )
    for element in kept:
        page = f"<div>\n    {element}\n    </div>"
        assert compact_page(page) == f"<div>\n{element}\n</div>"


def test_text_and_escapes_are_untouched() -> None:
    # Spaces without a line break, escaped markup and attribute values stay as written.
    page = '<p title="a\n   b">x  &lt;script&gt;  y <b>z</b> w</p>'
    assert compact_page(page) == page


def test_an_element_whose_name_starts_like_a_kept_one_is_compacted() -> None:
    assert compact_page("<pre-view>\n   x\n</pre-view>") == "<pre-view>\nx\n</pre-view>"


def test_a_long_run_of_spaces_costs_its_length_once() -> None:
    import time

    page = "<p>a" + " " * 200_000 + "b</p>\n" + "<i>x</i>" + " " * 200_000 + "y"
    start = time.perf_counter()
    assert compact_page(page) == page
    assert time.perf_counter() - start < 1.0


def test_a_line_break_between_blocks_goes() -> None:
    page = "<table>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</table>\n<p>a</p>\n<p>b</p>"
    assert compact_page(page) == "<table><tr><td>1</td><td>2</td></tr></table><p>a</p><p>b</p>"


def test_a_line_break_that_may_draw_a_space_stays() -> None:
    # The theme sets some divs and list items inline: between them a line break is a space.
    for page in (
        '<div class="a">x</div>\n<div class="b">y</div>',
        "<li>a</li>\n<li>b</li>",
        "<p>\n<a href='x'>x</a>\n</p>",
        "<th>a</th>\n<span>b</span>",
        "<pre-x>\n<p>",
    ):
        assert compact_page(page) == page


def test_theme_labels_and_code_lose_spaces_that_draw_nothing() -> None:
    page = '<a><span class="md-ellipsis">\n  Home\n</span></a>'
    assert compact_page(page) == '<a><span class="md-ellipsis">Home</span></a>'
    code = '<pre><code>git<span class="w"> </span>clone<span class="w">  </span>x</code></pre>'
    assert compact_page(code) == "<pre><code>git clone  x</code></pre>"
    # Outside code, and with other classes, spans are kept.
    other = '<p><span class="w"> </span></p><pre><span class="w x"> </span></pre>'
    assert compact_page(other) == other
