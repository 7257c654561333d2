"""Guards in ``agreements.selectors`` that no other test defended (docs/mutation.md): the
staff's view of who still has to accept, and which versions they list. Each test names
its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from agreements.models import AgreementVersion
from agreements.selectors import (
    agreement_required,
    agreement_translation_for,
    agreement_version_report,
    agreement_versions_published,
)
from agreements.services import agreement_translation_save, agreement_version_create

pytestmark = pytest.mark.django_db


def test_the_report_lists_only_active_artists_who_have_not_accepted(
    nda, artist, unsigned_artist, reviewer, program_admin, cohort
):
    """The guards: ``agreement_version_report``'s ``filter(is_active=True,
    is_staff=False)``, one condition each. Staff work under their employment terms, and
    a deactivated account can't accept: neither is "not accepted" (nor is anyone who
    accepted)."""
    gone = user_create(email="erin@example.com", password="x" * 16, role=Role.ARTIST, cohort=cohort)
    User.objects.filter(pk=gone.pk).update(is_active=False)

    report = agreement_version_report(version=nda)

    assert [user.pk for user in report.not_accepted] == [unsigned_artist.pk]
    assert [a.user_id for a in report.acceptances] == [artist.pk]


def test_drafts_are_not_listed_with_the_published_versions(nda):
    """The guard: ``agreement_versions_published``'s ``published_at__isnull=False``."""
    draft = agreement_version_create(
        actor=None, title="NDA v2 (draft)", body="Text.", effective_at=timezone.now()
    )

    listed = list(agreement_versions_published())

    assert nda in listed
    assert draft not in listed


def test_a_draft_does_not_gate_anyone(client, nda, artist):
    """The guard: ``agreement_required``'s ``published_at__isnull=False`` (the gate's own
    query, on every request). A draft already dated effective binds nobody: the artist
    who accepted the published version passes the gate, pages and API alike."""
    agreement_version_create(
        actor=None, title="NDA v2 (draft)", body="Text.", effective_at=timezone.now()
    )

    assert agreement_required(user=artist) is False
    client.force_login(artist)
    assert client.get("/api/v1/me/").status_code == 200


def test_a_translation_is_this_versions_in_this_language(nda, program_admin):
    """The guards: ``agreement_translation_for``'s ``filter(version=…, language=…)``, one
    condition each. Reading the agreement in Indonesian when only a French translation
    exists shows the binding text (None), not the French one; another version's French
    translation is not this version's."""
    agreement_translation_save(
        actor=program_admin, version=nda, language="fr", title="Accord", body="Texte."
    )
    newer = agreement_version_create(
        actor=program_admin, title="NDA v2", body="Still private.", effective_at=timezone.now()
    )

    assert agreement_translation_for(version=nda, language="id") is None
    assert agreement_translation_for(version=newer, language="fr") is None
    found = agreement_translation_for(version=nda, language="fr")
    assert found is not None and found.title == "Accord"


def test_no_translation_is_offered_in_the_binding_language(program_admin):
    """The guard: ``agreement_translation_for``'s ``language == version.language``. The
    admin may change a draft's language after a translation was added (the draft was
    written in French after all): reading it in French shows the binding text, not the
    stale "translation" into the language it is now written in."""
    draft = agreement_version_create(
        actor=program_admin, title="NDA v2", body="Still private.", effective_at=timezone.now()
    )
    agreement_translation_save(
        actor=program_admin, version=draft, language="fr", title="Accord", body="Texte."
    )
    AgreementVersion.objects.filter(pk=draft.pk).update(language="fr")  # the admin's edit
    draft.refresh_from_db()

    assert agreement_translation_for(version=draft, language="fr") is None
