from __future__ import annotations

from click.testing import CliRunner

from site_tools.catalog import load_catalog
from site_tools.cli.app import cli
from site_tools.html_safety import unsafe_html
from tests.conftest import REPO


def test_the_repository_itself_validates() -> None:
    result = CliRunner().invoke(cli, ["validate", "--root", str(REPO)])
    assert result.exit_code == 0, result.output


def test_catalog_has_every_strand_covered() -> None:
    catalog = load_catalog(REPO)
    assert {c.strand for c in catalog.claims.values()} <= {s.id for s in catalog.taxonomy.strands}


def test_math_and_comparisons_are_not_mistaken_for_html() -> None:
    assert unsafe_html(r"for $a<b$ and $x < \sqrt{n}$, see https://arxiv.org/abs/1312.6120") is None
    assert unsafe_html("<IFRAME src=x>") == "raw <iframe> tag is not allowed; entries are Markdown"
    assert unsafe_html("[x](JavaScript :alert(1))") is not None
