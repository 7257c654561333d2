"""``next=`` is followed only to a path on this site (no open redirect): the staff
takedown form and the agreement page, through ``web.http.safe_next_url``."""

from __future__ import annotations

import pytest
from django.shortcuts import resolve_url
from django.urls import reverse

from moderation.services import review_approve, review_claim
from publishing.services import publication_create
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/login",
    "//evil.example/login",
    "/\\evil.example/login",
    "http:/evil.example",
    "javascript:alert(1)",
    "https://testserver.evil.example/",
    "publishing:gallery",  # a URL name, not a URL: not ours to resolve either
]


@pytest.fixture
def publication(artist, reviewer, make_output):
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    return publication_create(output=output, artist=artist, visibility="gallery")


def _naive_next(request, *, default):
    return request.POST.get("next") or request.GET.get("next") or resolve_url(default)


@pytest.mark.parametrize(
    "protection", protection_params(reason="the takedown form followed any next= URL")
)
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_takedown_form_never_leaves_the_site(
    client, reviewer, publication, monkeypatch, protection, target
):
    """The protection: ``web.http.safe_next_url`` in ``publishing.views.takedown``."""
    if protection == "off":
        monkeypatch.setattr("publishing.views.safe_next_url", _naive_next)
    client.force_login(reviewer)
    response = client.post(
        reverse("publishing:takedown", args=[publication.pk]),
        {"reason": "Rights holder complaint", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("publishing:gallery")


def test_the_takedown_form_returns_to_a_page_of_the_site(client, reviewer, publication):
    client.force_login(reviewer)
    response = client.post(
        reverse("publishing:takedown", args=[publication.pk]),
        {"reason": "Rights holder complaint", "next": "/gallery/?page=2"},
    )
    assert response["Location"] == "/gallery/?page=2"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_agreement_page_never_leaves_the_site(client, unsigned_artist, nda, target):
    client.force_login(unsigned_artist)
    response = client.post(
        "/agreement/",
        {"full_name": "Ursula Unsigned", "confirm": "on", "text_sha256": nda.text_sha256,
         "next": target},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/"
