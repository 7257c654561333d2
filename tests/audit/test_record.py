"""Recording events builds one valid hash chain, with who, what, to what and from where."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from audit.chain import GENESIS_HASH, chain_hash, event_payload
from audit.context import audit_context, current_client_ip
from audit.middleware import AuditContextMiddleware
from audit.models import AuditChainHead, AuditEvent
from audit.selectors import audit_event_list, audit_events_for
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


def test_the_first_event_links_to_zeros():
    first = audit_record(actor=None, action="job.reap")
    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert len(first.hash) == 64


def test_each_event_links_to_the_one_before(program_admin, artist, cohort):
    # The fixtures' services audit too, so the chain may not start here.
    previous = AuditEvent.objects.order_by("id").last()
    first = audit_record(actor=program_admin, action="cohort.update", target=cohort)
    second = audit_record(actor=artist, action="job.submit", data={"seconds": 5})
    third = audit_record(actor=None, action="job.reap")

    assert first.prev_hash == (previous.hash if previous else GENESIS_HASH)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.last_event_id, head.last_hash) == (third.pk, third.hash)
    result = audit_verify_chain()
    assert (result.ok, result.checked) == (True, AuditEvent.objects.count())


def test_hash_covers_the_stored_row_as_the_database_returns_it(program_admin, cohort):
    event = audit_record(actor=program_admin, action="cohort.update", target=cohort)
    stored = AuditEvent.objects.get(pk=event.pk)
    payload = event_payload(
        occurred_at=stored.occurred_at,
        actor_id=stored.actor_id,
        actor_label=stored.actor_label,
        action=stored.action,
        object_type=stored.object_type,
        object_id=stored.object_id,
        data=stored.data,
        ip_address=stored.ip_address,
    )
    assert chain_hash(prev_hash=GENESIS_HASH, payload=payload) == stored.hash


def test_event_names_the_actor_the_target_and_the_time(program_admin, cohort):
    before = datetime.now(UTC)
    event = audit_record(actor=program_admin, action="cohort.update", target=cohort)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == program_admin.pk
    assert stored.actor_label == "ada@studio.example"
    assert (stored.object_type, stored.object_id) == ("cohorts.cohort", str(cohort.pk))
    assert before <= stored.occurred_at <= datetime.now(UTC)
    assert stored.occurred_at.utcoffset() == timedelta(0)


def test_system_events_have_no_actor():
    event = audit_record(actor=None, action="reaper.run")
    assert event.actor_id is None
    assert event.actor_label == "system"
    assert (event.object_type, event.object_id) == ("", "")
    assert event.data == {}


def test_data_is_stored_exactly_as_it_was_hashed():
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data: dict[Any, Any] = {
        "when": when,
        "price": Decimal("1.50"),
        "token": token,
        "nested": {"b": [1, 2.5], "a": None},
        7: "int key",
        "huge": 1e16,
        "tiny": 1e-7,
    }
    event = audit_record(actor=None, action="publication.publish", data=data)

    expected = {
        "when": "2025-01-02 03:04:05+00:00",
        "price": "1.50",
        "token": "12345678-1234-5678-1234-567812345678",
        "nested": {"a": None, "b": [1, 2.5]},
        "7": "int key",
        # jsonb would hand 1e16 back as the integer 10000000000000000, so it is kept
        # as text; floats that round-trip are kept as floats.
        "huge": "1e+16",
        "tiny": 1e-7,
    }
    assert event.data == expected
    assert AuditEvent.objects.get(pk=event.pk).data == expected
    assert audit_verify_chain().ok


def test_data_that_json_cannot_hold_is_refused():
    with pytest.raises(ValueError, match="Out of range float"):
        audit_record(actor=None, action="x.y", data={"ratio": float("nan")})
    with pytest.raises(TypeError, match="mapping"):
        audit_record(actor=None, action="x.y", data=["not", "a", "mapping"])  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ["", "x" * 65])
def test_action_must_be_named_and_fit(action):
    with pytest.raises(ValueError, match="1 to 64 characters"):
        audit_record(actor=None, action=action)


def test_unsaved_target_is_refused(cohort):
    from cohorts.models import Cohort

    with pytest.raises(ValueError, match="unsaved"):
        audit_record(actor=None, action="cohort.create", target=Cohort(name="Draft"))
    assert not AuditEvent.objects.exists()


def test_selectors_find_events_by_target_and_action(program_admin, cohort):
    audit_record(actor=program_admin, action="cohort.update", target=cohort)
    other = audit_record(actor=None, action="job.reap")
    audit_record(actor=program_admin, action="cohort.pause", target=cohort)

    assert [e.action for e in audit_events_for(target=cohort)] == [
        "cohort.update",
        "cohort.pause",
    ]
    assert list(audit_event_list(action="job.reap")) == [other]
    newest = audit_event_list().first()
    assert newest is not None
    assert newest.action == "cohort.pause"


class TestClientIp:
    def test_no_ip_outside_a_request(self):
        assert current_client_ip() is None
        assert audit_record(actor=None, action="reaper.run").ip_address is None

    def test_the_middleware_records_the_request_ip_and_forgets_it_afterwards(self, artist):
        seen: list[AuditEvent] = []

        def view(request: HttpRequest) -> HttpResponse:
            seen.append(audit_record(actor=artist, action="job.submit"))
            return HttpResponse("ok")

        request = RequestFactory().get("/generations/new/", REMOTE_ADDR="203.0.113.7")
        response = AuditContextMiddleware(view)(request)

        assert response.status_code == 200
        assert AuditEvent.objects.get(pk=seen[0].pk).ip_address == "203.0.113.7"
        assert current_client_ip() is None
        assert audit_record(actor=None, action="reaper.run").ip_address is None

    def test_ip_is_reset_even_when_the_view_raises(self):
        def view(request: HttpRequest) -> HttpResponse:
            raise RuntimeError("boom")

        request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1")
        with pytest.raises(RuntimeError):
            AuditContextMiddleware(view)(request)
        assert current_client_ip() is None

    @pytest.mark.parametrize(
        ("remote_addr", "stored"),
        [("2001:DB8:0:0::1", "2001:db8::1"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1")],
    )
    def test_ipv6_is_stored_in_one_spelling_and_still_verifies(self, remote_addr, stored):
        # PostgreSQL's inet may spell an address differently from Python; the hash
        # must not depend on that.
        request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)

        def view(request: HttpRequest) -> HttpResponse:
            audit_record(actor=None, action="page.view")
            return HttpResponse("ok")

        AuditContextMiddleware(view)(request)
        assert AuditEvent.objects.get().ip_address == stored
        assert audit_verify_chain().ok

    def test_an_invalid_remote_addr_is_recorded_as_none(self):
        request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")

        def view(request: HttpRequest) -> HttpResponse:
            audit_record(actor=None, action="page.view")
            return HttpResponse("ok")

        AuditContextMiddleware(view)(request)
        assert AuditEvent.objects.get().ip_address is None

    def test_audit_context_sets_the_ip_for_commands_and_nests(self):
        with audit_context(ip="192.0.2.10"):
            outer = audit_record(actor=None, action="cli.run")
            with audit_context(ip=None):
                inner = audit_record(actor=None, action="cli.run")
            again = audit_record(actor=None, action="cli.run")
        assert (outer.ip_address, inner.ip_address, again.ip_address) == (
            "192.0.2.10",
            None,
            "192.0.2.10",
        )
        assert current_client_ip() is None

    def test_the_middleware_is_installed_after_allauth(self):
        middleware = list(settings.MIDDLEWARE)
        ours = middleware.index("audit.middleware.AuditContextMiddleware")
        assert ours > middleware.index("allauth.account.middleware.AccountMiddleware")
