"""GET /api/v1/notifications/, POST /api/v1/notifications/{id}/read/ and
GET/PUT /api/v1/notification-preferences/: the caller's own, in the API's error format."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.models import Notification, NotificationPreference
from notifications.services import notify, video_ready_notify
from tests.api.test_token_scopes import make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(artist, make_output):
    """``artist``'s notifications, oldest first: two notices and a ready video."""
    notify(user=artist, message="first")
    notify(user=artist, message="second")
    return video_ready_notify(job=make_output(artist).job)


def test_the_list_is_mine_newest_first_and_paginated(client, artist, other_artist, three):
    client.force_login(artist)
    body = client.get("/api/v1/notifications/?limit=2").json()
    assert body["count"] == 3 and body["next"] and body["previous"] is None
    assert body["unread"] == 3
    first = body["results"][0]
    assert first == {
        "id": three.pk,
        "kind": "video_ready",
        "message": three.message,
        "job": three.job_id,
        "link": f"/generations/{three.job_id}/",
        "created_at": first["created_at"],
        "read_at": None,
    }
    assert body["results"][1]["message"] == "second"
    assert client.get(body["next"]).json()["results"][0]["message"] == "first"

    client.force_login(other_artist)
    assert client.get("/api/v1/notifications/").json()["count"] == 0


def test_marking_read_is_for_my_own_only(client, artist, other_artist, three):
    client.force_login(other_artist)
    refused = client.post(f"/api/v1/notifications/{three.pk}/read/")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert Notification.objects.get(pk=three.pk).read_at is None

    client.force_login(artist)
    done = client.post(f"/api/v1/notifications/{three.pk}/read/")
    assert done.status_code == 200 and done.json()["read_at"] is not None
    again = client.post(f"/api/v1/notifications/{three.pk}/read/").json()
    assert again["read_at"] == done.json()["read_at"]  # the first reading stays
    assert Notification.objects.filter(user=artist, read_at__isnull=True).count() == 2
    assert client.get("/api/v1/notifications/").json()["unread"] == 2


def test_a_read_token_reads_but_only_a_write_token_marks_read(artist, three):
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(artist, 'read')}")
    assert reader.get("/api/v1/notifications/").json()["count"] == 3
    refused = reader.post(f"/api/v1/notifications/{three.pk}/read/")
    assert refused.status_code == 403 and refused.json()["code"] == "token_scope"
    writer = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(artist, 'generate')}")
    assert writer.post(f"/api/v1/notifications/{three.pk}/read/").status_code == 200


def test_preferences_read_and_replace(client, artist, other_artist):
    client.force_login(artist)
    url = "/api/v1/notification-preferences/"
    assert client.get(url).json() == {
        "email_on_video_ready": False,
        "email_on_review_decision": True,
    }
    wanted = {"email_on_video_ready": True, "email_on_review_decision": False}
    response = client.put(url, wanted, content_type="application/json")
    assert response.status_code == 200 and response.json() == wanted
    assert client.get(url).json() == wanted
    client.force_login(other_artist)
    assert client.get(url).json()["email_on_video_ready"] is False


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"email_on_video_ready": "maybe", "email_on_review_decision": None},
            {"email_on_video_ready": "invalid", "email_on_review_decision": "null"},
        ),
        ({"email_on_video_ready": True}, {"email_on_review_decision": "required"}),
        (
            {"email_on_video_ready": [True], "email_on_review_decision": 2},
            {"email_on_video_ready": "invalid", "email_on_review_decision": "invalid"},
        ),
    ],
)
def test_bad_preferences_are_field_errors_and_change_nothing(client, artist, body, errors):
    client.force_login(artist)
    response = client.put(
        "/api/v1/notification-preferences/", body, content_type="application/json"
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert {field: items[0]["code"] for field, items in answer["fields"].items()} == errors
    assert not NotificationPreference.objects.filter(user=artist).exists()


def test_a_token_cannot_change_preferences(artist):
    token = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(artist, 'generate')}")
    response = token.put(
        "/api/v1/notification-preferences/",
        {"email_on_video_ready": True, "email_on_review_decision": True},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "token_scope"
    assert not NotificationPreference.objects.filter(user=artist).exists()
