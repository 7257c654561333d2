"""An artist creates a video in the portal, watches it progress, and plays it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from jobs.models import Job
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_watch_progress_and_play(page: Page, live_server, artist, gpu_worker, settings):
    settings.GENERATION_MODELS = {
        **settings.GENERATION_MODELS,
        "tiny-wan": {**settings.GENERATION_MODELS["tiny-wan"], "steps": 60},
    }
    sign_in(page, live_server.url, artist)
    page.get_by_role("link", name="Create").click()
    page.get_by_label("Prompt", exact=True).fill("a gold horse running through a dark forest")
    page.get_by_label("Duration").select_option("5")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Aspect ratio").select_option("1:1")
    page.get_by_role("button", name="Generate").click()

    job = Job.objects.get(artist=artist)
    expect(page).to_have_url(f"{live_server.url}/generations/{job.pk}/")
    bar = page.locator("#job-progress")
    seen: list[float] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = float(bar.get_attribute("value") or bar.evaluate("b => b.value"))
        seen.append(value)
        if value >= 1.0 and page.locator("#job-video").count():
            break
        time.sleep(0.1)
    assert seen[-1] == 1.0, (seen[-5:], gpu_worker.log())
    assert any(0 < v < 1 for v in seen), "the bar never showed progress between 0 and 100 %"
    expect(page.get_by_role("status")).to_have_text("Succeeded")

    video = page.locator("#job-video")
    played = video.evaluate(
        """v => new Promise((resolve, reject) => {
            v.muted = true;
            v.addEventListener('timeupdate', () => {
                if (v.currentTime > 0) resolve(v.currentTime);
            });
            v.addEventListener('error', () => reject(new Error('media error ' + v.error.code)));
            v.play().catch(reject);
        })"""
    )
    assert played > 0
    assert video.evaluate("v => [v.videoWidth, v.videoHeight]") == [48, 48]


def test_field_errors_on_the_create_page(page: Page, live_server, artist):
    sign_in(page, live_server.url, artist)
    page.goto(f"{live_server.url}/generations/new/")
    page.get_by_label("Prompt", exact=True).fill("ring\x07")
    page.get_by_role("button", name="Generate").click()
    prompt = page.get_by_label("Prompt", exact=True)
    expect(prompt).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_prompt-error")).to_contain_text("control characters")
    assert not Job.objects.exists()
