"""Queue position and estimated start/finish (issue 14; jobs.estimates): what the numbers
are, who they reveal nothing about, and that the status fast path gives the same bytes as
the whole stack with them (decision 0018)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from accounts.models import User
from jobs.estimates import queue_estimate
from jobs.models import Job, JobStatus, WorkerHeartbeat
from tests.api.test_status_fast_path import FAST_QUERIES, both, make_job, signed_in, url, with_token
from tests.clocks import hold_clocks

pytestmark = pytest.mark.django_db

# make_job's size: 4 steps x 9 frames x 64 x 64.
WORK = 4 * 9 * 64 * 64


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The estimate's clock (and the signing and budget clocks), held still."""
    return datetime.fromtimestamp(hold_clocks(monkeypatch), tz=UTC)


def iso(moment: datetime) -> str:
    """The API's form of an estimated time: to the nearest whole second."""
    nearest = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
    return nearest.strftime("%Y-%m-%dT%H:%M:%SZ")


def succeeded(artist: User, *, took: float, ended: datetime, **fields: Any) -> Job:
    values: dict[str, Any] = {
        "status": JobStatus.SUCCEEDED, "progress": 1.0, "attempt": 1,
        "started_at": ended - timedelta(seconds=took), "finished_at": ended,
    }  # fmt: skip
    values.update(fields)
    return make_job(artist, **values)


def history(artist: User, now: datetime, *seconds: float) -> None:
    """Recent first-attempt successes of tiny-wan at make_job's size."""
    for i, took in enumerate(seconds):
        succeeded(artist, took=took, ended=now - timedelta(minutes=10 + i))


def running(artist: User, now: datetime, *, since: float, **fields: Any) -> Job:
    values: dict[str, Any] = {
        "status": JobStatus.RUNNING, "attempt": 1, "started_at": now - timedelta(seconds=since),
        "lease_expires_at": now + timedelta(minutes=5),
    }  # fmt: skip
    values.update(fields)
    return make_job(artist, **values)


def api_queue(client: Client, job: Job) -> Any:
    response = client.get(url(job))
    assert response.status_code == 200
    return response.json()["queue"]


# --- position ------------------------------------------------------------------------


def test_position_counts_the_queued_jobs_ahead_whoever_they_belong_to(
    artist, other_artist, now
) -> None:
    make_job(other_artist, status=JobStatus.CANCELED, finished_at=now)  # ended: not in line
    running(other_artist, now, since=5)  # on a worker: not in line
    first = make_job(other_artist)
    mine = make_job(artist)
    behind = make_job(other_artist)
    positions = [queue_estimate(job=job) for job in (first, mine, behind)]
    # The fair order (decision 0030): bob was served 5 s ago, alice not yet, so she is next.
    assert [p.position if p else None for p in positions] == [2, 1, 3]
    assert api_queue(signed_in(artist), mine)["position"] == 1


def test_other_artists_jobs_count_but_nothing_about_them_is_shown(artist, other_artist) -> None:
    make_job(other_artist, prompt="bob's secret lighthouse", model="tiny-wan")
    mine = make_job(artist)
    response = signed_in(artist).get(url(mine))
    queue = response.json()["queue"]
    assert queue["position"] == 2
    assert set(queue) == {"position", "estimated_start", "estimated_finish", "basis"}
    assert set(queue["basis"]) == {
        "method", "history_jobs", "history_days", "typical_seconds", "workers", "workers_source",
    }  # fmt: skip
    page = signed_in(artist).get(f"/generations/{mine.pk}/")
    for answer in (response, page):
        assert b"lighthouse" not in answer.content and b"bob@" not in answer.content


# --- the estimate ---------------------------------------------------------------------


def test_without_history_there_is_no_estimate_yet_rather_than_a_guess(artist, now) -> None:
    history(artist, now, 20, 20)  # two: fewer than GENERATION_ESTIMATE_MIN_HISTORY (3)
    job = make_job(artist)
    queue = api_queue(signed_in(artist), job)
    assert queue["position"] == 1
    assert queue["estimated_start"] is None and queue["estimated_finish"] is None
    assert queue["basis"]["method"] == "none" and queue["basis"]["history_jobs"] == 2
    assert queue["basis"]["typical_seconds"] is None
    page = signed_in(artist).get(f"/generations/{job.pk}/").content.decode()
    assert "No estimate yet" in page
    assert 'id="queue-start-line" hidden' in page and 'id="queue-finish-line" hidden' in page


