"""Writing the audit log, and checking that nobody rewrote it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, chain_hash, event_payload, storable_json
from audit.context import current_client_ip
from audit.models import ACTION_MAX_LENGTH, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    # Annotations only: accounts writes the audit log, so audit must not import it.
    from accounts.models import User

SYSTEM_LABEL = "system"
HEAD_ID = 1


def _locked_head() -> AuditChainHead:
    # The migration creates the row; get_or_create covers a database emptied since
    # (e.g. a test flush). Two racers both creating it is fine: one insert wins, the
    # other's fails on the primary key and get_or_create then reads (and locks) it.
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=HEAD_ID, defaults={"last_hash": GENESIS_HASH, "last_event_id": None}
    )
    return head


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` None means the system (a command, a task). ``target`` must be saved; it is
    stored as ``"app_label.modelname"`` and its pk. ``data`` must be a JSON-like mapping;
    values JSON can't express are stored as their ``str()``, so the stored data is exactly
    what was hashed. The client IP comes from the request (``AuditContextMiddleware``) or
    ``audit_context``; None elsewhere.

    Appends are serialized by locking the chain head until the surrounding transaction
    ends: call this inside the transaction of the change it records (so both commit or
    neither does), and as its last step, after taking your own row locks, so the head
    is held briefly and always locked last (no deadlocks).
    """
    if not 0 < len(action) <= ACTION_MAX_LENGTH:
        raise ValueError(
            f"Audit action must be 1 to {ACTION_MAX_LENGTH} characters, not {action!r}."
        )
    if actor is not None and actor.pk is None:
        raise ValueError("The actor must be a saved user, or None for the system.")
    if data is not None and not isinstance(data, Mapping):
        raise TypeError(f"Audit data must be a mapping, not {type(data).__name__}.")
    object_type, object_id = "", ""
    if target is not None:
        if target.pk is None:
            raise ValueError("Can't audit an unsaved object: it has no id yet.")
        object_type, object_id = target._meta.label_lower, str(target.pk)
    stored_data = storable_json(dict(data or {}))
    actor_label = SYSTEM_LABEL if actor is None else actor.email
    ip_address = current_client_ip()

    with transaction.atomic():
        head = _locked_head()
        # Read the clock only under the lock, so time never runs backwards along the chain.
        occurred_at = timezone.now()
        payload = event_payload(
            occurred_at=occurred_at,
            actor_id=None if actor is None else actor.pk,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=stored_data,
            ip_address=ip_address,
        )
        event = AuditEvent.objects.create(
            occurred_at=occurred_at,
            actor=actor,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=stored_data,
            ip_address=ip_address,
            prev_hash=head.last_hash,
            hash=chain_hash(prev_hash=head.last_hash, payload=payload),
        )
        AuditChainHead.objects.filter(pk=HEAD_ID).update(
            last_hash=event.hash, last_event_id=event.pk
        )
    return event


@dataclass(frozen=True)
class VerifyResult:
    """The verdict on the chain. ``checked`` counts the events found intact, in id order,
    before the first problem; ``first_broken_id`` names the event where it shows."""

    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str


def _event_hash(event: AuditEvent) -> str:
    payload = event_payload(
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        ip_address=event.ip_address,
    )
    return chain_hash(prev_hash=event.prev_hash, payload=payload)


def audit_verify_chain() -> VerifyResult:
    """Recompute every event's hash in id order and check each link and the chain head.

    Finds an edited event (its hash no longer matches: names it), a removed or rewritten
    event in the middle (the next event's ``prev_hash`` no longer matches: names that
    next event), and removed newest events (the head names an event that isn't the last
    one: names the head's event). Id gaps alone prove nothing: rolled-back transactions
    leave them too.

    Read-only. Outside a transaction on PostgreSQL it reads one REPEATABLE READ snapshot,
    so appends running meanwhile can't confuse it; inside a caller's transaction it uses
    that transaction as it is.
    """
    # SET TRANSACTION must be a transaction's first statement: only possible when this
    # atomic block opens the transaction rather than joining the caller's.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _verify()


def _verify() -> VerifyResult:
    checked = 0
    expected_prev = GENESIS_HASH
    last: AuditEvent | None = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            before = f"event {last.pk}" if last is not None else "the start of the chain"
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_id=event.pk,
                reason=(
                    f"its prev_hash does not match the hash of {before}: "
                    "an event before it is missing or changed."
                ),
            )
        if _event_hash(event) != event.hash:
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_id=event.pk,
                reason="its content does not match its hash: the event was changed.",
            )
        expected_prev = event.hash
        last = event
        checked += 1

    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_hash = GENESIS_HASH if head is None else head.last_hash
    head_event_id = None if head is None else head.last_event_id
    last_id = None if last is None else last.pk
    if head is None and last is not None:
        return VerifyResult(
            ok=False,
            checked=checked,
            first_broken_id=last_id,
            reason="the chain head row is missing, so the newest events can't be confirmed.",
        )
    if head_hash != expected_prev or head_event_id != last_id:
        newest = "no events" if last is None else f"event {last_id}"
        return VerifyResult(
            ok=False,
            checked=checked,
            first_broken_id=_first_unconfirmed(head_event_id=head_event_id, last_id=last_id),
            reason=(
                f"the chain head says the newest event is {head_event_id}, but the log ends "
                f"at {newest}: the newest events were removed, or events were added or "
                "changed outside audit_record."
            ),
        )
    return VerifyResult(ok=True, checked=checked, first_broken_id=None, reason="")


def _first_unconfirmed(*, head_event_id: int | None, last_id: int | None) -> int | None:
    # Events past the head were never linked by audit_record: name the first of them
    # (the last one is the one whose hash the head lacks). Otherwise the head names an
    # event the log no longer ends with: name that one.
    if last_id is not None and (head_event_id is None or last_id > head_event_id):
        return last_id
    return head_event_id
