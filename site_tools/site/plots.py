"""Theory-versus-measurement plots as small, self-contained SVG files.

A claim's script reports named series (``x``, ``y`` and a ``style``: ``theory`` or
``measured``); the claim's YAML may say how to label and scale the axes. One plot per claim
draws the series of one seed: theory dashed, measurement solid, and a theory curve and the
measured curve of the same quantity (``theory λ=4`` and ``measured λ=4``) in the same colour.

The drawing is lean on purpose. matplotlib chooses the ticks (:mod:`matplotlib.ticker`), and
the SVG is written directly: a full matplotlib figure costs 35 to 60 ms of CPU per plot here
(most of it laying out text), so 1,000 claims would take longer to plot than mkdocs takes to
build the whole site, while writing the SVG directly takes about a millisecond. The browser
lays out the text. The background is transparent and every colour is a mid-tone that reads on
both the light and the dark palette.

Drawings are cached under the hash of their input (:func:`plot_key`),
so a plot is drawn again only when its series, its spec or :data:`STYLE` change.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator

from site_tools.fsio import atomic_write
from site_tools.models import Plot
from site_tools.records import Series

STYLE = "svg-8"
"""Version of the drawing; part of every plot's cache key, so bump it when the SVG changes."""

WIDTH, HEIGHT = 600, 420
RIGHT, BOTTOM = 20, 62
FONT_SIZE = 15
"""Tick and legend text, in SVG pixels: a 600 px drawing shrunk to a 360 px phone screen
still shows it at 9 CSS pixels."""
CHAR_WIDTH = 0.58 * FONT_SIZE
"""Estimated advance of one character, for laying out the legend and the y ticks."""
MARKERS_BELOW = 30
"""Series with fewer points than this get a marker at each point."""
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#8c8c8c"
"""Axes and text: mid-grey, legible on white and on Material's slate."""
PALETTE = ("#3b82f6", "#f97316", "#10b981", "#e5484d", "#a855f7", "#0ea5b7", "#d99a06", "#ec4899")
MAX_POINTS = 400
"""Points drawn per series at most (longer series are thinned evenly)."""
_QUALIFIER = re.compile(r"\([^()]*\)")
_STYLE_WORDS = re.compile(
    r"\b(theory|theoretical|measured|measurement|predicted|prediction|"
    r"experiment|observed|empirical)\b",
    re.IGNORECASE,
)


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(x) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(x) - 1, MAX_POINTS).round().astype(int))
        return x[keep], y[keep]
    return x, y


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        # Decades; on a narrow range add 2 and 5 times each decade, then every integer multiple.
        for subs in ((1.0,), (1.0, 2.0, 5.0), tuple(float(k) for k in range(1, 10))):
            values = LogLocator(base=10, subs=subs).tick_values(low, high)
            if sum(1 for v in values if low <= v <= high) >= 3:
                break
    else:
        values = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    span = (high - low) * 1e-9
    return [float(v) for v in values if low - span <= v <= high + span]


def _power(exponent: int) -> str:
    sign = "−" if exponent < 0 else ""
    return f'10<tspan dy="-6" font-size="9">{sign}{abs(exponent)}</tspan>'


def _label(value: float, log: bool) -> str:
    if value == 0:
        return "0"
    if log:
        exponent = math.floor(math.log10(value) + 1e-9)
        if exponent < -4 or exponent > 4:
            mantissa = round(value / 10.0**exponent, 6)
            return _power(exponent) if mantissa == 1 else f"{mantissa:g}×{_power(exponent)}"
    return f"{value:.6g}".replace("-", "−")


def _limits(values: list[np.ndarray], log: bool) -> tuple[float, float] | None:
    finite = [v[np.isfinite(v) & ((v > 0) if log else True)] for v in values]
    data = np.concatenate(finite) if finite else np.array([])
    if data.size == 0:
        return None
    low, high = float(data.min()), float(data.max())
    if log:
        low, high = math.log10(low), math.log10(high)
    if high - low < 1e-12:
        pad = abs(high) * 0.05 or 1.0
        low, high = low - pad, high + pad
    else:
        pad = (high - low) * 0.04
        low, high = low - pad, high + pad
    return (10**low, 10**high) if log else (low, high)


