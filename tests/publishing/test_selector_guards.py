"""Guards in ``publishing.selectors`` that no other test defended (docs/mutation.md): each
read is about *this* output, and an output without a review item is not public. Each test
names its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

import pytest
from django.test import Client

from jobs.models import Output
from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_approve, review_claim
from publishing.models import Publication, PublicationStatus
from publishing.services import publication_create, publication_takedown
from web.media_links import media_url

pytestmark = pytest.mark.django_db

REASON = "Rights holder complaint about the soundtrack"


@pytest.fixture
def approved(artist, reviewer, make_output):
    """Make an approved output of ``artist``'s."""

    def make(prompt: str) -> Output:
        output = make_output(artist, prompt=prompt)
        review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
        return Output.objects.get(pk=output.pk)

    return make


def test_unpublishing_a_video_that_is_not_published_leaves_the_others_alone(
    client, artist, approved
):
    """The guard: ``publication_active_for``'s ``filter(output=output)``. The artist asks
    to unpublish a video that has no publication: a 404, and their other, published
    video stays published (not "the first active publication" found)."""
    published = approved("published in the gallery")
    publication = publication_create(output=published, artist=artist, visibility="gallery")
    quiet = approved("approved, never published")
    client.force_login(artist)

    response = client.post(f"/api/v1/generations/{quiet.job_id}/unpublish/")

    assert response.status_code == 404
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.ACTIVE


def test_another_videos_takedown_does_not_bar_this_one(artist, reviewer, approved):
    """The guard: ``takedown_in_force``'s ``filter(output=output)``. One of the artist's
    videos was taken down; another of theirs may still be published."""
    taken = approved("taken down")
    publication = publication_create(output=taken, artist=artist, visibility="gallery")
    publication_takedown(publication=publication, staff=reviewer, reason=REASON)
    other = approved("nothing wrong with this one")

    fresh = publication_create(output=other, artist=artist, visibility="link")

    assert fresh.status == PublicationStatus.ACTIVE
    assert Publication.objects.get(output=other) == fresh


def test_an_output_without_a_review_item_is_not_public(client, artist, other_artist, make_output):
    """The guard: ``is_publicly_visible``'s ``review is not None``. An output whose review
    item is gone (made before review existed, or removed by an operator) is private: its
    artist still gets the file, anyone else a 404, never a server error."""
    output = make_output(artist)
    ReviewItem.objects.filter(output=output).delete()
    output = Output.objects.get(pk=output.pk)

    client.force_login(other_artist)
    assert (
        client.get(media_url(output=output, kind="video", viewer=other_artist)).status_code == 404
    )
    client.logout()
    assert client.get(media_url(output=output, kind="poster", viewer=None)).status_code == 404
    client.force_login(artist)
    assert client.get(media_url(output=output, kind="poster", viewer=artist)).status_code == 200


def test_another_videos_publication_does_not_make_this_one_public(
    client, artist, other_artist, approved
):
    """The guard: ``is_publicly_visible``'s ``filter(output=output, …)``. One of the
    artist's videos is in the gallery; another of theirs, approved but never published,
    stays private to them."""
    publication_create(output=approved("in the gallery"), artist=artist, visibility="gallery")
    private = approved("approved, kept private")

    client.force_login(other_artist)
    assert (
        client.get(media_url(output=private, kind="video", viewer=other_artist)).status_code == 404
    )
    client.logout()
    assert client.get(media_url(output=private, kind="poster", viewer=None)).status_code == 404


def test_a_publication_that_outlived_its_approval_is_not_public(
    client, artist, other_artist, approved
):
    """The guards: ``review.status == ReviewStatus.APPROVED`` in ``is_publicly_visible``
    (the media door) and ``output__review__status="approved"`` in
    ``gallery_publications`` (the gallery) and ``publication_by_slug`` (a shared link).
    Revoking an approval ends the publication (publishing.services); should a review
    leave "approved" any other way (an operator's fix, a future transition) while its
    publication is still active, the video is private all the same."""
    in_gallery = approved("in the gallery")
    by_link = approved("shared by link")
    publication_create(output=in_gallery, artist=artist, visibility="gallery")
    link = publication_create(output=by_link, artist=artist, visibility="link")
    anonymous = Client()
    assert anonymous.get("/api/v1/gallery/").json()["count"] == 1
    assert anonymous.get(f"/s/{link.slug}/").status_code == 200

    # Back in the review queue, the publications untouched.
    ReviewItem.objects.filter(output__in=[in_gallery, by_link]).update(status=ReviewStatus.PENDING)
    in_gallery = Output.objects.get(pk=in_gallery.pk)

    assert anonymous.get("/api/v1/gallery/").json()["count"] == 0
    assert anonymous.get(f"/s/{link.slug}/").status_code == 404
    client.force_login(other_artist)
    media = media_url(output=in_gallery, kind="video", viewer=other_artist)
    assert client.get(media).status_code == 404
    client.force_login(artist)
    assert client.get(media_url(output=in_gallery, kind="video", viewer=artist)).status_code == 200
