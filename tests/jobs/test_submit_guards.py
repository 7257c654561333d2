"""A guard of ``jobs.services.job_submit_once`` that the first mutation runs left alive
(docs/mutation.md): the account row is gone by the time the submission takes its lock.
The interleaving is forced with the row lock the deleting transaction holds, never with
sleeps (tests/concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from jobs.models import Job
from jobs.services import job_submit_once
from tests.concurrency import BLOCK_TIMEOUT, Racer, finish, start_and_wait_until_blocked


class AccountDeletionInProgress(threading.Thread):
    """Deletes ``user`` (and the acceptances that protect it) in a transaction of its own
    and holds it open, uncommitted, until ``release()``: the row lock a deletion holds."""

    def __init__(self, user: User) -> None:
        super().__init__(daemon=True)
        self.user_pk = user.pk
        self.deleted = threading.Event()
        self._release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                user = User.objects.get(pk=self.user_pk)
                user.agreement_acceptances.all().delete()
                user.delete()
                self.deleted.set()
                assert self._release.wait(60), "never released"
        except BaseException as error:  # reported by the test's thread
            self.error = error
        finally:
            self.deleted.set()
            connection.close()

    def release(self) -> None:
        self._release.set()
        self.join(timeout=60)
        assert not self.is_alive(), "the deletion is still running"
        assert self.error is None, self.error


@pytest.mark.django_db(transaction=True)
def test_an_account_deleted_while_its_submission_waits_is_refused(artist, settings):
    """The guard: ``job_submit_once``'s ``locked is None`` (in ``if locked is None or
    locked.is_paused``). The account passed the first checks, then its row was deleted by
    a transaction that commits while the submission waits for the row lock: the lock
    finds no row, and the answer is GenerationPaused (403), not an AttributeError (500)
    and no job."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    deletion = AccountDeletionInProgress(artist)
    deletion.start()
    assert deletion.deleted.wait(BLOCK_TIMEOUT) and deletion.error is None, deletion.error

    racer = Racer(
        lambda: job_submit_once(
            artist=artist,
            idempotency_key="",
            prompt="a red bird over the sea",
            duration_seconds=2,
            resolution="480p",
            aspect_ratio="16:9",
        )
    )
    start_and_wait_until_blocked([racer])
    deletion.release()

    assert finish([racer]) == ["GenerationPaused"], racer.error
    assert not User.objects.filter(pk=artist.pk).exists()
    assert not Job.objects.exists()
