"""Submissions are idempotent (issue 14.7): the API's ``Idempotency-Key`` header and the
form's one-time key make a resubmission the same job, never a second one."""

from __future__ import annotations

from typing import Any, cast

import pytest

from jobs.models import Job
from jobs.selectors import quota_used_today

pytestmark = pytest.mark.django_db

JOB: dict[str, Any] = {
    "prompt": "a red kite",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def submit(client, body=JOB, **headers):
    return client.post("/api/v1/generations/", body, content_type="application/json", **headers)


def test_same_key_same_body_is_the_same_job_and_200(client, artist):
    client.force_login(artist)
    first = submit(client, HTTP_IDEMPOTENCY_KEY="render-42")
    again = submit(client, HTTP_IDEMPOTENCY_KEY="render-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Job.objects.filter(artist=artist).count() == 1
    assert quota_used_today(user=artist) == 1


def test_same_key_other_body_is_409(client, artist):
    client.force_login(artist)
    assert submit(client, HTTP_IDEMPOTENCY_KEY="render-42").status_code == 201
    other = submit(client, {**JOB, "prompt": "a blue kite"}, HTTP_IDEMPOTENCY_KEY="render-42")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert Job.objects.filter(artist=artist).count() == 1


def test_keys_are_per_artist_and_without_one_every_post_is_new(client, artist, other_artist):
    client.force_login(artist)
    assert submit(client, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert submit(client).status_code == 201 and submit(client).status_code == 201
    other = client.__class__()
    other.force_login(other_artist)
    assert submit(other, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Job.objects.filter(artist=artist).count() == 3


def test_a_malformed_key_is_a_field_error(client, artist):
    client.force_login(artist)
    answer = submit(client, HTTP_IDEMPOTENCY_KEY="x" * 101)
    assert answer.status_code == 400 and "idempotency_key" in answer.json()["fields"]
    assert not Job.objects.exists()


def test_back_then_generate_again_in_the_portal_makes_one_job(client, artist):
    client.force_login(artist)
    page = client.get("/generations/new/")
    key = page.context["submission_key"]
    form = {**JOB, "submission_key": key}
    first = client.post("/generations/new/", form)
    again = client.post("/generations/new/", form)  # Back, then Generate
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Job.objects.filter(artist=artist).count() == 1
    # Back, change the prompt, Generate: that is a new video.
    changed = client.post("/generations/new/", {**form, "prompt": "a green kite"})
    assert changed.status_code == 302 and changed["Location"] != first["Location"]
    assert Job.objects.filter(artist=artist).count() == 2
    # A fresh showing of the form has a fresh key.
    assert client.get("/generations/new/").context["submission_key"] != key


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_once_makes_one_job(artist, settings):
    """The protection: ``job_submit_once`` looks for the key again under the artist's row
    lock. Both requests are held at that lock (no sleeps), so both have missed the first
    look before either may write."""
    from accounts.models import User
    from jobs.services import job_submit_once
    from tests.concurrency import Racer, RowLock, finish, start_and_wait_until_blocked

    settings.GENERATION_QUEUE = "gpu-nobody-listens"

    def send() -> object:
        return job_submit_once(artist=User.objects.get(pk=artist.pk), idempotency_key="once", **JOB)

    with RowLock(User, artist.pk):
        racers = [Racer(send), Racer(send)]
        start_and_wait_until_blocked(racers)
    assert finish(racers) == ["ok", "ok"], [racer.error for racer in racers]
    results = cast(list[tuple[Job, bool]], [racer.result for racer in racers])
    assert sorted(replayed for _, replayed in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert Job.objects.filter(artist=artist).count() == 1
