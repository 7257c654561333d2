"""Agreement versions: drafts change, published text never does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.errors import AgreementFrozen
from agreements.models import AgreementVersion
from agreements.rendering import text_sha256
from agreements.selectors import agreement_current
from agreements.services import (
    agreement_version_create,
    agreement_version_publish,
    agreement_version_update,
)
from domain.errors import NotAllowed

pytestmark = pytest.mark.django_db


def draft(title="NDA", body="Text.", effective_at=None):
    return agreement_version_create(
        actor=None, title=title, body=body, effective_at=effective_at or timezone.now()
    )


def test_draft_can_be_edited_and_binds_nobody():
    version = draft()
    assert agreement_current() is None
    edited = agreement_version_update(
        actor=None,
        version=version,
        title="NDA v1",
        body="Better text.",
        effective_at=version.effective_at,
    )
    assert edited.body == "Better text."
    assert edited.text_sha256 == ""


def test_publishing_freezes_the_text_and_stores_its_sha256():
    version = agreement_version_publish(actor=None, version=draft(body="Exact text ✓\n"))
    assert version.text_sha256 == text_sha256("Exact text ✓\n")
    assert len(version.text_sha256) == 64
    assert agreement_current() == version
    with pytest.raises(AgreementFrozen):
        agreement_version_update(
            actor=None,
            version=version,
            title="x",
            body="Changed",
            effective_at=version.effective_at,
        )
    version.refresh_from_db()
    assert version.body == "Exact text ✓\n"


def test_publishing_twice_is_a_no_op():
    version = agreement_version_publish(actor=None, version=draft())
    again = agreement_version_publish(actor=None, version=version)
    assert again.published_at == version.published_at


@pytest.mark.parametrize(
    "change",
    [
        {"body": "Sneaky edit"},
        {"title": "Other title"},
        {"text_sha256": "0" * 64},
        {"effective_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_database_refuses_any_edit_of_published_text(change):
    version = agreement_version_publish(actor=None, version=draft())
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(**change)
    version.refresh_from_db()
    assert version.body == "Text."


def test_database_refuses_deleting_a_published_version():
    version = agreement_version_publish(actor=None, version=draft())
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).delete()
    assert AgreementVersion.objects.filter(pk=version.pk).exists()


def test_drafts_can_still_be_deleted():
    version = draft()
    AgreementVersion.objects.filter(pk=version.pk).delete()
    assert not AgreementVersion.objects.exists()


def test_empty_text_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        draft(title=" ", body="")
    assert set(error.value.message_dict) == {"title", "body"}


def test_only_program_admins_publish(artist, reviewer, program_admin):
    version = draft()
    for person in (artist, reviewer):
        with pytest.raises(NotAllowed):
            agreement_version_publish(actor=person, version=version)
    assert (
        agreement_version_publish(actor=program_admin, version=version).published_by
        == program_admin
    )


def test_current_is_the_newest_effective_version():
    old = agreement_version_publish(
        actor=None, version=draft("v1", effective_at=timezone.now() - timedelta(days=2))
    )
    new = agreement_version_publish(
        actor=None, version=draft("v2", effective_at=timezone.now() - timedelta(days=1))
    )
    agreement_version_publish(
        actor=None, version=draft("v3", effective_at=timezone.now() + timedelta(days=1))
    )
    draft("v4 draft", effective_at=timezone.now() - timedelta(hours=1))
    assert agreement_current() == new != old
