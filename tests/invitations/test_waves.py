"""Named invitation waves on /staff/invitations/ (issue 18, point 4): inviting into an
existing or a new wave, field errors, the CSV upload keeping its per-row results, the
filter and the per-wave counts, the audit trail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from invitations.models import Invitation, InvitationStatus, InvitationWave
from invitations.selectors import invitation_wave_summaries
from invitations.services import invitation_resend, invitation_wave_create

pytestmark = pytest.mark.django_db

LIST = "/staff/invitations/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("invites.csv", text.encode(), content_type="text/csv")


def test_inviting_one_into_a_new_wave_names_it_once_and_audits_both(program_admin, cohort):
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}invite/", {"email": "a@example.com", "cohort": cohort.pk, "new_wave": " Spring "}
    )
    assert answer.status_code == 302
    wave = InvitationWave.objects.get()
    assert (wave.name, wave.cohort, wave.created_by) == ("Spring", cohort, program_admin)
    assert Invitation.objects.get().wave == wave
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["invitation_wave.create", "invitation.create"]
    assert AuditEvent.objects.get(action="invitation.create").data["wave"] == "Spring"

    # The same name again (any case) is refused on its field, and nothing is written.
    again = client.post(
        f"{LIST}invite/", {"email": "b@example.com", "cohort": cohort.pk, "new_wave": "SPRING"}
    )
    assert again.status_code == 400
    assert "exists already" in again.context["invite_form"].errors["new_wave"][0]
    assert Invitation.objects.count() == 1 and InvitationWave.objects.count() == 1

    # Choosing it from the list works.
    chosen = client.post(
        f"{LIST}invite/", {"email": "b@example.com", "cohort": cohort.pk, "wave": wave.pk}
    )
    assert chosen.status_code == 302
    assert Invitation.objects.get(email="b@example.com").wave == wave


def test_a_wave_chosen_and_named_at_once_is_refused_whole(program_admin, cohort):
    wave = invitation_wave_create(actor=program_admin, name="Old", cohort=cohort)
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}invite/",
        {"email": "a@example.com", "cohort": cohort.pk, "wave": wave.pk, "new_wave": "New"},
    )
    assert answer.status_code == 400
    assert "not both" in answer.context["invite_form"].errors["new_wave"][0]
    unknown = client.post(
        f"{LIST}invite/", {"email": "a@example.com", "cohort": cohort.pk, "wave": 999999}
    )
    assert unknown.status_code == 400 and "wave" in unknown.context["invite_form"].errors
    too_long = client.post(
        f"{LIST}invite/", {"email": "a@example.com", "cohort": cohort.pk, "new_wave": "x" * 101}
    )
    assert too_long.status_code == 400 and "new_wave" in too_long.context["invite_form"].errors
    assert not Invitation.objects.exists()
    assert list(InvitationWave.objects.values_list("name", flat=True)) == ["Old"]


def test_an_upload_into_a_new_wave_invites_good_rows_and_names_bad_ones(
    program_admin, cohort, artist
):
    client = signed_in(program_admin)
    text = "email\ngood@example.com\nnot-an-address\n" + f"{artist.email}\nsecond@example.com\n"
    answer = client.post(
        f"{LIST}upload/", {"file": csv_file(text), "cohort": cohort.pk, "new_wave": "Batch 1"}
    )
    assert answer.status_code == 200
    results = answer.context["results"]
    assert [(r.number, bool(r.invitation)) for r in results] == [
        (2, True), (3, False), (4, False), (5, True),
    ]  # fmt: skip
    wave = InvitationWave.objects.get(name="Batch 1")
    assert set(wave.invitations.values_list("email", flat=True)) == {
        "good@example.com", "second@example.com",
    }  # fmt: skip
    assert "not invited:" in answer.content.decode()
    assert AuditEvent.objects.filter(action="invitation_wave.create").count() == 1


def test_an_upload_where_no_row_is_invited_leaves_no_empty_wave(program_admin, cohort):
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}upload/", {"file": csv_file("nope\n"), "cohort": cohort.pk, "new_wave": "Empty"}
    )
    assert answer.status_code == 200
    assert not answer.context["results"][0].invitation
    assert not InvitationWave.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation_wave.create").exists()


def test_an_upload_with_a_taken_wave_name_invites_nobody(program_admin, cohort):
    invitation_wave_create(actor=program_admin, name="Taken", cohort=cohort)
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}upload/", {"file": csv_file("a@example.com\n"), "cohort": cohort.pk,
                            "new_wave": "taken"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "new_wave" in answer.context["upload_form"].errors
    assert not Invitation.objects.exists()


def test_the_page_filters_by_wave_and_counts_each_wave(program_admin, cohort, invite):
    client = signed_in(program_admin)
    spring = invitation_wave_create(actor=program_admin, name="Spring", cohort=cohort)
    summer = invitation_wave_create(actor=program_admin, name="Summer", cohort=cohort)
    for email in ("used@example.com", "open@example.com", "gone@example.com", "again@example.com"):
        invitation, _ = invite(email)
        Invitation.objects.filter(pk=invitation.pk).update(wave=spring)
    invite("other@example.com")
    Invitation.objects.filter(email="other@example.com").update(wave=summer)
    Invitation.objects.filter(email="used@example.com").update(
        status=InvitationStatus.ACCEPTED, accepted_at=timezone.now()
    )
    Invitation.objects.filter(email="gone@example.com").update(
        status=InvitationStatus.REVOKED, revoked_at=timezone.now()
    )
    # A resent invitation stays in its wave and still counts as one person.
    reissued = invitation_resend(
        actor=program_admin, invitation=Invitation.objects.get(email="again@example.com"),
        send_email=False,
    )  # fmt: skip
    assert reissued.invitation.wave == spring

    counts = {s.wave.name: (s.invited, s.signed_up, s.never_came, s.revoked)
              for s in invitation_wave_summaries()}  # fmt: skip
    assert counts == {"Spring": (4, 1, 2, 1), "Summer": (1, 0, 1, 0)}

    page = client.get(LIST, {"wave": spring.pk}).content.decode()
    assert "open@example.com" in page and "other@example.com" not in page
    never = client.get(LIST, {"wave": str(spring.pk), "state": "never_signed_up"}).content.decode()
    assert "open@example.com" in never and "used@example.com" not in never
    assert "other@example.com" not in never
    everything = client.get(LIST).content.decode()
    assert "other@example.com" in everything and 'id="waves"' in everything


def test_reviewers_cannot_name_waves(reviewer, cohort):
    answer = signed_in(reviewer).post(
        f"{LIST}invite/", {"email": "a@example.com", "cohort": cohort.pk, "new_wave": "X"}
    )
    assert answer.status_code == 403
    assert not InvitationWave.objects.exists()
