"""Guards in ``jobs.services`` that no other test defended (docs/mutation.md): who may
submit, cancelling by state, and what the reaper touches. Each test names its guard;
taking the guard away (tools/guard_mutants.py) makes it fail. Service-level: the pages
and the API have tests of their own (test_submit.py, test_cancel_rights.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.services import user_set_paused
from domain.errors import InvalidTransition, NotAllowed
from jobs import services
from jobs.errors import GenerationPaused
from jobs.models import Job, JobStatus
from jobs.services import (
    IDEMPOTENCY_KEY_MAX,
    job_cancel,
    job_submit,
    job_submit_once,
    jobs_reap,
)
from tests.concurrency import Racer, RowLock, finish


def submit(artist: User, *, duration_seconds: int = 2) -> Job:
    return job_submit(
        artist=artist,
        prompt="a red bird over the sea",
        duration_seconds=duration_seconds,
        resolution="480p",
        aspect_ratio="16:9",
    )


def make_job(artist: User, status: str = JobStatus.QUEUED, **fields: object) -> Job:
    now = timezone.now()
    if status == JobStatus.RUNNING:
        fields = {"started_at": now, "attempt": 1, "lease_expires_at": now, **fields}
    elif status != JobStatus.QUEUED:
        fields = {"finished_at": now, **fields}
        if status == JobStatus.SUCCEEDED:
            fields.setdefault("progress", 1.0)
        if status == JobStatus.FAILED:
            fields.setdefault("error_code", "render_failed")
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, status=status, prompt="a lantern in fog",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=3, model="tiny-wan",
        num_frames=9, width=64, height=64, fps=8, steps=4, guidance=5.0, max_attempts=3,
        **fields,
    )  # fmt: skip


# --- submitting ----------------------------------------------------------------------


@pytest.fixture
def no_queue(settings) -> None:
    """Committed submissions publish their job; nobody should run these."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"


@pytest.mark.django_db
def test_an_account_removed_from_the_artists_cannot_submit(artist):
    """The guard: the ``accounts.create_generations`` check comes first. An artist taken
    out of the role keeps their cohort and their signed NDA; every later check passes."""
    artist.groups.clear()
    removed = User.objects.get(pk=artist.pk)
    with pytest.raises(NotAllowed, match="Only artists"):
        submit(removed)
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_paused_account_is_told_why_before_its_fields_are_checked(artist, program_admin):
    """The guard: the account pause is checked with the other switches, before the
    fields (the order ``job_submit`` promises), and the artist reads the reason."""
    user_set_paused(actor=program_admin, user=artist, paused=True, reason="Unusual activity.")
    with pytest.raises(GenerationPaused, match=r"Unusual activity\."):
        submit(artist, duration_seconds=999)
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "allowed"),
    [("k" * IDEMPOTENCY_KEY_MAX, True), ("key\nwith a newline", False), ("key\x00", False)],
    ids=["longest", "newline", "nul"],
)
def test_an_idempotency_key_is_at_most_100_printable_characters(artist, no_queue, key, allowed):
    """The guard and its boundary: ``len(key) > IDEMPOTENCY_KEY_MAX`` (100 is allowed)
    and ``isprintable()``: a key is stored and compared, never a place for controls."""
    if allowed:
        job, replayed = job_submit_once(
            artist=artist, idempotency_key=key, prompt="a red bird over the sea",
            duration_seconds=2, resolution="480p", aspect_ratio="16:9",
        )  # fmt: skip
        assert not replayed and job.idempotency_key == key
    else:
        with pytest.raises(ValidationError) as error:
            job_submit_once(
                artist=artist, idempotency_key=key, prompt="a red bird over the sea",
                duration_seconds=2, resolution="480p", aspect_ratio="16:9",
            )  # fmt: skip
        assert "idempotency_key" in error.value.message_dict
        assert not Job.objects.exists()


# --- cancelling ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED])
def test_a_finished_job_cannot_be_cancelled(artist, status):
    """The guards: the queued → canceled UPDATE matches only a queued job, the running
    one only a running job, and a finished job is refused."""
    job = make_job(artist, status)
    with pytest.raises(InvalidTransition):
        job_cancel(job=job, actor=artist)
    job.refresh_from_db()
    assert job.status == status and job.cancel_requested_at is None


