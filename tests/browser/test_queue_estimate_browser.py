"""The job page keeps the place in the queue and the estimate current while it polls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from jobs.models import JobStatus
from tests.api.test_status_fast_path import make_job
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_place_and_the_times_follow_the_queue(page: Page, live_server, artist, other_artist):
    now = timezone.now()
    for i in range(3):  # 20 s each, recently
        ended = now - timedelta(minutes=5 + i)
        make_job(
            artist, status=JobStatus.SUCCEEDED, progress=1.0, attempt=1,
            started_at=ended - timedelta(seconds=20), finished_at=ended,
        )  # fmt: skip
    ahead = make_job(other_artist)
    job = make_job(artist)
    sign_in(page, live_server.url, artist)
    page.goto(f"{live_server.url}/generations/{job.pk}/")
    expect(page.locator("#queue-position")).to_have_text("2")
    expect(page.locator("#queue-start-line")).to_be_visible()
    expect(page.locator("#queue-no-estimate")).to_be_hidden()

    # The job ahead is cancelled: the page moves up without a reload.
    ahead.status, ahead.finished_at = JobStatus.CANCELED, timezone.now()
    ahead.save(update_fields=["status", "finished_at"])
    expect(page.locator("#queue-position")).to_have_text("1", timeout=10_000)

    # It starts running: no place any more, no start, a finish.
    job.status, job.attempt = JobStatus.RUNNING, 1
    job.started_at = timezone.now()
    job.lease_expires_at = job.started_at + timedelta(minutes=5)
    job.save(update_fields=["status", "attempt", "started_at", "lease_expires_at"])
    expect(page.locator("#queue-position-line")).to_be_hidden(timeout=10_000)
    expect(page.locator("#queue-start-line")).to_be_hidden()
    expect(page.locator("#queue-finish-line")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Running")
