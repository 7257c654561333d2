"""Who may fetch which media file, in which state — exactly the allowed ones succeed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from moderation.services import review_approve, review_claim, review_reject
from publishing.models import Publication
from publishing.services import publication_create, publication_takedown, publication_unpublish
from web.media_links import media_url

pytestmark = pytest.mark.django_db

ACTORS = ["owner", "other_artist", "reviewer", "program_admin", "anonymous"]
STATES = [
    "pending",
    "rejected",
    "approved",
    "published_gallery",
    "published_link",
    "unpublished",
    "taken_down",
]
PUBLIC = {"published_gallery", "published_link"}


def allowed(state: str, actor: str) -> bool:
    if state in PUBLIC:
        return True
    return actor in ("owner", "reviewer", "program_admin")


def put_in_state(output, state, artist, reviewer):
    item = output.review
    if state == "pending":
        return
    if state == "rejected":
        review_reject(
            item=review_claim(item=item, reviewer=reviewer),
            reviewer=reviewer,
            reason_code="other",
            note="n",
        )
        return
    review_approve(item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer)
    if state == "approved":
        return
    publication = publication_create(
        output=output, artist=artist, visibility="link" if state == "published_link" else "gallery"
    )
    if state == "unpublished":
        publication_unpublish(publication=publication, artist=artist)
    if state == "taken_down":
        publication_takedown(publication=publication, staff=reviewer, reason="Takedown request")


@pytest.mark.parametrize("state", STATES)
def test_media_access_matrix(state, artist, other_artist, reviewer, program_admin, make_output):
    output = make_output(artist)
    put_in_state(output, state, artist, reviewer)
    people = {
        "owner": artist,
        "other_artist": other_artist,
        "reviewer": reviewer,
        "program_admin": program_admin,
    }
    for actor in ACTORS:
        client = Client()
        viewer = people.get(actor)
        if viewer is not None:
            client.force_login(viewer)
        for kind in ("video", "poster", "filmstrip"):
            url = media_url(output=output, kind=kind, viewer=viewer or AnonymousUser())
            response = client.get(url)
            # The filmstrip is a review aid: never public, even once published.
            may = allowed("pending" if kind == "filmstrip" else state, actor)
            expected = 200 if may else 404
            assert response.status_code == expected, (state, actor, kind, response.status_code)
            if expected == 200:
                body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
                assert body == getattr(output, kind).open("rb").read()
                assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("state", STATES)
def test_generation_api_object_access(
    state, client, artist, other_artist, reviewer, program_admin, make_output
):
    output = make_output(artist)
    put_in_state(output, state, artist, reviewer)
    expected = {
        "owner": 200,
        "other_artist": 404,
        "reviewer": 200,
        "program_admin": 200,
        "anonymous": 401,
    }
    people = {
        "owner": artist,
        "other_artist": other_artist,
        "reviewer": reviewer,
        "program_admin": program_admin,
    }
    for actor, status in expected.items():
        client.logout()
        if actor in people:
            client.force_login(people[actor])
        assert client.get(f"/api/v1/generations/{output.job_id}/").status_code == status, (
            state,
            actor,
        )


def test_tampered_expired_and_misdirected_urls_fail(
    client, artist, other_artist, make_output, settings
):
    output = make_output(artist)
    other = make_output(other_artist)
    client.force_login(artist)
    url = media_url(output=output, kind="video", viewer=artist)
    assert client.get(url).status_code == 200
    path, token = url.split("?t=")
    assert client.get(f"{path}?t={token[:-2]}xx").status_code == 404  # tampered signature
    assert client.get(path).status_code == 404  # no token
    assert (
        client.get(url.replace("/video/", "/poster/")).status_code == 404
    )  # token for another file
    assert client.get(f"/m/{other.pk}/video/?t={token}").status_code == 404  # another output
    assert client.get(f"/m/{output.pk}/script/?t={token}").status_code == 404
    client.force_login(other_artist)
    assert client.get(url).status_code == 404  # issued to someone else
    client.force_login(artist)
    settings.MEDIA_URL_TTL_SECONDS = -1
    assert client.get(url).status_code == 404  # expired


def test_revocation_works_before_expiry(client, artist, reviewer, make_output):
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    url = media_url(output=output, kind="video", viewer=AnonymousUser())
    assert Client().get(url).status_code == 200
    publication_unpublish(publication=publication, artist=artist)
    assert Client().get(url).status_code == 404


def test_range_requests_for_seeking(client, artist, make_output):
    output = make_output(artist)
    client.force_login(artist)
    url = media_url(output=output, kind="video", viewer=artist)
    data = output.video.open("rb").read()
    size = len(data)
    whole = client.get(url)
    assert whole["Accept-Ranges"] == "bytes"
    part = client.get(url, HTTP_RANGE="bytes=10-99")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-99/{size}"
    assert b"".join(part.streaming_content) == data[10:100]
    tail = client.get(url, HTTP_RANGE="bytes=-16")
    assert b"".join(tail.streaming_content) == data[-16:]
    open_ended = client.get(url, HTTP_RANGE=f"bytes={size - 5}-")
    assert b"".join(open_ended.streaming_content) == data[-5:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={size + 10}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"


def test_production_hands_the_bytes_to_nginx(client, artist, make_output, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_private/"
    output = make_output(artist)
    client.force_login(artist)
    response = client.get(media_url(output=output, kind="video", viewer=artist))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{output.video.name}"
    assert response.content == b""
    assert (
        Client().get(media_url(output=output, kind="video", viewer=AnonymousUser())).status_code
        == 404
    )


def test_staff_viewing_private_media_is_audited_once_per_viewing(
    client, artist, reviewer, make_output
):
    from audit.models import AuditEvent

    output = make_output(artist)
    client.force_login(reviewer)
    url = media_url(output=output, kind="video", viewer=reviewer)
    for _ in range(3):
        client.get(url, HTTP_RANGE="bytes=0-10")
    events = AuditEvent.objects.filter(action="media.staff_access", object_id=str(output.pk))
    assert events.count() == 1 and events.get().actor == reviewer
    assert Publication.objects.count() == 0


def test_rotated_secret_key_keeps_links_alive_only_with_the_fallback(
    client, artist, make_output, settings
):
    """Key rotation (deploy/RUNBOOK.md): links signed with the old key keep working while
    it is listed in DJANGO_SECRET_KEY_FALLBACKS, and die without it."""
    output = make_output(artist)
    client.force_login(artist)
    settings.SECRET_KEY = "old-" + "k" * 50
    url = media_url(output=output, kind="video", viewer=artist)
    client.force_login(artist)  # the session too is signed with the key in force
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "k" * 50, ["old-" + "k" * 50]
    assert client.get(url).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    client.force_login(artist)
    assert client.get(url).status_code == 404
