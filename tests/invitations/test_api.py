"""POST /api/v1/invitations/ and friends: who may, and what bad input gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from invitations.models import Invitation, InvitationState
from invitations.services import invitation_revoke

pytestmark = pytest.mark.django_db


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


class TestCreate:
    def test_program_admin_invites_and_gets_the_link_once(
        self, client, program_admin, cohort, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(program_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                client, "/api/v1/invitations/", {"email": "Dana@Example.com", "cohort": "Wave 1"}
            )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["email"] == "dana@example.com"
        assert body["cohort"] == "Wave 1"
        assert body["state"] == "pending"
        assert body["inviter"] == program_admin.email
        assert body["signup_url"].startswith("http://127.0.0.1:8000/invitations/")
        assert mailoutbox[0].to == ["dana@example.com"]
        assert body["signup_url"] in mailoutbox[0].body
        listed = client.get("/api/v1/invitations/").json()
        assert listed["count"] == 1
        assert "signup_url" not in listed["results"][0]

    @pytest.mark.parametrize(
        ("data", "field", "code"),
        [
            ({"email": "nope", "cohort": "Wave 1"}, "email", "invalid"),
            ({"cohort": "Wave 1"}, "email", "required"),
            ({"email": "a@example.com", "cohort": "No such cohort"}, "cohort", "does_not_exist"),
            (
                {"email": "a@example.com", "cohort": "Wave 1", "expires_in_days": 0},
                "expires_in_days",
                "min_value",
            ),
            ({"email": "alice@example.com", "cohort": "Wave 1"}, "email", "email_taken"),
        ],
    )
    def test_bad_input_gets_field_errors_and_creates_nothing(
        self, client, program_admin, artist, data, field, code
    ):
        client.force_login(program_admin)
        response = post(client, "/api/v1/invitations/", data)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert body["fields"][field][0]["code"] == code
        assert Invitation.objects.count() == 0

    def test_duplicate_pending_invitation_is_a_field_error(self, client, program_admin, invite):
        invite("dup@example.com")
        client.force_login(program_admin)
        response = post(
            client, "/api/v1/invitations/", {"email": "dup@example.com", "cohort": "Wave 1"}
        )
        assert response.status_code == 400
        assert response.json()["fields"]["email"][0]["code"] == "already_invited"

    @pytest.mark.parametrize("who", ["artist", "reviewer", "outsider"])
    def test_non_admins_cannot_invite_or_list(self, client, request, cohort, who):
        person = request.getfixturevalue(who)
        client.force_login(person)
        response = post(
            client, "/api/v1/invitations/", {"email": "x@example.com", "cohort": "Wave 1"}
        )
        assert response.status_code == 403
        assert client.get("/api/v1/invitations/").status_code == 403
        assert Invitation.objects.count() == 0

    def test_anonymous_cannot_invite(self, client, cohort):
        response = post(
            client, "/api/v1/invitations/", {"email": "x@example.com", "cohort": "Wave 1"}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


class TestRevoke:
    def test_admin_revokes_and_revoking_a_used_one_is_a_conflict(
        self, client, program_admin, invite, artist
    ):
        invitation, _ = invite()
        client.force_login(program_admin)
        response = client.post(f"/api/v1/invitations/{invitation.pk}/revoke/")
        assert response.status_code == 200
        assert response.json()["state"] == "revoked"
        used = Invitation.objects.create(
            email="used@example.com",
            cohort=invitation.cohort,
            token_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=1),
            status="accepted",
            accepted_at=timezone.now(),
        )
        response = client.post(f"/api/v1/invitations/{used.pk}/revoke/")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert client.post("/api/v1/invitations/999999/revoke/").status_code == 404

    def test_artist_cannot_revoke(self, client, artist, invite):
        invitation, _ = invite()
        client.force_login(artist)
        assert client.post(f"/api/v1/invitations/{invitation.pk}/revoke/").status_code == 403
        invitation.refresh_from_db()
        assert invitation.state == InvitationState.PENDING


class TestVerify:
    def test_usable_invitation(self, client, invite):
        _, token = invite("v@example.com")
        response = post(client, "/api/v1/invitations/verify/", {"token": token})
        assert response.status_code == 200
        assert response.json()["email"] == "v@example.com"
        assert response.json()["cohort"] == "Wave 1"

    def test_each_unusable_invitation_has_its_own_error_code(self, client, invite):
        revoked, revoked_token = invite("r@example.com")
        invitation_revoke(actor=None, invitation=revoked)
        expired, expired_token = invite("e@example.com")
        Invitation.objects.filter(pk=expired.pk).update(
            created_at=timezone.now() - timedelta(days=9),
            expires_at=timezone.now() - timedelta(days=2),
        )
        cases = {
            revoked_token: (410, "invitation_revoked"),
            expired_token: (410, "invitation_expired"),
            "unknown-token": (404, "invitation_unknown"),
        }
        for token, (status, code) in cases.items():
            response = post(client, "/api/v1/invitations/verify/", {"token": token})
            assert response.status_code == status
            assert response.json()["code"] == code
            assert response.json()["detail"]

    def test_used_invitation(self, client, invite):
        from accounts.models import User
        from invitations.services import invitation_accept

        _, token = invite("u@example.com")
        invitation_accept(
            token=token, user=User.objects.create_user(email="u@example.com", password="x")
        )
        response = post(client, "/api/v1/invitations/verify/", {"token": token})
        assert (response.status_code, response.json()["code"]) == (410, "invitation_used")

    def test_missing_token_is_a_field_error(self, client):
        response = post(client, "/api/v1/invitations/verify/", {})
        assert response.status_code == 400
        assert response.json()["fields"]["token"][0]["code"] == "required"
