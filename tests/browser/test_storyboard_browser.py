"""A two-shot storyboard made in a real browser (issue 17's acceptance): the artist picks
Storyboard on the create page (static/js/create-form.js shows two shots, and Add shot /
Remove shot by keyboard), gives the second shot a start image, and plays the result: one
video cut from both shots by a real worker serving the tiny text and image models."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from cohorts.services import cohort_set_allowed_modes
from jobs.models import Job, JobStatus
from tests.browser.helpers import sign_in
from tests.browser.test_accessibility import FAILING, axe_context, axe_violations, describe
from tests.uploads.conftest import picture
from tests.workers import WorkerProcess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODELS = ["tiny-wan", "tiny-wan-i2v"]


@pytest.fixture
def storyboard_worker(django_db_setup, settings) -> Iterator[WorkerProcess]:
    """A worker on this test's own queue serving the tiny text and image models."""
    for name in MODELS:
        source = Path(str(settings.GENERATION_MODELS[name]["source"]))
        if not (source / "model_index.json").exists():
            call_command("build_tiny_model", model=name)
    settings.GENERATION_ENABLED_MODELS = MODELS
    settings.GENERATION_QUEUE = f"gpu-storyboard-{time.monotonic_ns()}"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="storyboard",
    )
    worker.env.update(VERNISSAGE_MODELS=",".join(MODELS), VERNISSAGE_WORKER_MODELS=",".join(MODELS))
    worker.start()
    yield worker
    worker.stop()


def test_a_two_shot_storyboard_with_a_start_image_plays(
    page: Page, live_server, artist, cohort, storyboard_worker
):
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image", "storyboard"])
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, artist)
    page.get_by_role("link", name="Create").click()

    page.get_by_label("Start from").select_option("storyboard")
    # The script shows the storyboard's fields only, two shots to begin with.
    expect(page.locator("#id_prompt")).to_be_hidden()
    expect(page.locator("#image-inputs")).to_be_hidden()
    shots = page.locator("fieldset.shot")
    expect(shots.nth(0)).to_be_visible()
    expect(shots.nth(1)).to_be_visible()
    expect(shots.nth(2)).to_be_hidden()
    # Add shot and Remove shot work from the keyboard; a new shot's prompt takes focus.
    add = page.get_by_role("button", name="Add shot")
    remove = page.get_by_role("button", name="Remove shot")
    expect(remove).to_be_disabled()
    add.focus()
    page.keyboard.press("Enter")
    third = page.get_by_role("group", name="Shot 3")
    expect(third).to_be_visible()
    expect(third.get_by_label("Prompt")).to_be_focused()
    page.keyboard.type("a shot to drop")
    remove.focus()
    page.keyboard.press("Enter")
    expect(shots.nth(2)).to_be_hidden()
    expect(page.locator("#id_shots-2-prompt")).to_have_value("")  # emptied: left out
    expect(add).to_be_focused()  # Remove is disabled again at two shots

    first = page.get_by_role("group", name="Shot 1")
    first.get_by_label("Prompt").fill("a lighthouse at dusk")
    first.get_by_label("Duration").select_option("2")
    second = page.get_by_role("group", name="Shot 2")
    second.get_by_label("Prompt").fill("the lamp turns")
    second.get_by_label("Duration").select_option("2")
    second.get_by_label("Start image (optional)").set_input_files(
        {"name": "lamp.png", "mimeType": "image/png", "buffer": picture(size=(96, 64))}
    )
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Aspect ratio").select_option("16:9")
    page.get_by_role("button", name="Generate").click()

    expect(page).to_have_url(re.compile(r"/generations/\d+/$"))
    job = Job.objects.get(artist=artist)
    assert page.url == f"{live_server.url}/generations/{job.pk}/"
    assert job.mode == "storyboard"
    assert [(s.prompt, s.start_image_id is not None) for s in job.shots.all()] == [
        ("a lighthouse at dusk", False),
        ("the lamp turns", True),
    ]
    # The page follows the job and reloads once it has its video.
    expect(page.locator("#job-video")).to_be_visible(timeout=180_000)
    expect(page.locator("#job-status-text")).to_have_text("Succeeded")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, storyboard_worker.log())
    shot_list = page.locator("#job-shots li")
    expect(shot_list).to_have_count(2)
    expect(shot_list.nth(0)).to_contain_text("a lighthouse at dusk")
    expect(shot_list.nth(1)).to_contain_text("the lamp turns")
    expect(page.get_by_role("img", name="Start image of shot 2")).to_be_visible()

    video = page.locator("#job-video")
    duration = video.evaluate(
        """v => new Promise((resolve, reject) => {
            if (v.readyState >= 1) return resolve(v.duration);
            v.addEventListener('loadedmetadata', () => resolve(v.duration));
            v.addEventListener('error', () => reject(new Error('media error ' + v.error.code)));
            v.load();
        })"""
    )
    # Both shots, one after the other: two seconds each.
    assert duration > 2
    played = video.evaluate(
        """v => new Promise((resolve, reject) => {
            v.muted = true;
            const from = v.currentTime;
            v.addEventListener('timeupdate', () => {
                if (v.currentTime > from) resolve(v.currentTime - from);
            });
            v.addEventListener('error', () => reject(new Error('media error ' + v.error.code)));
            v.play().catch(reject);
        })"""
    )
    assert played > 0
    assert problems == []


def test_the_create_page_in_each_mode_has_no_serious_violation(
    browser: Browser, live_server, artist, cohort, make_output, settings
):
    """axe-core over the create page as the script shows it for each mode, with a
    storyboard's errors, and continuing a video (tests/browser/test_accessibility.py
    checks the page as the route walk's text-only cohort sees it)."""
    settings.GENERATION_ENABLED_MODELS = [*MODELS, "tiny-wan-flf2v"]
    cohort_set_allowed_modes(
        actor=None, cohort=cohort, modes=["text", "image", "extend", "storyboard"]
    )
    parent = make_output(artist).job
    context = axe_context(browser, live_server.url, artist)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: list[str] = []
    try:
        page.goto(f"{live_server.url}/generations/new/?extend={parent.pk}")
        for mode in ("extend", "text", "image", "storyboard"):
            page.get_by_label("Start from").select_option(mode)
            found += [describe(mode, v) for v in axe_violations(page) if v["impact"] in FAILING]
        page.get_by_role("group", name="Shot 2").get_by_label("Prompt").fill("a second shot")
        page.get_by_role("button", name="Generate").click()  # the first shot has no prompt
        page.locator("#id_shots-0-prompt-error").wait_for()
        found += [describe("errors", v) for v in axe_violations(page) if v["impact"] in FAILING]
    finally:
        context.close()
    assert found == []
