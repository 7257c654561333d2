"""Pre-screening on the review pages (issue 18): the queue filters flagged / not screened
items and orders by risk (keyset paged), flagged previews carry the blur class until
revealed, the item page and the staff API show the flags; staff only."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import transaction

from moderation.selectors import decode_risk_cursor, review_queue
from moderation.services import review_item_screened
from screening.services import screen_frames

pytestmark = pytest.mark.django_db

# make_output's frames: a grey ramp, 9 frames of 80x48.
FRAMES = np.ascontiguousarray(
    np.tile(np.linspace(0, 255, 80, dtype=np.uint8)[None, None, :, None], (9, 48, 1, 3))
)


def screened(output, **result):
    with transaction.atomic():
        return review_item_screened(output=output, result=screen_frames(frames=FRAMES, **result))


@pytest.fixture
def items(settings, artist, make_output):
    """Five items: flagged by the prompt policy (risk 100); flagged by the brightness
    classifier (risk 50); screened clean by NudeNet (risk 0); not screened (the classifier
    raised); made before pre-screening (no row)."""
    prompt_flagged, bright, clean, failed, old = (make_output(artist) for _ in range(5))
    screened(prompt_flagged, prompt_code="graphic_violence")
    screened(clean)
    settings.SCREEN_CLASSIFIER = "tests.screening.classifiers.brightness"
    settings.SCREEN_FLAG_LABELS = ["BRIGHT"]
    settings.SCREEN_FLAG_THRESHOLD = 40
    screened(bright)
    settings.SCREEN_CLASSIFIER = "tests.screening.classifiers.broken"
    screened(failed)
    return {
        "prompt": prompt_flagged.review, "bright": bright.review, "clean": clean.review,
        "failed": failed.review, "old": old.review,
    }  # fmt: skip


def ids(page) -> list[int]:
    return [item.pk for item in page.items]


def test_the_queue_filters_by_screening_and_orders_by_risk(items):
    everything = ids(review_queue())
    assert everything == sorted(everything) and len(everything) == 5
    assert set(ids(review_queue(screen="flagged"))) == {items["prompt"].pk, items["bright"].pk}
    assert ids(review_queue(screen="not_screened")) == [items["failed"].pk]
    by_risk = ids(review_queue(sort="risk"))
    # risk 100, 50, then the zeros by output id; the pre-screening item left out
    assert by_risk == [
        items["prompt"].pk, items["bright"].pk, items["clean"].pk, items["failed"].pk
    ]  # fmt: skip
    # Keyset pages of one walk the same order, each cursor from the page before.
    walked, after = [], None
    while True:
        page = review_queue(sort="risk", after_risk=after, limit=1)
        walked += ids(page)
        if page.next_cursor is None:
            break
        after = decode_risk_cursor(page.next_cursor)
    assert walked == by_risk
    assert ids(review_queue(sort="risk", screen="flagged")) == by_risk[:2]


def test_queue_page_marks_flags_blurs_flagged_previews_and_pages_by_risk(client, reviewer, items):
    client.force_login(reviewer)
    page = client.get("/staff/review/?sort=risk").content.decode()
    assert page.index(f"#{items['prompt'].pk}<") < page.index(f"#{items['bright'].pk}<")
    assert "flagged, risk 100" in page and "flagged, risk 50" in page
    assert "not screened" in page and "Highest pre-screen risk first" in page
    assert page.count('class="queue-preview screen-blurred"') == 2
    assert f"#{items['old'].pk}<" not in page
    flagged = client.get("/staff/review/?screen=flagged").content.decode()
    assert f"#{items['clean'].pk}<" not in flagged and f"#{items['prompt'].pk}<" in flagged
    # A bad value is ignored, not an error.
    assert client.get("/staff/review/?screen=bogus&sort=sideways").status_code == 200
    paged = client.get("/staff/review/?sort=risk&after=garbage")
    assert paged.status_code == 200


def test_item_page_blurs_a_flagged_video_until_revealed_and_shows_flags(client, reviewer, items):
    client.force_login(reviewer)
    flagged = client.get(f"/staff/review/{items['prompt'].pk}/").content.decode()
    assert 'id="watch" class="screen-blurred"' in flagged
    assert 'id="reveal-button"' in flagged and 'aria-keyshortcuts="v"' in flagged
    assert "prompt:graphic_violence" in flagged and "Risk 100 of 100" in flagged
    assert "js/screen-reveal.js" in flagged
    clean = client.get(f"/staff/review/{items['clean'].pk}/").content.decode()
    assert "screen-blurred" not in clean and 'id="reveal-button"' not in clean
    assert "nothing flagged, risk 0 of 100" in clean and "nudenet-320n/3.4.2" in clean
    failed = client.get(f"/staff/review/{items['failed'].pk}/").content.decode()
    assert "Not screened" in failed and "RuntimeError: model file unreadable" in failed
    old = client.get(f"/staff/review/{items['old'].pk}/").content.decode()
    assert "No pre-screen" in old


def test_the_staff_api_answers_the_screening(client, reviewer, program_admin, items):
    for user in (reviewer, program_admin):
        client.force_login(user)
        body = client.get(f"/api/v1/review/{items['prompt'].pk}/").json()
        assert body["screening"]["status"] == "screened"
        assert body["screening"]["risk_score"] == 100
        assert body["screening"]["flags"] == ["prompt:graphic_violence"]
        assert body["screening"]["classifier"] == "nudenet-320n/3.4.2"
        failed = client.get(f"/api/v1/review/{items['failed'].pk}/").json()["screening"]
        assert failed["status"] == "not_screened" and failed["flags"] == []
        assert failed["error"] == "RuntimeError: model file unreadable"
        assert client.get(f"/api/v1/review/{items['old'].pk}/").json()["screening"] is None


def test_only_staff_see_screenings(client, artist, outsider, items):
    for user in (artist, outsider):
        client.force_login(user)
        assert client.get("/staff/review/?screen=flagged").status_code in (302, 403)
        assert client.get("/staff/review/?sort=risk").status_code in (302, 403)
        assert client.get(f"/staff/review/{items['prompt'].pk}/").status_code in (302, 403)
        assert client.get(f"/api/v1/review/{items['prompt'].pk}/").status_code in (403, 404)
    # The artist's own view of the job never carries the screening.
    client.force_login(artist)
    job_id = items["prompt"].output.job_id
    body = client.get(f"/api/v1/generations/{job_id}/").content.decode()
    assert "screening" not in body and "graphic_violence" not in body
