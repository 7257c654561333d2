"""Fair share and model routing at claim time (issue 16; jobs.scheduling, decision 0030):
the claim order over random backlogs, two workers claiming at once, a worker never taking
another model's job, and "waiting for capacity" when no live worker serves a model."""

from __future__ import annotations

import itertools
import math
import random
import threading
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from jobs.models import Job, JobStatus, WorkerHeartbeat
from jobs.scheduling import model_queue
from jobs.worker import job_claim, job_claim_next, job_wake
from tests.api.test_status_fast_path import both, make_job, signed_in, url

MODEL = "tiny-wan"


def _backlog(seed: int) -> tuple[dict[int, int], dict[int, int], set[int], set[int]]:
    """Random cohorts (weights), artists and queued jobs, with cancelled jobs and a paused
    account's jobs mixed in. Returns job -> artist, artist -> cohort, the jobs that may
    run and the ones that must never be claimed."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(minutes=30)
    job_artist: dict[int, int] = {}
    artist_cohort: dict[int, int] = {}
    eligible: set[int] = set()
    never: set[int] = set()
    for c in range(rng.randint(2, 3)):
        cohort = Cohort.objects.create(
            name=f"c{seed}-{c}", capacity=50, scheduling_weight=rng.choice([1, 2, 3])
        )
        for a in range(rng.randint(2, 4)):
            paused = rng.random() < 0.15
            artist = User.objects.create(
                email=f"a{seed}-{c}-{a}@example.com", cohort=cohort, is_paused=paused
            )
            artist_cohort[artist.pk] = cohort.pk
            for _ in range(rng.randint(1, 6)):
                canceled = rng.random() < 0.15
                job = make_job(
                    artist,
                    **({"status": JobStatus.CANCELED, "finished_at": start} if canceled else {}),
                )
                Job.objects.filter(pk=job.pk).update(
                    created_at=start + timedelta(seconds=rng.uniform(0, 600))
                )
                job_artist[job.pk] = artist.pk
                (never if canceled or paused else eligible).add(job.pk)
    return job_artist, artist_cohort, eligible, never


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_claim_order_is_fair_over_random_backlogs(seed: int) -> None:
    job_artist, artist_cohort, eligible, never = _backlog(seed)
    claims: list[int] = []
    while (job := job_claim_next(models=[MODEL])) is not None:
        claims.append(job.pk)
        assert len(claims) <= len(eligible)
    # Every job that may run is claimed once; a cancelled or paused one never.
    assert sorted(claims) == sorted(eligible) and not never & set(claims)

    created = dict(Job.objects.filter(pk__in=claims).values_list("pk", "created_at"))
    weights = dict(Cohort.objects.values_list("pk", "scheduling_weight"))
    by_artist: dict[int, list[int]] = defaultdict(list)
    for pk in claims:
        by_artist[job_artist[pk]].append(pk)
    # Oldest first per artist.
    for pks in by_artist.values():
        assert [created[pk] for pk in pks] == sorted(created[pk] for pk in pks)

    # Round robin within a cohort: between two turns of one artist, every other artist of
    # the cohort who was still waiting (had a turn later) had one.
    last_turn = {artist: max(claims.index(pk) for pk in pks) for artist, pks in by_artist.items()}
    for cohort in set(artist_cohort.values()):
        turns = [(i, job_artist[pk]) for i, pk in enumerate(claims)
                 if artist_cohort[job_artist[pk]] == cohort]  # fmt: skip
        for artist in {who for _, who in turns}:
            mine = [i for i, who in turns if who == artist]
            for i, k in itertools.pairwise(mine):
                between = {who for n, who in turns if i < n < k}
                for other in {who for _, who in turns} - {artist}:
                    if last_turn[other] > k:
                        assert other in between, (seed, claims)

    # Weighted share: while every cohort still waits, each has at least its share (less one).
    active = {artist_cohort[job_artist[pk]] for pk in claims}
    until = min(
        max(i for i, pk in enumerate(claims) if artist_cohort[job_artist[pk]] == c) for c in active
    )
    total = sum(weights[c] for c in active)
    counts: dict[int, int] = defaultdict(int)
    for n, pk in enumerate(claims[: until + 1], start=1):
        counts[artist_cohort[job_artist[pk]]] += 1
        for c in active:
            assert counts[c] >= math.floor(n * weights[c] / total) - 1, (seed, n, c, claims)


@pytest.mark.django_db
def test_a_newcomer_goes_before_a_big_backlog(artist, other_artist) -> None:
    """Artist A queued many; B's one job, submitted after, runs as soon as A's first has."""
    backlog = [make_job(artist) for _ in range(10)]
    first = job_claim_next(models=[MODEL])
    assert first is not None and first.pk == backlog[0].pk
    late = make_job(other_artist)
    nxt = job_claim_next(models=[MODEL])
    assert nxt is not None and nxt.pk == late.pk


@pytest.mark.django_db
def test_a_wake_up_whose_job_was_taken_claims_the_next_fair_one(artist, other_artist) -> None:
    mine, theirs = make_job(artist), make_job(other_artist)
    assert job_claim(job_id=mine.pk) is not None  # another worker took it
    claimed = job_claim_next(models=[MODEL])  # the wake-up sent for ``mine``
    assert claimed is not None and claimed.pk == theirs.pk
    assert job_claim_next(models=[MODEL]) is None  # nothing left: the wake-up does nothing


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_take_one_job_twice(cohort) -> None:
    artists = [User.objects.create(email=f"t{i}@example.com", cohort=cohort) for i in range(5)]
    jobs = {make_job(artists[i % 5]).pk for i in range(40)}
    taken: list[list[int]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)

    def worker(mine: list[int]) -> None:
        try:
            barrier.wait()
            while (job := job_claim_next(models=[MODEL])) is not None:
                mine.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    claimed = [pk for t in taken for pk in t]
    assert sorted(claimed) == sorted(jobs)  # each once, none lost
    assert Job.objects.filter(pk__in=jobs, status=JobStatus.RUNNING, attempt=1).count() == 40


@pytest.mark.django_db
def test_a_worker_never_claims_a_job_of_a_model_it_does_not_serve(
    artist, settings, monkeypatch
) -> None:
    settings.GENERATION_WORKER_MODELS = ["tiny-wan"]
    # job_wake starts by closing stale connections, which would end the test's transaction.
    monkeypatch.setattr("jobs.worker.close_old_connections", lambda: None)
    other = make_job(artist, model="wan2.1-t2v-1.3b")
    assert job_claim_next(models=["wan2.1-t2v-1.3b"]) is None
    assert job_claim_next(models=["tiny-wan", "wan2.1-t2v-1.3b"]) is None
    assert job_claim(job_id=other.pk) is None
    assert job_wake(job_id=other.pk) == "skipped"
    assert Job.objects.get(pk=other.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_job_no_live_worker_serves_is_waiting_for_capacity(artist, settings) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        name="w:1", queues=model_queue("wan2.1-t2v-1.3b"), started_at=now, last_seen_at=now
    )
    job = make_job(artist)  # tiny-wan: no live worker serves it
    fast, _, slow = both(signed_in(artist), url(job))
    assert fast.content == slow.content
    queue = fast.json()["queue"]
    assert queue["basis"]["workers"] == 0 and queue["basis"]["workers_source"] == "none"
    assert queue["estimated_start"] is None and queue["position"] == 1
    page = signed_in(artist).get(f"/generations/{job.pk}/").content.decode()
    assert "Waiting for capacity" in page and 'id="queue-capacity" hidden' not in page
    metrics = Client().get("/metrics").content.decode()
    assert 'vernissage_jobs_waiting_for_capacity{model="tiny-wan"} 1.0' in metrics
    assert 'vernissage_model_workers{model="tiny-wan"} 0.0' in metrics

    # A worker serving tiny-wan comes up: the estimate counts it.
    WorkerHeartbeat.objects.create(
        name="w:2", queues=model_queue("tiny-wan"), started_at=now, last_seen_at=now
    )
    fast, _, slow = both(signed_in(artist), url(job))
    assert fast.content == slow.content
    assert fast.json()["queue"]["basis"]["workers_source"] == "live"
    metrics = Client().get("/metrics").content.decode()
    assert 'vernissage_jobs_waiting_for_capacity{model="tiny-wan"} 0.0' in metrics
