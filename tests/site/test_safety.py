from __future__ import annotations

import markdown
import pytest

from site_tools.site.safety import url_scheme


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "site_tools.site.safety"])


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        "vbscript:x",
        "data:text/html,x",
        "file:///etc/passwd",
    ],
)
def test_dangerous_link_schemes_lose_their_href(href: str) -> None:
    assert render(f"[x]({href})") == "<p><a>x</a></p>"


@pytest.mark.parametrize(
    "href",
    ["https://x.org/", "http://x.org/", "mailto:a@b.c", "../claims/x.md", "#anchor", "page.md"],
)
def test_ordinary_links_are_kept(href: str) -> None:
    assert f'href="{href}"' in render(f"[x]({href})")


def test_images_load_only_from_the_site() -> None:
    assert render("![a](https://tracker.example/p.png)") == '<p><img alt="a" /></p>'
    assert 'src="img/plot.svg"' in render("![a](img/plot.svg)")


def test_event_handlers_and_styles_from_attribute_lists_are_removed() -> None:
    html = render('Text\n{: onclick="alert(1)" style="x" .kept #id }')
    assert html == '<p class="kept" id="id">Text</p>'


@pytest.mark.parametrize(
    "value, scheme",
    [
        ("https://a", "https"),
        (" JAVASCRIPT:x", "javascript"),
        ("//host/x", "//"),
        ("rel/path", None),
        ("#top", None),
        ("&#x6a;avascript:x", "javascript"),
    ],
)
def test_url_scheme(value: str, scheme: str | None) -> None:
    assert url_scheme(value) == scheme
