"""The field reference page, generated from the models so that it cannot go stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from site_tools.fsio import atomic_write
from site_tools.models import (
    Alternative,
    AtLeast,
    AtMost,
    Claim,
    Configuration,
    Interval,
    Mutant,
    OpenQuestion,
    Parameter,
    Plot,
    Prediction,
    Reproduction,
    Target,
)

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("Claim", Claim),
    ("Reproduction", Reproduction),
    ("Parameter", Parameter),
    ("Configuration (smoke, medium)", Configuration),
    ("Mutant", Mutant),
    ("Plot", Plot),
    ("Prediction", Prediction),
    ("Alternative", Alternative),
    ("Expectation: target", Target),
    ("Expectation: interval", Interval),
    ("Expectation: at_least", AtLeast),
    ("Expectation: at_most", AtMost),
    ("Open question", OpenQuestion),
]

HEADER = """\
# Field reference

Every field a claim or an open question may have. This page is generated from the models in
`site_tools/models.py` by `lmhub schema`; a test fails when it is out of date. Unknown fields
are errors, and values are never converted: quote text that YAML would read as a number
(an arXiv id such as `'2106.15933'`).

Fields marked *Markdown, math allowed* go through one rendering path on the site: Markdown
(emphasis, lists, links, code spans) with LaTeX math between `$...$` (inline) or `$$...$$`
(display), rendered to MathML. A `*` or `_` that cannot open or close emphasis (as in
`η*` or `B_crit`) shows as written, and a TeX fragment such as `q_{l+1}` outside dollars is
rendered as math. Raw HTML is shown as text. Other text fields (titles, ids, units, plot
labels) are shown exactly as written, with no Markdown.
"""


def _describe(prop: dict[str, Any]) -> str:
    """A short type description from a JSON Schema property."""
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " or ".join(f"`{v}`" for v in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            kinds = [_describe(p) for p in prop[key] if p.get("type") != "null"]
            return " or ".join(kinds)
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"list of {_describe(prop.get('items', {}))}"
    names = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false"}
    return names.get(kind, kind)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "optional"
    if isinstance(value, BaseModel):
        return "see below"
    return f"default `{value!r}`".replace("'", "")


def fields_markdown() -> str:
    out = [HEADER]
    for title, model in SECTIONS:
        out.append(f"\n## {title}\n\n{(model.__doc__ or '').strip()}\n")
        out.append("| field | type | | meaning |\n|---|---|---|---|")
        properties = model.model_json_schema()["properties"]
        for name, field in model.model_fields.items():
            meaning = " ".join((field.description or "").split()).replace("|", "\\|")
            kind = _describe(properties[name])
            out.append(f"| `{name}` | {kind} | {_default(field)} | {meaning} |")
    return "\n".join(out) + "\n"


def reference_path(root: Path) -> Path:
    return root / "docs" / "reference" / "fields.md"


def write_reference(root: Path) -> Path:
    """Write the field reference page; overwrites it."""
    path = reference_path(root)
    atomic_write(path, fields_markdown())
    return path


def reference_is_stale(root: Path) -> bool:
    path = reference_path(root)
    return not path.is_file() or path.read_text(encoding="utf-8") != fields_markdown()
