"""Reading the audit log."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events_for(*, target: models.Model) -> QuerySet[AuditEvent]:
    """Every event recorded about ``target``, oldest first."""
    return AuditEvent.objects.filter(
        object_type=target._meta.label_lower, object_id=str(target.pk)
    ).order_by("id")


def audit_event_list(*, action: str | None = None) -> QuerySet[AuditEvent]:
    """All events (or those of one ``action``), newest first."""
    events = AuditEvent.objects.all()
    if action is not None:
        events = events.filter(action=action)
    return events.order_by("-id")
