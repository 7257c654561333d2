"""The portal pages for generation (no worker needed: jobs stay queued)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from cohorts.services import (
    cohort_set_allowed_modes,
    cohort_set_generation_limits,
    cohort_set_paused,
)
from jobs.models import Job, JobStatus
from tests.test_untranslated_pages import same_as_english
from tests.uploads.conftest import picture, upload
from uploads.models import InputImage, private_storage

pytestmark = pytest.mark.django_db

FORM = {
    "prompt": "a blue city at night",
    "duration_seconds": "5",
    "resolution": "720p",
    "aspect_ratio": "9:16",
}


def test_create_page_offers_only_the_cohorts_choices(client, artist):
    client.force_login(artist)
    html = client.get("/generations/new/").content.decode()
    assert (
        '<option value="2">2 seconds</option>' in html
        and '<option value="10">10 seconds</option>' in html
    )
    assert 'value="1080p"' not in html
    assert "7 of 7 generations left today" in html


def test_create_then_see_it_queued_in_my_list(client, artist, other_artist):
    client.force_login(artist)
    response = client.post("/generations/new/", FORM)
    job = Job.objects.get(artist=artist)
    assert response.status_code == 302 and response["Location"] == f"/generations/{job.pk}/"
    assert (job.resolution, job.aspect_ratio, job.duration_seconds) == ("720p", "9:16", 5)
    assert job.height > job.width
    detail = client.get(f"/generations/{job.pk}/").content.decode()
    assert (
        'id="job-progress"' in detail
        and f'data-status-url="/api/v1/generations/{job.pk}/"' in detail
    )
    assert ">Cancel</button>" in detail
    listing = client.get("/generations/").content.decode()
    assert f"/generations/{job.pk}/" in listing and "Queued" in listing
    client.force_login(other_artist)
    assert client.get(f"/generations/{job.pk}/").status_code == 404
    assert f"/generations/{job.pk}/" not in client.get("/generations/").content.decode()


def test_bad_input_shows_field_errors_and_queues_nothing(client, artist):
    client.force_login(artist)
    response = client.post(
        "/generations/new/", {**FORM, "prompt": "tab\x0bvertical", "duration_seconds": "7"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "control characters" in html
    assert "Select a valid choice" in html
    assert not Job.objects.exists()


def test_refused_prompt_shows_the_reason_on_the_prompt_field(client, artist):
    client.force_login(artist)
    response = client.post("/generations/new/", {**FORM, "prompt": "beheading scene, lots of gore"})
    assert response.status_code == 400
    assert "Graphic violence is outside this preview" in response.content.decode()
    assert response.context["form"].errors["prompt"]


def test_paused_cohort_is_explained_on_the_page(client, artist):
    cohort_set_paused(actor=None, cohort=artist.cohort, paused=True, reason="Maintenance")
    client.force_login(artist)
    assert (
        "Generation is paused for Wave 1: Maintenance"
        in client.get("/generations/new/").content.decode()
    )
    response = client.post("/generations/new/", FORM)
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_remix_prefills_the_form_from_an_earlier_job(client, artist):
    client.force_login(artist)
    client.post("/generations/new/", {**FORM, "seed": "99"})
    source = Job.objects.get()
    form = client.get(f"/generations/new/?remix={source.pk}").context["form"]
    assert form.initial["prompt"] == "a blue city at night"
    assert form.initial["seed"] == 99 and form.initial["aspect_ratio"] == "9:16"
    client.post(
        "/generations/new/", {**FORM, "prompt": "a blue city at dawn", "remix_of": source.pk}
    )
    assert Job.objects.filter(remix_of=source).count() == 1


def test_cancel_button_cancels_a_queued_job(client, artist):
    client.force_login(artist)
    client.post("/generations/new/", FORM)
    job = Job.objects.get()
    response = client.post(f"/generations/{job.pk}/cancel/", follow=True)
    assert "Cancel requested." in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED


def test_staff_do_not_see_the_create_page(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/generations/new/").status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"status": "running"},  # no lease, never claimed
        {"status": "succeeded", "finished_at": timezone.now()},  # progress < 1
        {"status": "failed", "finished_at": timezone.now()},  # no reason
        {"status": "canceled"},  # no finish time
        {"status": "exploded"},
        {"progress": 1.5},
        {"attempt": 9},
    ],
)
def test_database_refuses_impossible_jobs(client, artist, change):
    client.force_login(artist)
    client.post("/generations/new/", FORM)
    job = Job.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**change)


# Issue 17's modes on the create page: variations, storyboard, extend, end image.

ALL_MODES = ["text", "image", "extend", "storyboard"]


@pytest.fixture
def modes(settings, cohort):
    """Every mode allowed, and models for each (the tiny text and image models)."""
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v"]
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=ALL_MODES)
    return cohort


def stored_inputs() -> list[Path]:
    folder = Path(private_storage().path("inputs"))
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def shots(*given: tuple[str, str], images: dict[int, object] | None = None) -> dict:
    """The storyboard's fields as the page sends them without JavaScript: every shot's
    fieldset (three here, the cohort's most), the ones not given left empty."""
    form: dict[str, object] = {"mode": "storyboard", "resolution": "480p", "aspect_ratio": "16:9"}
    for index in range(3):
        prompt, duration = given[index] if index < len(given) else ("", "2")
        form[f"shots-{index}-prompt"] = prompt
        form[f"shots-{index}-duration_seconds"] = duration
    for index, image in (images or {}).items():
        form[f"shots-{index}-start_image"] = image
    # Sent but not a storyboard's: the single prompt and duration are left out.
    return {**form, "prompt": "", "duration_seconds": "5"}


def test_variations_are_offered_up_to_the_cohorts_limit_and_grouped(client, artist, cohort):
    cohort_set_generation_limits(actor=None, cohort=cohort, max_variations=3, max_shots=6)
    client.force_login(artist)
    page = client.get("/generations/new/").content.decode()
    assert '<select name="variations"' in page
    assert '<option value="3">3</option>' in page and 'value="4"' not in page
    response = client.post("/generations/new/", {**FORM, "variations": "3", "seed": "7"})
    first = Job.objects.get(artist=artist, variation_of=None)
    assert response.status_code == 302 and response["Location"] == f"/generations/{first.pk}/"
    jobs = list(Job.objects.filter(artist=artist).order_by("variation_index"))
    assert [(j.seed, j.variation_count) for j in jobs] == [(7, 3), (8, 3), (9, 3)]
    detail = client.get(response["Location"]).content.decode()
    assert "Your 3 videos are queued." in detail and "Variation 1 of 3:" in detail
    listing = client.get("/generations/").content.decode()
    assert all(f"variation {n} of 3" in listing for n in (1, 2, 3))
    # Above the cohort's limit: the service's refusal, on the field.
    refused = client.post("/generations/new/", {**FORM, "variations": "4"})
    assert refused.status_code == 400
    assert refused.context["form"].errors["variations"] == [
        "Your cohort allows at most 3 variations per submission."
    ]
    assert Job.objects.filter(artist=artist).count() == 3


def test_one_variation_is_a_plain_job(client, artist):
    client.force_login(artist)
    client.post("/generations/new/", {**FORM, "variations": "1"})
    job = Job.objects.get()
    assert (job.variation_count, job.variation_of) == (1, None)
    assert "variation 1 of 1" not in client.get("/generations/").content.decode()


def test_the_storyboard_page_has_every_shot_without_javascript(client, artist, modes):
    cohort_set_generation_limits(actor=None, cohort=modes, max_variations=4, max_shots=3)
    client.force_login(artist)
    page = client.get("/generations/new/").content.decode()
    assert '<option value="storyboard">Storyboard</option>' in page
    assert [n for n in range(1, 7) if f'id="shot-{n}"' in page] == [1, 2, 3]
    assert 'name="shots-2-start_image"' in page and 'enctype="multipart/form-data"' in page
    assert 'src="/static/js/create-form.js"' in page
    # Extend is offered from a video's own page, not here.
    assert 'value="extend"' not in page


def test_a_storyboard_from_the_page_leaves_out_the_empty_shots_at_the_end(client, artist, modes):
    cohort_set_generation_limits(actor=None, cohort=modes, max_variations=4, max_shots=3)
    client.force_login(artist)
    before = stored_inputs()
    response = client.post(
        "/generations/new/",
        shots(
            ("a lighthouse at dusk", "2"), ("the lamp turns", "5"), images={1: upload(picture())}
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get()
    assert job.mode == "storyboard" and job.duration_seconds == 7
    got = [(s.prompt, s.duration_seconds, s.model) for s in job.shots.all()]
    assert got == [("a lighthouse at dusk", 2, "tiny-wan"), ("the lamp turns", 5, "tiny-wan-i2v")]
    image = job.shots.get(position=1).start_image
    assert image is not None and image.owner == artist and image.used_at is not None
    assert len(stored_inputs()) == len(before) + 1
    detail = client.get(response["Location"]).content.decode()
    assert 'id="job-shots"' in detail and "the lamp turns" in detail
    # Remixing it fills in its shots again (their images must be given again).
    initial = client.get(f"/generations/new/?remix={job.pk}").context["form"].initial
    assert initial["mode"] == "storyboard" and initial["shots-1-prompt"] == "the lamp turns"
    assert initial["shots-1-duration_seconds"] == 5 and not initial["prompt"]


def test_a_storyboard_with_an_image_sent_twice_is_one_job(client, artist, modes):
    """Back, then Generate again: the same form (its key, its files) makes one job, and the
    shot's image is stored once (the service stores it, after every rule passed)."""
    cohort_set_generation_limits(actor=None, cohort=modes, max_variations=4, max_shots=3)
    client.force_login(artist)
    before = stored_inputs()
    sent = []
    for _ in range(2):
        form = shots(("a lighthouse at dusk", "2"), ("the lamp turns", "5"),
                     images={1: upload(picture())})  # fmt: skip
        sent.append(client.post("/generations/new/", {**form, "submission_key": "same-form"}))
    assert [r.status_code for r in sent] == [302, 302]
    assert sent[0]["Location"] == sent[1]["Location"]
    assert Job.objects.count() == 1
    assert len(stored_inputs()) == len(before) + 1


def test_a_shot_without_a_prompt_is_told_so_beside_it_and_nothing_is_kept(client, artist, modes):
    cohort_set_generation_limits(actor=None, cohort=modes, max_variations=4, max_shots=3)
    client.force_login(artist)
    before = stored_inputs()
    response = client.post(
        "/generations/new/",
        shots(("a lighthouse", "2"), ("", "2"), ("the sea", "5"), images={1: upload(picture())}),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["shots-1-prompt"]
    html = response.content.decode()
    shot_two = html[html.index('id="shot-2"') : html.index('id="shot-3"')]
    assert 'id="id_shots-1-prompt-error"' in shot_two and 'aria-invalid="true"' in shot_two
    assert 'aria-invalid="true"' not in html[: html.index('id="shot-2"')]
    # The start image stored for the second shot went again with the refusal.
    assert not Job.objects.exists() and not InputImage.objects.exists()
    assert stored_inputs() == before
    # What was typed is still there.
    assert "the sea</textarea>" in html


def test_a_shot_image_that_is_not_an_image_is_refused_on_that_shot(client, artist, modes):
    client.force_login(artist)
    before = stored_inputs()
    response = client.post(
        "/generations/new/",
        shots(
            ("a lighthouse", "2"),
            ("the lamp", "2"),
            images={0: upload(picture()), 1: upload(b"not a picture", "x.png")},
        ),
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["shots-1-start_image"]
    assert 'id="id_shots-1-start_image-error"' in response.content.decode()
    assert not InputImage.objects.exists() and stored_inputs() == before


def test_a_storyboard_of_one_shot_is_told_how_many_it_needs(client, artist, modes):
    client.force_login(artist)
    response = client.post("/generations/new/", shots(("a lighthouse", "2")))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "A storyboard has 2 to 6 shots; this one has 1."
    ]
    assert not Job.objects.exists()


def test_a_text_job_ignores_the_storyboards_fields(client, artist, modes):
    client.force_login(artist)
    response = client.post(
        "/generations/new/", {**FORM, "mode": "text", "shots-0-prompt": "left over"}
    )
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.mode == "text" and not job.shots.exists()


def test_extend_this_video_from_its_page(client, artist, other_artist, modes, make_output):
    parent = make_output(artist).job
    client.force_login(artist)
    detail = client.get(f"/generations/{parent.pk}/").content.decode()
    assert f'href="/generations/new/?extend={parent.pk}" id="extend-link"' in detail
    page = client.get(f"/generations/new/?extend={parent.pk}")
    html = page.content.decode()
    assert '<option value="extend" selected>Extend a video</option>' in html
    assert f'<input type="hidden" name="extends" value="{parent.pk}"' in html
    assert 'id="extend-parent"' in html and "(480p, 16:9)" in html
    assert page.context["form"].initial["prompt"] == parent.prompt
    response = client.post(
        "/generations/new/",
        {
            **FORM,
            "mode": "extend",
            "extends": str(parent.pk),
            "prompt": parent.prompt,
            "duration_seconds": "2",
            # Shown, but an extension keeps its video's: the service takes the parent's.
            "resolution": "720p",
            "aspect_ratio": "1:1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    child = Job.objects.get(extends=parent)
    assert (child.mode, child.resolution, child.aspect_ratio) == ("extend", "480p", "16:9")
    assert (child.width, child.height, child.fps) == (parent.width, parent.height, parent.fps)
    # Someone else's video is neither shown nor continued.
    client.force_login(other_artist)
    assert (
        'id="extend-parent"'
        not in client.get(f"/generations/new/?extend={parent.pk}").content.decode()
    )
    refused = client.post(
        "/generations/new/", {**FORM, "mode": "extend", "extends": str(parent.pk)}
    )
    assert refused.status_code == 400
    assert "No finished video of yours has this id." in refused.content.decode()
    assert Job.objects.filter(artist=other_artist).count() == 0


def test_no_extend_link_where_the_cohort_does_not_allow_it(client, artist, make_output):
    parent = make_output(artist).job
    client.force_login(artist)
    assert 'id="extend-link"' not in client.get(f"/generations/{parent.pk}/").content.decode()
    page = client.get(f"/generations/new/?extend={parent.pk}").content.decode()
    assert 'name="extends"' not in page and 'id="extend-parent"' not in page


def test_the_end_image_is_offered_where_a_model_can_end_on_one(client, artist, modes, settings):
    client.force_login(artist)
    assert 'name="end_image"' not in client.get("/generations/new/").content.decode()
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v", "tiny-wan-flf2v"]
    assert 'name="end_image"' in client.get("/generations/new/").content.decode()
    response = client.post(
        "/generations/new/",
        {
            **FORM,
            "resolution": "480p",
            "mode": "image",
            "start_image": upload(picture()),
            "end_image": upload(picture(size=(40, 64)), "end.png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get()
    assert job.model == "tiny-wan-flf2v" and job.end_image is not None
    assert job.end_image.owner == artist


def test_the_modes_pages_are_translated(client, artist, modes, make_output, settings):
    """The create page with every mode's fields (and errors), the job page with its
    Extend link and variations, My generations' grouping: no English left in French or
    Indonesian (the route walk's pages show none of these: its cohort has text alone)."""
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v", "tiny-wan-flf2v"]
    parent = make_output(artist).job
    client.force_login(artist)
    client.post("/generations/new/", {**FORM, "prompt": "nightfall", "variations": "2"})
    first = Job.objects.get(variation_count=2, variation_of=None)
    asks = [
        lambda: client.get(f"/generations/new/?extend={parent.pk}"),
        lambda: client.post(
            "/generations/new/", shots(("a lighthouse", "2"), ("", "2"), ("seafoam", "2"))
        ),
        lambda: client.get(f"/generations/{parent.pk}/"),
        lambda: client.get(f"/generations/{first.pk}/"),
        lambda: client.get("/generations/"),
    ]
    for ask in asks:
        pages = {}
        for language in ("en", "fr", "id"):
            User.objects.filter(pk=artist.pk).update(language=language)
            pages[language] = ask().content.decode()
        for language in ("fr", "id"):
            assert same_as_english(pages["en"], pages[language]) == [], language
