"""``job_submit`` called directly: the rules it keeps itself, whatever page, API or task
calls it, and under concurrent transactions (the pages and the API are in test_submit.py
and test_portal.py)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from agreements.errors import AgreementRequired
from agreements.selectors import AgreementStatus
from agreements.services import agreement_version_create, agreement_version_publish
from cohorts.models import Cohort
from containment.switches import account_suspend
from jobs import services
from jobs.errors import GenerationPaused
from jobs.models import Job
from jobs.services import job_submit
from tests.concurrency import Racer, RowLock, finish, start_and_wait_until_blocked
from tests.conftest import PASSWORD
from tests.faults.conftest import protection_params


def submit(artist: User) -> Job:
    return job_submit(
        artist=artist,
        prompt="a red bird over the sea",
        duration_seconds=2,
        resolution="480p",
        aspect_ratio="16:9",
    )


@pytest.fixture
def no_queue(settings) -> None:
    """Committed submissions publish their job; nobody should run these."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"


# --- the agreement -------------------------------------------------------------------


@pytest.fixture(params=["never_accepted", "newer_version", "none_published"])
def held_back(request, cohort) -> User:
    """An artist whom the agreement gate holds back, each way it can."""
    if request.param == "none_published":
        return user_create(
            email="dora@example.com", password=PASSWORD, role=Role.ARTIST, cohort=cohort
        )
    request.getfixturevalue("nda")
    if request.param == "never_accepted":
        return request.getfixturevalue("unsigned_artist")
    artist = request.getfixturevalue("artist")
    version = agreement_version_create(
        actor=None, title="Preview NDA v2", body="New terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=version)
    return artist


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nda_check",
    protection_params(reason="job_submit queued a job for an artist held back by the NDA"),
)
def test_the_service_refuses_an_artist_the_agreement_holds_back(held_back, monkeypatch, nda_check):
    """The protection: the agreement check in ``jobs.services._check_may_generate``
    (the pages and the API have their own gate in front of it)."""
    if nda_check == "off":
        monkeypatch.setattr(
            services,
            "agreement_status",
            lambda *, user: AgreementStatus(current=None, acceptance=None, required=False),
        )
    with pytest.raises(AgreementRequired):
        submit(held_back)
    assert not Job.objects.exists()


# --- concurrent submissions ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_cannot_both_take_the_last_slot(artist, no_queue):
    """The protection: ``job_submit`` locks the artist's row before counting today's
    quota, so a second submission counts after the first committed.

    Another transaction holds the artist's row while both submissions start, so both are
    waiting before either counts: with the lock each waits to count; without it both
    count 0 and then wait to commit (the job's foreign key to the artist), and both
    jobs are stored."""
    Cohort.objects.filter(pk=artist.cohort_id).update(daily_generation_quota=1)

    def submit_fresh() -> object:
        return submit(User.objects.get(pk=artist.pk))

    with RowLock(User, artist.pk):
        racers = [Racer(submit_fresh), Racer(submit_fresh)]
        start_and_wait_until_blocked(racers)
    outcomes = finish(racers)

    assert outcomes == ["QuotaExceeded", "ok"], [racer.error for racer in racers]
    assert Job.objects.filter(artist=artist).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_suspension_committed_while_a_submission_waits_wins(artist, program_admin, no_queue):
    """The protection: ``job_submit`` reads the pause again under the artist's row lock.

    The submission was authenticated (its ``artist`` loaded) before the suspension, and
    passed the first pause check; the suspension's transaction holds the artist's row
    until it commits, and the submission waits for it. Without the re-check it would
    queue a job for an account that was just contained, after its jobs were stopped."""
    on_its_way = User.objects.get(pk=artist.pk)

    with transaction.atomic():
        account_suspend(admin=program_admin, user=artist, reason="Token seen on a public site")
        racer = Racer(lambda: submit(on_its_way))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert isinstance(racer.error, GenerationPaused), racer.error
    assert not Job.objects.filter(artist=artist).exists()
