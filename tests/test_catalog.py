from __future__ import annotations

from click.testing import CliRunner

from site_tools.catalog import load_catalog
from site_tools.cli.app import cli
from site_tools.html_safety import unsafe_html
from tests.conftest import REPO, TempHub


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


def test_an_entry_key_follows_its_file_and_its_model(temp_hub: TempHub) -> None:
    root = temp_hub()
    catalog = load_catalog(root)
    claim = next(iter(catalog.claims.values()))
    question = next(iter(catalog.questions.values()))
    key = catalog.entry_key("claim", claim)
    assert key.startswith("text:")
    assert catalog.entry_key("question", question) not in (key, question.model_dump_json())
    # The same text read again gives the same key; another text, another.
    same = load_catalog(root)
    assert same.entry_key("claim", same.claims[claim.id]) == key
    path = root / catalog.sources[f"claim:{claim.id}"]
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    again = load_catalog(root)
    assert again.entry_key("claim", again.claims[claim.id]) != key
    # A model made otherwise than from the file is keyed on what it holds.
    edited = claim.model_copy(update={"title": "Another title"})
    assert catalog.entry_key("claim", edited) == edited.model_dump_json()
