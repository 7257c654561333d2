"""Guards in ``audit.services`` that no other test defended (docs/mutation.md). Each test
names its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

import pytest

from accounts.models import User
from audit.models import AuditEvent
from audit.services import ACTION_MAX_LENGTH, audit_record

pytestmark = pytest.mark.django_db


def test_an_action_name_of_the_longest_allowed_length_is_recorded():
    """The guard's boundary: ``0 < len(action) <= ACTION_MAX_LENGTH``: exactly the
    column's length is recorded, one character more is refused."""
    longest = "a" * ACTION_MAX_LENGTH
    audit_record(actor=None, action=longest)
    assert AuditEvent.objects.filter(action=longest).count() == 1

    with pytest.raises(ValueError, match="Audit action"):
        audit_record(actor=None, action=longest + "a")


def test_an_unsaved_actor_is_refused():
    """The guard: ``actor is not None and actor.pk is None``: an event must name a saved
    user (or None, the system); an unsaved one would be recorded as the system."""
    with pytest.raises(ValueError, match="saved user"):
        audit_record(actor=User(email="nobody@example.com"), action="test.unsaved")
    assert not AuditEvent.objects.filter(action="test.unsaved").exists()