@pytest.mark.django_db
def test_cancelling_a_running_job_asks_the_worker_once(artist):
    """The guards: a running job is not cancelled on the spot (its worker stops at the
    next step), and asking again keeps the first request's time."""
    job = make_job(artist, JobStatus.RUNNING)
    first = job_cancel(job=job, actor=artist)
    assert first.status == JobStatus.RUNNING and first.cancel_requested_at is not None
    again = job_cancel(job=job, actor=artist)
    assert again.status == JobStatus.RUNNING
    assert again.cancel_requested_at == first.cancel_requested_at


# --- the reaper ----------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids the reaper publishes (no broker needed)."""
    sent: list[int] = []

    def publish(*, job_id: int) -> bool:
        sent.append(job_id)
        return True

    monkeypatch.setattr(services, "job_publish", publish)
    return sent


@pytest.mark.django_db
def test_the_reaper_requeues_only_running_jobs_whose_lease_expired(artist, published):
    """The guards: ``status=RUNNING`` and ``lease_expires_at__lt`` on the reaper's query."""
    now = timezone.now()
    lost = make_job(artist, JobStatus.RUNNING, lease_expires_at=now - timedelta(minutes=1))
    alive = make_job(artist, JobStatus.RUNNING, lease_expires_at=now + timedelta(minutes=1))
    # A finished job may keep the lease its last attempt held.
    done = make_job(artist, JobStatus.SUCCEEDED, lease_expires_at=now - timedelta(minutes=1))

    report = jobs_reap(now=now)

    assert report.requeued == [lost.pk] and published == [lost.pk]
    alive.refresh_from_db()
    done.refresh_from_db()
    assert alive.status == JobStatus.RUNNING and done.status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_the_reaper_republishes_only_queued_jobs_whose_message_may_be_lost(
    artist, published, settings
):
    """The guards: the republish query takes queued jobs only, never published and past
    the 30 s grace (``published_to_queue_at__isnull`` and ``created_at__lt``), or
    published longer ago than ``GENERATION_REPUBLISH_AFTER_SECONDS``."""
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.GENERATION_REPUBLISH_AFTER_SECONDS + 60)
    never_sent = make_job(artist)
    just_sent = make_job(artist, published_to_queue_at=now - timedelta(seconds=1))
    sent_long_ago = make_job(artist, published_to_queue_at=long_ago)
    in_grace = make_job(artist)
    running = make_job(
        artist, JobStatus.RUNNING, lease_expires_at=now + timedelta(minutes=1),
        published_to_queue_at=long_ago,
    )  # fmt: skip
    Job.objects.filter(pk__in=[never_sent.pk, just_sent.pk, sent_long_ago.pk, running.pk]).update(
        created_at=now - timedelta(minutes=5)
    )
    Job.objects.filter(pk=in_grace.pk).update(created_at=now - timedelta(seconds=5))

    report = jobs_reap(now=now)

    assert sorted(report.republished) == sorted([never_sent.pk, sent_long_ago.pk])
    assert sorted(published) == sorted([never_sent.pk, sent_long_ago.pk])


@pytest.mark.django_db(transaction=True)
def test_the_reaper_skips_a_job_another_transaction_holds(artist, published):
    """The guard: ``select_for_update(skip_locked=True)``. A second housekeeper (or the
    worker finishing the job) holds the row: the reaper leaves it to them instead of
    handling it twice, and never waits behind them."""
    now = timezone.now()
    lost = make_job(artist, JobStatus.RUNNING, lease_expires_at=now - timedelta(minutes=1))

    with RowLock(Job, lost.pk):
        racer = Racer(lambda: jobs_reap(now=now))
        racer.start()
        racer.join(timeout=20)  # a bound for the failure case; it returns at once
        finished_while_held = not racer.is_alive()
    finish([racer])

    assert finished_while_held, "the reaper waited for a row another transaction holds"
    assert racer.error is None, racer.error
    assert racer.result.requeued == []  # type: ignore[attr-defined]
    assert published == []
