from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from site_tools.problems import Problem
from site_tools.yaml_source import SourceDoc, load_yaml


def load(text: str | bytes, max_bytes: int = 10_000) -> SourceDoc | Problem:
    raw = text.encode() if isinstance(text, str) else text
    return load_yaml(raw, "f.yaml", max_bytes=max_bytes)


def test_positions_of_values_and_keys() -> None:
    doc = load("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert isinstance(doc, SourceDoc)
    assert doc.value_pos[("b", 1, "c")] == (4, 9)
    assert doc.key_pos[("b",)] == (2, 1)
    assert doc.position(("b", 5, "zz")) == (3, 3)


def test_numbers_are_not_converted_to_text() -> None:
    doc = load("id: 2604.21691\nflag: yes\nwhen: 2024-01-01\n")
    assert isinstance(doc, SourceDoc)
    assert doc.data == {"id": 2604.21691, "flag": True, "when": "2024-01-01"}
    assert doc.raw_scalars[("id",)] == "2604.21691"


def test_python_tags_are_refused() -> None:
    problem = load("a: !!python/object:os.system ls\n")
    assert isinstance(problem, Problem)
    assert "unsupported YAML tag" in problem.message


def test_merge_keys_are_refused() -> None:
    problem = load("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert isinstance(problem, Problem)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    problem = load("\n".join(lines) + "\n")
    assert isinstance(problem, Problem)
    assert (problem.line, problem.col) == (2, 8)


def test_byte_order_mark_is_accepted() -> None:
    assert isinstance(load(b"\xef\xbb\xbfa: 1\n"), SourceDoc)


scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
documents = st.dictionaries(
    st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
    st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=4)
        ),
        max_leaves=12,
    ),
    min_size=1,
    max_size=6,
)


@given(documents)
def test_round_trip_matches_pyyaml(data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    doc = load(text, max_bytes=1_000_000)
    assert isinstance(doc, SourceDoc)
    assert doc.data == yaml.safe_load(text)
