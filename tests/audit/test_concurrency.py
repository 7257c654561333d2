"""Appends racing from several connections still form one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audit.chain import GENESIS_HASH
from audit.models import AuditEvent
from audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
EACH = 25


def test_concurrent_appends_never_fork_the_chain():
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait(timeout=10)
            for n in range(EACH):
                audit_record(actor=None, action="race.append", data={"worker": worker, "n": n})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    result = audit_verify_chain()
    assert (result.ok, result.checked) == (True, THREADS * EACH), result
    prev_hashes = list(AuditEvent.objects.order_by("id").values_list("prev_hash", flat=True))
    # A fork would show as two events claiming the same predecessor.
    assert len(set(prev_hashes)) == THREADS * EACH
    assert prev_hashes[0] == GENESIS_HASH
