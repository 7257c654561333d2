"""A video page left open past its links' lifetime keeps playing (issue 14.5): the player
gets fresh signed links from the API by itself, no reload (static/js/media-refresh.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TTL = 3  # seconds a signed media link lives in this test


def status_of(page: Page, url: str) -> int:
    return int(
        page.evaluate(
            "u => fetch(u, {headers: {Range: 'bytes=0-1'}, credentials: 'same-origin'})"
            ".then(r => r.status)",
            url,
        )
    )


def test_the_job_page_video_outlives_its_first_link(
    browser: Browser, live_server, artist, make_output, settings
):
    settings.MEDIA_URL_TTL_SECONDS = TTL
    output = make_output(artist)
    page = signed_in(browser, live_server.url, artist)
    page.goto(f"{live_server.url}/generations/{output.job_id}/")
    video = page.locator("#job-video")
    first = video.evaluate("v => v.src")
    # Paused and left open: the link is replaced before it dies, without a reload.
    page.wait_for_function(f"v => v.src !== {first!r}", arg=video.element_handle(), timeout=15_000)
    fresh = video.evaluate("v => v.src")
    page.wait_for_timeout((TTL + 1) * 1000)  # the first link has expired by now
    assert status_of(page, first) == 404
    # Playing and seeking work on the page as it is (the fresh link, refreshed again).
    duration = video.evaluate(
        "v => new Promise(r => { v.currentTime = 0.5; v.onseeked = () => r(v.duration); })"
    )
    assert duration > 0
    assert status_of(page, video.evaluate("v => v.src")) in (200, 206)
    assert fresh != first


def _published(artist, reviewer, make_output, visibility: str):
    from moderation.services import review_approve, review_claim
    from publishing.services import publication_create

    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    return publication_create(output=output, artist=artist, visibility=visibility)


def _outlives_its_first_link(page: Page, selector: str) -> None:
    """Anonymous, paused and left open: the link is replaced before it dies, without a
    reload; the first one then is dead and the page's current one plays and seeks."""
    video = page.locator(selector)
    first = video.evaluate("v => v.src")
    page.wait_for_function(f"v => v.src !== {first!r}", arg=video.element_handle(), timeout=15_000)
    page.wait_for_timeout((TTL + 1) * 1000)
    assert status_of(page, first) == 404
    duration = video.evaluate(
        "v => new Promise(r => { v.preload = 'auto'; v.currentTime = 0.5;"
        " v.onseeked = () => r(v.duration); })"
    )
    assert duration > 0
    assert status_of(page, video.evaluate("v => v.src")) in (200, 206)
    assert video.evaluate("v => v.poster") != ""


def test_an_unlisted_page_video_outlives_its_first_link(
    browser: Browser, live_server, artist, reviewer, make_output, settings
):
    settings.MEDIA_URL_TTL_SECONDS = TTL
    publication = _published(artist, reviewer, make_output, "link")
    page = browser.new_page()
    page.goto(f"{live_server.url}/s/{publication.slug}/")
    _outlives_its_first_link(page, "#shared-video")
    page.close()


def test_a_gallery_video_outlives_its_first_link(
    browser: Browser, live_server, artist, reviewer, make_output, settings
):
    settings.MEDIA_URL_TTL_SECONDS = TTL
    publication = _published(artist, reviewer, make_output, "gallery")
    page = browser.new_page()
    page.goto(f"{live_server.url}/gallery/")
    _outlives_its_first_link(page, f"#p{publication.pk} video")
    page.close()
