"""Broker down at submit: the job is kept (queued in PostgreSQL) and published once the
broker is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from config.celery import app
from jobs.models import Job, JobStatus
from jobs.services import jobs_reap
from tests.servers import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_broker(settings, monkeypatch):
    """A broker of this test's own, which it can stop and start again."""
    server = RedisServer()
    url = server.start()
    previous = app.conf.broker_url

    def use(broker_url: str) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its own settings.
        monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
        # Celery caches its connection pools: drop them so the next publish reconnects.
        app._pool = None
        app.amqp._producer_pool = None

    use(url)
    settings.GENERATION_QUEUE = "gpu-broker-test"
    yield server
    use(previous)
    server.stop()


def test_submit_with_the_broker_down_keeps_the_job_and_publishes_it_later(
    client, artist, own_broker
):
    port = own_broker.port
    own_broker.stop()
    client.force_login(artist)
    response = client.post(
        "/api/v1/generations/",
        {
            "prompt": "a kite on a windy hill",
            "duration_seconds": 2,
            "resolution": "480p",
            "aspect_ratio": "1:1",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.QUEUED
    assert job.published_to_queue_at is None

    # Still down: the reaper tries, fails, and keeps the job.
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert jobs_reap().republished == []

    back = RedisServer(port=port)
    back.start()
    try:
        assert jobs_reap().republished == [job.pk]
        job.refresh_from_db()
        assert job.published_to_queue_at is not None and job.status == JobStatus.QUEUED
        # One queue per model (jobs.scheduling.model_queue).
        assert redis.Redis(port=port).llen("gpu-broker-test.tiny-wan") == 1
    finally:
        back.stop()
