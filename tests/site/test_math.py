from __future__ import annotations

import logging

import markdown
import pytest

from site_tools.site.math import to_mathml
from tests.site.htmlcheck import elements, live_problems


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["site_tools.site.math"])


def test_inline_and_display_math_become_mathml() -> None:
    html = render("Mode $\\lambda_\\mu$ is learned by $$t_{1/2} = \\frac{\\ln 2}{\\lambda}$$.")
    assert html.count("<math ") == 2
    assert 'display="inline"' in html and 'display="block"' in html
    assert "$" not in html and "\\lambda" not in html
    # Each formula carries a plain-text form for the search index, hidden from view and from
    # assistive technology (which reads the MathML).
    assert '<span class="lmhub-tex" aria-hidden="true">t_1/2 = (ln 2)/(λ)</span>' in html


def test_block_math_is_a_block() -> None:
    html = render("Before.\n\n$$\na^2 + b^2\n$$\n\nAfter.")
    assert '<div class="lmhub-math"><math display="block"' in html


def test_dollars_that_are_not_math_stay_text() -> None:
    assert render("costs $5 and $10, or \\$x\\$") == "<p>costs $5 and $10, or $x$</p>"


def test_math_in_code_is_left_alone() -> None:
    assert "<math" not in render("`$x$`")


def test_entities_from_the_generator_are_decoded_inside_math() -> None:
    html = render("$\\frac&#123;1&#125;&#123;2&#125; &lt; 1$")
    assert "<mfrac>" in html and "<mo>&lt;</mo>" in html


@pytest.mark.parametrize(
    "latex",
    [
        "\\text{<script>alert(1)</script>}",
        "\\href{javascript:alert(1)}{x}",
        "\\text{<img src=x onerror=alert(1)>}",
    ],
)
def test_mathml_is_rebuilt_from_an_allow_list(latex: str) -> None:
    html = render(f"${latex}$")
    assert live_problems(html) == []
    assert {tag for tag, _ in elements(html)} <= {
        "p",
        "math",
        "mrow",
        "mtext",
        "mi",
        "code",
        "span",
    }
    assert "href" not in html


def test_math_that_cannot_be_converted_is_shown_as_code_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.lmhub"):
        html = render("$\\frac{1}{$")
    assert '<code class="lmhub-math-error">\\frac{1}{</code>' in html
    assert "cannot render math" in caplog.text


def test_conversions_are_cached() -> None:
    to_mathml.cache_clear()
    to_mathml("x^2")
    to_mathml("x^2")
    assert to_mathml.cache_info().hits == 1
