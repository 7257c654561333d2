"""An artist files a bug with a screenshot; staff accept it; the artist sees the new
status and the credit on their ledger."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bug_with_screenshot_accepted_and_credited(
    browser: Browser, live_server, artist, reviewer, program_admin, tmp_path
):
    from ledger.services import rate_card_create, rate_card_publish

    card = rate_card_create(
        admin=program_admin, effective_at=timezone.now(), rates={"bug:high": "25.00"}, version=1
    )
    rate_card_publish(admin=program_admin, card=card)
    screenshot = tmp_path / "freeze.png"
    image = Image.new("RGB", (320, 200), (20, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    screenshot.write_bytes(buffer.getvalue())
    base = live_server.url

    alice = signed_in(browser, base, artist)
    alice.get_by_role("link", name="Feedback", exact=True).click()
    alice.get_by_role("link", name="a bug report").click()
    alice.get_by_label("Title").fill("Player freezes on second play")
    alice.get_by_label("Steps to reproduce").fill("Open a finished job\nPress play twice")
    alice.get_by_label("What you expected").fill("The video plays again")
    alice.get_by_label("What happened").fill("The player freezes")
    alice.get_by_label("Severity").select_option("high")
    alice.get_by_label("Screenshots (PNG, JPEG or WebP; up to 5, 5 MB each)").set_input_files(
        str(screenshot)
    )
    alice.get_by_role("button", name="Send").click()
    expect(alice.locator("#feedback-status")).to_have_text("New")
    item_url = alice.url

    rey = signed_in(browser, base, reviewer)
    rey.get_by_role("link", name="Feedback triage").click()
    rey.get_by_role("link", name="Player freezes on second play").click()
    expect(rey.get_by_text("Screenshots")).to_be_visible()
    rey.get_by_label("New status").select_option("accepted")
    rey.get_by_label("Reply to the reporter").fill("Reproduced; fix in the next release.")
    rey.get_by_role("button", name="Change status").click()
    expect(rey.get_by_text("Status changed; the reporter has been told.")).to_be_visible()

    alice.goto(item_url)
    expect(alice.locator("#feedback-status")).to_have_text("Accepted")
    expect(alice.locator("#feedback-reply")).to_have_text("Reproduced; fix in the next release.")
    alice.get_by_role("link", name="Ledger").click()
    expect(alice.locator("#balance")).to_have_text("25.00 EUR")
    expect(alice.locator("#entries")).to_contain_text("Player freezes on second play")
