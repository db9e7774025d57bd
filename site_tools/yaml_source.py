"""Safe YAML loading that can say where every value came from.

PyYAML's C composer builds the node graph; we turn nodes into plain Python values ourselves,
so that duplicate keys and aliases are refused and no value is converted behind the
contributor's back (an unquoted ``2604.21691`` stays a float and the schema then says to
quote it). Where each value and key came from is worked out only when a message needs it:
most files have no problem, and recording the positions of every value of every file
costs more than parsing them.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

from site_tools.problems import Problem

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_constructor = yaml.constructor.SafeConstructor()
# Direct calls: PyYAML's generic construct_object costs more than the parse itself here.
_CONSTRUCT = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}
_KEPT_AS_WRITTEN = {_STR, _TIMESTAMP}
"""Tags whose values stay the text as written (a date is text to the schema)."""
_RESOLVER = Resolver()


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag YAML 1.1 gives an unquoted scalar; cached, since keys repeat in every file."""
    tag: str = _RESOLVER.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


class _Loader(_Parser, Resolver):
    """The composer of ``yaml.CSafeLoader`` with a quicker resolver.

    The composer asks the resolver for the tag of every node; PyYAML's generic resolver
    (with path resolvers, which the safe loader never has) costs a third of the parse.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _plain_tag(value) if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


def _compose(text: str) -> Node | None:
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


@dataclass
class _Marks:
    value_pos: dict[Loc, tuple[int, int]]
    key_pos: dict[Loc, tuple[int, int]]
    raw_scalars: dict[Loc, str]


@dataclass
class SourceDoc:
    """A parsed YAML mapping, and the position of every value and key in it on demand."""

    path: str
    data: dict[str, Any]
    text: str = ""
    _marks: _Marks | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def value_pos(self) -> dict[Loc, tuple[int, int]]:
        """(line, col) of each value, by its location in :attr:`data`."""
        return self._located().value_pos

    @property
    def key_pos(self) -> dict[Loc, tuple[int, int]]:
        """(line, col) of each mapping key, by the location of its value."""
        return self._located().key_pos

    @property
    def raw_scalars(self) -> dict[Loc, str]:
        """Source text of values YAML read as numbers or booleans, for messages:
        ``1312.6120`` reads as the float 1312.612, and the message should quote what was
        written."""
        return self._located().raw_scalars

    def _located(self) -> _Marks:
        if self._marks is None:
            # The text was parsed once already, so composing it again cannot fail.
            node = _compose(self.text)
            self._marks = _Marks({}, {}, {})
            if node is not None:
                _mark(node, (), self._marks)
        return self._marks

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Best (line, col) for ``loc``: the key or value itself, else its nearest ancestor."""
        table = self.key_pos if key else self.value_pos
        if loc in table:
            return table[loc]
        value_pos = self.value_pos
        while loc:
            loc = loc[:-1]
            if loc in value_pos:
                return value_pos[loc]
        return (1, 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.position(loc, key=key)
        return Problem(self.path, line, col, ".".join(str(p) for p in loc), message)


def _mark(node: Node, loc: Loc, marks: _Marks) -> None:
    marks.value_pos[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        if node.tag not in _KEPT_AS_WRITTEN:
            marks.raw_scalars[loc] = node.value
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _mark(item, (*loc, i), marks)
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            here = (*loc, key_node.value)
            marks.key_pos[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _mark(value_node, here, marks)


class _Refusal(Exception):
    def __init__(self, node: Node, message: str, *, alias: bool = False):
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
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return _syntax_problem(text, path, exc)
    except yaml.YAMLError as exc:
        return Problem(path, 1, 1, "", f"YAML error: {exc}")
    if node is None:
        return Problem(path, 1, 1, "", "file is empty; an entry is a YAML mapping of fields")
    if not isinstance(node, MappingNode):
        kind = "list" if isinstance(node, SequenceNode) else "single value"
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        return Problem(
            path, line, col, "", f"top level is a {kind}; an entry must be a mapping of fields"
        )
    try:
        data = _convert(node, set())
    except _Refusal as exc:
        mark = exc.node.start_mark
        if exc.alias:
            mark = next(
                (
                    t.start_mark
                    for t in yaml.scan(text, Loader=yaml.CSafeLoader)
                    if isinstance(t, yaml.AliasToken)
                ),
                mark,
            )
        return Problem(path, mark.line + 1, mark.column + 1, "", exc.message)
    return SourceDoc(path, data, text)


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


def _convert(node: Node, seen: set[int]) -> Any:
    if id(node) in seen:
        # The composer shares one node between an anchor and its aliases; meeting it twice
        # means an alias, which is how "billion laughs" documents grow without bound.
        raise _Refusal(
            node,
            "YAML aliases (*name) are not allowed in hub files; write the value out",
            alias=True,
        )
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        if node.tag in _KEPT_AS_WRITTEN:
            return node.value
        construct = _CONSTRUCT.get(node.tag)
        if construct is None:
            raise _Refusal(node, f"unsupported YAML tag {node.tag!r}; use plain values")
        return construct(node)
    if isinstance(node, SequenceNode):
        return [_convert(item, seen) for item in node.value]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                raise _Refusal(
                    key_node, "mapping keys must be plain names (no merge keys or complex keys)"
                )
            key = key_node.value
            if key in out:
                first = next(k for k, _ in node.value if k.value == key).start_mark.line + 1
                raise _Refusal(key_node, f"duplicate key '{key}' (first defined on line {first})")
            out[key] = _convert(value_node, seen)
        return out
    raise _Refusal(node, "unsupported YAML node")  # pragma: no cover


def read_yaml_file(path: Path, shown: str, *, max_bytes: int) -> SourceDoc | Problem:
    """Read and parse a YAML file from disk without reading more than ``max_bytes`` + 1 bytes."""
    try:
        with path.open("rb") as handle:
            # Ask for no more than the file holds: a read of max_bytes allocates that much.
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(min(size, max_bytes) + 1)
            if len(raw) > size:  # it grew since, or the system does not know its size
                raw += handle.read(max_bytes + 1 - len(raw))
            if len(raw) > max_bytes:
                size = path.stat().st_size
                return Problem(
                    shown, 1, 1, "", f"file is {size} bytes; the limit is {max_bytes} bytes"
                )
    except OSError as exc:
        return Problem(shown, 0, 0, "", f"cannot read file: {exc.strerror}")
    return load_yaml(raw, shown, max_bytes=max_bytes)
