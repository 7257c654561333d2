"""Guard tests for ``notifications.selectors``/``services`` (issue 13, point 2;
docs/mutation.md): each test's docstring names the guard it defends; taking the guard away
(tools/guard_mutants.py) makes it fail. Races are forced with a row another transaction
holds (tests/held_rows.py), never timed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation.services import review_approve, review_claim
from notifications.models import Notification, NotificationKind, NotificationPreference
from notifications.services import (
    notification_email_send,
    notification_mark_read,
    notification_preferences_set,
    review_decision_notify,
    video_ready_notify,
)
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress, RowInsertInProgress


@pytest.mark.django_db
def test_each_job_gets_its_own_ready_notification(artist, make_output):
    """The guard: ``video_ready_notify``'s ``filter(job=job, …)``: the "once per job"
    look-up is this job's; another video of the same artist, already notified, doesn't
    stop this one's notification."""
    first, second = make_output(artist), make_output(artist)

    one = video_ready_notify(job=first.job)
    two = video_ready_notify(job=second.job)

    assert one.pk != two.pk
    assert (one.job_id, two.job_id) == (first.job_id, second.job_id)
    assert Notification.objects.filter(kind=NotificationKind.VIDEO_READY).count() == 2


@pytest.mark.django_db
def test_asked_again_after_a_review_decision_it_returns_the_ready_notification(
    artist, reviewer, make_output
):
    """The guard: ``video_ready_notify``'s ``filter(…, kind=VIDEO_READY)``: asked again
    (a retried transaction) after the video was reviewed, it returns the "ready"
    notification it wrote, not the newer review decision about the same job."""
    output = make_output(artist)
    ready = video_ready_notify(job=output.job)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    assert Notification.objects.filter(job=output.job).count() == 2

    again = video_ready_notify(job=output.job)

    assert again.pk == ready.pk and again.kind == NotificationKind.VIDEO_READY


@pytest.mark.django_db(transaction=True)
def test_losing_the_race_to_a_twin_returns_the_twins_notification(artist, make_output):
    """The guards: the race loser's ``get(job=job, kind=VIDEO_READY)`` in
    ``video_ready_notify``. A twin (a redelivered task) has inserted this job's "ready"
    notification, uncommitted, when this call looks and finds none; its insert waits on
    the unique index, fails when the twin commits, and returns the twin's row: not
    another video's "ready" notification (``job``), nor another notification naming
    this job (``kind``)."""
    other = make_output(artist)
    video_ready_notify(job=other.job)
    output = make_output(artist)
    review_decision_notify(
        artist=artist, job_id=output.job_id, message="Approved.", email_subject="Review"
    )

    with RowInsertInProgress(
        Notification, user=artist.pk, kind=NotificationKind.VIDEO_READY, job=output.job_id,
        message="twin", link="", created_at=timezone.now(),
    ) as twin:  # fmt: skip
        racer = Racer(lambda: video_ready_notify(job=output.job))
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["ok"], racer.error
    assert racer.result.pk == twin.pk  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_an_email_for_a_notification_that_is_gone_is_not_sent(artist, make_output, mailoutbox):
    """The guard: ``notification_email_send``'s ``notification is None``: the email runs
    after the commit; a notification deleted by then (its account or job deleted) sends
    nothing and answers False, instead of raising on ``None.user``."""
    note = video_ready_notify(job=make_output(artist).job)
    gone = note.pk
    note.delete()

    assert notification_email_send(notification_id=gone, subject="Ready") is False
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_marking_read_while_another_tab_marks_it_keeps_the_first_time(artist, make_output):
    """The guard: ``notification_mark_read``'s ``filter(…, read_at__isnull=True)`` on its
    UPDATE. Another tab has marked the notification read (uncommitted) when this call
    reads it unread; its UPDATE waits for that row, then finds it read and leaves it:
    the first time it was read is kept."""
    note = video_ready_notify(job=make_output(artist).job)
    first_read = timezone.now() - timedelta(minutes=5)

    with RowChangeInProgress(Notification, note.pk, read_at=first_read):
        racer = Racer(lambda: notification_mark_read(user=artist, notification_id=note.pk))
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["ok"], racer.error
    assert Notification.objects.get(pk=note.pk).read_at == first_read
    assert racer.result.read_at == first_read  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_preferences_that_are_not_booleans_are_field_errors_and_nothing_is_stored(artist):
    """The guard: ``notification_preferences_set``'s ``if errors``. Values the model's
    boolean fields would quietly turn into True and False (``"1"``, ``0``) are not
    booleans: a field error on each, and no preference row."""
    with pytest.raises(ValidationError) as refused:
        notification_preferences_set(
            user=artist, email_on_video_ready="1", email_on_review_decision=0
        )

    assert set(refused.value.message_dict) == {"email_on_video_ready", "email_on_review_decision"}
    assert not NotificationPreference.objects.filter(user=artist).exists()
