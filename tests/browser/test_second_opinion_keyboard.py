"""Issue 18 point 3: second opinions are given by keyboard as reviews are (decision 0036):
on the blind page ``a`` claims and approves, a digit picks a reason and moves to the
note, ``Ctrl+Enter`` rejects (here on sampled approvals: agreeing, then disagreeing); each
opens the next second opinion, the last one the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from cohorts.services import cohort_set_second_opinion_share
from moderation.models import SecondOpinion, SecondOpinionStatus
from moderation.reasons import reason_codes
from moderation.services import review_approve, review_claim
from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Reads as a real 3-letter logo; compare frame 9."


def test_two_second_opinions_by_keyboard_alone(
    browser: Browser, live_server, artist, reviewer, second_reviewer, make_output
):
    assert artist.cohort is not None
    cohort_set_second_opinion_share(actor=None, cohort=artist.cohort, share=100)
    opinions = [
        review_approve(
            item=review_claim(item=make_output(artist, prompt=p).review, reviewer=second_reviewer),
            reviewer=second_reviewer,
        ).second_opinions.get()
        for p in ("a kite over dunes", "a lighthouse in fog")
    ]
    base = live_server.url
    rey = signed_in(browser, base, reviewer)
    rey.goto(f"{base}/staff/review/second-opinions/{opinions[0].pk}/")
    expect(rey.locator("#key-help")).to_contain_text("approve (claims it if it is free)")
    expect(rey.locator("body")).not_to_contain_text(second_reviewer.email)  # blind
    rey.wait_for_load_state()
    # The same player as on the item page: custom controls, speed by keyboard.
    expect(rey.locator("#review-player")).to_be_visible()
    expect(rey.locator("#player-strip img")).to_have_count(1)
    rey.keyboard.press(">")
    expect(rey.locator("#player-speed")).to_have_value("1.5")
    rey.keyboard.press("a")
    rey.wait_for_url(f"{base}/staff/review/second-opinions/{opinions[1].pk}/")
    expect(rey.get_by_text("Second opinion recorded: agreed.", exact=True)).to_be_visible()
    rey.wait_for_load_state()
    rey.keyboard.press("3")
    expect(rey.get_by_label("Note for the program admin")).to_be_focused()
    rey.keyboard.type(NOTE)
    rey.keyboard.press("Control+Enter")
    rey.wait_for_url(f"{base}/staff/review/second-opinions/")
    expect(rey.locator("#second-opinion-queue")).to_contain_text("Nothing waiting.")

    first, second = (SecondOpinion.objects.get(pk=o.pk) for o in opinions)
    assert (first.status, first.second_reviewer_id) == (SecondOpinionStatus.AGREED, reviewer.pk)
    assert second.status == SecondOpinionStatus.DISAGREED
    assert (second.reason_code, second.note) == (reason_codes()[2], NOTE)
