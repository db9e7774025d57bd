from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from site_tools.models import Plot
from site_tools.records import Series
from site_tools.site import plots
from site_tools.site.plots import INK, PALETTE, PlotCache, drawable, plot_key, render_svg
from tests.site.hubs import logistic_series

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_plot_is_valid_svg_with_transparent_background_and_mid_tones() -> None:
    svg = render_svg(logistic_series(), Plot(x_label="time t", y_label="u(t)"))
    assert svg is not None
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert root.find(f"{SVG}rect") is None  # no background
    assert root.get("fill") == INK
    curves = [p for p in root.iter(f"{SVG}path") if p.get("stroke") in PALETTE]
    assert len(curves) == 4
    # A theory curve and its measured curve share a colour; theory is dashed.
    by_colour: dict[str, list[bool]] = {}
    for path in curves:
        by_colour.setdefault(path.get("stroke", ""), []).append(
            path.get("stroke-dasharray") is not None
        )
    assert sorted(by_colour.values()) == [[False, True], [False, True]]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "time t" in texts and "u(t)" in texts and "theory λ=4" in texts


def test_untrusted_names_and_bad_numbers_are_harmless() -> None:
    series = {
        "<script>alert(1)</script>": Series(x=[0, 1, 2, 3], y=[1, float("nan"), 2, 3]),
        "empty": Series(x=[], y=[]),
    }
    svg = render_svg(series, None)
    assert svg is not None
    assert "<script" not in svg and "&lt;script&gt;" in svg
    paths = [p.get("d", "") for p in parse(svg).iter(f"{SVG}path") if p.get("stroke") in PALETTE]
    assert len(paths) == 1 and paths[0].count("M") == 2  # the NaN splits the curve


def test_nothing_to_draw_gives_no_plot() -> None:
    assert render_svg({"a": Series(x=[1.0], y=[float("inf")])}, None) is None
    assert render_svg({}, None) is None


def test_log_axes_drop_non_positive_values_and_label_decades() -> None:
    series = {"a": Series(x=[0.0, 1.0, 10.0, 100.0], y=[-1.0, 1e-7, 1e-1, 10.0])}
    svg = render_svg(series, Plot(x_label="n", y_label="loss", x_log=True, y_log=True))
    assert svg is not None
    labels = [t.text or "" for t in parse(svg).iter(f"{SVG}text")]
    assert "0.001" in labels and "100" in labels  # moderate decades as plain numbers
    assert '10<tspan dy="-6" font-size="9">−6</tspan>' in svg  # tiny ones as powers of ten
    assert "nan" not in svg.lower()


def test_plot_key_changes_with_series_spec_and_style(monkeypatch: pytest.MonkeyPatch) -> None:
    series = logistic_series()
    spec = Plot(x_label="t", y_label="u")
    key = plot_key(series, spec)
    assert key == plot_key(dict(series), spec)
    assert key != plot_key(logistic_series(noise=0.02), spec)
    assert key != plot_key(series, Plot(x_label="t", y_label="u", y_log=True))
    monkeypatch.setattr(plots, "STYLE", "another-style")
    assert key != plot_key(series, spec)


def test_drawable() -> None:
    assert drawable(logistic_series(), None)
    assert not drawable({"a": Series(x=[1.0, 2.0], y=[float("nan")] * 2)}, None)
    assert not drawable(
        {"a": Series(x=[1.0, 2.0], y=[-1.0, 0.0])}, Plot(x_label="x", y_label="y", y_log=True)
    )


def test_plot_cache_draws_once(tmp_path: Path) -> None:
    cache = PlotCache(tmp_path / "plots")
    series, spec = logistic_series(), Plot(x_label="t", y_label="u")
    first = cache.get_or_draw("k1", series, spec)
    assert first is not None and cache.drawn == 1
    again = PlotCache(tmp_path / "plots")
    assert again.get_or_draw("k1", None, spec) == first
    assert again.drawn == 0
    assert again.get_or_draw("k2", None, spec) is None  # not cached, no series to draw


def _vertices(d: str) -> list[list[tuple[int, int]]]:
    """The absolute vertices of each stretch of path data written by ``plots._path``."""
    stretches = []
    for part in d.split("M")[1:]:
        start, _, rest = part.partition("l")
        x, y = map(int, start.split())
        numbers = [int(n) for n in re.findall(r"-?\d+", rest)]
        vertices = [(x, y)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            vertices.append((x, y))
        stretches.append(vertices)
    return stretches


def test_path_is_relative_and_drops_only_points_on_a_straight_line() -> None:
    xs = np.arange(12, dtype=float)
    ys = np.array([0, 1, 4, 9, 9, 9, 9, 9, 9, np.nan, 3, 3], dtype=float)
    d = plots._path(xs, ys)
    first, second = _vertices(d)
    # The rise keeps every point, the plateau only its ends; the NaN splits the curve.
    assert first == [(0, 0), (10, 10), (20, 40), (30, 90), (80, 90)]
    assert second == [(100, 30), (110, 30)]
    assert "l10 10 10 30 10 50 50 0" in d


def test_path_keeps_a_reversal_and_skips_repeats() -> None:
    xs = np.array([0.0, 1.0, 1.0, 2.0, 1.0])
    ys = np.array([0.0, 0.0, 0.0, 0.0, 0.0])
    ((*vertices,),) = _vertices(plots._path(xs, ys))
    assert vertices == [(0, 0), (20, 0), (10, 0)]  # out and back: the turn stays