class _Axis:
    def __init__(self, low: float, high: float, log: bool, start: float, end: float):
        self.log = log
        self.low = math.log10(low) if log else low
        self.high = math.log10(high) if log else high
        self.start, self.end = start, end
        self.ticks = _ticks(low, high, log)

    def to_px(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.log10(np.where(values > 0, values, np.nan)) if self.log else values
        return self.start + (data - self.low) / (self.high - self.low) * (self.end - self.start)

    def px(self, value: float) -> float:
        return float(self.to_px(np.array([value]))[0])


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    """Path data in tenths of a pixel (drawn inside ``scale(0.1)``); gaps at non-finite points.

    Each stretch is a start point then relative steps (``l``), which are shorter than
    absolute points; a point that adds nothing at that resolution (a repeat, or one on the
    straight line between its neighbours, as along a plateau) is left out.
    """
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(xs) & np.isfinite(ys)
        x10 = np.where(finite, np.round(xs * 10), 0).astype(np.int64)
        y10 = np.where(finite, np.round(ys * 10), 0).astype(np.int64)
    parts: list[str] = []
    # Runs of consecutive finite points: each becomes one "M x y l dx dy dx dy ..." stretch.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for start, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        points = np.column_stack((x10[start:stop], y10[start:stop]))
        steps = _essential_steps(points)
        head = f"M{points[0, 0]} {points[0, 1]}"
        if len(steps):
            # "5-3" reads as 5 then -3 in path data, so a minus sign needs no space before it.
            head += "l" + " ".join(map(str, steps.ravel().tolist())).replace(" -", "-")
        parts.append(head)
    return "".join(parts)


def _essential_steps(points: np.ndarray) -> np.ndarray:
    """The steps between the points of one stretch (integers), without zero steps and with
    consecutive steps in exactly the same direction merged: the drawn line is unchanged."""
    steps: np.ndarray = np.diff(points, axis=0)
    steps = steps[(steps != 0).any(axis=1)]
    if len(steps) < 2:
        return steps
    before, after = steps[:-1], steps[1:]
    cross = before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0]
    dot = (before * after).sum(axis=1)
    turns = np.flatnonzero((cross != 0) | (dot < 0)) + 1  # a step that starts a new segment
    starts = np.concatenate(([0], turns))
    merged: np.ndarray = np.add.reduceat(steps, starts, axis=0)
    return merged


def _colours(names: list[str]) -> dict[str, str]:
    bases: dict[str, str] = {}
    out = {}
    for name in names:
        # "theory (NTK) k=1" and "measured k=1" are one quantity: style words and
        # parenthesised qualifiers do not name it.
        base = " ".join(_STYLE_WORDS.sub(" ", _QUALIFIER.sub(" ", name)).split()).lower() or name
        if base not in bases:
            bases[base] = PALETTE[len(bases) % len(PALETTE)]
        out[name] = bases[base]
    return out


def _legend(entries: list[tuple[str, str, bool]], width: float) -> tuple[list[str], float]:
    """SVG of the legend rows above the plot, and the height they take."""
    out: list[str] = []
    left = 10
    x, row = left, 0
    for name, colour, dashed in entries:
        label = name if len(name) <= 36 else name[:35] + "…"
        item_width = 34 + CHAR_WIDTH * len(label) + 18
        if x > left and x + item_width > width - RIGHT:
            x, row = left, row + 1
        y = 20 + row * 22
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 26}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="2.4"{dash}/>'
        )
        out.append(f'<text x="{x + 32}" y="{y}">{html.escape(label)}</text>')
        x += int(item_width)
    return out, 20 + (row + 1) * 22


Curve = tuple[str, np.ndarray, np.ndarray, bool]
"""Name, x, y (thinned) and whether it is a theory curve."""


def _others(others: Sequence[Mapping[str, Series]]) -> list[Curve]:
    """The measured curves of the other seeds (theory is the same on every seed)."""
    return [c for series in others for c in _curves(series) if not c[3]]


def _curves(series: Mapping[str, Series]) -> list[Curve]:
    curves = []
    for name, s in series.items():
        n = min(len(s.x), len(s.y))
        if n:
            x, y = _thin(np.asarray(s.x[:n], dtype=float), np.asarray(s.y[:n], dtype=float))
            curves.append((name, x, y, s.style == "theory"))
    return curves


