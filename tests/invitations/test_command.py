"""manage.py invite: one address, several, or a CSV; all or nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cohorts.services import cohort_create
from invitations.models import Invitation

pytestmark = pytest.mark.django_db


def invite(*args: str) -> str:
    out = StringIO()
    call_command("invite", *args, stdout=out)
    return out.getvalue()


def test_one_address_prints_the_link(cohort, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = invite("--cohort", "Wave 1", "one@example.com")
    assert "one@example.com\tWave 1\thttp://127.0.0.1:8000/invitations/" in output
    assert Invitation.objects.get().inviter is None
    assert mailoutbox[0].to == ["one@example.com"]


def test_csv_with_cohort_column(tmp_path, cohort):
    cohort_create(actor=None, name="Wave 2", capacity=10)
    sheet = tmp_path / "artists.csv"
    sheet.write_text("Email,Cohort\na@example.com,Wave 2\n\nb@example.com,\n", encoding="utf-8")
    output = invite("--csv", str(sheet), "--cohort", "Wave 1", "--days", "3")
    assert "Invited 2 artist(s)." in output
    cohorts = dict(Invitation.objects.values_list("email", "cohort__name"))
    assert cohorts == {"a@example.com": "Wave 2", "b@example.com": "Wave 1"}


def test_one_bad_row_means_nobody_is_invited(tmp_path, cohort, artist):
    sheet = tmp_path / "artists.csv"
    sheet.write_text(
        "email,cohort\ngood@example.com,Wave 1\nnot-an-email,Wave 1\nx@example.com,Wave 9\n"
        "alice@example.com,Wave 1\ngood@example.com,Wave 1\n"
    )
    with pytest.raises(CommandError) as error:
        invite("--csv", str(sheet))
    message = str(error.value)
    assert "line 3: 'not-an-email' is not a valid email address." in message
    assert "line 4: unknown cohort 'Wave 9'" in message
    assert "line 5: alice@example.com already has an account." in message
    assert "line 6: good@example.com is listed twice" in message
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Nothing to do"),
        (("x@example.com",), "no cohort"),
        (("--cohort", "Wave 1", "--days", "0", "x@example.com"), "--days must be between 1 and 90"),
        (("--csv", "/does/not/exist.csv", "--cohort", "Wave 1"), "Can't read"),
    ],
)
def test_bad_arguments_are_explained(cohort, args, message):
    with pytest.raises(CommandError, match=message):
        invite(*args)
    assert Invitation.objects.count() == 0


def test_csv_without_an_email_column(tmp_path, cohort):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("name\nAda\n")
    with pytest.raises(CommandError, match="'email' column"):
        invite("--csv", str(sheet), "--cohort", "Wave 1")
