"""Submitting through the API: every rule, every bad field, nothing queued on refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from cohorts.services import cohort_set_paused
from jobs.models import Job, JobStatus, PromptRefusal
from jobs.policy import normalise_prompt
from tests.bystanders import Bystanders, give_everything

pytestmark = pytest.mark.django_db

VALID = {
    "prompt": "a red bird over the sea",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def submit(client, **changes):
    return client.post(
        "/api/v1/generations/", {**VALID, **changes}, content_type="application/json"
    )


def test_submit_queues_a_job_and_publishes_it_after_commit(
    client, artist, django_capture_on_commit_callbacks
):
    client.force_login(artist)
    with django_capture_on_commit_callbacks() as callbacks:
        response = submit(client, prompt="  a red   bird\nover the sea ", seed=42)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["progress"] == 0
    assert body["prompt"] == "a red bird over the sea"
    assert body["seed"] == 42
    assert body["model"] == "tiny-wan"
    assert (body["num_frames"], body["height"], body["width"], body["fps"]) == (17, 48, 80, 8)
    assert body["error"] is None and body["output"] is None
    assert body["created_at"]
    assert len(callbacks) == 1
    job = Job.objects.get(pk=body["id"])
    assert job.cohort == artist.cohort and job.max_attempts >= 1


def test_seed_is_random_when_omitted_and_always_recorded(client, artist):
    client.force_login(artist)
    seeds = {submit(client).json()["seed"] for _ in range(3)}
    assert all(isinstance(s, int) and 0 <= s < 2**32 for s in seeds)
    assert len(seeds) > 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"prompt": ""}, "prompt", "required"),
        ({"prompt": "   \n "}, "prompt", "required"),
        ({"prompt": "x" * 2001}, "prompt", "max_length"),
        ({"prompt": "bell\x07 sound"}, "prompt", "control_characters"),
        ({"prompt": "zero\u200bwidth"}, "prompt", "control_characters"),
        ({"negative_prompt": "blur\x1b[31m"}, "negative_prompt", "control_characters"),
        ({"negative_prompt": "blur\x00"}, "negative_prompt", "null_characters_not_allowed"),
        ({"duration_seconds": 7}, "duration_seconds", "not_allowed"),
        ({"duration_seconds": "long"}, "duration_seconds", "invalid"),
        ({"resolution": "1080p"}, "resolution", "not_allowed"),
        ({"aspect_ratio": "4:3"}, "aspect_ratio", "invalid_choice"),
        ({"seed": -1}, "seed", "out_of_range"),
        ({"seed": 2**32}, "seed", "out_of_range"),
        ({"model": "gpt-video-9000"}, "model", "unknown_model"),
        ({"model": "wan2.1-t2v-1.3b"}, "model", "unknown_model"),
    ],
)
def test_every_bad_field_is_named_and_nothing_is_queued(client, artist, changes, field, code):
    client.force_login(artist)
    response = submit(client, **changes)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"][field][0]["code"] == code
    assert body["fields"][field][0]["message"]
    assert not Job.objects.exists()


def test_all_bad_fields_are_reported_together(client, artist):
    client.force_login(artist)
    body = submit(client, prompt="", duration_seconds=99, aspect_ratio="2:1").json()
    assert set(body["fields"]) == {"prompt", "duration_seconds", "aspect_ratio"}


def test_missing_fields(client, artist):
    client.force_login(artist)
    response = client.post("/api/v1/generations/", {}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {
        "prompt",
        "duration_seconds",
        "resolution",
        "aspect_ratio",
    }


def test_refused_prompt_is_recorded_with_its_reason(client, artist):
    client.force_login(artist)
    response = submit(client, prompt="a deepfake of a famous actor")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "prompt_refused"
    assert body["reason_code"] == "real_person_likeness"
    assert body["fields"]["prompt"][0]["code"] == "real_person_likeness"
    assert "deepfake" in body["detail"].lower()
    refusal = PromptRefusal.objects.get()
    assert (refusal.artist, refusal.reason_code) == (artist, "real_person_likeness")
    assert not Job.objects.exists()


def test_policy_rules_and_classifier_come_from_settings(client, artist, settings):
    settings.PROMPT_POLICY_RULES = [
        {"code": "no_cats", "pattern": r"\bcats?\b", "message": "No cats today."}
    ]
    settings.PROMPT_POLICY_CLASSIFIER = "tests.jobs.classifier.refuse_shouting"
    client.force_login(artist)
    assert submit(client, prompt="a deepfake of a cat").json()["reason_code"] == "no_cats"
    assert submit(client, prompt="A QUIET FOREST AT NIGHT").json()["reason_code"] == "shouting"
    assert submit(client, prompt="a deepfake of a dog").status_code == 201


def test_quota_exceeded_answers_429_with_the_reset_time(client, artist):
    artist.cohort.daily_generation_quota = 2
    artist.cohort.save()
    client.force_login(artist)
    assert submit(client).status_code == 201
    assert submit(client).status_code == 201
    response = submit(client)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "quota_exceeded"
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert body["resets_at"] == f"{tomorrow}T00:00:00Z"
    assert 0 < int(response["Retry-After"]) <= 86400
    assert Job.objects.count() == 2
    assert client.get("/api/v1/me/").json()["quota_remaining_today"] == 0


def test_refunded_jobs_and_yesterdays_jobs_do_not_count(client, artist):
    artist.cohort.daily_generation_quota = 1
    artist.cohort.save()
    client.force_login(artist)
    first = submit(client).json()["id"]
    Job.objects.filter(pk=first).update(
        status=JobStatus.FAILED,
        error_code="worker_lost",
        finished_at=timezone.now(),
        quota_refunded=True,
    )
    second = submit(client).json()["id"]
    Job.objects.filter(pk=second).update(created_at=timezone.now() - timedelta(days=1))
    assert submit(client).status_code == 201


def test_paused_cohort_refuses_with_the_reason(client, artist):
    cohort_set_paused(actor=None, cohort=artist.cohort, paused=True, reason="Leak investigation")
    client.force_login(artist)
    response = submit(client)
    assert response.status_code == 403
    assert response.json()["code"] == "paused"
    assert "Leak investigation" in response.json()["detail"]
    assert not Job.objects.exists()


def test_paused_account_refuses_without_touching_others(
    client, artist, other_artist, reviewer, make_output
):
    give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    bystanders = Bystanders.snapshot(except_for=[artist])
    assert bystanders.of(other_artist).has_everything
    artist.is_paused, artist.paused_reason = True, "Credential leaked"
    artist.save()
    client.force_login(artist)
    assert submit(client).json()["code"] == "paused"
    bystanders.assert_untouched()
    client.force_login(other_artist)
    assert submit(client).status_code == 201


def test_unsigned_artist_gets_agreement_required(client, unsigned_artist):
    client.force_login(unsigned_artist)
    assert submit(client).json()["code"] == "agreement_required"


@pytest.mark.parametrize("who", ["reviewer", "program_admin", "outsider"])
def test_only_artists_generate(client, request, who, nda):
    client.force_login(request.getfixturevalue(who))
    assert submit(client).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_cannot_submit(client):
    assert submit(client).status_code == 401


class TestReading:
    def test_list_is_own_jobs_newest_first_and_paginated(self, client, artist, other_artist):
        client.force_login(other_artist)
        submit(client)
        client.force_login(artist)
        ids = [submit(client, prompt=f"scene {i}").json()["id"] for i in range(3)]
        body = client.get("/api/v1/generations/?limit=2").json()
        assert body["count"] == 3
        assert [job["id"] for job in body["results"]] == ids[::-1][:2]
        assert "output" not in body["results"][0]
        assert body["next"]

    def test_another_artists_job_is_404_everywhere(self, client, artist, other_artist):
        client.force_login(other_artist)
        theirs = submit(client).json()["id"]
        client.force_login(artist)
        assert client.get(f"/api/v1/generations/{theirs}/").status_code == 404
        assert client.post(f"/api/v1/generations/{theirs}/cancel/").status_code == 404
        assert Job.objects.get(pk=theirs).status == JobStatus.QUEUED

    def test_remix_must_be_your_own_job(self, client, artist, other_artist):
        client.force_login(other_artist)
        theirs = submit(client).json()["id"]
        client.force_login(artist)
        response = submit(client, remix_of=theirs)
        assert response.status_code == 400 and "remix_of" in response.json()["fields"]
        mine = submit(client).json()["id"]
        assert submit(client, remix_of=mine).json()["remix_of"] == mine


def test_normalisation_is_nfkc_and_single_spaced():
    assert normalise_prompt("ﬁne\tart\u3000  at\r\nnight ") == "fine art at night"


def test_staff_count_as_cohortless_for_quota(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/api/v1/me/").json()["quota_remaining_today"] is None


def test_artist_without_cohort_cannot_generate(client, nda):
    from agreements.services import agreement_accept

    loner = user_create(email="loner@example.com", password="x", role=Role.ARTIST)
    agreement_accept(user=loner, typed_full_name="Lo Ner", ip_address=None, user_agent="")
    client.force_login(loner)
    response = submit(client)
    assert response.status_code == 403
    assert "not in a cohort" in response.json()["detail"]
