"""Crossing a threshold contains that one account: paused, tokens revoked, sessions ended,
the artist told why, program admins alerted, the audit log written. Nobody else moves."""

from __future__ import annotations

import time

import pytest

from accounts.models import ApiToken
from accounts.services import api_token_create
from audit.models import AuditEvent
from containment.models import GenerationSwitch
from containment.services import account_contain, activity_observe, submission_observe
from notifications.models import Notification
from tests.bystanders import Bystanders, give_everything

pytestmark = pytest.mark.django_db

JOB = {"prompt": "a kite over dunes", "duration_seconds": 2, "resolution": "480p",
       "aspect_ratio": "16:9"}  # fmt: skip


def test_many_addresses_contain_the_account(
    artist, other_artist, program_admin, reviewer, make_output, settings
):
    settings.ANOMALY_MAX_DISTINCT_IPS = 5
    api_token_create(user=artist, name="leaked", scope="generate")
    give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    for n in range(5):
        assert activity_observe(user=artist, ip=f"10.0.0.{n}", user_agent="ua") == []
    artist.refresh_from_db()
    assert not artist.is_paused
    bystanders = Bystanders.snapshot(except_for=[artist])
    assert bystanders.of(other_artist).has_everything
    found = activity_observe(user=artist, ip="10.0.0.99", user_agent="ua")
    assert [finding.rule for finding in found] == ["distinct_ips"]
    artist.refresh_from_db()
    assert artist.is_paused
    assert "6 different network addresses" in artist.paused_reason
    assert not ApiToken.objects.filter(user=artist, revoked_at__isnull=True).exists()
    assert artist.session_epoch == 1  # every session ended
    told = Notification.objects.get(user=artist)
    assert "6 different network addresses" in told.message
    assert Notification.objects.filter(user=program_admin, message__contains=artist.email)
    event = AuditEvent.objects.get(action="containment.anomaly")
    assert event.data["findings"][0]["rule"] == "distinct_ips"
    # Nobody else is touched (jobs, quota, tokens, sessions, publications, pauses), and
    # there is no global pause.
    bystanders.assert_untouched()
    assert not GenerationSwitch.objects.filter(paused=True).exists()


def test_many_user_agents_contain_the_account(artist, settings):
    settings.ANOMALY_MAX_DISTINCT_USER_AGENTS = 3
    for n in range(4):
        activity_observe(user=artist, ip="10.0.0.1", user_agent=f"Bot/{n}")
    artist.refresh_from_db()
    assert artist.is_paused


def test_normal_use_is_left_alone(artist):
    for n in range(200):
        activity_observe(user=artist, ip=f"10.0.0.{n % 3}", user_agent=f"Browser/{n % 2}")
    artist.refresh_from_db()
    assert not artist.is_paused


def test_staff_are_not_watched(reviewer, settings):
    settings.ANOMALY_MAX_DISTINCT_IPS = 2
    for n in range(5):
        assert activity_observe(user=reviewer, ip=f"10.0.0.{n}", user_agent="ua") == []
    reviewer.refresh_from_db()
    assert not reviewer.is_paused


def test_containment_happens_once(artist, settings):
    from containment.rules import Finding

    finding = Finding("distinct_ips", 50, 12, "used from 50 addresses")
    assert account_contain(user=artist, findings=[finding]) is True
    assert account_contain(user=artist, findings=[finding]) is False
    assert AuditEvent.objects.filter(action="containment.anomaly").count() == 1


def test_submission_rate_far_above_the_cohort_contains(
    artist, other_artist, reviewer, make_output, settings
):
    settings.ANOMALY_SUBMISSION_FLOOR = 6
    settings.ANOMALY_CADENCE_SAMPLES = 200  # isolate the rate rule
    give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    submission_observe(user=other_artist, at=1000.0)  # cohort median 1: the limit is the floor
    for n in range(6):
        assert submission_observe(user=artist, at=1000.0 + n * 3.7 + (n % 2)) == []
    bystanders = Bystanders.snapshot(except_for=[artist])
    assert bystanders.of(other_artist).has_everything
    found = submission_observe(user=artist, at=1030.0)
    assert [finding.rule for finding in found] == ["submission_rate"]
    artist.refresh_from_db()
    assert artist.is_paused
    # The cohort whose rate it was measured against goes on as before.
    bystanders.assert_untouched()


def test_regular_cadence_contains(artist, settings):
    settings.ANOMALY_CADENCE_SAMPLES = 5
    for n in range(5):
        assert submission_observe(user=artist, at=1000.0 + 4.0 * n) == []
    found = submission_observe(user=artist, at=1020.0)
    assert [finding.rule for finding in found] == ["cadence"]


def test_the_submission_that_crosses_the_line_is_refused(client, artist, settings):
    settings.ANOMALY_SUBMISSION_FLOOR = 3
    settings.ANOMALY_CADENCE_SAMPLES = 200  # isolate the rate rule
    issued = api_token_create(user=artist, name="script", scope="generate")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    started = time.time()
    for n in range(3):
        assert submission_observe(user=artist, at=started - 3 + n) == []
    # The fourth attempt, through the API, is over the floor: refused and contained.
    response = client.post("/api/v1/generations/", JOB, content_type="application/json",
                           **headers)  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"] == "paused"
    assert "Automatic containment" in response.json()["detail"]
    assert not artist.jobs.exists()
    # Its traffic stops: the token is revoked.
    again = client.get("/api/v1/generations/", **headers)
    assert again.status_code == 401


def test_disabled_detection_does_nothing(artist, settings):
    settings.ANOMALY_DETECTION = False
    settings.ANOMALY_MAX_DISTINCT_IPS = 2
    for n in range(5):
        activity_observe(user=artist, ip=f"10.0.0.{n}", user_agent="ua")
    artist.refresh_from_db()
    assert not artist.is_paused