def _frame(
    curves: list[Curve], plot: Plot | None
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    x_limits = _limits([c[1] for c in curves], bool(plot and plot.x_log))
    y_limits = _limits([c[2] for c in curves], bool(plot and plot.y_log))
    return None if x_limits is None or y_limits is None else (x_limits, y_limits)


def drawable(series: Mapping[str, Series], plot: Plot | None) -> bool:
    """Whether :func:`render_svg` would draw ``series`` (some finite point on each axis)."""
    return _frame(_curves(series), plot) is not None


def plot_key(
    series: Mapping[str, Series], plot: Plot | None, others: Sequence[Mapping[str, Series]] = ()
) -> str:
    """Content hash of a plot: its series (every seed's), its spec and :data:`STYLE`."""
    digest = hashlib.sha256()
    spec = plot.model_dump(mode="json", exclude={"caption"}) if plot else None
    digest.update(json.dumps([STYLE, spec], sort_keys=True).encode())
    every = [
        (f"{n}:{name}", s)
        for n, seed in enumerate([series, *others])
        for name, s in sorted(seed.items())
    ]
    for name, s in every:
        # The numbers' bytes, not their JSON: hashing floats as text is 50x slower.
        for part in (
            name.encode(),
            s.style.encode(),
            array("d", s.x).tobytes(),
            array("d", s.y).tobytes(),
        ):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
    return digest.hexdigest()


def render_svg(
    series: Mapping[str, Series], plot: Plot | None, others: Sequence[Mapping[str, Series]] = ()
) -> str | None:
    """The plot of ``series`` as SVG text, or None when no series has a drawable point.

    Parameters
    ----------
    series
        Named curves from a run record (untrusted: names are escaped, bad numbers skipped).
    plot
        Axis labels, scales and accessible title from the claim; defaults to ``x`` and ``y``.
    others
        The series of the other seeds: their measured curves are drawn thin, in the colour
        of the same quantity, under the main seed's.
    """
    x_log = bool(plot and plot.x_log)
    y_log = bool(plot and plot.y_log)
    x_label = plot.x_label if plot else "x"
    y_label = plot.y_label if plot else "y"
    title = (
        plot.title if plot and plot.title else None
    ) or f"Theory and measurement: {y_label} against {x_label}"
    names = plot.labels if plot else {}
    curves = [(names.get(c[0], c[0]), *c[1:]) for c in _curves(series)]
    extra = [(names.get(c[0], c[0]), *c[1:]) for c in _others(others)]
    frame = _frame(curves + extra, plot)
    if frame is None:
        return None
    x_limits, y_limits = frame
    colours = _colours([c[0] for c in curves])
    legend, top = _legend([(c[0], colours[c[0]], c[3]) for c in curves], WIDTH)
    top += 10
    y_axis = _Axis(*y_limits, y_log, HEIGHT - BOTTOM, top)
    # Room for the widest y tick label and the rotated axis label, so that neither is clipped.
    widest = max((len(re.sub(r"<[^>]+>", "", _label(t, y_log))) for t in y_axis.ticks), default=1)
    left = int(32 + CHAR_WIDTH * widest + 8)
    x_axis = _Axis(*x_limits, x_log, left, WIDTH - RIGHT)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="title" '
        f'font-family="{html.escape(FONT, quote=False)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="title">{html.escape(title)}</title>',
        f'<defs><clipPath id="area"><rect x="{left}" y="{top}" width="{WIDTH - left - RIGHT}" '
        f'height="{HEIGHT - BOTTOM - top}"/></clipPath></defs>',
    ]
    # Each axis's tick labels share one group for their alignment (plots are 10,000 files of a
    # large hub: every repeated attribute counts).
    grid, x_labels, y_labels = [], ['<g text-anchor="middle">'], ['<g text-anchor="end">']
    for tick in x_axis.ticks:
        px = x_axis.px(tick)
        grid.append(f"M{px:.1f} {top}V{HEIGHT - BOTTOM}")
        x_labels.append(
            f'<text x="{px:.1f}" y="{HEIGHT - BOTTOM + 20}">{_label(tick, x_log)}</text>'
        )
    for tick in y_axis.ticks:
        py = y_axis.px(tick)
        grid.append(f"M{left} {py:.1f}H{WIDTH - RIGHT}")
        y_labels.append(f'<text x="{left - 8}" y="{py + 4:.1f}">{_label(tick, y_log)}</text>')
    out.append(f'<path d="{"".join(grid)}" stroke="{INK}" stroke-opacity="0.25" fill="none"/>')
    out.append(
        f'<path d="M{left} {top}V{HEIGHT - BOTTOM}H{WIDTH - RIGHT}" stroke="{INK}" fill="none"/>'
    )
    out += [*x_labels, "</g>", *y_labels, "</g>"]
    out.append(
        f'<text x="{(left + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 12}" '
        f'text-anchor="middle" font-size="{FONT_SIZE + 1}">{html.escape(x_label)}</text>'
    )
    mid = (top + HEIGHT - BOTTOM) / 2
    # A long label is set smaller rather than run past the ends of the axis.
    room = HEIGHT - BOTTOM - top + 40
    size = min(FONT_SIZE + 1, max(11.0, room / (0.58 * max(len(y_label), 1))))
    out.append(
        f'<text transform="translate(18 {mid:.0f}) rotate(-90)" text-anchor="middle" '
        f'font-size="{size:.1f}">{html.escape(y_label)}</text>'
    )
    out.extend(legend)
    out.append(
        '<g clip-path="url(#area)"><g transform="scale(0.1)" fill="none" '
        'stroke-width="20" stroke-linejoin="round" stroke-linecap="round">'
    )
    # Other seeds thin and faint, then the main seed's measured curves, theory on top: a dashed
    # line stays visible over a solid one.
    for name, x, y, _ in extra:
        d = _path(x_axis.to_px(x), y_axis.to_px(y))
        if d and name in colours:
            out.append(
                f'<path d="{d}" stroke="{colours[name]}" stroke-width="10" stroke-opacity="0.5"/>'
            )
    markers = []
    for name, x, y, theory in sorted(curves, key=lambda c: c[3]):
        xs, ys = x_axis.to_px(x), y_axis.to_px(y)
        d = _path(xs, ys)
        if d:
            dash = ' stroke-dasharray="60 40"' if theory else ""
            out.append(f'<path d="{d}" stroke="{colours[name]}"{dash}/>')
        if len(x) < MARKERS_BELOW:
            shape = "rect" if theory else "circle"
            for px, py in zip(xs.tolist(), ys.tolist(), strict=True):
                if math.isfinite(px) and math.isfinite(py):
                    markers.append(_marker(shape, px * 10, py * 10, colours[name]))
    out.extend(markers)
    out.append("</g></g></svg>")
    return "\n".join(out) + "\n"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """A point marker in tenths of a pixel: a disc for measured values, a hollow square for
    theory."""
    if shape == "circle":
        return f'<circle cx="{x:.0f}" cy="{y:.0f}" r="38" fill="{colour}" stroke="none"/>'
    return (
        f'<rect x="{x - 36:.0f}" y="{y - 36:.0f}" width="72" height="72" stroke="{colour}" '
        'stroke-width="14" fill="none"/>'
    )


