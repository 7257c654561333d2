"""The application only ever inserts audit rows."""

from __future__ import annotations

import pytest

from accounts.models import User
from audit.models import AuditEvent, AuditLogImmutable
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(program_admin) -> AuditEvent:
    return audit_record(actor=program_admin, action="cohort.update", data={"cap": 5})


def test_saving_a_recorded_event_again_is_refused(event):
    event.data = {"cap": 50}
    with pytest.raises(AuditLogImmutable, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).data == {"cap": 5}


def test_saving_a_loaded_event_is_refused(event):
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.action = "cohort.delete"
    with pytest.raises(AuditLogImmutable):
        loaded.save(update_fields=["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "cohort.update"


def test_a_new_object_cannot_overwrite_an_existing_id(event):
    impostor = AuditEvent(
        pk=event.pk,
        occurred_at=event.occurred_at,
        actor_label="system",
        action="cohort.delete",
        prev_hash=event.prev_hash,
        hash="f" * 64,
    )
    with pytest.raises(AuditLogImmutable, match=f"{event.pk} already exists"):
        impostor.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "cohort.update"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditLogImmutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="cohort.delete")
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "cohort.update"


def test_bulk_create_is_refused_because_it_would_bypass_the_chain():
    with pytest.raises(AuditLogImmutable, match="audit_record"):
        AuditEvent.objects.bulk_create([AuditEvent(action="x.y", prev_hash="0", hash="1")])


def test_deleting_a_user_leaves_their_events_untouched(outsider):
    event = audit_record(actor=outsider, action="account.sign_in")
    user_id = outsider.pk

    User.objects.filter(pk=user_id).delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label) == (user_id, "mallory@example.com")
    assert stored.hash == event.hash
    assert audit_verify_chain().ok
