"""The portal: /notifications/, the count in the header, /account/notifications/. Each
person sees and changes only their own."""

from __future__ import annotations

import re

import pytest

from moderation.services import review_approve, review_claim
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_preferences_set, video_ready_notify

pytestmark = pytest.mark.django_db


def badge(html: str) -> str | None:
    found = re.search(r'id="nav-notifications"[^>]*>[^<]*<span class="badge">(\d+)', html)
    return found.group(1) if found else None


@pytest.fixture
def alices_news(artist, reviewer, make_output):
    """Two unread notifications of ``artist``: video #1 ready, and its approval."""
    output = make_output(artist)
    ready = video_ready_notify(job=output.job)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    return output.job, ready


def test_the_list_shows_mine_newest_first_linking_to_the_job(client, artist, alices_news):
    job, ready = alices_news
    client.force_login(artist)
    page = client.get("/notifications/").content.decode()
    approved = page.index(f"Your video #{job.pk} was approved")
    assert approved < page.index(ready.message)  # newest first
    assert f'href="/generations/{job.pk}/"' in page
    assert page.count("Mark as read</button>") == 2


def test_others_never_see_my_notifications(client, other_artist, reviewer, alices_news):
    job, ready = alices_news
    for someone in (other_artist, reviewer):
        client.force_login(someone)
        page = client.get("/notifications/").content.decode()
        assert ready.message not in page and f"#{job.pk}" not in page
        assert badge(page) is None
        assert client.post(f"/notifications/{ready.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=ready.pk).read_at is None


def test_the_header_counts_my_unread_and_marking_read_clears_it(client, artist, alices_news):
    _, ready = alices_news
    client.force_login(artist)
    assert badge(client.get("/").content.decode()) == "2"
    response = client.post(f"/notifications/{ready.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=ready.pk).read_at is not None
    assert badge(client.get("/notifications/").content.decode()) == "1"
    response = client.post("/notifications/read/", {"next": "/notifications/"})
    assert response["Location"] == "/notifications/"
    page = client.get("/notifications/").content.decode()
    assert badge(page) is None and "Mark all as read" not in page


def test_the_mark_all_button_never_sends_me_off_site(client, artist, alices_news):
    client.force_login(artist)
    response = client.post("/notifications/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_preferences_start_with_the_defaults_and_are_saved(client, artist):
    client.force_login(artist)
    page = client.get("/account/notifications/").content.decode()
    assert re.search(r'id="id_email_on_video_ready"(?![^>]*checked)[^>]*>', page)
    assert re.search(r'id="id_email_on_review_decision"[^>]*checked', page)
    assert '<label for="id_email_on_video_ready">Email me when a video is ready</label>' in page

    # Ticking the first box and unticking the second (the browser sends only ticked ones).
    response = client.post("/account/notifications/", {"email_on_video_ready": "on"}, follow=True)
    assert response.redirect_chain == [("/account/notifications/", 302)]
    assert "Your notification settings are saved." in response.content.decode()
    saved = NotificationPreference.objects.get(user=artist)
    assert (saved.email_on_video_ready, saved.email_on_review_decision) == (True, False)
    assert re.search(r'id="id_email_on_video_ready"[^>]*checked', response.content.decode())


def test_a_value_no_checkbox_sends_is_an_error_on_its_field(client, artist):
    client.force_login(artist)
    response = client.post(
        "/account/notifications/",
        {"email_on_video_ready": "maybe", "email_on_review_decision": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(
        r'id="id_email_on_video_ready-error">Tick the box or leave it empty.</p>', page
    )
    assert 'id="id_email_on_review_decision-error"' not in page
    assert not NotificationPreference.objects.filter(user=artist).exists()


def test_my_preferences_change_nobody_elses(client, artist, other_artist):
    notification_preferences_set(
        user=other_artist, email_on_video_ready=True, email_on_review_decision=True
    )
    client.force_login(artist)
    client.post("/account/notifications/", {})
    theirs = NotificationPreference.objects.get(user=other_artist)
    assert (theirs.email_on_video_ready, theirs.email_on_review_decision) == (True, True)
    mine = NotificationPreference.objects.get(user=artist)
    assert (mine.email_on_video_ready, mine.email_on_review_decision) == (False, False)


def test_review_decision_emails_follow_the_preference(
    artist, reviewer, make_output, mailoutbox, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=artist, email_on_video_ready=False, email_on_review_decision=False
    )
    item = make_output(artist).review
    with django_capture_on_commit_callbacks(execute=True):
        review_approve(item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer)
    assert Notification.objects.filter(user=artist, job_id=item.output.job_id).count() == 1
    assert mailoutbox == []
