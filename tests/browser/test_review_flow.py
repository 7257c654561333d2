"""Reject with a reason, appeal, approve by a second reviewer, publish, see it in public."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reject_appeal_approve_publish_gallery(
    browser: Browser, live_server, artist, reviewer, second_reviewer, make_output
):
    base = live_server.url
    output = make_output(artist, prompt="a lantern festival over water")
    item_id, job_id = output.review.pk, output.job_id

    # A reviewer claims the item from the queue, watches it, and rejects it with a reason.
    rey = signed_in(browser, base, reviewer)
    rey.get_by_role("link", name="Review queue").click()
    rey.get_by_role("link", name=f"#{item_id}").click()
    expect(rey.get_by_role("heading", level=1)).to_contain_text(f"Review #{item_id}")
    rey.wait_for_load_state()  # the shortcut script is loaded
    rey.keyboard.press("c")  # shortcut: claim
    expect(rey.locator("#review-status")).to_contain_text("Being reviewed by rey@studio.example")
    rey.wait_for_load_state()
    video = rey.locator("#review-video")
    duration = video.evaluate(
        "v => new Promise(r => { if (v.readyState >= 1) r(v.duration); "
        "else v.onloadedmetadata = () => r(v.duration); })"
    )
    assert duration > 0
    rey.keyboard.press("r")  # shortcut: focus the reason
    expect(rey.get_by_label("Reason")).to_be_focused()
    rey.get_by_label("Reason").select_option("content_policy")
    rey.get_by_label("Note to the artist").fill("The fireworks read as explosions in a crowd.")
    rey.get_by_role("button", name="Reject").click()

    # The artist sees the reason and note, and appeals.
    alice = signed_in(browser, base, artist)
    expect(alice.get_by_role("link", name=f"Your video #{job_id} was not approved")).to_be_visible()
    alice.goto(f"{base}/generations/{job_id}/")
    expect(alice.locator("#review-reason")).to_have_text("Outside the preview's content policy")
    expect(alice.locator("#review-note")).to_have_text(
        "The fireworks read as explosions in a crowd."
    )
    alice.get_by_label("Why should the decision change?").fill(
        "They are lanterns, not fireworks; nobody is hurt."
    )
    alice.get_by_role("button", name="Appeal").click()
    expect(alice.locator("#review-status-text")).to_contain_text("Appealed")

    # The first reviewer may not decide the appeal; a second one approves it.
    rey.goto(f"{base}/staff/review/{item_id}/")
    rey.get_by_role("button", name="Claim").click()
    expect(rey.get_by_text("a different reviewer must decide the appeal")).to_be_visible()
    sam = signed_in(browser, base, second_reviewer)
    sam.goto(f"{base}/staff/review/?appeals=1")
    sam.get_by_role("link", name=f"#{item_id}").click()
    sam.get_by_role("button", name="Claim").click()
    expect(sam.locator("#review-status")).to_contain_text("Being reviewed by sam@studio.example")
    sam.wait_for_load_state()
    sam.keyboard.press("a")  # shortcut: approve
    expect(sam.get_by_text("Approved.")).to_be_visible()

    # The artist publishes to the gallery; an anonymous visitor watches it there.
    alice.goto(f"{base}/generations/{job_id}/")
    expect(alice.locator("#review-status-text")).to_contain_text("Approved")
    alice.get_by_label("Public gallery").check()
    alice.get_by_role("button", name="Publish").click()
    expect(alice.get_by_text("Published (Public gallery)")).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(f"{base}/gallery/")
    card = visitor.locator("figure.card").first
    # Never the name signed on the NDA: the neutral byline until a public credit is set.
    expect(card).to_contain_text("An invited artist")
    expect(card).not_to_contain_text("Alice Artist")
    expect(card).to_contain_text("a lantern festival over water")
    duration = card.locator("video").evaluate(
        "v => new Promise((resolve, reject) => { v.onloadedmetadata = () => resolve(v.duration); "
        "v.onerror = () => reject(new Error('media error')); v.load(); })"
    )
    assert duration > 0
