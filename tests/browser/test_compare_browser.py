"""Compare in a real browser (issue 14): pick two real outputs on My generations, then one
Play starts both videos and the one position slider moves both (static/js/compare-sync.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEOS = "document.querySelectorAll('video.compare-video')"


def test_play_and_scrub_drive_both_videos(browser: Browser, live_server, artist, make_output):
    first = make_output(artist, prompt="a red kite over dunes")
    second = make_output(artist, prompt="a blue kite over snow")
    page = signed_in(browser, live_server.url, artist)
    page.goto(f"{live_server.url}/generations/")
    # The posters come through the media door and load (lazily) as images.
    posters = page.get_by_role("img", name="Poster of job #")
    expect(posters).to_have_count(2)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('img.thumb'))"
        ".every(i => i.complete && i.naturalWidth === 80)"
    )
    page.get_by_label(f"Compare job #{first.job_id}").check()
    page.get_by_label(f"Compare job #{second.job_id}").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare videos")
    assert f"job={second.job_id}" in page.url and f"job={first.job_id}" in page.url
    videos = page.locator("video.compare-video")
    expect(videos).to_have_count(2)
    # The script took over: one control set, the videos' own controls gone.
    play = page.get_by_role("button", name="Play")
    expect(play).to_be_visible()
    assert page.evaluate(f"Array.from({VIDEOS}).map(v => v.controls)") == [False, False]

    page.evaluate(
        f"""() => {{
            window.started = [];
            {VIDEOS}.forEach((v, i) => v.addEventListener('playing', () => window.started.push(i)));
        }}"""
    )
    play.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    page.wait_for_function("() => window.started.includes(0) && window.started.includes(1)")
    page.wait_for_function(f"() => Array.from({VIDEOS}).every(v => v.currentTime > 0)")
    # The clips are about a second long: they end together and Play is offered again.
    page.wait_for_function(f"() => Array.from({VIDEOS}).every(v => v.ended)")
    expect(page.get_by_role("button", name="Play")).to_be_visible()

    scrubber = page.get_by_label("Position")
    scrubber.fill("0.5")
    page.wait_for_function(
        f"() => Array.from({VIDEOS}).every(v => Math.abs(v.currentTime - 0.5) < 0.01 && !v.seeking)"
    )
    assert page.evaluate(f"Array.from({VIDEOS}).map(v => v.paused)") == [True, True]
    expect(page.locator("#compare-time")).to_contain_text("0.50")

    # Restart plays both again from the start.
    page.evaluate("window.started = []")
    page.get_by_role("button", name="Restart").click()
    page.wait_for_function("() => window.started.includes(0) && window.started.includes(1)")


def test_a_bad_pick_shows_the_error_not_a_video(browser: Browser, live_server, artist, make_output):
    only = make_output(artist)
    page = signed_in(browser, live_server.url, artist)
    page.goto(f"{live_server.url}/generations/")
    page.get_by_label(f"Compare job #{only.job_id}").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator("#compare-errors")).to_contain_text("Pick at least 2 of your videos")
    expect(page.locator("video")).to_have_count(0)
