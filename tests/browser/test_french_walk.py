"""Issue 14's acceptance, in French: an invited artist signs up, signs the agreement,
creates two videos (the real worker, tiny model), has them approved, compares them on
"Mes générations" and downloads one, with a browser that asks for French.

The words the test looks for come from the catalogues (``fr``), not typed in here, so a
changed translation doesn't break the walk; a string left in English does.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from invitations.services import invitation_create
from jobs.models import Job, JobStatus
from moderation.models import ReviewItem
from moderation.services import review_approve, review_claim
from notifications.models import Notification, NotificationKind
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The portal's own English words on the pages this walk crosses: none may be left.
ENGLISH = [
    "Dashboard", "My generations", "Create a video", "Generate", "Sign out", "Welcome",
    "Your cohort", "Today's generations", "Accept and sign", "Binding text",
    "Type your full name", "Compare selected", "Compare videos", "Back to My generations",
    "Status", "Progress", "Succeeded", "Your video", "What you asked for", "Download the video",
    "Remix this", "Give feedback", "Negative prompt", "Duration", "Resolution",
    "Waiting for review", "Approved", "Restart", "Skip to content", "Password",
    "Sign Up", "Create", "Feedback", "Gallery", "Account", "Security",
]  # fmt: skip
STATUS_TIMEOUT_MS = 120_000


def fr(message: str, context: str | None = None, **values: object) -> str:
    """``message`` as the French catalogue has it (the project's or Django's/allauth's)."""
    with translation.override("fr"):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    assert text != message or message in {"Prompt"}, f"no French for {message!r}"
    return text % values if values else text


def in_french(page: Page) -> None:
    """The page is French: ``<html lang="fr">`` and none of the portal's English words."""
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    body = page.locator("body").inner_text()
    left = [phrase for phrase in ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", body)]
    assert left == [], f"{page.url}: English left on the page: {left}"


def create_video(page: Page, base: str, prompt: str) -> Job:
    page.get_by_role("link", name=fr("Create"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Create a video"))
    in_french(page)
    page.locator("#id_prompt").fill(prompt)
    page.locator("#id_duration_seconds").select_option(index=0)  # the shortest
    page.locator("#id_resolution").select_option(index=0)  # the smallest
    page.locator("#id_aspect_ratio").select_option("1:1")
    page.get_by_role("button", name=fr("Generate")).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/generations/\d+/$"))
    return Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def test_sign_up_create_compare_and_download_in_french(
    browser: Browser, live_server, cohort, nda, reviewer, gpu_worker
) -> None:
    base = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    token = invitation_create(
        inviter=None, email="amelie@example.com", cohort=cohort, send_email=False
    ).token

    # Sign-up, from the invitation link.
    page.goto(f"{base}/invitations/{token}/")
    expect(page).to_have_url(f"{base}/accounts/signup/")
    in_french(page)
    expect(page.locator("input[name=email]")).to_have_value("amelie@example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name=fr("Sign Up")).click()

    # The agreement, in French (its binding text stays English); accept it.
    expect(page).to_have_url(f"{base}/agreement/?next=%2F")
    in_french(page)
    expect(
        page.get_by_role("heading", name=fr("Binding text (%(language)s)", language=fr("English")))
    ).to_be_visible()
    page.get_by_label(fr("Type your full name to sign")).fill("Amélie Artiste")
    page.get_by_label(fr("I have read this agreement and accept it.")).check()
    page.get_by_role("button", name=fr("Accept and sign")).click()
    expect(page).to_have_url(f"{base}/")
    in_french(page)
    artist = User.objects.get(email="amelie@example.com")
    assert artist.language == "fr"  # the language it signed up in, for its emails

    # Two videos through the create form; each job page follows its job to the end.
    first = create_video(page, base, "un cerf-volant rouge au-dessus des dunes")
    in_french(page)
    second = create_video(page, base, "un cerf-volant bleu sur la neige")
    status = page.locator("#job-status-text")
    expect(status).to_have_text(fr("Succeeded"), timeout=STATUS_TIMEOUT_MS)
    expect(page.locator("#job-video")).to_be_visible()
    in_french(page)
    page.goto(f"{base}/generations/{first.pk}/")
    expect(status).to_have_text(fr("Succeeded"), timeout=STATUS_TIMEOUT_MS)
    assert set(Job.objects.filter(artist=artist).values_list("status", flat=True)) == {
        JobStatus.SUCCEEDED
    }

    # A reviewer approves both (the cohort's default: downloads once approved); the
    # artist is told in French.
    for job in (first, second):
        item = ReviewItem.objects.get(output__job=job)
        review_approve(item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer)
    told = Notification.objects.filter(user=artist, kind=NotificationKind.REVIEW_DECISION)
    assert sorted(told.values_list("message", flat=True)) == sorted(
        fr("Your video #%(job)s was approved. You can publish it now.", job=job.pk)
        for job in (first, second)
    )

    # "Mes générations": tick both, compare, play.
    page.get_by_role("link", name=fr("My generations"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("My generations"))
    in_french(page)
    for job in (first, second):
        page.get_by_label(fr("Compare job #%(id)s", id=job.pk), exact=True).check()
    page.get_by_role("button", name=fr("Compare selected")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Compare videos"))
    videos = page.locator("video.compare-video")
    expect(videos).to_have_count(2)
    play = page.get_by_role("button", name=fr("Play"))
    expect(play).to_be_visible()
    in_french(page)
    page.evaluate(
        """() => {
            window.started = [];
            document.querySelectorAll('video.compare-video').forEach(
                (v, i) => v.addEventListener('playing', () => window.started.push(i)));
        }"""
    )
    play.click()
    page.wait_for_function("() => window.started.includes(0) && window.started.includes(1)")

    # One job page, and its download: the stored file, byte for byte, named after the job.
    page.get_by_role("link", name=fr("Job #%(id)s", id=first.pk), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Job #%(id)s", id=first.pk))
    in_french(page)
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=fr("Download the video (MP4, signed and watermarked)")
        ).click()
    download = download_info.value
    assert download.suggested_filename == f"vernissage-{first.pk}.mp4"
    with open(download.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == first.output.sha256
    context.close()
