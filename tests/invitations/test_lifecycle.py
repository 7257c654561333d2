"""An invitation from issue to use, and every way it can't be used."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from domain.errors import InvalidTransition, NotAllowed
from invitations.errors import (
    InvitationExpired,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsed,
)
from invitations.models import Invitation, InvitationState, InvitationStatus
from invitations.services import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
)
from invitations.tokens import hash_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, token: str, email: str = "newcomer@example.com", password: str = PASSWORD):
    landing = client.get(f"/invitations/{token}/")
    if landing.status_code != 302:
        return landing
    return client.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


class TestIssuing:
    def test_invitation_is_emailed_with_a_working_link_and_the_secret_is_stored_hashed(
        self, cohort, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            issued = invitation_create(inviter=None, email=" NewComer@Example.com ", cohort=cohort)
        invitation = issued.invitation
        assert invitation.email == "newcomer@example.com"
        assert invitation.state == InvitationState.PENDING
        assert invitation.token_hash == hash_token(issued.token)
        assert issued.token not in invitation.token_hash
        assert (
            timedelta(days=6, hours=23)
            < invitation.expires_at - invitation.created_at
            <= timedelta(days=7)
        )
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["newcomer@example.com"]
        assert issued.link in message.body
        assert re.search(r"/invitations/[\w-]{40,}/", message.body)

    def test_no_email_until_the_transaction_commits(
        self, cohort, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invitation_create(inviter=None, email="later@example.com", cohort=cohort)
        assert mailoutbox == []
        assert len(callbacks) == 1

    def test_bad_address_is_a_field_error(self, cohort):
        with pytest.raises(ValidationError) as error:
            invitation_create(inviter=None, email="not-an-address", cohort=cohort)
        assert "email" in error.value.message_dict
        assert Invitation.objects.count() == 0

    def test_address_with_an_account_cannot_be_invited(self, cohort, artist):
        with pytest.raises(ValidationError) as error:
            invitation_create(inviter=None, email="ALICE@example.com", cohort=cohort)
        assert error.value.error_dict["email"][0].code == "email_taken"

    def test_second_pending_invitation_is_refused_until_the_first_is_revoked(self, cohort, invite):
        first, _ = invite("twice@example.com")
        with pytest.raises(ValidationError) as error:
            invitation_create(inviter=None, email="twice@example.com", cohort=cohort)
        assert error.value.error_dict["email"][0].code == "already_invited"
        invitation_revoke(actor=None, invitation=first)
        assert invitation_create(
            inviter=None, email="twice@example.com", cohort=cohort
        ).invitation.pk

    def test_only_program_admins_may_invite(self, cohort, artist, reviewer, program_admin):
        for person in (artist, reviewer):
            with pytest.raises(NotAllowed):
                invitation_create(inviter=person, email="x@example.com", cohort=cohort)
        issued = invitation_create(inviter=program_admin, email="x@example.com", cohort=cohort)
        assert issued.invitation.inviter == program_admin


class TestSignUp:
    def test_valid_invitation_leads_to_signup_and_joins_the_cohort_as_artist(
        self, client, invite, cohort
    ):
        invitation, token = invite()
        response = sign_up(client, token)
        assert response.status_code == 302
        user = User.objects.get(email="newcomer@example.com")
        assert user.cohort == cohort
        assert user.role == Role.ARTIST
        assert not user.is_staff
        invitation.refresh_from_db()
        assert invitation.state == InvitationState.ACCEPTED
        assert invitation.accepted_by == user
        # Signed in straight away: the invitation proved the inbox.
        assert client.get("/").status_code in (200, 302)
        assert client.session.get("_auth_user_id") == str(user.pk)

    def test_signup_page_prefills_the_invited_address(self, client, invite):
        _, token = invite("prefill@example.com")
        client.get(f"/invitations/{token}/")
        page = client.get("/accounts/signup/")
        assert page.status_code == 200
        assert b'value="prefill@example.com"' in page.content

    def test_email_must_be_the_invited_email(self, client, invite):
        invitation, token = invite("invited@example.com")
        response = sign_up(client, token, email="someone-else@example.com")
        assert response.status_code == 200
        assert "Your invitation was sent to invited@example.com" in response.content.decode()
        assert not User.objects.filter(email="someone-else@example.com").exists()
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.PENDING

    def test_signup_without_an_invitation_is_closed(self, client):
        page = client.get("/accounts/signup/")
        assert page.status_code == 200
        assert b"Sign-up is by invitation only" in page.content
        client.post(
            "/accounts/signup/",
            {"email": "gate@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert not User.objects.filter(email="gate@example.com").exists()

    def test_used_invitation_gets_a_clear_page(self, client, invite):
        _, token = invite()
        sign_up(client, token)
        client.logout()
        page = client.get(f"/invitations/{token}/")
        assert page.status_code == 410
        assert b"already been used" in page.content
        assert b'data-code="invitation_used"' in page.content

    def test_expired_invitation_gets_a_clear_page(self, client, invite):
        invitation, token = invite()
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(days=8),
            expires_at=timezone.now() - timedelta(days=1),
        )
        page = client.get(f"/invitations/{token}/")
        assert page.status_code == 410
        assert b"has expired" in page.content

    def test_revoked_invitation_gets_a_clear_page(self, client, invite):
        invitation, token = invite()
        invitation_revoke(actor=None, invitation=invitation)
        page = client.get(f"/invitations/{token}/")
        assert page.status_code == 410
        assert b"withdrawn" in page.content

    def test_unknown_invitation_gets_a_clear_page(self, client, invite):
        page = client.get("/invitations/made-up-token-that-does-not-exist/")
        assert page.status_code == 404
        assert b"recognise this invitation" in page.content

    def test_invitation_revoked_between_landing_and_signup_is_refused(self, client, invite):
        invitation, token = invite()
        assert client.get(f"/invitations/{token}/").status_code == 302
        invitation_revoke(actor=None, invitation=invitation)
        response = client.post(
            "/accounts/signup/",
            {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 410
        assert b"withdrawn" in response.content
        assert not User.objects.filter(email="newcomer@example.com").exists()

    def test_signed_in_person_is_told_to_sign_out_first(self, client, invite, artist):
        _, token = invite()
        client.force_login(artist)
        page = client.get(f"/invitations/{token}/")
        assert page.status_code == 409
        assert b"sign out first" in page.content

    def test_full_cohort_refuses_and_leaves_no_account(self, client, invite, cohort):
        cohort.capacity = 1
        cohort.save()
        _, first = invite("first@example.com")
        _, second = invite("second@example.com")
        assert sign_up(client, first, email="first@example.com").status_code == 302
        client.logout()
        response = sign_up(client, second, email="second@example.com")
        assert response.status_code == 409
        assert b"seats in Wave 1 are taken" in response.content
        assert not User.objects.filter(email="second@example.com").exists()
        assert cohort.members.count() == 1


class TestStateMachine:
    def test_token_lookup_names_each_reason(self, invite):
        invitation, token = invite()
        assert invitation_for_token(token=token) == invitation
        with pytest.raises(InvitationUnknown):
            invitation_for_token(token="nope")
        with pytest.raises(InvitationUnknown):
            invitation_for_token(token="")
        invitation_revoke(actor=None, invitation=invitation)
        with pytest.raises(InvitationRevoked):
            invitation_for_token(token=token)

    def test_accepted_invitation_cannot_be_used_again_or_revoked(self, invite, cohort):
        invitation, token = invite()
        user = User.objects.create_user(email="newcomer@example.com", password=PASSWORD)
        invitation_accept(token=token, user=user)
        other = User.objects.create_user(email="other@example.com", password=PASSWORD)
        with pytest.raises(InvitationUsed):
            invitation_accept(token=token, user=other)
        with pytest.raises(InvalidTransition):
            invitation_revoke(actor=None, invitation=invitation)

    def test_revoking_twice_is_a_no_op(self, invite):
        invitation, _ = invite()
        first = invitation_revoke(actor=None, invitation=invitation)
        second = invitation_revoke(actor=None, invitation=invitation)
        assert first.revoked_at == second.revoked_at

    def test_expired_is_derived_from_the_clock(self, invite):
        invitation, token = invite(days=1)
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1),
            created_at=timezone.now() - timedelta(days=1),
        )
        with pytest.raises(InvitationExpired):
            invitation_for_token(token=token)

    def test_database_refuses_an_accepted_invitation_without_its_timestamp(self, invite):
        from django.db import IntegrityError, transaction

        invitation, _ = invite()
        with pytest.raises(IntegrityError), transaction.atomic():
            Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)
