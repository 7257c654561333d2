"""Time series as server-rendered SVG charts (``templates/staff/_chart.html``): the
scaled bars, line segments, points and axis labels of a chart, worked out here so the
template only places them. No JavaScript, no inline style: the CSP stays strict and a
chart reads the same with scripts off; the numbers behind it go in a table beside it.

Plain Python, no Django: ``chart_build`` is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640
HEIGHT = 220
LEFT = 52  # room for the value labels
RIGHT = 12
TOP = 12
BOTTOM = 28  # room for the day labels
MAX_DAY_LABELS = 6


@dataclass(frozen=True)
class Series:
    """One line (or the bars) of a chart: a value per day, None where there is none."""

    name: str
    values: Sequence[float | None]
    css: str = "chart-series-1"


@dataclass(frozen=True)
class Tick:
    at: float  # pixels: y for a value tick, x for a day tick
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float


@dataclass(frozen=True)
class DrawnSeries:
    name: str
    css: str
    bars: list[Bar]
    segments: list[str]  # SVG polyline "x,y x,y" runs, broken where a day has no value
    dots: list[Dot]


@dataclass(frozen=True)
class Row:
    label: str  # the day, ISO
    cells: list[str]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    unit: str
    bars: bool
    series: list[DrawnSeries]
    value_ticks: list[Tick]
    day_ticks: list[Tick]
    columns: list[str]
    rows: list[Row]
    empty: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    value_label_x: int = LEFT - 6
    day_label_y: int = HEIGHT - 8
    middle_x: int = LEFT + (WIDTH - LEFT - RIGHT) // 2
    middle_y: int = TOP + (HEIGHT - TOP - BOTTOM) // 2


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above ``value`` (1 when
    there is nothing to show)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9 * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    """Whole numbers as such; others to two decimals at most, so the middle tick of a
    small axis (0.05 of 0.1) doesn't read as its top."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def chart_build(
    *,
    key: str,
    title: str,
    description: str,
    days: Sequence[date],
    series: Sequence[Series],
    unit: str = "",
    bars: bool = False,
    top: float | None = None,
    fmt: Callable[[float], str] = _number,
) -> Chart:
    """Scale ``series`` (one value per day of ``days``) into a WIDTH by HEIGHT chart.

    ``bars`` draws the first series as bars, else every series is a line with a dot on
    each value (so one value alone still shows). The value axis runs from 0 to ``top``
    (e.g. 100 for a share in per cent) or to a round number above the largest value.
    ``rows`` are the same numbers as text, one per day, "—" where a day has none."""
    for one in series:
        if len(one.values) != len(days):
            raise ValueError(
                f"series {one.name!r} has {len(one.values)} values for {len(days)} days"
            )
    known = [v for one in series for v in one.values if v is not None]
    ceiling = top if top is not None else nice_ceiling(max(known, default=0.0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(days), 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_height * (1 - min(max(value, 0.0), ceiling) / ceiling), 1)

    def x_of(index: int) -> float:
        return round(LEFT + slot * (index + 0.5), 1)

    drawn = []
    for position, one in enumerate(series):
        bar_list: list[Bar] = []
        segments: list[str] = []
        dots: list[Dot] = []
        run: list[str] = []
        for index, value in enumerate(one.values):
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            if bars and position == 0:
                y = y_of(value)
                bar_width = round(max(slot * 0.7, 1.0), 1)
                bar_list.append(
                    Bar(x=round(x_of(index) - bar_width / 2, 1), y=y, width=bar_width,
                        height=round(HEIGHT - BOTTOM - y, 1))
                )  # fmt: skip
            else:
                dots.append(Dot(x=x_of(index), y=y_of(value)))
                run.append(f"{x_of(index)},{y_of(value)}")
        if run:
            segments.append(" ".join(run))
        drawn.append(
            DrawnSeries(name=one.name, css=one.css, bars=bar_list,
                        segments=[s for s in segments if " " in s], dots=dots)
        )  # fmt: skip
    value_ticks = [
        Tick(at=y_of(ceiling * share), label=fmt(ceiling * share)) for share in (0, 0.5, 1)
    ]
    every = max(1, math.ceil(len(days) / MAX_DAY_LABELS))
    picked = list(range(0, len(days), every))
    if days and picked[-1] != len(days) - 1 and len(days) - 1 - picked[-1] >= every / 2:
        picked.append(len(days) - 1)
    day_ticks = [Tick(at=x_of(i), label=days[i].strftime("%b %-d")) for i in picked]
    rows = [
        Row(
            label=day.isoformat(),
            cells=[fmt(one.values[i]) if one.values[i] is not None else "—" for one in series],  # type: ignore[arg-type]
        )
        for i, day in enumerate(days)
    ]
    return Chart(
        key=key, title=title, description=description, unit=unit, bars=bars, series=drawn,
        value_ticks=value_ticks, day_ticks=day_ticks, columns=[one.name for one in series],
        rows=rows, empty=not known,
    )  # fmt: skip
