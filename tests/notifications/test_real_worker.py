"""Submit through the API, a real worker process renders the real tiny pipeline: the
artist who opted in gets one notification and one email with the job's absolute link;
the artist who didn't gets the notification only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from jobs.models import JobStatus
from notifications.models import Notification, NotificationKind
from notifications.services import notification_preferences_set
from tests.jobs.conftest import wait_for_job
from tests.notifications.conftest import submit
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://vernissage.example"


@pytest.fixture
def mail_worker(
    django_db_setup, tiny_model, settings, tmp_path
) -> Iterator[tuple[WorkerProcess, Path]]:
    """A worker on this test's own queue whose emails land as files in a folder."""
    settings.GENERATION_QUEUE = f"gpu-notify-{time.monotonic_ns()}"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="notify",
    )
    mailbox = tmp_path / "mail"
    worker.env.update(
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mailbox),
        VERNISSAGE_SITE_URL=SITE,
    )
    worker.start()
    yield worker, mailbox
    worker.stop()


def test_a_real_success_notifies_once_and_emails_only_who_opted_in(
    client, artist, other_artist, mail_worker
):
    worker, mailbox = mail_worker
    notification_preferences_set(
        user=artist, email_on_video_ready=True, email_on_review_decision=True
    )
    wanted_mail = submit(client, artist)
    portal_only = submit(client, other_artist)
    for job_id in (wanted_mail, portal_only):
        job = wait_for_job(job_id, lambda j: j.is_terminal)
        assert job.status == JobStatus.SUCCEEDED, (job.error_message, worker.log())
    # The worker's "finished" line for a job comes after its commit and its email (with
    # overlapped post-processing, decision 0031, the task itself returns after the render).
    worker.wait_for(
        lambda: sum(": finished: succeeded:" in line for line in worker.lines) == 2, 60, "done"
    )

    for job_id, owner in ((wanted_mail, artist), (portal_only, other_artist)):
        notes = Notification.objects.filter(job_id=job_id)
        assert [(n.user, n.kind, n.link) for n in notes] == [
            (owner, NotificationKind.VIDEO_READY, f"/generations/{job_id}/")
        ]
    mails = [path.read_text() for path in sorted(mailbox.glob("*.log"))]
    assert len(mails) == 1, mails
    assert f"To: {artist.email}" in mails[0]
    assert f"{SITE}/generations/{wanted_mail}/" in mails[0]
    assert other_artist.email not in mails[0]
