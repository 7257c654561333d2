"""A worker's render clock (``jobs.heartbeats.RenderClock``): its busy ratio and the gap
between renders, written with its heartbeat and shown by /metrics (issue 16 point 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jobs.heartbeats import (
    BUSY_WINDOW_SECONDS,
    RenderClock,
    worker_heartbeat_beat,
    worker_heartbeat_start,
)
from tests.observability.test_metrics import scrape


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_gaps_count_only_with_a_backlog_and_busy_is_the_share_rendering():
    clock = FakeClock()
    renders = RenderClock(clock=clock)
    queued_long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert renders.busy_ratio() == 0.0 and renders.gap_quantile(0.5) is None

    for gap in (0.02, 0.04, 0.5):  # render 1 s, then the next starts `gap` later
        renders.render_started(queued_at=queued_long_ago)
        clock.now += 1.0
        renders.render_ended()
        clock.now += gap
    renders.render_started(queued_at=queued_long_ago)
    clock.now += 1.0
    renders.render_ended()
    assert renders.gap_quantile(0.5) == pytest.approx(0.04)
    assert renders.gap_quantile(0.95) == pytest.approx(0.5)
    # 4 s rendering out of 4.56 s since the clock started.
    assert renders.busy_ratio() == pytest.approx(4.0 / 4.56)

    # A job queued after the last render ended: the worker was idle, not slow.
    clock.now += 30.0
    renders.render_started(queued_at=timezone.now() + timedelta(seconds=60))
    assert renders.gap_quantile(0.95) == pytest.approx(0.5)
    # The render under way counts; renders older than the window are forgotten.
    clock.now += 2.0
    assert renders.busy_ratio() == pytest.approx(6.0 / 36.56)
    renders.render_ended()
    clock.now += BUSY_WINDOW_SECONDS + 10
    assert renders.busy_ratio() == 0.0


@pytest.mark.django_db
def test_the_heartbeat_carries_the_clock_to_metrics(client):
    clock = FakeClock()
    renders = RenderClock(clock=clock)
    for _ in range(2):
        renders.render_started(queued_at=datetime(2020, 1, 1, tzinfo=UTC))
        clock.now += 3.0
        renders.render_ended()
        clock.now += 0.25
    worker_heartbeat_start(name="gpu0:1", queues=["gpu.tiny-wan"])
    assert worker_heartbeat_beat(name="gpu0:1", clock=renders)

    samples = scrape(client)
    assert samples[("vernissage_worker_busy_ratio", (("worker", "gpu0:1"),))] == pytest.approx(
        6.0 / 6.5
    )
    for quantile in ("0.5", "0.95"):
        key = (("quantile", quantile), ("worker", "gpu0:1"))
        assert samples[("vernissage_worker_render_gap_seconds", key)] == pytest.approx(0.25)
