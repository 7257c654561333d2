"""Triage: statuses the reporter sees, duplicates, "me too", exactly-once credits, privacy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from feedback.errors import TransitionRefused
from feedback.models import FeedbackItem
from feedback.services import feedback_me_too, feedback_set_status, feedback_submit
from ledger.models import LedgerEntry
from notifications.models import Notification

pytestmark = pytest.mark.django_db

BUG = {
    "title": "Player freezes",
    "steps": "Press play twice",
    "expected": "Plays",
    "actual": "Freezes",
    "severity": "high",
}


def bug(reporter, **changes):
    return feedback_submit(reporter=reporter, kind="bug", data={**BUG, **changes})


def test_every_status_change_notifies_and_shows_the_reply(
    client, artist, reviewer, rate_card, mailoutbox, django_capture_on_commit_callbacks
):
    item = bug(artist)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_set_status(
            item=item, staff=reviewer, status="acknowledged", reply="Thanks, looking."
        )
    assert Notification.objects.filter(
        user=artist, message__contains="acknowledged: Thanks, looking."
    ).exists()
    assert mailoutbox[-1].to == [artist.email]
    client.force_login(artist)
    body = client.get(f"/api/v1/feedback/{item.pk}/").json()
    assert body["status"] == "acknowledged" and body["staff_reply"] == "Thanks, looking."
    assert [h["status"] for h in body["history"]] == ["acknowledged"]
    page = client.get(f"/feedback/{item.pk}/").content.decode()
    assert "Acknowledged" in page and "Thanks, looking." in page


def test_transitions_are_guarded(artist, reviewer, rate_card):
    item = bug(artist)
    with pytest.raises(TransitionRefused):
        feedback_set_status(item=item, staff=reviewer, status="fixed", fixed_in="1.2")
    from django.core.exceptions import ValidationError

    feedback_set_status(item=item, staff=reviewer, status="accepted")
    with pytest.raises(ValidationError):
        feedback_set_status(item=item, staff=reviewer, status="fixed")
    fixed = feedback_set_status(item=item, staff=reviewer, status="fixed", fixed_in="model 2026.11")
    assert fixed.fixed_in == "model 2026.11"


def test_credit_is_paid_once_however_often_the_status_flips(artist, reviewer, rate_card):
    item = bug(artist)
    for _ in range(3):
        feedback_set_status(item=item, staff=reviewer, status="accepted")
        feedback_set_status(item=item, staff=reviewer, status="investigating")
    feedback_set_status(item=item, staff=reviewer, status="accepted")
    feedback_set_status(item=item, staff=reviewer, status="fixed", fixed_in="1.1")
    entries = LedgerEntry.objects.filter(artist=artist)
    assert entries.count() == 1 and entries.get().amount == Decimal("40.00")


def test_duplicates_credit_both_reporters_once_the_original_is_accepted(
    artist, other_artist, reviewer, rate_card
):
    original, duplicate = bug(artist), bug(other_artist, title="Freeze on double play")
    feedback_set_status(item=duplicate, staff=reviewer, status="duplicate", duplicate_of=original)
    assert not LedgerEntry.objects.exists()
    feedback_set_status(item=original, staff=reviewer, status="accepted")
    assert sorted(LedgerEntry.objects.values_list("artist__email", flat=True)) == [
        artist.email,
        other_artist.email,
    ]
    late = bug(other_artist, title="Freezes again")
    feedback_set_status(item=late, staff=reviewer, status="duplicate", duplicate_of=original)
    assert LedgerEntry.objects.filter(artist=other_artist).count() == 1  # once per original


def test_duplicate_must_name_a_real_original(artist, reviewer):
    from django.core.exceptions import ValidationError

    item = bug(artist)
    with pytest.raises(ValidationError):
        feedback_set_status(item=item, staff=reviewer, status="duplicate")
    with pytest.raises(ValidationError):
        feedback_set_status(item=item, staff=reviewer, status="duplicate", duplicate_of=item)


def test_me_too_adds_a_reproduction(client, artist, other_artist):
    item = bug(artist)
    client.force_login(other_artist)
    response = client.post(
        f"/api/v1/feedback/{item.pk}/me-too/",
        {"details": "Same on Firefox"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (
        client.post(
            f"/api/v1/feedback/{item.pk}/me-too/",
            {"details": "again"},
            content_type="application/json",
        ).status_code
        == 400
    )
    from domain.errors import NotAllowed

    with pytest.raises(NotAllowed):
        feedback_me_too(item=item, reporter=artist, details="mine")
    assert item.reproductions.count() == 1


def test_safety_findings_are_private_to_reporter_and_staff(client, artist, other_artist, reviewer):
    finding = feedback_submit(
        reporter=artist,
        kind="safety",
        data={
            "title": "Bypass",
            "severity": "critical",
            "category": "policy_bypass",
            "prompts": "spaced letters",
        },
    )
    public_bug = bug(artist)
    client.force_login(other_artist)
    assert client.get(f"/api/v1/feedback/{finding.pk}/").status_code == 404
    assert client.get(f"/feedback/{finding.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/feedback/{finding.pk}/me-too/", {"details": "x"}).status_code == 404
    )
    assert client.get(f"/api/v1/feedback/{public_bug.pk}/").status_code == 200
    assert client.get("/api/v1/feedback/").json()["count"] == 0  # "own items" only
    client.force_login(reviewer)
    assert client.get(f"/api/v1/feedback/{finding.pk}/").status_code == 200


def test_staff_api_and_board(client, artist, reviewer):
    item = bug(artist)
    client.force_login(artist)
    assert (
        client.post(f"/api/v1/feedback/{item.pk}/status/", {"status": "accepted"}).status_code
        == 403
    )
    assert client.get("/feedback/staff/").status_code == 403
    client.force_login(reviewer)
    assert "Player freezes" in client.get("/feedback/staff/?status=new").content.decode()
    response = client.post(
        f"/api/v1/feedback/{item.pk}/status/",
        {"status": "wont_fix", "reply": "By design."},
        content_type="application/json",
    )
    assert response.json()["status"] == "wont_fix"
    conflict = client.post(
        f"/api/v1/feedback/{item.pk}/status/",
        {"status": "fixed", "fixed_in": "1.0"},
        content_type="application/json",
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "invalid_status_change"
    assert FeedbackItem.objects.get(pk=item.pk).status == "wont_fix"
