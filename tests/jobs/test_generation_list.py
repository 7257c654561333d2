"""My generations (issue 14): posters, duration, status with the review decision, filters
on the page and on ``GET /api/v1/generations/``, field errors for bad filters."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.models import Job, JobStatus
from moderation.services import review_approve, review_claim, review_reject

pytestmark = pytest.mark.django_db


ASKED = {
    "duration_seconds": 5, "resolution": "480p", "aspect_ratio": "16:9", "seed": 7,
    "model": "tiny-wan", "num_frames": 81, "width": 848, "height": 480, "fps": 16, "steps": 4,
    "guidance": 5.0,
}  # fmt: skip


def make_job(artist, *, status: str = JobStatus.QUEUED, prompt: str = "a slow river") -> Job:
    """A job without a video (queued, running, failed or canceled)."""
    now = timezone.now()
    fields: dict[str, object] = {}
    if status == JobStatus.RUNNING:
        fields = {"attempt": 1, "started_at": now, "lease_expires_at": now + timedelta(minutes=1)}
    elif status in (JobStatus.FAILED, JobStatus.CANCELED):
        fields = {"finished_at": now}
        if status == JobStatus.FAILED:
            fields |= {"error_code": "worker_lost", "error_message": "The worker stopped."}
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt=prompt, status=status, **ASKED, **fields
    )


def submitted_on(job: Job, day: str) -> None:
    moment = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    Job.objects.filter(pk=job.pk).update(created_at=moment)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr id="job-(\d+)"', page)


@pytest.fixture
def decided(artist, reviewer, make_output):
    """Three outputs of ``artist``: approved, rejected (real person), still in review."""
    approved = make_output(artist, prompt="an approved lighthouse")
    review_approve(item=review_claim(item=approved.review, reviewer=reviewer), reviewer=reviewer)
    rejected = make_output(artist, prompt="a rejected portrait")
    review_reject(
        item=review_claim(item=rejected.review, reviewer=reviewer),
        reviewer=reviewer,
        reason_code="real_person",
        note="Looks like a known actor.",
    )
    waiting = make_output(artist, prompt="a waiting meadow")
    return {"approved": approved, "rejected": rejected, "waiting": waiting}


def test_rows_show_poster_duration_and_the_review_decision_in_words(client, artist, decided):
    queued = make_job(artist, prompt="a queued comet")
    client.force_login(artist)
    response = client.get("/generations/")
    assert response.status_code == 200
    page = response.content.decode()
    approved = decided["approved"]
    row = page[page.index(f'<tr id="job-{approved.job_id}"') :].split("</tr>")[0]
    poster = re.search(r'<img class="thumb" src="([^"]+)" loading="lazy"', row)
    assert poster, row
    assert f'alt="Poster of job #{approved.job_id}: an approved lighthouse"' in row
    assert f"{approved.duration_seconds:.1f} s" in row
    assert "Succeeded · approved" in row
    # The poster link is the media door's, signed for this artist: it serves the JPEG.
    image = client.get(html.unescape(poster.group(1)))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "Succeeded · rejected: Depicts a real, identifiable person" in page
    assert "Succeeded · in review" in page
    queued_row = page[page.index(f'<tr id="job-{queued.pk}"') :].split("</tr>")[0]
    assert "Queued" in queued_row and "<img" not in queued_row and "5 s (asked)" in queued_row
    # Only videos can be compared: a checkbox on each succeeded row, none on the queued one.
    assert f'name="job" value="{approved.job_id}"' in row
    assert 'name="job"' not in queued_row
    assert "Compare selected" in page


def test_other_artists_generations_never_appear(client, artist, other_artist, make_output):
    theirs = make_output(other_artist, prompt="bob's secret storyboard")
    their_queued = make_job(other_artist, prompt="bob's queued idea")
    mine = make_job(artist)
    client.force_login(artist)
    page = client.get("/generations/").content.decode()
    assert rows_of(page) == [str(mine.pk)]
    assert "bob&#x27;s" not in page and "secret storyboard" not in page
    listing = client.get("/api/v1/generations/", HTTP_ACCEPT="application/json").json()
    assert [item["id"] for item in listing["results"]] == [mine.pk]
    assert theirs.job_id != their_queued.pk  # both exist, neither is listed


def test_filters_narrow_the_list_and_stay_in_the_page_links(client, artist, decided):
    failed = make_job(artist, status=JobStatus.FAILED, prompt="a failed glacier")
    client.force_login(artist)

    def listed(query: str) -> set[int]:
        response = client.get(f"/generations/?{query}")
        assert response.status_code == 200, response.content
        return {int(pk) for pk in rows_of(response.content.decode())}

    jobs = {name: output.job_id for name, output in decided.items()}
    assert listed("status=failed") == {failed.pk}
    assert listed("status=succeeded") == set(jobs.values())
    assert listed("review=approved") == {jobs["approved"]}
    assert listed("review=rejected") == {jobs["rejected"]}
    assert listed("review=in_review") == {jobs["waiting"]}
    assert listed("review=none") == {failed.pk}
    assert listed("status=succeeded&review=none") == set()
    submitted_on(failed, "2025-03-01")
    Job.objects.filter(pk=jobs["approved"]).update(
        created_at=datetime.fromisoformat("2025-03-02T23:59:59+00:00")
    )
    Job.objects.filter(pk=jobs["rejected"]).update(
        created_at=datetime.fromisoformat("2025-03-03T00:00:00+00:00")
    )
    # UTC days, both ends included.
    assert listed("submitted_from=2025-03-01&submitted_to=2025-03-02") == {
        failed.pk,
        jobs["approved"],
    }
    assert listed("submitted_from=2025-03-03&submitted_to=2025-03-03") == {jobs["rejected"]}
    assert listed("submitted_to=2025-02-28") == set()
    empty = client.get("/generations/?review=approved&status=failed").content.decode()
    assert "None of your generations match these filters." in empty
    # The filter form shows what is applied.
    form = client.get("/generations/?status=failed").content.decode()
    assert '<option value="failed" selected>' in form


def test_page_links_keep_the_filters(client, artist):
    Job.objects.bulk_create(
        [Job(artist=artist, cohort=artist.cohort, prompt=f"queued {n}", **ASKED) for n in range(27)]
    )
    make_job(artist, status=JobStatus.CANCELED)
    client.force_login(artist)
    first = client.get("/generations/?status=queued").content.decode()
    assert len(rows_of(first)) == 25
    assert 'href="?status=queued&amp;page=2"' in first
    second = client.get("/generations/?status=queued&page=2").content.decode()
    assert len(rows_of(second)) == 2
    assert 'href="?status=queued&amp;page=1"' in second


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=exploded", "status", "Select a valid choice. exploded is not one of"),
        ("review=maybe", "review", "Select a valid choice. maybe is not one of"),
        ("submitted_from=2025-13-01", "submitted_from", "Enter a date as YYYY-MM-DD."),
        ("submitted_to=yesterday", "submitted_to", "Enter a date as YYYY-MM-DD."),
        (
            "submitted_from=2025-03-02&submitted_to=2025-03-01",
            "submitted_to",
            "The end date is before the start date (2025-03-02).",
        ),
    ],
)
def test_bad_filters_are_field_errors_on_the_page_and_the_api(
    client, artist, query, field, message
):
    make_job(artist)
    client.force_login(artist)
    response = client.get(f"/generations/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert response.context["filters"].errors[field]
    assert f'id="id_{field}-error"' in page and message in html.unescape(page)
    assert re.search(rf'<(select|input)[^>]*name="{field}"[^>]*aria-invalid="true"', page) or (
        re.search(rf'aria-invalid="true"[^>]*name="{field}"', page)
    )
    assert rows_of(page) == []  # no half-filtered list under a bad filter

    api = client.get(f"/api/v1/generations/?{query}", HTTP_ACCEPT="application/json")
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [field]
    assert message in body["fields"][field][0]["message"]
    assert body["fields"][field][0]["code"] in ("invalid_choice", "invalid", "before_start")


def test_api_list_items_carry_the_review_state_and_filter_like_the_page(client, artist, decided):
    queued = make_job(artist)
    client.force_login(artist)
    listing = client.get("/api/v1/generations/", HTTP_ACCEPT="application/json").json()
    states = {item["id"]: item["review_state"] for item in listing["results"]}
    assert states == {
        decided["approved"].job_id: "approved",
        decided["rejected"].job_id: "rejected",
        decided["waiting"].job_id: "in_review",
        queued.pk: "none",
    }
    rejected = client.get(
        "/api/v1/generations/?review=rejected&status=succeeded", HTTP_ACCEPT="application/json"
    ).json()
    assert [item["id"] for item in rejected["results"]] == [decided["rejected"].job_id]
    submitted_on(queued, "2024-12-31")
    old = client.get(
        "/api/v1/generations/?submitted_from=2024-12-31&submitted_to=2024-12-31",
        HTTP_ACCEPT="application/json",
    ).json()
    assert [item["id"] for item in old["results"]] == [queued.pk]


def test_the_schema_names_the_filters_and_the_review_state(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/generations/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"status", "review", "submitted_from", "submitted_to"} <= names
    review = next(p for p in operation["parameters"] if p["name"] == "review")
    assert set(review["schema"]["enum"]) == {"in_review", "approved", "rejected", "none"}
    assert "400" in operation["responses"]


def test_the_page_and_the_api_make_as_many_queries_for_many_rows_as_for_few(
    client, artist, reviewer, make_output
):
    client.force_login(artist)
    first = make_output(artist)
    review_approve(item=review_claim(item=first.review, reviewer=reviewer), reviewer=reviewer)
    make_job(artist)

    def count(url: str, accept: str = "text/html") -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_ACCEPT=accept).status_code == 200
        return len(queries)

    count("/generations/")  # the session's first request does one-off work (last seen, …)
    few = (count("/generations/"), count("/api/v1/generations/", "application/json"))
    for _ in range(3):
        make_output(artist)
    for status in (JobStatus.FAILED, JobStatus.RUNNING, JobStatus.CANCELED):
        make_job(artist, status=status)
    many = (count("/generations/"), count("/api/v1/generations/", "application/json"))
    assert len(rows_of(client.get("/generations/").content.decode())) == 8
    assert many == few
