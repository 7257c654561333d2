"""Issue 18: the review player, by keyboard alone. Custom controls replace the native ones
when the script runs: play/pause, one frame back/forward (1/fps), speeds 0.25x to 2x, loop,
and the filmstrip as a slider that seeks. No player key acts while typing in the note."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "#review-video"


def state(page: Page) -> dict:
    return page.locator(VIDEO).evaluate(
        "v => ({t: v.currentTime, rate: v.playbackRate, loop: v.loop, paused: v.paused,"
        " controls: v.controls, duration: v.duration})"
    )


def settled(page: Page, expected: float) -> None:
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{VIDEO}');"
        f" return !v.seeking && Math.abs(v.currentTime - {expected}) < 0.02; }}"
    )


def test_player_by_keyboard(browser: Browser, live_server, artist, reviewer, make_output):
    output = make_output(artist, prompt="a lighthouse turning")  # 9 frames at 8 fps
    item = output.review
    page = signed_in(browser, live_server.url, reviewer)
    page.goto(f"{live_server.url}/staff/review/{item.pk}/")
    expect(page.locator("#review-player")).to_be_visible()
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').readyState >= 1")
    start = state(page)
    assert start["controls"] is False and start["paused"] and start["t"] == 0
    frame = 1 / output.fps

    # Frame steps while paused: "." forward by 1/fps, "," back.
    page.keyboard.press(".")
    settled(page, frame)
    page.keyboard.press(".")
    settled(page, 2 * frame)
    page.keyboard.press(",")
    settled(page, frame)
    expect(page.locator("#player-time")).to_contain_text("frame 2 of 9")

    # Speeds: ">" faster up to 2x, "<" slower down to 0.25x; each change is said.
    said = page.locator("#player-said")
    page.keyboard.press(">")
    assert state(page)["rate"] == 1.5
    expect(said).to_have_text("Speed 1.5×")
    page.keyboard.press(">")
    page.keyboard.press(">")
    assert state(page)["rate"] == 2
    for _ in range(5):
        page.keyboard.press("<")
    assert state(page)["rate"] == 0.25
    expect(said).to_have_text("Speed 0.25×")
    expect(page.get_by_label("Speed")).to_have_value("0.25")

    # Loop on and off.
    loop = page.get_by_role("button", name="Loop")
    page.keyboard.press("l")
    assert state(page)["loop"] is True
    expect(loop).to_have_attribute("aria-pressed", "true")
    expect(said).to_have_text("Loop on")
    page.keyboard.press("l")
    assert state(page)["loop"] is False
    expect(said).to_have_text("Loop off")

    # k plays (at 0.25x), k pauses.
    page.keyboard.press("k")
    page.wait_for_function(f"() => !document.querySelector('{VIDEO}').paused")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.keyboard.press("k")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').paused")

    # The filmstrip: a focusable slider; arrows move one tile, Home/End to the ends.
    strip = page.get_by_role("slider", name="Position in the video")
    strip.focus()
    expect(strip).to_be_focused()
    duration = state(page)["duration"]
    tiles = output.filmstrip_frames
    page.keyboard.press("Home")
    settled(page, 0)
    page.keyboard.press("ArrowRight")
    settled(page, duration / tiles)
    page.keyboard.press("ArrowRight")
    settled(page, 2 * duration / tiles)
    page.keyboard.press("ArrowLeft")
    settled(page, duration / tiles)
    now = strip.get_attribute("aria-valuenow")
    assert now is not None and float(now) == pytest.approx(duration / tiles, abs=0.011)
    position = strip.evaluate("s => s.style.getPropertyValue('--position')")
    assert float(position) == pytest.approx(1 / tiles, abs=0.02)
    page.keyboard.press("End")
    settled(page, duration)
    # A click on the strip seeks to that place.
    box = strip.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settled(page, duration / 2)

    # Typing in the note: the letters and marks stay text; the player does nothing.
    before = state(page)
    note = page.get_by_label("Note to the artist")
    note.focus()
    page.keyboard.type("k. l, <>")
    expect(note).to_have_value("k. l, <>")
    after = state(page)
    assert (after["t"], after["rate"], after["loop"], after["paused"]) == (
        before["t"],
        before["rate"],
        before["loop"],
        before["paused"],
    )
    page.context.close()
