"""Only a committed success tells the artist, once; the email follows iff they opted in.

These run the worker's own success path (``jobs.worker._encode_and_store``: real encoding,
signing and storage) in this process, so the outbox is Django's locmem one; the
end-to-end run through a real worker process is in test_real_worker.py."""

from __future__ import annotations

import logging
import socket

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from jobs.errors import LeaseLost
from jobs.models import Job, JobStatus
from jobs.services import job_cancel
from jobs.worker import _after_error, _encode_and_store
from notifications.models import Notification, NotificationKind
from notifications.services import notification_preferences_set, video_ready_notify
from tests.notifications.conftest import FRAMES

pytestmark = pytest.mark.django_db


def ready_notes(job_id: int) -> list[Notification]:
    return list(Notification.objects.filter(job_id=job_id, kind=NotificationKind.VIDEO_READY))


@pytest.mark.parametrize("opted_in", [False, True])
def test_a_success_tells_the_artist_once_and_emails_only_if_opted_in(
    opted_in, artist, claimed_job, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://vernissage.example"
    notification_preferences_set(
        user=artist, email_on_video_ready=opted_in, email_on_review_decision=True
    )
    job = claimed_job()
    with django_capture_on_commit_callbacks(execute=True):
        _encode_and_store(job, FRAMES)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    [note] = ready_notes(job.pk)
    assert note.user == artist and note.read_at is None
    assert note.link == f"/generations/{job.pk}/"
    assert f"#{job.pk}" in note.message
    if opted_in:
        [mail] = mailoutbox
        assert mail.to == [artist.email]
        assert "ready" in mail.subject
        assert f"https://vernissage.example/generations/{job.pk}/" in mail.body
        assert "https://vernissage.example/account/notifications/" in mail.body
    else:
        assert mailoutbox == []


def test_a_second_success_for_the_same_job_tells_nobody_again(
    artist, claimed_job, mailoutbox, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=True
    )
    job = claimed_job()
    with django_capture_on_commit_callbacks(execute=True):
        _encode_and_store(job, FRAMES)
    # The same attempt delivered again: its success UPDATE no longer matches.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(LeaseLost):
        _encode_and_store(job, FRAMES)
    # The service asked twice (a retried transaction): the first notification, no mail.
    with django_capture_on_commit_callbacks(execute=True):
        again = video_ready_notify(job=job)
    assert ready_notes(job.pk) == [again]
    assert len(mailoutbox) == 1


def test_the_database_refuses_a_second_ready_notification(artist, claimed_job):
    """The last line: even a writer that skips the service can't tell twice."""
    job = claimed_job()
    video_ready_notify(job=job)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=artist, kind=NotificationKind.VIDEO_READY, job=job, message="again"
        )


def test_a_cancel_before_the_commit_tells_nobody(
    artist, claimed_job, mailoutbox, django_capture_on_commit_callbacks
):
    from generation.runner import RenderCanceled

    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=True
    )
    job = claimed_job()
    job_cancel(job=Job.objects.get(pk=job.pk), actor=artist)  # asked while it encodes
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RenderCanceled):
        _encode_and_store(job, FRAMES)
    assert ready_notes(job.pk) == [] and mailoutbox == []


def test_a_stale_attempt_tells_nobody(
    artist, claimed_job, mailoutbox, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=True
    )
    job = claimed_job()
    # The reaper re-queued it and another worker claimed attempt 2 meanwhile.
    Job.objects.filter(pk=job.pk).update(attempt=F("attempt") + 1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(LeaseLost):
        _encode_and_store(job, FRAMES)
    assert ready_notes(job.pk) == [] and mailoutbox == []


def test_a_failed_job_tells_nobody_that_it_is_ready(artist, claimed_job, mailoutbox):
    job = claimed_job()
    Job.objects.filter(pk=job.pk).update(max_attempts=job.attempt)
    job.max_attempts = job.attempt
    assert _after_error(job) == "failed"
    assert ready_notes(job.pk) == [] and mailoutbox == []


def test_a_mail_server_that_refuses_does_not_fail_the_job(
    artist, claimed_job, django_capture_on_commit_callbacks, settings, caplog
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=True
    )
    job = claimed_job()
    with (
        caplog.at_level(logging.ERROR, logger="notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        output = _encode_and_store(job, FRAMES)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert output.job_id == job.pk and len(ready_notes(job.pk)) == 1
    assert any("email" in record.getMessage() for record in caplog.records)
