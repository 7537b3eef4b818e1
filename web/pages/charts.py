"""The report page's 12-week trend as plain SVG geometry (no JavaScript, no chart library).

Each rate is a line with its own dash pattern and marker shape, so the chart still reads in grey
and on paper; a week whose denominator is 0 leaves a gap rather than a made-up point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tasks.formatting import format_percent
from tasks.reports import TrendPoint

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 20, 16, 44
# (rate key, CSS class, stroke-dasharray, marker shape)
SERIES = (
    ("completion_of_due", "s1", "", "circle"),
    ("completion_of_assigned", "s2", "8 5", "square"),
    ("on_time", "s3", "2 4", "triangle"),
    ("update", "s4", "12 4 2 4", "diamond"),
)


@dataclass
class Series:
    key: str
    css: str
    dash: str
    marker: str
    paths: list[str] = field(default_factory=list)  # the line, one path per unbroken run of weeks
    markers: list[str] = field(default_factory=list)
    points: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y, value 0–1)


@dataclass
class TrendChart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]  # (x, label)
    series: list[Series]


def _marker(shape: str, x: float, y: float, r: float = 4.5) -> str:
    if shape == "square":
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y + r:.1f}L{x - r - 1:.1f},{y + r:.1f}z"
    if shape == "diamond":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}z"
    return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0z"


def trend_chart(points: list[TrendPoint], day_label: Callable, locale: str) -> TrendChart:
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    step = (right - left) / max(len(points) - 1, 1)
    xs = [left + i * step for i in range(len(points))]

    def y_of(value: float) -> float:
        return bottom - value * (bottom - top)

    series = []
    for key, css, dash, marker in SERIES:
        s = Series(key, css, dash, marker)
        run: list[str] = []
        for x, p in zip(xs, points):
            value = p.tally.rates()[key].value
            if value is None:
                if len(run) > 1:
                    s.paths.append("M" + "L".join(run))
                run = []
                continue
            y = y_of(value)
            run.append(f"{x:.1f},{y:.1f}")
            s.points.append((x, y, value))
        if len(run) > 1:
            s.paths.append("M" + "L".join(run))
        s.markers = [_marker(marker, x, y) for x, y, _ in s.points]
        series.append(s)
    return TrendChart(
        width=WIDTH, height=HEIGHT, plot=(left, top, right, bottom),
        y_ticks=[(y_of(v / 100), format_percent(v / 100, locale, decimals=0)) for v in (0, 25, 50, 75, 100)],
        x_ticks=[(x, day_label(p.day)) for x, p in zip(xs, points)],
        series=series,
    )


def legend_marker(shape: str) -> str:
    """The marker drawn in a 28 × 12 legend swatch, centred."""
    return _marker(shape, 14, 6, 4)
