"""Public credits: the one byline rule, uniqueness among artists (look-alikes included,
under concurrency), and program admins refusing a credit."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import User, public_credit_key
from accounts.selectors import NEUTRAL_BYLINE, user_public_byline, user_public_credit
from accounts.services import user_set_public_credit
from audit.models import AuditEvent
from domain.errors import NotAllowed
from notifications.models import Notification
from publishing.credits import user_refuse_public_credit

pytestmark = pytest.mark.django_db

URL = "/account/credit/"
STAFF_URL = "/staff/credits/"


def test_byline_is_the_credit_or_a_neutral_label_never_the_legal_name(artist):
    # The fixture signed the NDA as "Alice Artist", which became the account's full name.
    assert artist.full_name == "Alice Artist"
    assert user_public_byline(user=artist) == NEUTRAL_BYLINE
    assert user_public_credit(user=artist) is None
    user_set_public_credit(user=artist, credit="Harbour Films")
    assert user_public_byline(user=artist) == "Harbour Films"
    assert user_public_credit(user=artist) == "Harbour Films"


def test_a_taken_credit_gets_a_field_error_on_the_page(client, artist, other_artist):
    user_set_public_credit(user=other_artist, credit="Harbour Films")
    client.force_login(artist)
    response = client.post(URL, {"public_credit": "harbour films"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another artist is already credited as this" in html
    assert 'id="e-credit"' in html and 'aria-invalid="true"' in html
    artist.refresh_from_db()
    assert artist.public_credit == ""


@pytest.mark.parametrize(
    "look_alike",
    [
        "HARBOUR FILMS",  # case
        "Harbour   Films",  # spacing
        "\uff28arbour \uff26ilms",  # full-width letters (NFKC)
        "Har\u200dbour Fi\u00adlms",  # zero-width joiner, soft hyphen
        "H\u0430rb\u043eur Films",  # Cyrillic a and o
        "Harbour \ufb01lms",  # the "fi" ligature
    ],
)
def test_look_alike_credits_collide(artist, other_artist, look_alike):
    user_set_public_credit(user=other_artist, credit="Harbour Films")
    with pytest.raises(ValidationError) as error:
        user_set_public_credit(user=artist, credit=look_alike)
    assert "public_credit" in error.value.message_dict
    assert public_credit_key(look_alike) == public_credit_key("Harbour Films")


def test_different_credits_coexist_and_an_artist_may_recase_their_own(artist, other_artist):
    user_set_public_credit(user=other_artist, credit="Harbour Films")
    user_set_public_credit(user=artist, credit="Harbour Film")
    user_set_public_credit(user=artist, credit="HARBOUR FILM")
    artist.refresh_from_db()
    assert artist.public_credit == "HARBOUR FILM"
    # Clearing frees the credit for someone else.
    user_set_public_credit(user=other_artist, credit="")
    user_set_public_credit(user=artist, credit="harbour films")


def test_the_database_refuses_a_duplicate_the_service_did_not_see(
    artist, other_artist, monkeypatch
):
    """Two artists saving at once both pass the courtesy check; the unique constraint on
    the normalised key decides, and the loser gets the same field error."""
    user_set_public_credit(user=other_artist, credit="Harbour Films")
    monkeypatch.setattr("accounts.services.public_credit_taken", lambda **_: False)
    with pytest.raises(ValidationError) as error:
        user_set_public_credit(user=artist, credit="HARBOUR FILMS")
    assert "Another artist" in error.value.message_dict["public_credit"][0]
    artist.refresh_from_db()
    assert (artist.public_credit, artist.public_credit_key) == ("", "")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=artist.pk).update(public_credit="x", public_credit_key="")


@pytest.mark.django_db(transaction=True)
def test_two_artists_racing_for_one_credit_one_wins(artist, other_artist, monkeypatch):
    """Both pass the courtesy check before either writes (the barrier holds them there):
    only the database can refuse the second."""
    import accounts.services

    barrier = threading.Barrier(2)
    checked = accounts.services.public_credit_taken

    def check_then_wait(**kwargs: object) -> bool:
        taken = checked(**kwargs)  # type: ignore[arg-type]
        barrier.wait(timeout=10)
        return taken

    monkeypatch.setattr(accounts.services, "public_credit_taken", check_then_wait)
    outcomes: dict[str, str] = {}

    def claim(user: User) -> None:
        try:
            user_set_public_credit(user=user, credit="Harbour Films")
            outcomes[user.email] = "won"
        except ValidationError:
            outcomes[user.email] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (artist, other_artist)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "won"]
    assert User.objects.filter(public_credit="Harbour Films").count() == 1


def test_program_admin_refuses_a_credit_and_the_artist_is_told(
    client, artist, program_admin, mailoutbox, django_capture_on_commit_callbacks
):
    user_set_public_credit(user=artist, credit="Famous Director")
    client.force_login(program_admin)
    page = client.get(STAFF_URL).content.decode()
    assert "Famous Director" in page and artist.email in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            STAFF_URL, {"user": artist.pk, "reason": "It impersonates a known director."}
        )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.public_credit_refused_at is not None
    assert user_public_byline(user=artist) == NEUTRAL_BYLINE
    assert user_public_credit(user=artist) is None
    notice = Notification.objects.get(user=artist)
    assert "It impersonates a known director." in notice.message and notice.link == URL
    assert mailoutbox[-1].to == [artist.email]
    event = AuditEvent.objects.get(action="account.credit_refuse")
    assert event.actor_id == program_admin.pk and event.object_id == str(artist.pk)
    assert event.data == {
        "credit": "Famous Director",
        "reason": "It impersonates a known director.",
    }
    # The artist sees why on the credit page and in the API.
    client.force_login(artist)
    credit_page = client.get(URL).content.decode()
    assert 'id="credit-refusal"' in credit_page
    assert "It impersonates a known director." in credit_page
    me = client.get("/api/v1/me/").json()
    assert me["public_byline"] == NEUTRAL_BYLINE
    assert me["public_credit_refusal"] == "It impersonates a known director."


def test_a_refused_credit_cannot_be_set_again_but_another_can(artist, other_artist, program_admin):
    user_set_public_credit(user=artist, credit="Famous Director")
    user_refuse_public_credit(actor=program_admin, user=artist, reason="Impersonation.")
    with pytest.raises(ValidationError) as error:
        user_set_public_credit(user=artist, credit="famous director")
    assert "refused this credit: Impersonation." in error.value.message_dict["public_credit"][0]
    # Nobody else takes it either while it is held.
    with pytest.raises(ValidationError):
        user_set_public_credit(user=other_artist, credit="Famous Director")
    user_set_public_credit(user=artist, credit="Alice of the Harbour")
    artist.refresh_from_db()
    assert artist.public_credit_refused_at is None and artist.public_credit_refusal == ""
    assert user_public_byline(user=artist) == "Alice of the Harbour"


def test_only_program_admins_refuse_and_they_say_why(client, artist, reviewer, program_admin):
    user_set_public_credit(user=artist, credit="Famous Director")
    for someone in (reviewer, artist):
        with pytest.raises(NotAllowed):
            user_refuse_public_credit(actor=someone, user=artist, reason="No.")
        client.force_login(someone)
        assert client.get(STAFF_URL).status_code == 403
        assert client.post(STAFF_URL, {"user": artist.pk, "reason": "No."}).status_code == 403
    with pytest.raises(ValidationError) as error:
        user_refuse_public_credit(actor=program_admin, user=artist, reason="  ")
    assert "reason" in error.value.message_dict
    artist.refresh_from_db()
    assert artist.public_credit_refused_at is None
    assert not AuditEvent.objects.filter(action="account.credit_refuse").exists()


def test_a_refused_credit_is_not_the_c2pa_author(artist, program_admin, make_output):
    from provenance.services import output_manifest

    user_set_public_credit(user=artist, credit="Famous Director")
    job = make_output(artist).job
    assert "Famous Director" in json.dumps(output_manifest(job=job))
    user_refuse_public_credit(actor=program_admin, user=artist, reason="Impersonation.")
    job.artist.refresh_from_db()
    manifest = json.dumps(output_manifest(job=job))
    assert "Famous Director" not in manifest and "Alice Artist" not in manifest
    assert "stds.schema-org.CreativeWork" not in manifest
