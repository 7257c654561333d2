"""The period a staff chart page shows: the last 7, 30 or 90 days, or from one day to
another (both included), in UTC days. One form for every page that charts by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

LAST_DAYS = (7, 30, 90)
DEFAULT_LAST_DAYS = 30
# A longer period would draw bars thinner than a pixel and scan more rows than a page
# should; the CSV of a longer span is a question for the database, not this page.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole UTC days from ``first_day`` to ``last_day``, both included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(count)]


def last_days(count: int, *, today: date | None = None) -> Period:
    """The ``count`` days ending today (UTC), today included."""
    today = today or timezone.now().astimezone(UTC).date()
    return Period(first_day=today - timedelta(days=count - 1), last_day=today)


class PeriodForm(forms.Form):
    """``?last=7|30|90`` or ``?start=YYYY-MM-DD&end=YYYY-MM-DD``; nothing means the last
    30 days. Each mistake is an error on its field."""

    last = forms.TypedChoiceField(
        label="Last",
        choices=[("", "—")] + [(str(n), f"{n} days") for n in LAST_DAYS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if self.errors or (start is None and end is None):
            return data
        if start is None:
            self.add_error("start", "Give the first day too (YYYY-MM-DD).")
        elif end is None:
            self.add_error("end", "Give the last day too (YYYY-MM-DD).")
        elif end < start:
            self.add_error("end", "The last day can't come before the first.")
        elif end > timezone.now().astimezone(UTC).date():
            self.add_error("end", "The last day can't be in the future.")
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("start", f"Choose at most {MAX_DAYS} days.")
        return data

    def period(self) -> Period:
        """The period asked for; call after ``is_valid()`` returned True."""
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return Period(first_day=data["start"], last_day=data["end"])
        return last_days(data.get("last") or DEFAULT_LAST_DAYS)


def period_form(query: object) -> tuple[PeriodForm, Period | None]:
    """The form bound to a page's query string, and its period (None when refused)."""
    form = PeriodForm(query or None)  # type: ignore[arg-type]
    if not form.is_bound:
        return form, last_days(DEFAULT_LAST_DAYS)
    return form, form.period() if form.is_valid() else None
