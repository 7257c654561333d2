"""Guards in ``agreements.services`` that no other test defended (docs/mutation.md). Each
test names its guard; taking the guard away (tools/guard_mutants.py) makes it fail.
Races are forced with a row another transaction holds, never with sleeps
(tests/concurrency.py, tests/held_rows.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from agreements.errors import NoAgreementPublished
from agreements.models import AgreementAcceptance, AgreementTranslation, AgreementVersion
from agreements.rendering import text_sha256
from agreements.services import (
    agreement_accept,
    agreement_translation_save,
    agreement_version_create,
    agreement_version_publish,
    agreement_version_update,
)
from audit.models import AuditEvent
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress, RowInsertInProgress


@pytest.mark.django_db(transaction=True)
def test_editing_a_draft_while_it_is_being_published_is_refused(program_admin):
    """The guard: ``agreement_version_update``'s ``select_for_update()``. A program admin
    saves an edit while another publishes the same draft: the edit waits for the
    publication, then sees the version frozen (AgreementFrozen, a clear refusal) instead
    of writing over published text (which the database refuses with an error)."""
    draft = agreement_version_create(
        actor=program_admin, title="NDA v1", body="Keep it private.", effective_at=timezone.now()
    )

    with RowChangeInProgress(
        AgreementVersion, draft.pk, published_at=timezone.now(), text_sha256=text_sha256(draft.body)
    ):
        racer = Racer(
            lambda: agreement_version_update(
                actor=program_admin,
                version=draft,
                title="NDA v1",
                body="Changed at the last minute.",
                effective_at=draft.effective_at,
            )
        )
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["AgreementFrozen"], racer.error
    draft.refresh_from_db()
    assert draft.body == "Keep it private."


@pytest.mark.django_db(transaction=True)
def test_publishing_a_version_being_published_publishes_it_once(program_admin):
    """The guard: ``agreement_version_publish``'s ``select_for_update()``. Two program
    admins publish the same draft at once: the second waits for the first, sees it
    published and changes nothing (the first's time and digest stand, one audit event:
    the first's, not written here)."""
    draft = agreement_version_create(
        actor=program_admin, title="NDA v1", body="Keep it private.", effective_at=timezone.now()
    )
    first_at = timezone.now()

    with RowChangeInProgress(
        AgreementVersion, draft.pk, published_at=first_at, text_sha256=text_sha256(draft.body)
    ):
        racer = Racer(lambda: agreement_version_publish(actor=program_admin, version=draft))
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["ok"], racer.error
    draft.refresh_from_db()
    assert draft.published_at == first_at
    assert not AuditEvent.objects.filter(action="agreement.publish").exists()


@pytest.mark.django_db
def test_a_two_letter_name_signs_and_one_letter_does_not(unsigned_artist, nda):
    """The guard's boundary: ``agreement_accept`` refuses ``len(name) < 2``; a full name
    of two letters (e.g. "Li", "Ng") signs."""
    with pytest.raises(ValidationError) as error:
        agreement_accept(user=unsigned_artist, typed_full_name="L", ip_address=None, user_agent="t")
    assert "full_name" in error.value.message_dict

    acceptance = agreement_accept(
        user=unsigned_artist, typed_full_name="Li", ip_address=None, user_agent="t"
    )
    assert acceptance.version == nda and acceptance.typed_full_name == "Li"


@pytest.mark.django_db
def test_nothing_to_accept_before_an_agreement_is_published(cohort):
    """The guard: ``agreement_accept``'s ``version is None``: with no agreement published
    the refusal says so (NoAgreementPublished), and nothing is recorded."""
    early = user_create(
        email="carol@example.com", password="x" * 16, role=Role.ARTIST, cohort=cohort
    )
    with pytest.raises(NoAgreementPublished):
        agreement_accept(user=early, typed_full_name="Carol", ip_address=None, user_agent="t")
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_accepting_twice_at_once_returns_this_persons_record_of_this_version(
    artist, other_artist, program_admin, nda
):
    """The guards: ``agreement_accept``'s race fallback, ``get(user=user,
    version=version)``, one condition each. The artist submits the new version twice at
    once (the first insert still uncommitted): the second gets the first's record, not
    another person's acceptance of this version nor their own of the last one."""
    newer = agreement_version_publish(
        actor=program_admin,
        version=agreement_version_create(
            actor=program_admin, title="NDA v2", body="Still private.", effective_at=timezone.now()
        ),
    )
    agreement_accept(
        user=other_artist, typed_full_name="Bob Painter", ip_address=None, user_agent="t"
    )

    with RowInsertInProgress(
        AgreementAcceptance, user=artist.pk, version=newer.pk, typed_full_name="Alice Artist",
        accepted_at=timezone.now(), user_agent="first tab", text_sha256=newer.text_sha256,
    ) as first:  # fmt: skip
        racer = Racer(
            lambda: agreement_accept(
                user=artist,
                typed_full_name="Alice Artist",
                ip_address=None,
                user_agent="second tab",
            )
        )
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["ok"], racer.error
    assert racer.result.pk == first.pk  # type: ignore[attr-defined]
    assert AgreementAcceptance.objects.filter(user=artist, version=newer).count() == 1


@pytest.mark.django_db
def test_a_translation_into_a_language_the_portal_does_not_speak_is_refused(nda, program_admin):
    """The guard: ``agreement_translation_save``'s ``language not in
    dict(settings.LANGUAGES)``: a field error on ``language``, and nothing stored."""
    with pytest.raises(ValidationError) as refused:
        agreement_translation_save(
            actor=program_admin, version=nda, language="de", title="Vertrag", body="Text."
        )

    assert list(refused.value.message_dict) == ["language"]
    assert not AgreementTranslation.objects.filter(version=nda).exists()
