"""The NDA gate on pages, and acceptance through the agreement page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from agreements.models import AgreementAcceptance
from agreements.rendering import text_sha256
from agreements.services import agreement_version_create, agreement_version_publish

pytestmark = pytest.mark.django_db


def publish(title: str, body: str, *, effective_in: timedelta = timedelta(0)):
    version = agreement_version_create(
        actor=None, title=title, body=body, effective_at=timezone.now() + effective_in
    )
    return agreement_version_publish(actor=None, version=version)


def accept_on_page(client, version, name="Carol Sculptor", next_url="/"):
    return client.post(
        "/agreement/",
        {"full_name": name, "confirm": "on", "text_sha256": version.text_sha256, "next": next_url},
        HTTP_USER_AGENT="Mozilla/5.0 (test)",
        REMOTE_ADDR="203.0.113.9",
    )


class TestPagesAreGated:
    @pytest.mark.parametrize("path", ["/", "/staff/agreements/", "/no-such-page/"])
    def test_unsigned_artist_is_redirected_to_the_agreement(self, client, unsigned_artist, path):
        client.force_login(unsigned_artist)
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/agreement/?next={path.replace('/', '%2F')}"

    @pytest.mark.parametrize(
        "path", ["/agreement/", "/agreement/signed/", "/accounts/password/change/", "/healthz"]
    )
    def test_unsigned_artist_can_still_reach_the_way_out(self, client, unsigned_artist, path):
        client.force_login(unsigned_artist)
        assert client.get(path).status_code == 200

    def test_unsigned_artist_can_sign_out(self, client, unsigned_artist):
        client.force_login(unsigned_artist)
        client.post("/accounts/logout/")
        assert "_auth_user_id" not in client.session

    def test_signed_artist_passes(self, client, artist):
        client.force_login(artist)
        assert client.get("/").status_code == 200

    def test_staff_are_not_gated(self, client, reviewer, nda):
        client.force_login(reviewer)
        assert client.get("/").status_code == 200

    def test_anonymous_visitors_go_to_sign_in_not_the_agreement(self, client, nda):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_with_no_agreement_published_artists_wait(self, client, cohort):
        from accounts.roles import Role
        from accounts.services import user_create

        user = user_create(email="early@example.com", password="x", role=Role.ARTIST, cohort=cohort)
        client.force_login(user)
        assert client.get("/")["Location"].startswith("/agreement/")
        page = client.get("/agreement/")
        assert b"isn't ready yet" in page.content


class TestAccepting:
    def test_accepting_records_the_evidence_and_opens_the_portal(
        self, client, unsigned_artist, nda
    ):
        client.force_login(unsigned_artist)
        page = client.get("/agreement/?next=/")
        assert b"Keep <strong>unpublished</strong> outputs private." in page.content
        response = accept_on_page(client, nda, name="  Carol   Sculptor ")
        assert response.status_code == 302
        assert response["Location"] == "/"
        record = AgreementAcceptance.objects.get(user=unsigned_artist)
        assert record.version == nda
        assert record.typed_full_name == "Carol Sculptor"
        assert record.ip_address == "203.0.113.9"
        assert record.user_agent == "Mozilla/5.0 (test)"
        assert record.text_sha256 == text_sha256(nda.body) == nda.text_sha256
        assert abs(record.accepted_at - timezone.now()) < timedelta(seconds=10)
        assert record.accepted_at.utcoffset() == timedelta(0)
        assert client.get("/").status_code == 200

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"full_name": "", "confirm": "on"}, "full_name", "This field is required."),
            ({"full_name": " x ", "confirm": "on"}, "full_name", "Type your full name to sign."),
            ({"full_name": "Carol Sculptor"}, "confirm", "Tick the box"),
        ],
    )
    def test_bad_input_is_a_field_error_and_records_nothing(
        self, client, unsigned_artist, nda, data, field, message
    ):
        client.force_login(unsigned_artist)
        response = client.post("/agreement/", {**data, "text_sha256": nda.text_sha256})
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert not AgreementAcceptance.objects.filter(user=unsigned_artist).exists()

    def test_offsite_next_is_ignored(self, client, unsigned_artist, nda):
        client.force_login(unsigned_artist)
        response = accept_on_page(client, nda, next_url="https://evil.example/")
        assert response["Location"] == "/"

    def test_text_that_changed_while_reading_must_be_read_again(self, client, unsigned_artist, nda):
        client.force_login(unsigned_artist)
        newer = publish("Preview NDA v2", "New terms.")
        response = accept_on_page(client, nda)
        assert response.status_code == 302
        assert response["Location"].startswith("/agreement/")
        assert not AgreementAcceptance.objects.filter(user=unsigned_artist).exists()
        accept_on_page(client, newer)
        assert AgreementAcceptance.objects.get(user=unsigned_artist).version == newer

    def test_new_version_requires_everyone_to_accept_again(self, client, artist, other_artist):
        client.force_login(artist)
        assert client.get("/").status_code == 200
        v2 = publish("Preview NDA v2", "## Changed\n\nNew terms.")
        assert client.get("/")["Location"].startswith("/agreement/")
        accept_on_page(client, v2, name="Alice Artist")
        assert client.get("/").status_code == 200
        client.force_login(other_artist)
        assert client.get("/")["Location"].startswith("/agreement/")
        assert AgreementAcceptance.objects.filter(user=artist).count() == 2

    def test_a_version_effective_later_does_not_gate_yet(self, client, artist):
        publish("Preview NDA v2", "Later terms.", effective_in=timedelta(days=3))
        client.force_login(artist)
        assert client.get("/").status_code == 200


class TestSignedText:
    def test_artist_can_always_view_the_exact_text_they_signed(self, client, artist, nda):
        acceptance = AgreementAcceptance.objects.get(user=artist)
        publish("Preview NDA v2", "Completely different terms.")
        client.force_login(artist)
        # Even while gated by v2, the text of v1 stays reachable.
        page = client.get(f"/agreement/signed/{acceptance.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Keep <strong>unpublished</strong> outputs private." in html
        assert "Keep **unpublished** outputs private." in html  # the stored markdown
        assert nda.text_sha256 in html
        assert "Alice Artist" in html

    def test_another_artists_acceptance_is_not_found(self, client, artist, other_artist):
        theirs = AgreementAcceptance.objects.get(user=other_artist)
        client.force_login(artist)
        assert client.get(f"/agreement/signed/{theirs.pk}/").status_code == 404

    def test_markdown_is_rendered_safely(self, client, unsigned_artist, nda):
        publish(
            "Hostile",
            "<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)>",
        )
        client.force_login(unsigned_artist)
        html = client.get("/agreement/").content.decode()
        assert "<script>alert(1)" not in html
        assert "javascript:" not in html
        assert "onerror" not in html


def test_the_fast_gate_question_agrees_with_the_full_status(
    cohort, artist, unsigned_artist, reviewer, django_assert_num_queries, monkeypatch
):
    """agreement_required (one query, every request) must say what agreement_status says,
    through each state: accepted, not accepted, a newer version not yet effective, then
    effective, and for staff."""
    from agreements import selectors
    from agreements.selectors import agreement_required, agreement_status

    def same() -> None:
        for person in (artist, unsigned_artist, reviewer):
            assert agreement_required(user=person) == agreement_status(user=person).required

    same()
    assert not agreement_required(user=artist) and agreement_required(user=unsigned_artist)
    with django_assert_num_queries(1):
        agreement_required(user=artist)
    later = agreement_version_create(
        actor=None, title="v2", body="New terms.", effective_at=timezone.now() + timedelta(hours=1)
    )
    agreement_version_publish(actor=None, version=later)
    same()
    assert not agreement_required(user=artist)  # v2 is not effective yet
    # Published text (and its date) is frozen; instead of waiting for the date, both
    # selectors' clock moves past it.
    moment = later.effective_at + timedelta(microseconds=1)
    monkeypatch.setattr(selectors, "timezone", SimpleNamespace(now=lambda: moment))
    same()
    assert agreement_required(user=artist)  # v2 now holds everyone who hasn't accepted it
    assert not agreement_required(user=reviewer)


def test_nothing_published_holds_artists(cohort):
    from accounts.roles import Role
    from accounts.services import user_create
    from agreements.selectors import agreement_required, agreement_status

    artist = user_create(email="early@example.com", password="x" * 20, role=Role.ARTIST,
                         cohort=cohort)  # fmt: skip
    assert agreement_required(user=artist) and agreement_status(user=artist).required
