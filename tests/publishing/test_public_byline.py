"""The name signed on the NDA (and the email address) never reaches a public surface: the
gallery, unlisted pages and the gallery API name the artist by their public credit, or
a neutral label."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.selectors import NEUTRAL_BYLINE
from accounts.services import user_set_public_credit
from agreements.models import AgreementAcceptance
from moderation.services import review_approve, review_claim
from publishing.credits import user_refuse_public_credit
from publishing.services import publication_create

pytestmark = pytest.mark.django_db


def published(artist, reviewer, make_output):
    """One gallery and one unlisted publication of ``artist``; returns the unlisted URL."""
    gallery, unlisted = make_output(artist, "a paper boat"), make_output(artist, "a kite")
    for output in (gallery, unlisted):
        review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication_create(output=gallery, artist=artist, visibility="gallery")
    link = publication_create(output=unlisted, artist=artist, visibility="link")
    return f"/s/{link.slug}/"


def public_texts(unlisted_url: str) -> dict[str, str]:
    visitor = Client()
    return {
        "gallery page": visitor.get("/gallery/").content.decode(),
        "unlisted page": visitor.get(unlisted_url).content.decode(),
        "gallery API": visitor.get("/api/v1/gallery/").content.decode(),
    }


def private_bits(artist) -> list[str]:
    signed = AgreementAcceptance.objects.get(user=artist).typed_full_name
    assert signed == artist.full_name == "Alice Artist"
    return [signed, artist.email, artist.email.split("@")[0]]


def test_without_a_credit_public_surfaces_show_a_neutral_label(artist, reviewer, make_output):
    texts = public_texts(published(artist, reviewer, make_output))
    for surface, text in texts.items():
        assert NEUTRAL_BYLINE in text, surface
        for private in private_bits(artist):
            assert private.lower() not in text.lower(), (surface, private)
    assert Client().get("/api/v1/gallery/").json()["results"][0]["artist"] == NEUTRAL_BYLINE


def test_public_surfaces_use_the_chosen_credit(artist, reviewer, make_output):
    user_set_public_credit(user=artist, credit="Harbour Films")
    texts = public_texts(published(artist, reviewer, make_output))
    for surface, text in texts.items():
        assert "Harbour Films" in text, surface
        for private in private_bits(artist):
            assert private.lower() not in text.lower(), (surface, private)
    assert Client().get("/api/v1/gallery/").json()["results"][0]["artist"] == "Harbour Films"


def test_a_refused_credit_falls_back_to_the_neutral_label_at_once(
    artist, reviewer, program_admin, make_output
):
    user_set_public_credit(user=artist, credit="Famous Director")
    url = published(artist, reviewer, make_output)
    user_refuse_public_credit(actor=program_admin, user=artist, reason="Impersonation.")
    for surface, text in public_texts(url).items():
        assert "Famous Director" not in text, surface
        assert NEUTRAL_BYLINE in text, surface
        assert "Alice Artist" not in text, surface