class PlotCache:
    """Drawn plots by key, in ``<folder>/<key>.svg`` (a file is written once, never changed).

    Parameters
    ----------
    folder
        Where drawings are kept; created on first write. ``None``: draw every plot and
        keep nothing (``lmhub build --no-cache``).
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.drawn = 0
        """Plots drawn (not found in the cache) by this object."""
        self.keys: set[str] = set()
        self._kept: dict[str, str] = {}
        """Drawings of a cache without a folder, held for the rest of the build."""
        if folder is not None and folder.is_dir():
            # Names, not paths: a path object for each of 10,000 drawings costs a tenth of a
            # second.
            self.keys = {n[:-4] for n in os.listdir(folder) if n.endswith(".svg") and n != ".svg"}

    def path(self, key: str) -> Path:
        """Where the drawing of ``key`` is kept (only called with a folder)."""
        assert self.folder is not None
        return self.folder / f"{key}.svg"

    def get_or_draw(
        self,
        key: str,
        series: Mapping[str, Series] | None,
        plot: Plot | None,
        others: Sequence[Mapping[str, Series]] = (),
    ) -> str | None:
        """The drawing for ``key``: from the cache, else drawn from ``series`` and stored."""
        if key in self._kept:
            return self._kept[key]
        if key in self.keys:
            try:
                return self.path(key).read_text(encoding="utf-8")
            except OSError:
                self.keys.discard(key)
        if series is None:
            return None
        svg = render_svg(series, plot, others)
        if svg is not None:
            if self.folder is not None:
                atomic_write(self.path(key), svg)
            else:
                self._kept[key] = svg
            self.keys.add(key)
            self.drawn += 1
        return svg
