"""The program admins' invitation page, /staff/invitations/ (issue 18, point 4): who may
use it, one invitation, a CSV upload whose bad rows are named without undoing the good
ones, resend and revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cohorts.services import cohort_create
from invitations.models import Invitation, InvitationStatus
from invitations.tokens import hash_token

pytestmark = pytest.mark.django_db

LIST = "/staff/invitations/"


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def csv_file(text: str | bytes, name: str = "invites.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.parametrize("who", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_reach_the_page_and_its_actions(request, who, invite, cohort):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    invitation, _ = invite("kept@example.com")
    client = signed_in(user)
    answers = [
        client.get(LIST),
        client.post(f"{LIST}invite/", {"email": "new@example.com", "cohort": cohort.pk}),
        client.post(f"{LIST}upload/", {"file": csv_file("x@example.com\n"), "cohort": cohort.pk}),
        client.post(f"{LIST}{invitation.pk}/revoke/"),
        client.post(f"{LIST}{invitation.pk}/resend/"),
    ]
    # Signed out, the page sends you to sign in; an action is refused.
    expected = [302, 403, 403, 403, 403] if who == "anonymous" else [403] * 5
    assert [a.status_code for a in answers] == expected
    if who == "anonymous":
        assert answers[0]["Location"].startswith("/accounts/login/")
    assert list(Invitation.objects.values_list("email", "status")) == [
        ("kept@example.com", InvitationStatus.PENDING)
    ]


def test_a_program_admin_sees_who_never_signed_up(program_admin, invite, cohort, artist):
    invite("pending@example.com")
    expired, _ = invite("expired@example.com", days=1)
    Invitation.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=2)
    )
    revoked, _ = invite("revoked@example.com")
    Invitation.objects.filter(pk=revoked.pk).update(
        status=InvitationStatus.REVOKED, revoked_at=timezone.now()
    )
    client = signed_in(program_admin)
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert all(f"{a}@example.com" in text for a in ("pending", "expired", "revoked"))
    never = client.get(LIST, {"state": "never_signed_up"}).content.decode()
    assert "pending@example.com" in never and "expired@example.com" in never
    assert "revoked@example.com" not in never
    only_expired = client.get(LIST, {"state": "expired"}).content.decode()
    assert "expired@example.com" in only_expired and "pending@example.com" not in only_expired


def test_the_list_is_paginated(program_admin, cohort):
    for n in range(55):
        Invitation.objects.create(
            email=f"p{n}@example.com", cohort=cohort, token_hash=hash_token(f"t{n}"),
            expires_at=timezone.now() + timedelta(days=7),
        )  # fmt: skip
    client = signed_in(program_admin)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "p54@example.com" in first and "p0@example.com" not in first
    assert "p0@example.com" in second


def test_a_program_admin_invites_one_address(program_admin, cohort, mailoutbox):
    client = signed_in(program_admin)
    answer = client.post(f"{LIST}invite/", {"email": " New@Example.com ", "cohort": cohort.pk})
    assert answer.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.cohort, invitation.inviter) == (
        "new@example.com", cohort, program_admin,
    )  # fmt: skip


def test_a_bad_address_is_a_field_error(program_admin, cohort, invite):
    invite("taken@example.com")
    client = signed_in(program_admin)
    bad = client.post(f"{LIST}invite/", {"email": "not an address", "cohort": cohort.pk})
    again = client.post(f"{LIST}invite/", {"email": "taken@example.com", "cohort": cohort.pk})
    assert (bad.status_code, again.status_code) == (400, 400)
    assert "is not a valid email address" in str(bad.context["invite_form"].errors["email"])
    assert "already has a pending invitation" in str(again.context["invite_form"].errors["email"])
    assert Invitation.objects.count() == 1


def test_a_csv_with_bad_rows_invites_the_good_ones_and_names_the_bad(
    program_admin, cohort, invite, artist
):
    other = cohort_create(actor=None, name="Wave 2", capacity=5, daily_generation_quota=7)
    invite("already@example.com")
    before = set(Invitation.objects.values_list("pk", "status"))
    upload = (
        "email,cohort\n"
        "good1@example.com\n"  # row 2: the default cohort
        "good2@example.com,Wave 2\n"  # row 3: a named cohort
        "not-an-email\n"  # row 4
        "GOOD1@example.com\n"  # row 5: a duplicate of row 2
        "already@example.com\n"  # row 6
        f"{artist.email}\n"  # row 7: a member already
        "lost@example.com,Wave 9\n"  # row 8
    )
    client = signed_in(program_admin)
    answer = client.post(f"{LIST}upload/", {"file": csv_file(upload), "cohort": cohort.pk})
    assert answer.status_code == 200
    results = {
        r.number: (r.email, r.invitation is not None, r.reason) for r in answer.context["results"]
    }
    assert sorted(results) == [2, 3, 4, 5, 6, 7, 8]
    assert results[2][:2] == ("good1@example.com", True)
    assert results[3][:2] == ("good2@example.com", True)
    assert "not a valid email address" in results[4][2]
    assert "appears earlier in the file" in results[5][2]
    assert "already has a pending invitation" in results[6][2]
    assert "already has an account" in results[7][2]
    assert "No cohort is named Wave 9" in results[8][2]
    assert not any(invited for n, (_, invited, _r) in results.items() if n >= 4)
    text = answer.content.decode()
    assert "not-an-email" in text and "No cohort is named Wave 9" in text
    # Exactly the two good rows were added; nothing else changed.
    new = Invitation.objects.exclude(pk__in=[pk for pk, _ in before])
    assert sorted(new.values_list("email", "cohort__name")) == [
        ("good1@example.com", "Wave 1"), ("good2@example.com", other.name),
    ]  # fmt: skip
    assert (
        set(Invitation.objects.filter(pk__in=[pk for pk, _ in before]).values_list("pk", "status"))
        == before
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xff\xfe\x00b\x00a\x00d", "invites.csv", "UTF-8"),
        ("a@example.com\x00,x\n", "invites.csv", "not a CSV file"),
        ("a@example.com,Wave 1,extra\n", "invites.csv", "more than two columns"),
        ("email\n", "invites.csv", "no addresses"),
        ("".join(f"r{n}@example.com\n" for n in range(2001)), "invites.csv", "at most 2000"),
        ("x" * (1024 * 1024 + 1), "invites.csv", "larger than 1 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_field_error(program_admin, cohort, data, name, message):
    client = signed_in(program_admin)
    answer = client.post(f"{LIST}upload/", {"file": csv_file(data, name), "cohort": cohort.pk})
    assert answer.status_code == 400
    assert message in str(answer.context["upload_form"].errors["file"])
    assert not Invitation.objects.exists()


def test_revoke_withdraws_a_pending_invitation(program_admin, invite):
    invitation, _ = invite("gone@example.com")
    answer = signed_in(program_admin).post(f"{LIST}{invitation.pk}/revoke/")
    assert answer.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert AuditEvent.objects.filter(action="invitation.revoke", actor=program_admin).exists()


def test_resend_replaces_the_link_in_one_audited_step(program_admin, invite, mailoutbox):
    old, old_token = invite("again@example.com", days=1)
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=2)
    )
    answer = signed_in(program_admin).post(f"{LIST}{old.pk}/resend/")
    assert answer.status_code == 302
    old.refresh_from_db()
    assert old.status == InvitationStatus.REVOKED
    new = Invitation.objects.exclude(pk=old.pk).get()
    assert (new.email, new.cohort_id, new.status) == ("again@example.com", old.cohort_id, "pending")
    assert new.expires_at > timezone.now() and new.token_hash != hash_token(old_token)
    events = AuditEvent.objects.filter(action__startswith="invitation.", actor=program_admin)
    assert [(e.action, e.data["replaces"]) for e in events] == [("invitation.resend", old.pk)]


def test_a_used_invitation_cannot_be_resent_or_revoked(program_admin, invite, artist):
    invitation, _ = invite("used@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ACCEPTED, accepted_at=timezone.now()
    )
    client = signed_in(program_admin)
    for action in ("resend", "revoke"):
        answer = client.post(f"{LIST}{invitation.pk}/{action}/", follow=True)
        assert "already used" in answer.content.decode()
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED
