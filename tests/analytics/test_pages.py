"""The cohort analytics page and its CSV, and the SLA page's charts (issue 18): who may
open them, what they show with scripts off, what the CSV holds."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cohorts.models import Cohort
from tests.analytics.rows import at, decision, job, review_item

pytestmark = pytest.mark.django_db


def _page(cohort: Cohort) -> str:
    return f"/staff/cohorts/{cohort.pk}/analytics/"


def _csv(cohort: Cohort) -> str:
    return f"/staff/cohorts/{cohort.pk}/analytics/export.csv"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def busy(cohort, artist, reviewer):
    """Yesterday: two jobs of the artist, one approved in time."""
    day = timezone.now().date() - timedelta(days=1)
    first = job(artist, at(day, 9), waited=90)
    job(artist, at(day, 10), waited=30)
    decision(review_item(first, due=at(day, 12)), reviewer, outcome="approved", when=at(day, 11))
    return day


@pytest.mark.parametrize("role", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_open_the_analytics(role, cohort, artist, reviewer) -> None:
    client = (
        Client() if role == "anonymous" else _signed_in(artist if role == "artist" else reviewer)
    )
    for url in (_page(cohort), _csv(cohort)):
        answer = client.get(url)
        assert answer.status_code in (302, 403), (role, url)
        if answer.status_code == 302:
            assert answer["Location"].startswith(("/accounts/login/", "/agreement/"))
    assert not AuditEvent.objects.filter(action="analytics.export").exists()


def test_an_unknown_cohort_is_not_found(program_admin) -> None:
    assert _signed_in(program_admin).get("/staff/cohorts/999999/analytics/").status_code == 404


def test_the_page_reads_without_scripts(busy, cohort, program_admin) -> None:
    answer = _signed_in(program_admin).get(_page(cohort), {"last": "7"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert re.search(r'<dd id="figure-generations">2</dd>', html)
    assert re.search(r'<dd id="figure-approval">100 % \(1 of 1 decided\)', html)
    assert html.count('role="img"') == 4
    for key in ("generations", "approval-rate", "sla-met", "queue-wait"):
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
        assert f'<table id="chart-{key}-table">' in html
    # The numbers behind the charts are text in the page: yesterday's row of each.
    day = busy.isoformat()
    assert f'<th scope="row">{day}</th><td>2</td>' in html  # generations
    assert f'<th scope="row">{day}</th><td>100.0 %</td>' in html  # approval, SLA met
    assert f'<th scope="row">{day}</th><td>1</td><td>1.4</td>' in html  # wait 60 s, p90 84 s
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert " style=" not in html
    assert f'href="{_csv(cohort)}?last=7"' in html


def test_a_bad_period_is_a_field_error(cohort, program_admin) -> None:
    client = _signed_in(program_admin)
    answer = client.get(_page(cohort), {"start": "2026-02-10", "end": "2026-02-01"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="p-end-error"' in html and "can&#x27;t come before the first" in html
    assert 'role="img"' not in html
    answer = client.get(_csv(cohort), {"last": "12"})
    assert answer.status_code == 400 and b"last:" in answer.content
    assert not AuditEvent.objects.filter(action="analytics.export").exists()


def test_the_csv_holds_the_summary_and_each_day_and_is_audited(busy, cohort, program_admin) -> None:
    answer = _signed_in(program_admin).get(_csv(cohort), {"last": "7"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date()
    first = today - timedelta(days=6)
    assert answer["Content-Disposition"] == (
        f'attachment; filename="cohort-{cohort.pk}-analytics-{first}-to-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[:3] == [
        ["cohort", "Wave 1"],
        ["from", first.isoformat()],
        ["to", today.isoformat()],
    ]
    figures = {row[0]: row[1] for row in rows[5:16]}
    assert figures["generations"] == "2" and figures["approval_rate_percent"] == "100.0"
    assert figures["active_artists_7_days"] == "1"
    header = rows.index(["day", "generations", "decided", "approved", "approval_rate_percent",
                         "decided_within_sla", "sla_met_percent", "jobs_started",
                         "queue_wait_median_seconds", "queue_wait_p90_seconds"])  # fmt: skip
    days = {row[0]: row for row in rows[header + 1 :]}
    assert len(days) == 7
    assert days[busy.isoformat()] == [
        busy.isoformat(),
        "2",
        "1",
        "1",
        "100.0",
        "1",
        "100.0",
        "2",
        "60.0",
        "84.0",
    ]
    assert days[today.isoformat()][1:] == ["0", "0", "0", "", "0", "", "0", "", ""]
    event = AuditEvent.objects.get(action="analytics.export")
    assert event.data == {"from": first.isoformat(), "to": today.isoformat()}


def test_the_csv_never_hands_a_spreadsheet_a_formula(program_admin) -> None:
    from cohorts.services import cohort_create

    cohort = cohort_create(actor=None, name='=HYPERLINK("http://x.example","y")', capacity=2)
    answer = _signed_in(program_admin).get(_csv(cohort))
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["cohort", '\'=HYPERLINK("http://x.example","y")']
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_cohort_page_links_to_its_analytics(cohort, program_admin) -> None:
    html = _signed_in(program_admin).get(f"/staff/cohorts/{cohort.pk}/").content.decode()
    assert f'href="{_page(cohort)}"' in html


def test_the_sla_page_draws_the_same_charts(busy, reviewer) -> None:
    client = _signed_in(reviewer)
    answer = client.get("/staff/review/sla/")
    assert answer.status_code == 200
    html = answer.content.decode()
    for key in ("sla-met", "queue-wait", "decisions", "approval-rate"):
        assert f'<table id="chart-{key}-table">' in html
    assert f'<th scope="row">{busy.isoformat()}</th><td>100.0 %</td>' in html
    answer = client.get("/staff/review/sla/", {"end": "2026-01-01"})
    assert answer.status_code == 400
    assert 'id="p-start-error"' in answer.content.decode()
