"""Safe YAML loading that remembers where every value came from.

PyYAML's C composer builds the node graph; we turn nodes into plain Python values ourselves,
so that every value keeps its line and column, duplicate keys and aliases are refused, and no
value is converted behind the contributor's back (an unquoted ``2604.21691`` stays a float and
the schema then says to quote it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from site_tools.problems import Problem

Loc = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_constructor = yaml.constructor.SafeConstructor()
# Direct calls: PyYAML's generic construct_object costs more than the parse itself here.
_CONSTRUCT = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}


@dataclass
class SourceDoc:
    """A parsed YAML mapping with the position of every value and key in it."""

    path: str
    data: dict[str, Any]
    text: str = ""
    value_pos: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    raw_scalars: dict[Loc, str] = field(default_factory=dict)
    """Source text of values YAML read as numbers or booleans, for messages: ``1312.6120``
    reads as the float 1312.612, and the message should quote what was written."""

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Best (line, col) for ``loc``: the key or value itself, else its nearest ancestor."""
        table = self.key_pos if key else self.value_pos
        if loc in table:
            return table[loc]
        while loc:
            loc = loc[:-1]
            if loc in self.value_pos:
                return self.value_pos[loc]
        return (1, 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.position(loc, key=key)
        return Problem(self.path, line, col, ".".join(str(p) for p in loc), message)


class _Refusal(Exception):
    def __init__(self, node: yaml.Node, message: str, *, alias: bool = False):
        self.node = node
        self.message = message
        self.alias = alias


def load_yaml(raw: bytes, path: str, *, max_bytes: int) -> SourceDoc | Problem:
    """Parse ``raw`` as one YAML mapping.

    Returns the document, or the single problem that stops it from being read at all
    (encoding, size, syntax, top-level type, aliases, duplicate keys).
    """
    if len(raw) > max_bytes:
        return Problem(path, 1, 1, "", f"file is {len(raw)} bytes; the limit is {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(path, line, col, "", "file is not valid UTF-8; save it as UTF-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return _syntax_problem(text, path, exc)
    except yaml.YAMLError as exc:
        return Problem(path, 1, 1, "", f"YAML error: {exc}")
    if node is None:
        return Problem(path, 1, 1, "", "file is empty; an entry is a YAML mapping of fields")
    if not isinstance(node, yaml.MappingNode):
        kind = "list" if isinstance(node, yaml.SequenceNode) else "single value"
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return Problem(
            path, line, col, "", f"top level is a {kind}; an entry must be a mapping of fields"
        )
    doc = SourceDoc(path, {}, text)
    try:
        data = _convert(node, (), doc, set())
    except _Refusal as exc:
        mark = exc.node.start_mark
        if exc.alias:
            mark = next(
                (
                    t.start_mark
                    for t in yaml.scan(text, Loader=_Loader)
                    if isinstance(t, yaml.AliasToken)
                ),
                mark,
            )
        return Problem(path, mark.line + 1, mark.column + 1, "", exc.message)
    assert isinstance(data, dict)
    doc.data = data
    return doc


def _syntax_problem(text: str, path: str, exc: yaml.MarkedYAMLError) -> Problem:
    for number, source_line in enumerate(text.splitlines(), start=1):
        indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(
                path,
                number,
                indent.index("\t") + 1,
                "",
                "tab used for indentation; YAML indents with spaces only",
            )
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    return Problem(path, line, col, "", f"YAML syntax error: {what}")


def _convert(node: yaml.Node, loc: Loc, doc: SourceDoc, seen: set[int]) -> Any:
    if id(node) in seen:
        # The composer shares one node between an anchor and its aliases; meeting it twice
        # means an alias, which is how "billion laughs" documents grow without bound.
        raise _Refusal(
            node,
            "YAML aliases (*name) are not allowed in hub files; write the value out",
            alias=True,
        )
    seen.add(id(node))
    doc.value_pos[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise _Refusal(node, f"unsupported YAML tag {node.tag!r}; use plain values")
        if node.tag == _STR or node.tag == _TIMESTAMP:
            return node.value
        doc.raw_scalars[loc] = node.value
        return _CONSTRUCT[node.tag](node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), doc, seen) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                raise _Refusal(
                    key_node, "mapping keys must be plain names (no merge keys or complex keys)"
                )
            key = key_node.value
            if key in out:
                first = doc.key_pos[(*loc, key)][0]
                raise _Refusal(key_node, f"duplicate key '{key}' (first defined on line {first})")
            doc.key_pos[(*loc, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _convert(value_node, (*loc, key), doc, seen)
        return out
    raise _Refusal(node, "unsupported YAML node")  # pragma: no cover


def read_yaml_file(path: Path, shown: str, *, max_bytes: int) -> SourceDoc | Problem:
    """Read and parse a YAML file from disk without reading more than ``max_bytes`` + 1 bytes."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:
                size = path.stat().st_size
                return Problem(
                    shown, 1, 1, "", f"file is {size} bytes; the limit is {max_bytes} bytes"
                )
    except OSError as exc:
        return Problem(shown, 0, 0, "", f"cannot read file: {exc.strerror}")
    return load_yaml(raw, shown, max_bytes=max_bytes)
