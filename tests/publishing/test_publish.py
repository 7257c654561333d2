"""Only approved outputs are ever published; publications come down when they must."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import user_set_public_credit
from domain.errors import NotAllowed
from moderation.services import review_approve, review_claim, review_revoke_approval
from publishing.errors import NotApproved
from publishing.models import Publication, PublicationStatus
from publishing.services import publication_create

pytestmark = pytest.mark.django_db


def approve(output, reviewer):
    return review_approve(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer
    )


def publish_api(client, job_id, visibility="gallery"):
    return client.post(
        f"/api/v1/generations/{job_id}/publish/",
        {"visibility": visibility},
        content_type="application/json",
    )


def test_unapproved_output_is_refused_at_service_api_and_page(client, artist, make_output):
    output = make_output(artist)
    with pytest.raises(NotApproved):
        publication_create(output=output, artist=artist, visibility="gallery")
    client.force_login(artist)
    response = publish_api(client, output.job_id)
    assert response.status_code == 409 and response.json()["code"] == "not_approved"
    page = client.post(
        f"/generations/{output.job_id}/publish/", {"visibility": "gallery"}, follow=True
    )
    assert "Only approved videos can be published" in page.content.decode()
    assert not Publication.objects.exists()


def test_publish_to_the_gallery_with_credit(client, artist, reviewer, make_output):
    user_set_public_credit(user=artist, credit="Harbour Films")
    output = make_output(artist, prompt="a paper boat on a river")
    approve(output, reviewer)
    client.force_login(artist)
    response = publish_api(client, output.job_id)
    assert response.status_code == 201
    assert response.json()["visibility"] == "gallery" and response.json()["status"] == "active"
    assert publish_api(client, output.job_id).json()["id"] == response.json()["id"]  # no-op
    anonymous = Client()
    listing = anonymous.get("/api/v1/gallery/").json()
    assert listing["count"] == 1
    entry = listing["results"][0]
    assert (entry["title"], entry["artist"]) == ("a paper boat on a river", "Harbour Films")
    assert anonymous.get(entry["video_url"]).status_code == 200
    page = anonymous.get("/gallery/").content.decode()
    assert "a paper boat on a river" in page and "Harbour Films" in page
    assert "Alice Artist" not in page  # the name signed on the NDA is never public


def test_unlisted_link_is_not_in_the_gallery(client, artist, reviewer, make_output):
    output = make_output(artist)
    approve(output, reviewer)
    client.force_login(artist)
    body = publish_api(client, output.job_id, "link").json()
    slug_url = body["url"]
    assert slug_url.startswith("/s/") and len(slug_url) > 20
    assert Client().get("/api/v1/gallery/").json()["count"] == 0
    assert Client().get(slug_url).status_code == 200
    assert Client().get("/s/guessed-slug/").status_code == 404


def test_switching_visibility_ends_the_old_publication(client, artist, reviewer, make_output):
    output = make_output(artist)
    approve(output, reviewer)
    first = publication_create(output=output, artist=artist, visibility="link")
    second = publication_create(output=output, artist=artist, visibility="gallery")
    first.refresh_from_db()
    assert (
        first.status == PublicationStatus.UNPUBLISHED and second.status == PublicationStatus.ACTIVE
    )


def test_unpublish_and_bad_visibility(client, artist, reviewer, make_output):
    output = make_output(artist)
    approve(output, reviewer)
    client.force_login(artist)
    assert publish_api(client, output.job_id, "everywhere").status_code == 400
    url = publish_api(client, output.job_id, "link").json()["url"]
    response = client.post(f"/api/v1/generations/{output.job_id}/unpublish/")
    assert response.json()["status"] == "unpublished"
    assert Client().get(url).status_code == 404
    assert client.post(f"/api/v1/generations/{output.job_id}/unpublish/").status_code == 404


def test_only_the_owner_publishes(client, artist, other_artist, reviewer, make_output):
    output = make_output(artist)
    approve(output, reviewer)
    with pytest.raises(NotAllowed):
        publication_create(output=output, artist=other_artist, visibility="gallery")
    client.force_login(other_artist)
    assert publish_api(client, output.job_id).status_code == 404


def test_staff_takedown_with_reason_tells_the_artist(client, artist, reviewer, make_output):
    output = make_output(artist)
    approve(output, reviewer)
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    client.force_login(artist)
    assert (
        client.post(f"/api/v1/publications/{publication.pk}/takedown/", {"reason": "x"}).status_code
        == 403
    )
    client.force_login(reviewer)
    missing = client.post(
        f"/api/v1/publications/{publication.pk}/takedown/", {}, content_type="application/json"
    )
    assert missing.status_code == 400
    done = client.post(
        f"/api/v1/publications/{publication.pk}/takedown/", {"reason": "Rights holder complaint"},
        content_type="application/json",
    )  # fmt: skip
    assert done.json()["status"] == "taken_down"
    assert Client().get("/api/v1/gallery/").json()["count"] == 0
    assert artist.notifications.filter(message__contains="Rights holder complaint").exists()


def test_revoked_approval_takes_the_publication_down(artist, reviewer, program_admin, make_output):
    output = make_output(artist)
    item = approve(output, reviewer)
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    review_revoke_approval(
        item=item, admin=program_admin, reason_code="nda_risk", note="Leaks the roadmap."
    )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.TAKEN_DOWN
    with pytest.raises(NotApproved):
        publication_create(output=output, artist=artist, visibility="gallery")