def test_start_and_finish_follow_the_median_run_time_and_the_running_job(
    artist, other_artist, now
) -> None:
    history(artist, now, 10, 30, 20)  # median 20 s
    running(other_artist, now, since=5)  # about 15 s left
    make_job(artist)  # her own older jobs: ahead of this one in the fair order
    make_job(artist)
    mine = make_job(artist)
    queue = api_queue(signed_in(artist), mine)
    # One worker (no heartbeat; the setting): 15 + 20 + 20 s, then its own 20 s.
    assert queue["position"] == 3
    assert queue["estimated_start"] == iso(now + timedelta(seconds=55))
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=75))
    assert queue["basis"] == {
        "method": "recent_durations", "history_jobs": 3, "history_days": 7,
        "typical_seconds": 20.0, "workers": 1, "workers_source": "setting",
    }  # fmt: skip


@override_settings(GENERATION_WORKERS=2)
def test_jobs_ahead_are_shared_among_the_workers(artist, other_artist, now) -> None:
    history(artist, now, 20, 20, 20)
    running(other_artist, now, since=5)  # worker A free in 15 s; worker B idle
    make_job(artist)  # B: 0 → 20
    make_job(artist)  # A: 15 → 35
    mine = make_job(artist)  # B again, at 20
    queue = api_queue(signed_in(artist), mine)
    assert queue["estimated_start"] == iso(now + timedelta(seconds=20))
    assert queue["basis"]["workers"] == 2


def test_live_workers_with_a_fresh_heartbeat_on_the_queue_are_counted(artist, now) -> None:
    history(artist, now, 20, 20, 20)
    for name, queues, age in [
        ("a:1", "gpu", 1), ("b:2", "celery,gpu", 2),  # live, on the queue
        ("c:3", "gpu", 3600),  # silent for an hour
        ("d:4", "other", 1),  # another queue
    ]:  # fmt: skip
        seen = now - timedelta(seconds=age)
        WorkerHeartbeat.objects.create(name=name, queues=queues, started_at=seen, last_seen_at=seen)
    queue = api_queue(signed_in(artist), make_job(artist))
    assert (queue["basis"]["workers"], queue["basis"]["workers_source"]) == (2, "live")


def test_history_is_scaled_by_size_and_ignores_old_retried_and_other_models(artist, now) -> None:
    history(artist, now, 10, 10, 10)  # 10 s at WORK
    succeeded(artist, took=500, ended=now - timedelta(days=30))  # too old
    succeeded(artist, took=500, ended=now - timedelta(minutes=1), attempt=2)  # retried
    succeeded(artist, took=500, ended=now - timedelta(minutes=1), model="other-model")
    big = make_job(artist, num_frames=18)  # twice the work
    queue = api_queue(signed_in(artist), big)
    assert queue["basis"]["history_jobs"] == 3
    assert queue["basis"]["typical_seconds"] == 20.0
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=20))


def test_runs_of_the_same_size_are_preferred_to_scaling(artist, now) -> None:
    history(artist, now, 10, 10, 10)  # 10 s at WORK: scaled, twice the size would be 20 s
    for i in range(3):  # but jobs of twice the size took 12 s (fixed costs don't scale)
        succeeded(artist, took=12, ended=now - timedelta(minutes=20 + i), num_frames=18)
    make_job(artist, num_frames=18)  # ahead: 12 s
    mine = make_job(artist)  # 10 s
    queue = api_queue(signed_in(artist), mine)
    assert queue["basis"]["typical_seconds"] == 10.0
    assert queue["estimated_start"] == iso(now + timedelta(seconds=12))
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=22))


def test_a_running_job_is_estimated_from_its_own_progress(artist, now) -> None:
    # 4 steps: the first ends at 22.5 %; three done (67.5 %) 10 s after the first.
    job = running(artist, now, since=12, progress=0.675, first_step_at=now - timedelta(seconds=10))
    queue = api_queue(signed_in(artist), job)
    left = (1 - 0.675) * 10 / (0.675 - 0.225)  # 7.2 s
    assert queue["position"] is None and queue["estimated_start"] is None
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=left))
    assert queue["basis"]["method"] == "progress"


def test_a_running_job_uses_its_history_when_that_is_later(artist, now) -> None:
    history(artist, now, 60, 60, 60)
    job = running(artist, now, since=12, progress=0.675, first_step_at=now - timedelta(seconds=10))
    queue = api_queue(signed_in(artist), job)
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=48))
    assert queue["basis"]["method"] == "recent_durations"


def test_a_running_job_with_neither_progress_nor_history_has_no_estimate(artist, now) -> None:
    job = running(artist, now, since=3, progress=0.225, first_step_at=now)
    queue = api_queue(signed_in(artist), job)
    assert queue["estimated_finish"] is None and queue["basis"]["method"] == "none"


# --- occupancy: the next render starts beside the last output's post-processing (issue 16)


