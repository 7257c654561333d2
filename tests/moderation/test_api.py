"""The staff review API and the artist's review view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ReviewItem

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_queue_is_ordered_by_due_time_with_keyset_pages(
    client, reviewer, artist, other_artist, make_output
):
    items = [make_output(artist if i % 2 else other_artist).review for i in range(5)]
    now = timezone.now()
    for offset, item in zip([5, 1, 4, 2, 3], items, strict=True):
        ReviewItem.objects.filter(pk=item.pk).update(due_at=now + timedelta(hours=offset))
    client.force_login(reviewer)
    first = client.get("/api/v1/review/queue/?limit=2").json()
    second = client.get(f"/api/v1/review/queue/?limit=2&after={first['next']}").json()
    third = client.get(f"/api/v1/review/queue/?limit=2&after={second['next']}").json()
    order = [row["id"] for row in first["results"] + second["results"] + third["results"]]
    assert order == [items[1].pk, items[3].pk, items[4].pk, items[2].pk, items[0].pk]
    assert third["next"] is None
    assert first["results"][0]["video_url"].startswith("/m/")
    assert client.get("/api/v1/review/queue/?after=garbage").status_code == 400


def test_queue_filters(client, reviewer, artist, other_artist, make_output):
    mine = make_output(artist).review
    make_output(other_artist)
    ReviewItem.objects.filter(pk=mine.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(reviewer)
    assert [
        r["id"] for r in client.get(f"/api/v1/review/queue/?artist={artist.pk}").json()["results"]
    ] == [mine.pk]
    overdue = client.get("/api/v1/review/queue/?overdue=1").json()["results"]
    assert [r["id"] for r in overdue] == [mine.pk] and overdue[0]["overdue"] is True
    assert client.get("/api/v1/review/queue/?appeals=1").json()["results"] == []
    assert (
        len(client.get(f"/api/v1/review/queue/?cohort={artist.cohort_id}").json()["results"]) == 2
    )


def test_claim_approve_reject_through_the_api(
    client, reviewer, second_reviewer, artist, make_output
):
    first, second = make_output(artist).review, make_output(artist).review
    client.force_login(reviewer)
    assert post(client, f"/api/v1/review/{first.pk}/approve/").json()["code"] == "claim_required"
    claimed = post(client, f"/api/v1/review/{first.pk}/claim/")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert post(client, f"/api/v1/review/{first.pk}/approve/").json()["status"] == "approved"

    post(client, f"/api/v1/review/{second.pk}/claim/")
    bad = post(client, f"/api/v1/review/{second.pk}/reject/", {"reason_code": "nope", "note": ""})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"reason_code", "note"}
    client.force_login(second_reviewer)
    taken = post(client, f"/api/v1/review/{second.pk}/claim/")
    assert taken.status_code == 409 and taken.json()["code"] == "already_claimed"
    client.force_login(reviewer)
    rejected = post(
        client,
        f"/api/v1/review/{second.pk}/reject/",
        {"reason_code": "real_person", "note": "A celebrity."},
    )
    assert rejected.json()["status"] == "rejected"
    assert post(client, "/api/v1/review/999999/claim/").status_code == 404


@pytest.mark.parametrize("who", ["artist", "outsider"])
def test_non_staff_cannot_use_the_review_api(client, request, who, other_artist, make_output, nda):
    item = make_output(other_artist).review
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/review/queue/").status_code == 403
    assert post(client, f"/api/v1/review/{item.pk}/claim/").status_code == 403


def test_artist_sees_the_review_and_appeals_once(
    client, artist, reviewer, second_reviewer, make_output
):
    output = make_output(artist)
    job_id = output.job_id
    client.force_login(artist)
    review = client.get(f"/api/v1/generations/{job_id}/").json()["review"]
    assert review["status"] == "pending" and review["appealable"] is False and review["due_at"]
    assert (
        post(client, f"/api/v1/generations/{job_id}/appeal/", {"statement": "x"}).json()["code"]
        == "not_appealable"
    )

    client.force_login(reviewer)
    post(client, f"/api/v1/review/{output.review.pk}/claim/")
    post(
        client,
        f"/api/v1/review/{output.review.pk}/reject/",
        {"reason_code": "nda_risk", "note": "Shows the model card."},
    )

    client.force_login(artist)
    review = client.get(f"/api/v1/generations/{job_id}/").json()["review"]
    assert (review["status"], review["reason_code"], review["note"]) == (
        "rejected",
        "nda_risk",
        "Shows the model card.",
    )
    assert review["appealable"] is True and review["decided_at"]
    assert review["history"][0]["decided_by"] == "a reviewer"
    assert "rey@studio.example" not in str(review)
    missing = post(client, f"/api/v1/generations/{job_id}/appeal/", {})
    assert missing.status_code == 400 and "statement" in missing.json()["fields"]
    appealed = post(
        client, f"/api/v1/generations/{job_id}/appeal/", {"statement": "The card is fictional."}
    )
    assert appealed.status_code == 200 and appealed.json()["review"]["status"] == "appealed"
    again = post(client, f"/api/v1/generations/{job_id}/appeal/", {"statement": "again"})
    assert again.status_code == 409

    client.force_login(reviewer)
    assert (
        post(client, f"/api/v1/review/{output.review.pk}/claim/").json()["code"] == "same_reviewer"
    )
    client.force_login(second_reviewer)
    post(client, f"/api/v1/review/{output.review.pk}/claim/")
    assert (
        post(client, f"/api/v1/review/{output.review.pk}/approve/").json()["status"] == "approved"
    )


def test_reviewer_name_is_shown_only_when_configured(
    client, artist, reviewer, make_output, settings
):
    output = make_output(artist)
    client.force_login(reviewer)
    post(client, f"/api/v1/review/{output.review.pk}/claim/")
    post(client, f"/api/v1/review/{output.review.pk}/approve/")
    settings.REVIEW_SHOW_REVIEWER_NAME = True
    client.force_login(artist)
    assert (
        client.get(f"/api/v1/generations/{output.job_id}/").json()["review"]["history"][0][
            "decided_by"
        ]
        == reviewer.email
    )


def test_other_artist_cannot_appeal_or_see(client, artist, other_artist, make_output):
    output = make_output(artist)
    client.force_login(other_artist)
    assert client.get(f"/api/v1/generations/{output.job_id}/").status_code == 404
    assert (
        post(client, f"/api/v1/generations/{output.job_id}/appeal/", {"statement": "x"}).status_code
        == 404
    )
