"""Rewriting the log behind the application's back is found, and the culprit named."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.chain import chain_hash, event_payload
from audit.models import AuditEvent
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(program_admin, cohort) -> list[AuditEvent]:
    return [
        audit_record(actor=program_admin, action="cohort.update", target=cohort, data={"n": n})
        for n in range(5)
    ]


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_chain_verifies(events):
    # The fixtures' own services may have audited too: count every event.
    total = AuditEvent.objects.count()
    result = audit_verify_chain()
    assert (result.ok, result.checked, result.first_broken_id, result.reason) == (
        True,
        total,
        None,
        "",
    )


def test_an_empty_log_verifies():
    result = audit_verify_chain()
    assert (result.ok, result.checked) == (True, 0)


def test_an_edited_event_is_named(events):
    _sql("UPDATE audit_auditevent SET data = %s WHERE id = %s", '{"n": 99}', events[2].pk)

    result = audit_verify_chain()

    assert not result.ok
    assert result.first_broken_id == events[2].pk
    assert result.checked == AuditEvent.objects.filter(pk__lt=events[2].pk).count()
    assert "changed" in result.reason


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_label", "someone@else.example"),
        ("action", "cohort.delete"),
        ("object_id", "999"),
        ("ip_address", "10.0.0.1"),
        ("occurred_at", "2020-01-01T00:00:00Z"),
        ("actor_id", None),
    ],
)
def test_every_hashed_column_is_covered(events, column, value):
    _sql(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", value, events[1].pk)  # noqa: S608

    result = audit_verify_chain()

    assert (result.ok, result.first_broken_id) == (False, events[1].pk)


def test_a_rehashed_edit_breaks_the_next_link(events):
    # A forger who also recomputes the edited row's hash still breaks the next row.
    target = events[2]
    payload = event_payload(
        occurred_at=target.occurred_at,
        actor_id=target.actor_id,
        actor_label=target.actor_label,
        action=target.action,
        object_type=target.object_type,
        object_id=target.object_id,
        data={"n": 99},
        ip_address=None,
    )
    forged = chain_hash(prev_hash=target.prev_hash, payload=payload)
    _sql(
        "UPDATE audit_auditevent SET data = %s, hash = %s WHERE id = %s",
        '{"n": 99}',
        forged,
        target.pk,
    )

    result = audit_verify_chain()

    assert (result.ok, result.first_broken_id) == (False, events[3].pk)


def test_a_deleted_middle_event_names_the_event_after_it(events):
    _sql("DELETE FROM audit_auditevent WHERE id = %s", events[2].pk)

    result = audit_verify_chain()

    assert not result.ok
    assert result.first_broken_id == events[3].pk
    assert f"hash of event {events[1].pk}" in result.reason
    assert "missing or changed" in result.reason


def test_a_deleted_first_event_names_the_second():
    first, second, _third = (audit_record(actor=None, action="job.reap") for _ in range(3))
    _sql("DELETE FROM audit_auditevent WHERE id = %s", first.pk)

    result = audit_verify_chain()

    assert (result.ok, result.checked, result.first_broken_id) == (False, 0, second.pk)
    assert "start of the chain" in result.reason


def test_a_deleted_newest_event_is_caught_by_the_head(events):
    _sql("DELETE FROM audit_auditevent WHERE id = %s", events[-1].pk)

    result = audit_verify_chain()

    assert not result.ok
    assert result.first_broken_id == events[-1].pk
    assert result.checked == AuditEvent.objects.count()
    assert "chain head" in result.reason


def test_an_emptied_log_is_caught_by_the_head(events):
    _sql("DELETE FROM audit_auditevent")

    result = audit_verify_chain()

    assert (result.ok, result.first_broken_id) == (False, events[-1].pk)
    assert "no events" in result.reason


def test_a_forged_event_appended_with_raw_sql_is_named(events):
    last = events[-1]
    payload = event_payload(
        occurred_at=last.occurred_at,
        actor_id=None,
        actor_label="system",
        action="cohort.delete",
        object_type="",
        object_id="",
        data={},
        ip_address=None,
    )
    forged_hash = chain_hash(prev_hash=last.hash, payload=payload)
    _sql(
        "INSERT INTO audit_auditevent (occurred_at, actor_label, action, object_type,"
        " object_id, data, prev_hash, hash) VALUES (%s, 'system', 'cohort.delete', '', '',"
        " '{}', %s, %s)",
        last.occurred_at,
        last.hash,
        forged_hash,
    )
    forged_id = AuditEvent.objects.get(hash=forged_hash).pk

    result = audit_verify_chain()

    assert (result.ok, result.first_broken_id) == (False, forged_id)
    assert "outside audit_record" in result.reason


class TestCommand:
    def test_a_good_chain_prints_ok(self, events, capsys):
        call_command("verify_audit_chain")
        total = AuditEvent.objects.count()
        assert f"Audit chain OK: {total} events." in capsys.readouterr().out

    def test_a_broken_chain_names_the_event_and_fails(self, events):
        _sql("UPDATE audit_auditevent SET data = %s WHERE id = %s", '{"n": 99}', events[3].pk)

        with pytest.raises(
            CommandError, match=rf"Audit chain BROKEN at event {events[3].pk}: "
        ) as e:
            call_command("verify_audit_chain")
        assert e.value.returncode == 1
