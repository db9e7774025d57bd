"""``result.json`` is read as hostile data: what parses, and the exact reason for what does not."""

from __future__ import annotations

import math

import pytest

from site_tools.runner.assess import MAX_JSON_DEPTH, BadOutput, parse_result, read_output


def _nested(depth: int) -> str:
    return '{"metrics": {"value": 1.0}, "extra": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_nesting_up_to_the_cap_parses_and_one_more_level_does_not() -> None:
    assert parse_result(_nested(MAX_JSON_DEPTH))["metrics"] == {"value": 1.0}
    with pytest.raises(BadOutput, match="deeper than 32 levels"):
        parse_result(_nested(MAX_JSON_DEPTH + 1))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"metrics": {"value": 1.0}, "note": "' + "[{" * 100 + '\\"]"}'
    assert parse_result(text)["note"].startswith("[{[{")


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("1" + "0" * 307, True), ("-1" + "0" * 307, True), ("2" + "0" * 308, False)],
)
def test_integers_must_fit_a_float(digits: str, ok: bool) -> None:
    text = '{"metrics": {"value": ' + digits + "}}"
    if ok:
        assert math.isfinite(float(parse_result(text)["metrics"]["value"]))
    else:
        with pytest.raises(BadOutput) as caught:
            parse_result(text)
        assert str(caught.value) == (
            "result.json has an integer of 309 digits, beyond the range of a float"
        )


def test_a_duplicate_key_anywhere_is_an_error() -> None:
    with pytest.raises(BadOutput) as caught:
        parse_result('{"metrics": {"value": 1.0}, "series": {"a": 1, "a": 2}}')
    assert str(caught.value) == 'result.json has the key "a" twice'


def test_an_event_that_never_happened_passes_through_as_data() -> None:
    text = '{"metrics": {"t": null, "v": 1.0}, "absent": {"t": "loss < 0.1 never happened"}}'
    assert read_output(text, None) == (
        {"t": None, "v": 1.0},
        {},
        {"t": "loss < 0.1 never happened"},
    )


def test_non_finite_numbers_parse_so_that_judging_can_name_them() -> None:
    metrics, _, _ = read_output('{"metrics": {"v": NaN, "w": Infinity}}', None)
    assert math.isnan(metrics["v"]) and metrics["w"] == math.inf
