"""The committed JSON Schemas match the models, and every YAML in the repo conforms to them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from site_tools.schema import SCHEMAS, schema_text, stale_schemas
from tests.conftest import FIXTURES, REPO

SCHEMA_OF_FOLDER = {"claims": "claim", "open_questions": "open_question"}


def repo_entries() -> list[Path]:
    return sorted(p for folder in SCHEMA_OF_FOLDER for p in (REPO / folder).glob("*.yaml"))


def test_committed_schemas_match_the_models() -> None:
    assert stale_schemas(REPO / "schemas") == [], "run `lmhub schema` and commit schemas/"


def test_drift_is_detected(tmp_path: Path) -> None:
    for name in SCHEMAS:
        (tmp_path / f"{name}.schema.json").write_text(schema_text(name))
    assert stale_schemas(tmp_path) == []
    (tmp_path / "claim.schema.json").write_text(schema_text("claim").replace("kebab", "camel"))
    assert stale_schemas(tmp_path) == ["claim"]


@pytest.mark.parametrize("path", repo_entries(), ids=lambda p: p.name)
def test_repo_entry_conforms_to_its_schema(path: Path) -> None:
    schema = json.loads(
        (REPO / "schemas" / f"{SCHEMA_OF_FOLDER[path.parent.name]}.schema.json").read_text()
    )
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize(
    "path", [*repo_entries(), REPO / "taxonomy.yaml", REPO / "hub.yaml"], ids=lambda p: p.name
)
def test_every_entry_starts_with_a_schema_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target.is_file() and target.parent == (REPO / "schemas").resolve()


@pytest.mark.parametrize(
    "case",
    [
        "unknown-field",
        "negative-tolerance",
        "wrong-type",
        "unknown-expect-kind",
        "empty-predictions",
    ],
)
def test_schema_rejects_what_the_models_reject(case: str) -> None:
    schema = json.loads((REPO / "schemas" / "claim.schema.json").read_text())
    broken = yaml.safe_load(
        (FIXTURES / "broken" / case / "claims" / "mean-shrinks.yaml").read_text()
    )
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))


def test_field_reference_page_is_current() -> None:
    from site_tools.reference_docs import reference_is_stale

    assert not reference_is_stale(REPO), "run `lmhub schema` and commit docs/reference/fields.md"
