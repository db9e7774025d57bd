"""Turn pydantic's validation errors into problems that point at a line of YAML."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from site_tools.models import EXPECTATION_KINDS
from site_tools.problems import Problem
from site_tools.suggest import did_you_mean
from site_tools.yaml_source import Loc, SourceDoc

M = TypeVar("M", bound=BaseModel)

_YAML_TYPE = {
    str: "text",
    int: "an integer",
    float: "a number",
    bool: "true/false",
    type(None): "null",
    list: "a list",
    dict: "a mapping",
}
_EXPECTED = {
    "string_type": "text",
    "float_type": "a number",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def model_problems(model: type[M], doc: SourceDoc) -> tuple[M | None, list[Problem]]:
    """Validate ``doc`` against ``model``; return the entry, or ``None`` and every problem."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_problem(model, doc, err) for err in exc.errors(include_url=False)]


def _problem(model: type[BaseModel], doc: SourceDoc, err: ErrorDetails) -> Problem:
    loc, owner = _data_loc(model, err["loc"])
    kind = err["type"]
    if kind == "value_error" and str(err["msg"]).startswith("Value error, @"):
        blamed, _, text = str(err["msg"]).removeprefix("Value error, @").partition(": ")
        loc = (*loc, blamed)
        err = {**err, "msg": text}
    value = err.get("input")
    field = ".".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        hint = did_you_mean(name, owner.model_fields) if owner else ""
        line, col = doc.position(loc, key=True)
        return Problem(doc.path, line, col, field, f"unknown field '{name}'{hint}")
    if kind == "missing":
        line, col = doc.position(loc[:-1])
        return Problem(doc.path, line, col, field, f"missing required field '{loc[-1]}'")
    line, col = doc.position(loc)
    return Problem(doc.path, line, col, field, _message(kind, err, value, doc, loc))


def _message(kind: str, err: ErrorDetails, value: Any, doc: SourceDoc, loc: Loc) -> str:
    if kind in _EXPECTED:
        got = _YAML_TYPE.get(type(value), type(value).__name__)
        shown = doc.raw_scalars.get(loc, repr(value))
        message = f"expected {_EXPECTED[kind]}, got {got} ({shown})"
        if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            message += f"; quote it: '{shown}'"
        elif kind in ("float_type", "int_type") and isinstance(value, str):
            message += "; write the number without quotes"
        elif kind == "list_type" and not isinstance(value, list):
            message += f"; write it as a list: [{value!r}]" if isinstance(value, str) else ""
        return message
    if kind == "union_tag_invalid":
        tags = err.get("ctx", {}).get("expected_tags", "")
        tag = str(err.get("ctx", {}).get("tag", ""))
        options = [t.strip(" '") for t in str(tags).split(",")]
        return f"unknown kind '{tag}'{did_you_mean(tag, options)}; one of {', '.join(options)}"
    if kind == "union_tag_not_found":
        return f"missing 'kind': one of {', '.join(EXPECTATION_KINDS)}"
    if kind in ("enum", "literal_error"):
        expected = err.get("ctx", {}).get("expected", "")
        options = [t.strip(" '") for t in str(expected).replace(" or ", ", ").split(",")]
        return f"'{value}' is not one of {', '.join(options)}{did_you_mean(str(value), options)}"
    if kind == "string_pattern_mismatch":
        return f"'{value}' has the wrong form: {_pattern_hint(err)}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{err['msg'].replace('Input should be', 'must be')} (got {value!r})"
    if kind == "too_short":
        return "must not be empty" if not value else str(err["msg"])
    return str(err["msg"])


def _pattern_hint(err: ErrorDetails) -> str:
    pattern = str(err.get("ctx", {}).get("pattern", ""))
    if pattern.startswith("^[a-z0-9]+(-"):
        return "use kebab-case: lowercase letters and digits joined by '-'"
    if pattern.startswith("^repro/"):
        return "a path under repro/ ending in .py, e.g. repro/my_claim.py"
    if pattern.startswith("^[a-z][a-z0-9_]*"):
        return "use snake_case: a lowercase letter, then lowercase letters, digits or '_'"
    return f"must match {pattern}"


def _data_loc(
    model: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[Loc, type[BaseModel] | None]:
    """Drop the union tags pydantic puts in ``loc``; also return the model owning the last key."""
    out: list[int | str] = []
    current: Any = model
    owner: type[BaseModel] | None = None
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            current = _item_type(current)
            continue
        models = _models_in(current)
        owner = next((m for m in models if part in m.model_fields), None)
        if owner is None and len(models) > 1:
            # A discriminated union: pydantic names the chosen member by its tag.
            current = next((m for m in models if _tag_of(m) == part), None)
            continue
        out.append(part)
        owner = owner or (models[0] if len(models) == 1 else None)
        current = (
            owner.model_fields[part].annotation if owner and part in owner.model_fields else None
        )
    return tuple(out), owner


def _unwrap(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin is typing.Union or isinstance(tp, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg)]
    return [tp]


def _models_in(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [t for t in _unwrap(tp) if isinstance(t, type) and issubclass(t, BaseModel)]


def _item_type(tp: Any) -> Any:
    for t in _unwrap(tp):
        if typing.get_origin(t) is list:
            return typing.get_args(t)[0]
    return None


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return str(args[0]) if args else None
