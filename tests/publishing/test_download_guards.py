"""Guard tests for ``publishing.downloads`` (issue 13, point 2; docs/mutation.md): each
test's docstring names the guard of ``download_refusal`` it defends; taking the guard away
(tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cohorts.options import DownloadPolicy
from cohorts.services import cohort_set_download_policy
from jobs.models import Job, Output
from moderation.models import ReviewItem
from publishing.downloads import DownloadRefusal, download_refusal
from studio.apis import JobDetailSerializer
from web.media_links import download_url, media_url

pytestmark = pytest.mark.django_db


def test_nobody_at_all_is_not_the_owner(artist, make_output):
    """The guard: ``download_refusal``'s ``not isinstance(viewer, User)``. The job
    serializer asks with ``viewer=None`` when it has no request in its context: that is
    "not the owner" (the API's ``not_owner``), not an AttributeError on ``None.pk``; an
    anonymous visitor likewise."""
    job = Job.objects.get(pk=make_output(artist).job_id)

    assert download_refusal(job=job, viewer=None) == DownloadRefusal.NOT_OWNER
    assert download_refusal(job=job, viewer=AnonymousUser()) == DownloadRefusal.NOT_OWNER
    data = JobDetailSerializer(job).data
    assert data["download_refusal"] == "not_owner"
    assert data["download_url"] is None


def test_an_output_without_a_review_item_waits_for_review(artist, make_output):
    """The guard: ``download_refusal``'s ``review is None`` (with ``review.is_open``).
    Under "after approval", an output that has no review item (one made before review
    existed, or whose item is gone) is "review pending", not an AttributeError on
    ``None.is_open``; under "always" it downloads."""
    output = make_output(artist)
    ReviewItem.objects.filter(output=output).delete()
    cohort_set_download_policy(
        actor=None, cohort=artist.cohort, policy=DownloadPolicy.AFTER_APPROVAL
    )
    job = Job.objects.get(pk=output.job_id)

    assert download_refusal(job=job, viewer=artist) == DownloadRefusal.REVIEW_PENDING
    cohort_set_download_policy(actor=None, cohort=artist.cohort, policy=DownloadPolicy.ALWAYS)
    assert download_refusal(job=Job.objects.get(pk=job.pk), viewer=artist) is None


# The media door's download guards (publishing.media.download_authorise) ---------------


def test_a_download_link_opens_only_its_own_video_as_a_download(client, artist, make_output):
    """The guards: ``download_authorise``'s ``claims.get("o") != output_id`` and
    ``claims.get("k") != DOWNLOAD``. The artist may download both videos, but a link
    issued for one doesn't open the other (each link is one audited download of one
    video), and a watch link (kind "video") is not a download link."""
    cohort_set_download_policy(actor=None, cohort=artist.cohort, policy=DownloadPolicy.ALWAYS)
    first, second = make_output(artist), make_output(artist)
    client.force_login(artist)
    link = download_url(output=first, viewer=artist)
    token = link.split("?t=", 1)[1]
    watch_token = media_url(output=first, kind="video", viewer=artist).split("?t=", 1)[1]
    door = f"/m/{first.pk}/download/"

    assert client.get(link).status_code == 200
    assert client.get(f"/m/{second.pk}/download/?t={token}").status_code == 404
    assert client.get(f"{door}?t={watch_token}").status_code == 404


def test_a_download_link_with_a_token_that_does_not_authenticate_is_a_404(
    client, artist, make_output
):
    """The guard: ``download_authorise``'s ``not isinstance(user, User)``. An
    ``Authorization: Bearer`` token that doesn't authenticate makes the viewer nobody
    (None): the door answers 404, not a 500 from reading ``None.pk``."""
    cohort_set_download_policy(actor=None, cohort=artist.cohort, policy=DownloadPolicy.ALWAYS)
    link = download_url(output=make_output(artist), viewer=artist)

    response = client.get(link, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 404


def test_a_download_link_for_an_output_that_no_longer_exists_is_a_404(client, artist, make_output):
    """The guard: ``download_authorise``'s ``output is None``. The link is ours,
    unexpired and issued to this artist, but its output is gone: a 404, not a 500 from
    reading the missing row's job."""
    make_output(artist)
    newest = Output.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.force_login(artist)

    response = client.get(download_url(output=Output(pk=newest + 1000), viewer=artist))

    assert response.status_code == 404
