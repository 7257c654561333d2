"""Guards in ``accounts.services`` that no other test defended (docs/mutation.md): each
test names the guard it is about; taking that guard away (tools/guard_mutants.py) makes
it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ApiToken, TokenScope, User
from accounts.services import (
    api_token_create,
    api_token_revoke,
    user_set_paused,
    user_set_public_credit,
)
from audit.models import AuditEvent
from domain.errors import DomainError, NotAllowed
from notifications.models import Notification
from publishing.credits import user_refuse_public_credit
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress

LONG_AGO = timezone.now() - timedelta(days=30)


# --- pausing one account ---------------------------------------------------------------


@pytest.mark.django_db
def test_only_program_admins_pause_an_account(artist, other_artist, reviewer, program_admin):
    """The guard: ``user_set_paused`` refuses anyone without ``accounts.run_program``."""
    for someone in (reviewer, other_artist):
        with pytest.raises(NotAllowed):
            user_set_paused(actor=someone, user=artist, paused=True, reason="Leaked token.")
    artist.refresh_from_db()
    assert not artist.is_paused
    assert not AuditEvent.objects.filter(action="account.pause").exists()

    user_set_paused(actor=program_admin, user=artist, paused=True, reason="Leaked token.")
    artist.refresh_from_db()
    assert artist.is_paused and artist.paused_reason == "Leaked token."


# --- a new password revokes tokens ---------------------------------------------------


@pytest.mark.django_db
def test_a_new_password_revokes_this_accounts_live_tokens_and_nothing_else(artist, other_artist):
    """The guard: ``user_credentials_changed`` revokes only ``user``'s tokens
    (``filter(user=…)``) that are still live (``revoked_at__isnull``): a bystander's
    tokens keep working, and a token revoked long ago keeps its date."""
    live = api_token_create(user=artist, name="render script", scope=TokenScope.GENERATE).token
    old = api_token_create(user=artist, name="old laptop", scope=TokenScope.READ).token
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=LONG_AGO)
    bystander = api_token_create(user=other_artist, name="theirs", scope=TokenScope.READ).token

    artist.set_password("a brand new passphrase 77")
    artist.save()

    live.refresh_from_db()
    old.refresh_from_db()
    bystander.refresh_from_db()
    assert live.revoked_at is not None
    assert old.revoked_at == LONG_AGO
    assert bystander.revoked_at is None
    event = AuditEvent.objects.get(action="account.password_changed", object_id=str(artist.pk))
    assert event.data["tokens_revoked"] == 1


# --- revoking a token ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_program_admin_may_revoke_anyones_token_another_artist_may_not(
    artist, other_artist, program_admin
):
    """The guard: ``api_token_revoke`` lets the holder or a program admin revoke, nobody
    else."""
    token = api_token_create(user=artist, name="render script", scope=TokenScope.GENERATE).token
    with pytest.raises(NotAllowed):
        api_token_revoke(actor=other_artist, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None

    api_token_revoke(actor=program_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- what a public credit may be -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "credit",
    [
        # Controls that str.split() counts as spaces: checked before whitespace is folded.
        "Alice\x1cBorealis",
        "Alice\x85Borealis",
        # Private use: the general free-text rule lets it through, the credit rule doesn't.
        "Alice\ue000Borealis",
    ],
    ids=["file-separator", "next-line", "private-use"],
)
def test_a_credit_refuses_characters_the_free_text_rule_would_let_through(artist, credit):
    """The guards: the two character checks in ``user_set_public_credit``."""
    user_set_public_credit(user=artist, credit="Alice A.")
    with pytest.raises(ValidationError) as error:
        user_set_public_credit(user=artist, credit=credit)
    assert "letters, digits and punctuation" in error.value.message_dict["public_credit"][0]
    artist.refresh_from_db()
    assert artist.public_credit == "Alice A."


@pytest.mark.django_db
def test_a_credit_of_exactly_100_characters_is_accepted_101_is_not(artist):
    """The guard's boundary: ``len(credit) > 100``."""
    user_set_public_credit(user=artist, credit="x" * 100)
    assert artist.public_credit == "x" * 100
    with pytest.raises(ValidationError):
        user_set_public_credit(user=artist, credit="y" * 101)


@pytest.mark.django_db
def test_an_artist_may_clear_their_credit_while_others_have_none(artist, other_artist):
    """The guard's condition: the 'already taken' check applies only to a credit with a
    key; every uncredited account shares the blank one."""
    assert other_artist.public_credit_key == ""
    user_set_public_credit(user=artist, credit="Alice A.")
    user_set_public_credit(user=artist, credit="")
    artist.refresh_from_db()
    assert artist.public_credit == "" and artist.public_credit_key == ""


@pytest.mark.django_db
def test_refusing_an_account_without_a_credit_is_refused(artist, program_admin):
    """The guard: ``user_refuse_public_credit`` needs a credit to refuse."""
    with pytest.raises(DomainError) as error:
        user_refuse_public_credit(actor=program_admin, user=artist, reason="Impersonation.")
    assert error.value.code == "no_public_credit"
    artist.refresh_from_db()
    assert artist.public_credit_refused_at is None
    assert not Notification.objects.filter(user=artist).exists()
    assert not AuditEvent.objects.filter(action="account.credit_refuse").exists()


# --- the row lock both credit services take ------------------------------------------


def refusal_in_progress(user: User, reason: str) -> RowChangeInProgress:
    """Another transaction refusing ``user``'s credit, not yet committed."""
    return RowChangeInProgress(
        User, user.pk, public_credit_refused_at=timezone.now(), public_credit_refusal=reason
    )


@pytest.mark.django_db(transaction=True)
def test_a_look_alike_credit_set_while_a_refusal_commits_is_refused(artist):
    """The guard: ``user_set_public_credit`` reads the account under its row lock, so a
    refusal committed while it waited counts. Without the lock it decides on the stale
    row (not refused) and its write, queued behind the refusal, clears it: a look-alike
    of the refused credit would slip past the refusal."""
    user_set_public_credit(user=artist, credit="Famous Director")
    on_its_way = User.objects.get(pk=artist.pk)

    with refusal_in_progress(artist, reason="Impersonation."):
        racer = Racer(lambda: user_set_public_credit(user=on_its_way, credit="famous director"))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert isinstance(racer.error, ValidationError), racer.error
    artist.refresh_from_db()
    assert artist.public_credit == "Famous Director"
    assert artist.public_credit_refusal == "Impersonation."


@pytest.mark.django_db(transaction=True)
def test_two_admins_refusing_at_once_refuse_once(artist, program_admin):
    """The guard: ``user_refuse_public_credit`` reads the account under its row lock, so
    the second of two refusals sees the first and changes nothing (refusing twice is a
    no-op). Without the lock it overwrites the first reason and tells the artist again."""
    user_set_public_credit(user=artist, credit="Famous Director")

    with refusal_in_progress(artist, reason="First admin: impersonation."):
        racer = Racer(
            lambda: user_refuse_public_credit(
                actor=program_admin, user=artist, reason="Second admin: impersonation."
            )
        )
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert racer.error is None, racer.error
    artist.refresh_from_db()
    assert artist.public_credit_refusal == "First admin: impersonation."
    assert not Notification.objects.filter(user=artist).exists()
    assert not AuditEvent.objects.filter(action="account.credit_refuse").exists()
