"""Issue 18: a reviewer clears the queue by keyboard alone, counting the keystrokes.

After the first page load nothing is clicked: ``a`` claims and approves, a digit picks a
reject reason and moves to the note, the note is typed, ``Ctrl+Enter`` claims and rejects;
each decision opens the next item, and the last one the queue. Target (issue 18): one
decision in at most two keystrokes plus the note. One item was flagged by the pre-screen
(the real classifier on its frames, plus the prompt policy's verdict): it shows blurred
until ``v`` reveals it, then ``a`` approves it.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.db import transaction
from playwright.sync_api import Browser, Page, expect

from moderation.models import ReviewDecision, ReviewItem, ReviewStatus
from moderation.reasons import reason_codes, reason_label
from moderation.services import review_item_screened
from screening.services import screen_frames
from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Item index -> (reason's number key, note). The notes hold letters and digits that are
# keys elsewhere on the page (a, c, n, r, 1-9): typed into the note they must stay text.
REJECTIONS = {
    1: ("2", "A crowd and 3 flares read as an explosion."),
    4: ("3", "Recognisably a real actor; 1 frame is enough."),
    8: ("6", "Rain banding in the last second; see frame 9."),
}
FLAGGED = 5  # flagged by the pre-screen: blurred until "v", then approved


def _flag(output) -> None:
    """The pre-screen as the worker runs it (the worker's own run is tests/screening's):
    the default classifier on the output's frames (make_output's grey ramp), joined with
    a prompt policy verdict, stored and audited in one transaction."""
    frames = np.tile(np.linspace(0, 255, 80, dtype=np.uint8)[None, None, :, None], (9, 48, 1, 3))
    result = screen_frames(frames=frames, prompt_code="graphic_violence")
    assert result.flagged and result.status == "screened"
    with transaction.atomic():
        review_item_screened(output=output, result=result)


class Keys:
    """The page's keyboard, counting keystrokes: a press (a key or a chord such as
    Control+Enter) is one, typed text one per character."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)


def test_ten_decisions_by_keyboard_alone(
    browser: Browser, live_server, artist, reviewer, make_output
):
    base = live_server.url
    outputs = [make_output(artist, prompt=f"shot {n} of a harbour") for n in range(10)]
    _flag(outputs[FLAGGED])
    items = [output.review for output in outputs]
    codes = reason_codes()

    rey = signed_in(browser, base, reviewer)
    rey.goto(f"{base}/staff/review/{items[0].pk}/")  # the only navigation not by keyboard
    help_list = rey.locator("#key-help")
    expect(help_list).to_contain_text("approve (claims the item if it is free)")
    expect(help_list).to_contain_text("Ctrl+Enter")
    # Each reason shows its number key beside it.
    for number, code in enumerate(codes, start=1):
        expect(rey.locator(f'#reason-keys [data-reason-key="{number}"]')).to_have_text(
            f"{number} {reason_label(code)}"
        )

    keys = Keys(rey)
    strokes: dict[int, int] = {}
    for index, item in enumerate(items):
        expect(rey.get_by_role("heading", level=1)).to_contain_text(f"Review #{item.pk}")
        expect(rey.locator("#review-status")).to_contain_text("Waiting for review")  # unclaimed
        rey.wait_for_load_state()  # the key script has run
        before = keys.count
        if index == FLAGGED:
            watch = rey.locator("#watch")
            expect(watch).to_have_class("screen-blurred")
            expect(rey.locator("#screening")).to_contain_text("prompt:graphic_violence")
            blur = "getComputedStyle(document.getElementById('review-video')).filter"
            assert "blur" in rey.evaluate(blur)
            keys.press("v")
            expect(watch).not_to_have_class("screen-blurred")
            expect(rey.locator("#screen-said")).to_have_text("Revealed.")
            assert rey.evaluate(blur) == "none"
        else:
            expect(rey.locator("#watch")).not_to_have_class("screen-blurred")
        if index in REJECTIONS:
            digit, note = REJECTIONS[index]
            keys.press(digit)
            expect(rey.get_by_label("Note to the artist")).to_be_focused()
            expect(rey.get_by_label("Reason", exact=True)).to_have_value(codes[int(digit) - 1])
            expect(rey.locator("#reason-picked")).to_contain_text(f"Reason {digit}: ")
            keys.type(note)
            expect(rey.get_by_label("Note to the artist")).to_have_value(note)
            keys.press("Control+Enter")
            done = "Rejected; the artist has been told why."
        else:
            keys.press("a")
            done = "Approved."
        strokes[index] = keys.count - before
        if index + 1 < len(items):
            rey.wait_for_url(f"{base}/staff/review/{items[index + 1].pk}/")
        else:
            rey.wait_for_url(f"{base}/staff/review/")
        expect(rey.get_by_text(done, exact=True)).to_be_visible()

    # One keystroke per approval (two for the flagged one: reveal first); a rejection is
    # two plus the note.
    for index in range(len(items)):
        if index in REJECTIONS:
            assert strokes[index] == 2 + len(REJECTIONS[index][1]), index
        else:
            assert strokes[index] == (2 if index == FLAGGED else 1), index
    assert sum(strokes.values()) == 11 + 3 + sum(len(note) for _, note in REJECTIONS.values())

    # The queue is where the reviewer ends, and it is empty.
    expect(rey.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(rey.locator("#queue-rows")).to_contain_text("Nothing waiting. Well done.")

    # Every item decided by this reviewer, with the outcome, reason and note keyed in.
    for index, item in enumerate(items):
        item.refresh_from_db()
        assert item.decided_by_id == reviewer.pk and item.claimed_by_id is None, index
        if index in REJECTIONS:
            digit, note = REJECTIONS[index]
            assert item.status == ReviewStatus.REJECTED, index
            assert (item.reason_code, item.note) == (codes[int(digit) - 1], note), index
        else:
            assert item.status == ReviewStatus.APPROVED, index
            assert (item.reason_code, item.note) == ("", ""), index
    assert ReviewDecision.objects.filter(item__in=items, reviewer=reviewer).count() == 10
    assert not ReviewItem.objects.filter(pk__in=[i.pk for i in items], status="claimed").exists()
