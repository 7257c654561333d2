"""The portal pages for generation (no worker needed: jobs stay queued)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.services import cohort_set_paused
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

FORM = {
    "prompt": "a blue city at night",
    "duration_seconds": "5",
    "resolution": "720p",
    "aspect_ratio": "9:16",
}


def test_create_page_offers_only_the_cohorts_choices(client, artist):
    client.force_login(artist)
    html = client.get("/generations/new/").content.decode()
    assert (
        '<option value="2">2 seconds</option>' in html
        and '<option value="10">10 seconds</option>' in html
    )
    assert 'value="1080p"' not in html
    assert "7 of 7 generations left today" in html


def test_create_then_see_it_queued_in_my_list(client, artist, other_artist):
    client.force_login(artist)
    response = client.post("/generations/new/", FORM)
    job = Job.objects.get(artist=artist)
    assert response.status_code == 302 and response["Location"] == f"/generations/{job.pk}/"
    assert (job.resolution, job.aspect_ratio, job.duration_seconds) == ("720p", "9:16", 5)
    assert job.height > job.width
    detail = client.get(f"/generations/{job.pk}/").content.decode()
    assert (
        'id="job-progress"' in detail
        and f'data-status-url="/api/v1/generations/{job.pk}/"' in detail
    )
    assert ">Cancel</button>" in detail
    listing = client.get("/generations/").content.decode()
    assert f"/generations/{job.pk}/" in listing and "Queued" in listing
    client.force_login(other_artist)
    assert client.get(f"/generations/{job.pk}/").status_code == 404
    assert f"/generations/{job.pk}/" not in client.get("/generations/").content.decode()


def test_bad_input_shows_field_errors_and_queues_nothing(client, artist):
    client.force_login(artist)
    response = client.post(
        "/generations/new/", {**FORM, "prompt": "tab\x0bvertical", "duration_seconds": "7"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "control characters" in html
    assert "Select a valid choice" in html
    assert not Job.objects.exists()


def test_refused_prompt_shows_the_reason_on_the_prompt_field(client, artist):
    client.force_login(artist)
    response = client.post("/generations/new/", {**FORM, "prompt": "beheading scene, lots of gore"})
    assert response.status_code == 400
    assert "Graphic violence is outside this preview" in response.content.decode()
    assert response.context["form"].errors["prompt"]


def test_paused_cohort_is_explained_on_the_page(client, artist):
    cohort_set_paused(actor=None, cohort=artist.cohort, paused=True, reason="Maintenance")
    client.force_login(artist)
    assert (
        "Generation is paused for Wave 1: Maintenance"
        in client.get("/generations/new/").content.decode()
    )
    response = client.post("/generations/new/", FORM)
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_remix_prefills_the_form_from_an_earlier_job(client, artist):
    client.force_login(artist)
    client.post("/generations/new/", {**FORM, "seed": "99"})
    source = Job.objects.get()
    form = client.get(f"/generations/new/?remix={source.pk}").context["form"]
    assert form.initial["prompt"] == "a blue city at night"
    assert form.initial["seed"] == 99 and form.initial["aspect_ratio"] == "9:16"
    client.post(
        "/generations/new/", {**FORM, "prompt": "a blue city at dawn", "remix_of": source.pk}
    )
    assert Job.objects.filter(remix_of=source).count() == 1


def test_cancel_button_cancels_a_queued_job(client, artist):
    client.force_login(artist)
    client.post("/generations/new/", FORM)
    job = Job.objects.get()
    response = client.post(f"/generations/{job.pk}/cancel/", follow=True)
    assert "Cancel requested." in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED


def test_staff_do_not_see_the_create_page(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/generations/new/").status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"status": "running"},  # no lease, never claimed
        {"status": "succeeded", "finished_at": timezone.now()},  # progress < 1
        {"status": "failed", "finished_at": timezone.now()},  # no reason
        {"status": "canceled"},  # no finish time
        {"status": "exploded"},
        {"progress": 1.5},
        {"attempt": 9},
    ],
)
def test_database_refuses_impossible_jobs(client, artist, change):
    client.force_login(artist)
    client.post("/generations/new/", FORM)
    job = Job.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**change)
