"""The audit log's tables: the events themselves and the head of their hash chain."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.chain import GENESIS_HASH

ACTION_MAX_LENGTH = 64


class AuditLogImmutable(Exception):
    """Something tried to change or remove an audit event. The log is append-only."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads as usual; bulk writes that would bypass the chain are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("Audit events can't be updated; the log is append-only.")

    def delete(self) -> NoReturn:
        raise AuditLogImmutable("Audit events can't be deleted; the log is append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Refuse here, before Django opens its atomic block: failing inside it would
        # also poison the caller's transaction.
        raise AuditLogImmutable("Audit events can't be updated; the log is append-only.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Rows written in bulk would carry no valid hashes: every append must go
        # through audit.services.audit_record, which links it into the chain.
        raise AuditLogImmutable("Record audit events one at a time with audit_record().")


class AuditEvent(models.Model):
    """One thing that happened: who (``actor``), what (``action``), to what, when, from where.

    Rows are only ever inserted, by ``audit.services.audit_record``. ``hash`` is the
    SHA-256 of ``prev_hash`` and this row's content (see ``audit.chain``), so an edit or a
    removal is found by ``audit_verify_chain``. The application refuses to update or
    delete rows (``save`` of an existing row, ``delete``, ``QuerySet.update/delete``);
    there is deliberately no database trigger, so the verifier can be tested with raw SQL.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(help_text="UTC, set by audit_record.")
    # DO_NOTHING without a database constraint: deleting a user must neither be blocked
    # by the log nor rewrite it (SET_NULL would change hashed rows). actor_label keeps
    # who it was; actor_id may then point at nobody.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=254, help_text='The actor\'s email at the time, or "system".'
    )
    action = models.CharField(
        max_length=ACTION_MAX_LENGTH, help_text='Dotted name, e.g. "review.approve".'
    )
    object_type = models.CharField(
        max_length=100, blank=True, help_text='"app_label.modelname", or empty.'
    )
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx"),
            models.Index(fields=["action"], name="audit_event_action_idx"),
        ]

    def __str__(self) -> str:
        target = f" {self.object_type}#{self.object_id}" if self.object_type else ""
        return f"#{self.pk} {self.actor_label} {self.action}{target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new event; refuse anything that would overwrite an existing row."""
        if not self._state.adding or (
            self.pk is not None and AuditEvent.objects.filter(pk=self.pk).exists()
        ):
            raise AuditLogImmutable(
                f"Audit event {self.pk} already exists and can't be changed; "
                "the log is append-only."
            )
        if kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AuditLogImmutable("Audit events can only be inserted, never updated.")
        # Never let Django fall back to an UPDATE (it tries one when a pk is set).
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable(f"Audit event {self.pk} can't be deleted; the log is append-only.")


class AuditChainHead(models.Model):
    """The single row (id 1) naming the newest event and its hash.

    Appends lock this row (``SELECT ... FOR UPDATE``), so they happen one at a time and
    the chain never forks. It also lets the verifier notice that the newest events were
    removed, which the links alone can't show.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"Audit chain head: event {self.last_event_id} ({self.last_hash[:12]}…)"
