"""/metrics: Prometheus text from the database, for the allowed only."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from jobs.models import Job, JobStatus, WorkerHeartbeat
from moderation.models import ReviewItem, ReviewStatus
from observability import metrics as metrics_module

pytestmark = pytest.mark.django_db

TOKEN = "a-long-enough-metrics-token-1234"


def scrape(client, **extra) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def make_job(artist, *, status, model="tiny-wan", created_ago=0, ran=None, lease_ago=None):
    now = timezone.now()
    terminal = status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="p", duration_seconds=2, resolution="480p",
        aspect_ratio="16:9", seed=1, model=model, num_frames=9, width=80, height=48, fps=8,
        steps=4, guidance=5.0, status=status, attempt=0 if status == JobStatus.QUEUED else 1,
        progress=1.0 if status == JobStatus.SUCCEEDED else 0.0,
        started_at=None if status == JobStatus.QUEUED else now - timedelta(seconds=ran or 1),
        finished_at=now if terminal else None,
        lease_expires_at=(now - timedelta(seconds=lease_ago) if lease_ago else now + timedelta(60))
        if status == JobStatus.RUNNING else None,
        error_code="internal_error" if status == JobStatus.FAILED else "",
    )  # fmt: skip
    Job.objects.filter(pk=job.pk).update(created_at=now - timedelta(seconds=created_ago))
    return job


def test_jobs_reviews_and_workers_in_their_states(
    client, settings, artist, make_output, reviewer, django_assert_max_num_queries, monkeypatch
):
    queue = settings.GENERATION_QUEUE
    make_job(artist, status=JobStatus.QUEUED, created_ago=120)
    make_job(artist, status=JobStatus.QUEUED, created_ago=30)
    make_job(artist, status=JobStatus.QUEUED, model="wan2.1-t2v-1.3b", created_ago=5)
    make_job(artist, status=JobStatus.RUNNING)
    make_job(artist, status=JobStatus.RUNNING, lease_ago=10)
    for seconds in (10, 20, 30):
        make_job(artist, status=JobStatus.SUCCEEDED, ran=seconds, created_ago=seconds + 4)
    make_job(artist, status=JobStatus.FAILED, ran=5, created_ago=6)
    # Ended before the window: not counted.
    old = make_job(artist, status=JobStatus.SUCCEEDED, ran=10)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=2))

    now = timezone.now()
    # Ages are measured from this moment, however long the outputs below take to encode.
    monkeypatch.setattr(metrics_module, "timezone", SimpleNamespace(now=lambda: now))
    overdue = make_output(artist).review
    ReviewItem.objects.filter(pk=overdue.pk).update(
        created_at=now - timedelta(hours=30), due_at=now - timedelta(hours=6)
    )
    make_output(artist)  # pending, due later
    decided = make_output(artist).review
    ReviewItem.objects.filter(pk=decided.pk).update(
        status=ReviewStatus.APPROVED, decided_by=reviewer, decided_at=now
    )
    WorkerHeartbeat.objects.create(
        name="gpu-1:100", queues="gpu", started_at=now, last_seen_at=now - timedelta(seconds=7),
        job_id=1,
    )  # fmt: skip
    WorkerHeartbeat.objects.create(
        name="gone:1", queues="gpu", started_at=now, last_seen_at=now - timedelta(days=3)
    )

    with django_assert_max_num_queries(6):
        samples = scrape(client)

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("vernissage_metrics_ok") == 1.0
    assert value("vernissage_jobs_queued", queue=queue, model="tiny-wan") == 2
    assert value("vernissage_jobs_queued", queue=queue, model="wan2.1-t2v-1.3b") == 1
    assert value("vernissage_jobs_queued_oldest_age_seconds", queue=queue) == pytest.approx(
        120, abs=5
    )
    assert value("vernissage_jobs_running", queue=queue, model="tiny-wan") == 2
    assert value("vernissage_jobs_running_lease_expired", queue=queue) == 1
    # make_output's jobs succeeded just now too: 3 + 3 in the window, the old one not.
    assert value("vernissage_jobs_finished", model="tiny-wan", status="succeeded") == 6
    assert value("vernissage_jobs_finished", model="tiny-wan", status="failed") == 1
    assert value(
        "vernissage_job_duration_seconds", model="tiny-wan", status="failed", quantile="0.5"
    ) == pytest.approx(5, abs=1)
    assert value(
        "vernissage_job_wait_seconds", model="tiny-wan", status="failed", quantile="0.99"
    ) == pytest.approx(1, abs=1)
    assert value("vernissage_review_open", stage="review", status="pending") == 2
    assert value("vernissage_review_overdue", stage="review") == 1
    assert value("vernissage_review_overdue", stage="appeal") == 0
    assert value("vernissage_review_oldest_open_age_seconds") == pytest.approx(30 * 3600, abs=60)
    assert value("vernissage_review_next_due_seconds") == pytest.approx(-6 * 3600, abs=60)
    assert value(
        "vernissage_worker_heartbeat_age_seconds", worker="gpu-1:100", queues="gpu"
    ) == pytest.approx(7, abs=3)
    assert value("vernissage_worker_busy", worker="gpu-1:100", queues="gpu") == 1
    assert not any(labels and ("worker", "gone:1") in labels for _, labels in samples)


def test_empty_platform_scrapes_zeros(client, settings):
    samples = scrape(client)
    queue = settings.GENERATION_QUEUE
    assert samples[("vernissage_jobs_queued_oldest_age_seconds", (("queue", queue),))] == 0
    assert samples[("vernissage_review_oldest_open_age_seconds", ())] == 0


def test_a_database_failure_is_a_metric_not_an_error(client, monkeypatch):
    def broken(self, now):
        raise RuntimeError("database away")

    monkeypatch.setattr(metrics_module.DatabaseCollector, "_reviews", broken)
    samples = scrape(client)
    assert samples[("vernissage_metrics_ok", ())] == 0


def test_other_addresses_get_a_404(client, settings):
    settings.OBSERVABILITY_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics").status_code == 404  # loopback no longer listed
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_signed_in_staff_from_outside_get_a_404(client, settings, program_admin):
    client.force_login(program_admin)
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_the_bearer_token_opens_it_from_anywhere(client, settings):
    settings.OBSERVABILITY_METRICS_TOKEN = TOKEN
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token", **outside).status_code
        == 404
    )
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **outside).status_code == 200
    )


def test_no_token_configured_means_no_token_accepted(client, settings):
    settings.OBSERVABILITY_METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404


def test_a_request_forwarded_by_an_untrusted_proxy_is_not_loopback(client, settings):
    # nginx on the same host, without VERNISSAGE_TRUSTED_PROXY: REMOTE_ADDR is loopback
    # but the client is somewhere else.
    settings.TRUSTED_PROXY = False
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


def test_behind_the_trusted_proxy_the_client_address_decides(client, settings):
    settings.TRUSTED_PROXY = True
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
