"""Cohorts are separate waves under their own NDAs: artists see each other's bug reports
and feature requests within a cohort only (unless the program shares them), and a staff
reply is private to the reporter unless marked public."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from agreements.services import agreement_accept
from cohorts.services import cohort_create
from feedback.models import FeedbackItem
from feedback.services import feedback_set_status, feedback_submit
from notifications.models import Notification

pytestmark = pytest.mark.django_db

BUG = {
    "title": "Player freezes on double play",
    "steps": "Press play twice",
    "expected": "Plays",
    "actual": "Freezes",
    "severity": "high",
}
PRIVATE_REPLY = "Your account hit a known edge case; we reset it."
PUBLIC_REPLY = "Fixed in the next build for everyone."


@pytest.fixture
def elsewhere_artist(nda) -> User:
    """An artist of another cohort (another wave, maybe another NDA)."""
    user = user_create(
        email="dana@example.com",
        password="x",
        role=Role.ARTIST,
        cohort=cohort_create(actor=None, name="Wave 2", capacity=5),
    )
    agreement_accept(user=user, typed_full_name="Dana D", ip_address=None, user_agent="t")
    return user


def bug(reporter: User, **changes: str) -> FeedbackItem:
    return feedback_submit(reporter=reporter, kind="bug", data={**BUG, **changes})


def can_see(client, user: User, item: FeedbackItem) -> dict[str, bool]:
    """Whether ``user`` finds ``item`` in the list, its page, the API and "me too"."""
    client.force_login(user)
    return {
        "listed": item.title in client.get("/feedback/").content.decode(),
        "page": client.get(f"/feedback/{item.pk}/").status_code == 200,
        "api": client.get(f"/api/v1/feedback/{item.pk}/").status_code == 200,
        "me too": client.post(
            f"/api/v1/feedback/{item.pk}/me-too/",
            {"details": "Same here"},
            content_type="application/json",
        ).status_code
        != 404,
    }


def test_an_artist_of_another_cohort_cannot_list_see_or_open_a_report(
    client, artist, elsewhere_artist
):
    item = bug(artist)
    feature = feedback_submit(
        reporter=artist, kind="feature", data={"title": "Loop playback", "comment": "Please"}
    )
    assert item.cohort == artist.cohort
    for report in (item, feature):
        assert can_see(client, elsewhere_artist, report) == dict.fromkeys(
            ["listed", "page", "api", "me too"], False
        )
    assert client.get(f"/feedback/{item.pk}/").status_code == 404
    assert client.get(f"/api/v1/feedback/{item.pk}/").status_code == 404


def test_an_artist_of_the_same_cohort_can(client, artist, other_artist):
    item = bug(artist)
    assert can_see(client, other_artist, item) == dict.fromkeys(
        ["listed", "page", "api", "me too"], True
    )


def test_the_program_setting_shares_reports_across_cohorts(
    client, artist, elsewhere_artist, settings
):
    settings.FEEDBACK_SHARED_ACROSS_COHORTS = True
    item = bug(artist)
    assert can_see(client, elsewhere_artist, item) == dict.fromkeys(
        ["listed", "page", "api", "me too"], True
    )


def test_safety_findings_stay_with_reporter_and_staff_even_when_shared(
    client, artist, other_artist, elsewhere_artist, reviewer, settings
):
    settings.FEEDBACK_SHARED_ACROSS_COHORTS = True
    finding = feedback_submit(
        reporter=artist,
        kind="safety",
        data={"title": "Bypass", "severity": "high", "category": "policy_bypass", "prompts": "x"},
    )
    for someone in (other_artist, elsewhere_artist):
        client.force_login(someone)
        assert client.get(f"/api/v1/feedback/{finding.pk}/").status_code == 404
        assert client.get(f"/feedback/{finding.pk}/").status_code == 404
    client.force_login(reviewer)
    assert client.get(f"/api/v1/feedback/{finding.pk}/").status_code == 200


def test_a_report_stays_with_the_cohort_it_was_filed_in(client, artist, elsewhere_artist):
    item = bug(artist)
    artist.cohort = elsewhere_artist.cohort  # the reporter moves to the next wave
    artist.save(update_fields=["cohort"])
    assert not can_see(client, elsewhere_artist, item)["page"]


def reply_views(client, user: User, item: FeedbackItem) -> tuple[str, dict]:
    client.force_login(user)
    return (
        client.get(f"/feedback/{item.pk}/").content.decode(),
        client.get(f"/api/v1/feedback/{item.pk}/").json(),
    )


def test_a_private_reply_is_shown_to_the_reporter_only(
    client, artist, other_artist, reviewer, program_admin
):
    item = bug(artist)
    feedback_set_status(item=item, staff=reviewer, status="acknowledged", reply=PRIVATE_REPLY)
    page, body = reply_views(client, other_artist, item)
    assert "Acknowledged" in page and PRIVATE_REPLY not in page
    assert body["status"] == "acknowledged" and body["staff_reply"] == ""
    assert [(h["status"], h["reply"]) for h in body["history"]] == [("acknowledged", "")]
    assert PRIVATE_REPLY not in str(body)
    for reader in (artist, program_admin):
        page, body = reply_views(client, reader, item)
        assert PRIVATE_REPLY in page
        assert body["staff_reply"] == PRIVATE_REPLY and body["staff_reply_public"] is False
        assert body["history"][0]["reply"] == PRIVATE_REPLY
    # Only the reporter is notified (and so reads it there).
    assert list(Notification.objects.values_list("user", flat=True)) == [artist.pk]


def test_a_public_reply_is_shown_to_the_cohort(client, artist, other_artist, reviewer):
    item = bug(artist)
    feedback_set_status(item=item, staff=reviewer, status="acknowledged", reply=PRIVATE_REPLY)
    feedback_set_status(
        item=item, staff=reviewer, status="accepted", reply=PUBLIC_REPLY, reply_public=True
    )
    page, body = reply_views(client, other_artist, item)
    assert PUBLIC_REPLY in page and PRIVATE_REPLY not in page
    assert body["staff_reply"] == PUBLIC_REPLY and body["staff_reply_public"] is True
    assert [(h["reply"], h["reply_public"]) for h in body["history"]] == [
        ("", False),
        (PUBLIC_REPLY, True),
    ]


def test_staff_mark_a_reply_public_on_the_triage_page_and_the_api(
    client, artist, other_artist, reviewer
):
    item = bug(artist)
    client.force_login(reviewer)
    assert 'name="reply_public"' in client.get(f"/feedback/staff/{item.pk}/").content.decode()
    client.post(
        f"/feedback/staff/{item.pk}/",
        {"status": "acknowledged", "reply": PUBLIC_REPLY, "reply_public": "on"},
    )
    assert FeedbackItem.objects.get(pk=item.pk).staff_reply_public is True
    response = client.post(
        f"/api/v1/feedback/{item.pk}/status/",
        {"status": "investigating", "reply": PRIVATE_REPLY},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["staff_reply_public"] is False
    _page, body = reply_views(client, other_artist, item)
    assert [h["reply"] for h in body["history"]] == [PUBLIC_REPLY, ""]


def test_a_safety_finding_never_takes_a_public_reply(artist, reviewer):
    finding = feedback_submit(
        reporter=artist,
        kind="safety",
        data={"title": "Bypass", "severity": "high", "category": "policy_bypass", "prompts": "x"},
    )
    item = feedback_set_status(
        item=finding, staff=reviewer, status="acknowledged", reply="Thanks", reply_public=True
    )
    assert item.staff_reply_public is False
    assert item.changes.get().reply_public is False