def rendered(artist: User, now: datetime, *, took: float, render: float, count: int = 3) -> None:
    """Recent first-attempt successes whose render took ``render`` of their ``took``."""
    for i in range(count):
        ended = now - timedelta(minutes=10 + i)
        succeeded(
            artist, took=took, ended=ended, rendered_at=ended - timedelta(seconds=took - render)
        )


def test_jobs_ahead_hold_their_worker_until_their_render_ends(artist, other_artist, now) -> None:
    rendered(artist, now, took=20, render=15)  # 15 s render, then 5 s in post beside the next
    running(other_artist, now, since=5)  # its render ends in about 10 s
    make_job(artist)  # ahead: 15 s of the worker
    mine = make_job(artist)
    queue = api_queue(signed_in(artist), mine)
    assert queue["position"] == 2
    assert queue["estimated_start"] == iso(now + timedelta(seconds=25))
    # Its finish: its whole run (render and post) after its start.
    assert queue["estimated_finish"] == iso(now + timedelta(seconds=45))
    assert queue["basis"]["typical_seconds"] == 20.0


@pytest.mark.parametrize(("slots", "occupied"), [(0, 20), (1, 16), (2, 8)])
def test_a_slow_post_processing_holds_the_worker_for_its_share_of_the_slots(
    artist, now, slots, occupied
) -> None:
    rendered(artist, now, took=20, render=4)  # 16 s in post: the next render waits for a slot
    make_job(artist)
    mine = make_job(artist)
    with override_settings(GENERATION_POST_PROCESSING_SLOTS=slots):
        queue = api_queue(signed_in(artist), mine)
    assert queue["estimated_start"] == iso(now + timedelta(seconds=occupied))


def test_runs_from_before_rendered_at_hold_the_worker_for_the_whole_run(artist, now) -> None:
    history(artist, now, 20, 20)  # no rendered_at: old rows
    rendered(artist, now, took=20, render=10, count=1)
    make_job(artist)
    mine = make_job(artist)
    assert api_queue(signed_in(artist), mine)["estimated_start"] == iso(
        now + timedelta(seconds=20)  # the median of 20, 20 and 10
    )


@pytest.mark.parametrize(("slots", "start"), [(1, 0), (0, 2)])
def test_a_running_job_in_post_has_freed_its_worker_unless_post_is_inline(
    artist, other_artist, now, slots, start
) -> None:
    rendered(artist, now, took=20, render=15)
    running(other_artist, now, since=18, progress=0.95, rendered_at=now - timedelta(seconds=3))
    mine = make_job(artist)
    with override_settings(GENERATION_POST_PROCESSING_SLOTS=slots):
        queue = api_queue(signed_in(artist), mine)
    # Inline (0 slots), its worker is busy until its run ends: 20 s after its start.
    assert queue["estimated_start"] == iso(now + timedelta(seconds=start))


@override_settings(GENERATION_WORKERS=2)
def test_a_worker_holding_several_running_jobs_is_one_worker(artist, other_artist, now) -> None:
    rendered(artist, now, took=20, render=15)
    # Worker w1: one output in post, the next render 5 s in (10 s left); w2 idle.
    running(other_artist, now, since=17, progress=0.95, worker="w1")
    running(other_artist, now, since=5, worker="w1")
    make_job(artist)  # to w2 at once: 0 -> 15
    mine = make_job(artist)  # to w1 when its render ends
    queue = api_queue(signed_in(artist), mine)
    assert queue["estimated_start"] == iso(now + timedelta(seconds=10))


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED])
def test_an_ended_job_has_no_queue(artist, now, status) -> None:
    job = make_job(
        artist, status=status, finished_at=now, started_at=now, progress=1.0,
        error_code="timeout" if status == JobStatus.FAILED else "",
    )  # fmt: skip
    assert queue_estimate(job=job) is None
    assert api_queue(signed_in(artist), job) is None
    assert b'id="job-queue"' not in signed_in(artist).get(f"/generations/{job.pk}/").content


# --- the page ---------------------------------------------------------------------------


def test_the_job_page_shows_the_place_and_the_times(artist, other_artist, now) -> None:
    history(artist, now, 20, 20, 20)
    make_job(other_artist)
    job = make_job(artist)
    page = signed_in(artist).get(f"/generations/{job.pk}/").content.decode()
    start, finish = now + timedelta(seconds=20), now + timedelta(seconds=40)
    assert '<strong id="queue-position">2</strong>' in page
    assert f"{start:%Y-%m-%d %H:%M} UTC" in page and f"{finish:%Y-%m-%d %H:%M} UTC" in page
    assert 'id="queue-no-estimate" hidden' in page
    assert "Estimated from 3 videos this model made in the last 7 days" in page


