"""Redis, the broker, stopped and restarted while jobs are queued and running.

PostgreSQL owns the job (decision 0005): a submission is a committed row before anything
is published, so the API acknowledges it whether or not the broker is up. While Redis is
down the running job goes on (its lease lives in PostgreSQL) and new submissions are kept
unpublished; after the restart the reaper publishes every queued job again, including
those whose message survived in the broker's file, and the claim lets each run once.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from jobs import services
from jobs.models import Job, JobStatus, Output
from jobs.services import jobs_reap
from tests.faults.conftest import SMALL_REQUEST, protection_params
from tests.jobs.conftest import wait_for_job
from tests.servers import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch):
    """A persistent broker of this test's own, for this test's worker and publisher."""
    server = RedisServer(persistent=True)
    url = server.start()
    previous = app.conf.broker_url

    def use(broker_url: str) -> None:
        # Workers and Celery read CELERY_BROKER_URL from the environment; Celery caches
        # its pools, so drop them and the next publish connects to this broker.
        monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
        app._pool = None
        app.amqp._producer_pool = None

    use(url)
    yield server
    use(previous)
    server.stop()


def _submit(client, n: int) -> int:
    response = client.post(
        "/api/v1/generations/",
        {**SMALL_REQUEST, "prompt": f"{SMALL_REQUEST['prompt']} #{n}"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


@pytest.mark.parametrize(
    "protection", protection_params(reason="jobs acknowledged during the outage are never run")
)
def test_jobs_submitted_around_a_broker_restart_each_run_exactly_once(
    client, artist, broker, start_worker, monkeypatch, settings, protection
):
    """The protection: the reaper publishes again every queued job whose message may be
    lost (``jobs.services.jobs_reap``). Switched off, the jobs acknowledged while Redis
    was down stay queued for ever."""
    if protection == "off":
        monkeypatch.setattr(services, "job_publish", lambda *, job_id: False)
    client.force_login(artist)
    worker = start_worker()
    before = [_submit(client, n) for n in range(3)]
    wait_for_job(before[0], lambda j: j.status == JobStatus.RUNNING)

    broker.stop(keep_data=True)
    during = [_submit(client, n) for n in range(3, 5)]
    assert all(j.published_to_queue_at is None for j in Job.objects.filter(pk__in=during))

    restarted = RedisServer(port=broker.port, root=broker.root, persistent=True)
    restarted.start()
    broker.process = restarted.process  # the fixture stops whichever runs now
    # Without waiting for the reaper's delays (the running job's lease must stay valid, so
    # its clock can't jump): every queued job counts as possibly lost, so the jobs whose
    # message survived in Redis are delivered a second time, and the grace period for
    # publishing after commit has passed for those submitted during the outage.
    settings.GENERATION_REPUBLISH_AFTER_SECONDS = 0
    Job.objects.filter(pk__in=during).update(created_at=timezone.now() - timedelta(seconds=31))
    report = jobs_reap()
    assert set(during) <= set(report.republished), report
    assert not Job.objects.filter(status=JobStatus.QUEUED, published_to_queue_at=None).exists()

    acknowledged = before + during
    deadline = time.monotonic() + 120
    for job_id in acknowledged:
        wait_for_job(job_id, lambda j: j.is_terminal, timeout=max(1, deadline - time.monotonic()))
    jobs = Job.objects.filter(pk__in=acknowledged)
    assert {(j.status, j.attempt) for j in jobs} == {(JobStatus.SUCCEEDED, 1)}, worker.log()
    assert Output.objects.filter(job_id__in=acknowledged).count() == len(acknowledged)
    assert Job.objects.count() == len(acknowledged)
    # The duplicates were delivered and refused by the claim, not run.
    assert any("not claimable" in line for line in worker.lines), worker.log()
