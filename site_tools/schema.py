"""JSON Schema of the entries, generated from the models, for editors and other tools."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from site_tools.fsio import atomic_write
from site_tools.models import Claim, HubSettings, OpenQuestion, Taxonomy
from site_tools.site.export_models import (
    CatalogExport,
    ClaimExport,
    IndexPageExport,
    QuestionExport,
    ReferenceExport,
)

SCHEMAS: dict[str, type[BaseModel]] = {
    "claim": Claim,
    "open_question": OpenQuestion,
    "taxonomy": Taxonomy,
    "hub": HubSettings,
    # The site's export: the header catalog.json, its index pages and one file per entry.
    "catalog": CatalogExport,
    "catalog-index": IndexPageExport,
    "catalog-claim": ClaimExport,
    "catalog-question": QuestionExport,
    "catalog-reference": ReferenceExport,
}


def schema_of(name: str) -> dict[str, Any]:
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{name}.schema.json"
    return schema


@functools.cache  # the models are fixed: made once, not at every build
def schema_text(name: str) -> str:
    return json.dumps(schema_of(name), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write ``<name>.schema.json`` for each entry type into ``folder``; overwrites them."""
    written = []
    for name in SCHEMAS:
        path = folder / f"{name}.schema.json"
        atomic_write(path, schema_text(name))
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Names of the committed schemas that differ from what the models generate."""
    stale = []
    for name in SCHEMAS:
        path = folder / f"{name}.schema.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(name):
            stale.append(name)
    return stale