def test_staff_see_the_same_estimate_on_an_artists_job(artist, reviewer, now) -> None:
    history(artist, now, 20, 20, 20)
    job = make_job(artist)
    staff = Client()
    staff.force_login(reviewer)
    assert api_queue(staff, job) == api_queue(signed_in(artist), job)


# --- the status fast path gives the same bytes ---------------------------------------


def test_the_fast_path_answers_a_queued_job_with_the_same_estimate(
    artist, other_artist, now
) -> None:
    history(artist, now, 10, 30, 20, 25)
    succeeded(artist, took=500, ended=now - timedelta(days=30))  # too old
    succeeded(artist, took=500, ended=now - timedelta(minutes=1), attempt=2)  # retried
    succeeded(artist, took=40, ended=now - timedelta(minutes=3), model="other-model")
    succeeded(artist, took=40, ended=now - timedelta(minutes=4), model="other-model")
    succeeded(artist, took=40, ended=now - timedelta(minutes=5), model="other-model")
    running(other_artist, now, since=5)
    running(other_artist, now, since=2, model="other-model", progress=0.5,
            first_step_at=now - timedelta(seconds=1))  # fmt: skip
    make_job(other_artist, model="other-model", num_frames=13)  # another model's line
    make_job(artist)  # her own older jobs: ahead in the fair order
    make_job(artist, num_frames=13)
    make_job(artist, num_frames=13)
    mine = make_job(artist, num_frames=13)
    seen = now - timedelta(seconds=1)
    WorkerHeartbeat.objects.create(name="w:1", queues="gpu", started_at=seen, last_seen_at=seen)
    for client in (signed_in(artist), with_token(artist)[0]):
        fast, queries, _ = both(client, url(mine))
        assert fast.status_code == 200 and queries == FAST_QUERIES
        queue = fast.json()["queue"]
        assert queue["position"] == 4 and queue["estimated_start"] is not None
        assert queue["basis"]["workers_source"] == "live"


@pytest.mark.parametrize("history_seconds", [(), (30, 30, 30)])
def test_the_fast_path_answers_a_running_job_with_the_same_estimate(
    artist, now, history_seconds
) -> None:
    history(artist, now, *history_seconds)
    job = running(artist, now, since=8, progress=0.5, first_step_at=now - timedelta(seconds=4))
    fast, queries, _ = both(signed_in(artist), url(job))
    assert queries == FAST_QUERIES
    assert fast.json()["queue"]["estimated_finish"] is not None


def test_the_fast_path_without_history_says_no_estimate_as_the_whole_stack(artist, now) -> None:
    job = make_job(artist)
    fast, queries, _ = both(signed_in(artist), url(job))
    assert queries == FAST_QUERIES
    assert fast.json()["queue"]["basis"]["method"] == "none"


def test_the_fast_path_gives_the_same_occupancy_as_the_whole_stack(
    artist, other_artist, now
) -> None:
    history(artist, now, 30)  # an old row, no rendered_at
    rendered(artist, now, took=20, render=15)
    rendered(artist, now, took=12, render=2, count=2)
    running(other_artist, now, since=17, progress=0.95, worker="w1",
            rendered_at=now - timedelta(seconds=1))  # fmt: skip
    running(other_artist, now, since=3, progress=0.5, worker="w1",
            first_step_at=now - timedelta(seconds=2))  # fmt: skip
    running(other_artist, now, since=4, worker="w2")
    make_job(artist)
    mine = make_job(artist, num_frames=13)
    for slots in (0, 1, 2):
        with override_settings(GENERATION_POST_PROCESSING_SLOTS=slots):
            fast, queries, _ = both(signed_in(artist), url(mine))
        assert queries == FAST_QUERIES
        assert fast.json()["queue"]["estimated_start"] is not None


@pytest.mark.parametrize(("fraction", "rounded_up"), [(0.2, False), (0.7, True)])
def test_estimated_times_are_rounded_to_the_nearest_second_not_down(
    artist, monkeypatch: pytest.MonkeyPatch, fraction: float, rounded_up: bool
) -> None:
    """Truncating made every estimate up to a second early (issue 16's bench: waits of a
    few seconds came out 10-50 % early on that alone)."""
    whole = float(int(time.time()))
    now = datetime.fromtimestamp(hold_clocks(monkeypatch, at=whole + fraction), tz=UTC)
    history(artist, now, 10, 10, 10)
    make_job(artist)  # ahead: 10 s
    queue = api_queue(signed_in(artist), make_job(artist))
    expected = datetime.fromtimestamp(whole + 10 + (1 if rounded_up else 0), tz=UTC)
    assert queue["estimated_start"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
