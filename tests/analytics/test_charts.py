"""The chart helper (``web.charts``) and the period form (``web.periods``): plain
scaling arithmetic and field errors, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from web.charts import BOTTOM, HEIGHT, LEFT, TOP, WIDTH, Series, chart_build, nice_ceiling
from web.periods import MAX_DAYS, PeriodForm, period_form

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(4)]
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (0.3, 0.5), (160, 200), (501, 1000)],
)
def test_nice_ceiling(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_bars_scale_to_a_round_top() -> None:
    chart = chart_build(
        key="g", title="T", description="D", days=DAYS,
        series=[Series(name="n", values=[0, 5, 10, 2.5])], bars=True,
    )  # fmt: skip
    bars = chart.series[0].bars
    assert len(bars) == 4
    baseline = HEIGHT - BOTTOM
    assert bars[0].height == 0 and bars[0].y == baseline
    assert bars[2].y == TOP and bars[2].height == PLOT_HEIGHT  # 10 is the top
    assert bars[1].height == pytest.approx(PLOT_HEIGHT / 2, abs=0.1)
    slot = (WIDTH - LEFT - 12) / 4
    assert bars[0].x == pytest.approx(LEFT + slot * 0.15, abs=0.1)  # centred, 70 % wide
    assert [t.label for t in chart.value_ticks] == ["0", "5", "10"]
    assert [r.cells for r in chart.rows] == [["0"], ["5"], ["10"], ["2.5"]]
    assert not chart.empty


def test_lines_break_where_a_day_has_no_value_and_a_fixed_top_clamps() -> None:
    chart = chart_build(
        key="r", title="T", description="D", days=DAYS, top=100,
        series=[Series(name="a", values=[50, 100, None, 150]),
                Series(name="b", values=[None, None, None, None], css="chart-series-2")],
    )  # fmt: skip
    first, second = chart.series
    assert len(first.segments) == 1 and first.segments[0].count(",") == 2  # days 1-2
    assert len(first.dots) == 3  # day 4 alone still shows, as a dot
    assert first.dots[1].y == TOP and first.dots[2].y == TOP  # 150 clamps at 100
    assert first.dots[0].y == pytest.approx(TOP + PLOT_HEIGHT / 2, abs=0.1)
    assert second.segments == [] and second.dots == []
    assert [r.cells for r in chart.rows][2:] == [["—", "—"], ["150", "—"]]
    assert chart.columns == ["a", "b"]


def test_a_small_axis_keeps_its_ticks_apart() -> None:
    small = chart_build(
        key="k", title="T", description="D", days=DAYS, series=[Series(name="s", values=[0.1] * 4)]
    )
    assert [t.label for t in small.value_ticks] == ["0", "0.05", "0.1"]


def test_an_empty_series_draws_an_empty_chart() -> None:
    chart = chart_build(
        key="e", title="T", description="D", days=DAYS, series=[Series(name="x", values=[None] * 4)]
    )
    assert chart.empty
    assert [t.label for t in chart.value_ticks] == ["0", "0.5", "1"]
    assert chart.series[0].dots == []


def test_one_day_one_point() -> None:
    chart = chart_build(
        key="o", title="T", description="D", days=DAYS[:1], series=[Series(name="x", values=[7])]
    )
    assert chart.series[0].segments == []
    assert len(chart.series[0].dots) == 1
    assert chart.series[0].dots[0].x == pytest.approx(LEFT + (WIDTH - LEFT - 12) / 2, abs=0.1)
    assert [t.label for t in chart.day_ticks] == ["Mar 1"]


def test_day_labels_stay_few_on_a_long_period() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(90)]
    chart = chart_build(
        key="l", title="T", description="D", days=days, series=[Series(name="x", values=[1] * 90)]
    )
    assert 2 <= len(chart.day_ticks) <= 7
    assert chart.day_ticks[0].label == "Jan 1"


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="3 values for 4 days"):
        chart_build(key="w", title="T", description="D", days=DAYS,
                    series=[Series(name="x", values=[1, 2, 3])])  # fmt: skip


def test_the_period_form_defaults_and_choices() -> None:
    today = timezone.now().date()
    _, period = period_form({})
    assert period is not None and period.last_day == today and len(period.days) == 30
    _, period = period_form({"last": "7"})
    assert period is not None and len(period.days) == 7
    _, period = period_form({"start": "2026-01-01", "end": "2026-01-03", "last": "90"})
    assert period is not None and [d.day for d in period.days] == [1, 2, 3]
    assert period.end - period.start == timedelta(days=3)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"last": "8"}, "last"),
        ({"start": "2026-13-01", "end": "2026-01-02"}, "start"),
        ({"start": "2026-01-01"}, "end"),
        ({"end": "2026-01-01"}, "start"),
        ({"start": "2026-01-05", "end": "2026-01-01"}, "end"),
        ({"start": "2020-01-01", "end": "2021-06-01"}, "start"),
        ({"start": "2026-01-01", "end": "2999-01-01"}, "end"),
    ],
)
def test_each_bad_period_is_an_error_on_its_field(query: dict[str, str], field: str) -> None:
    form, period = period_form(query)
    assert period is None
    assert list(form.errors) == [field]
    assert isinstance(form, PeriodForm) and MAX_DAYS == 366
