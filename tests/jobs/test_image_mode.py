"""Image to video at submit (issue 17): the mode, the start image (an upload id or a file
sent with the submission), the cohort's modes, and every bad input a field error that
leaves nothing behind. The worker side: tests/jobs/test_image_to_video_flow.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cohorts.services import cohort_set_allowed_modes
from jobs.models import GenerationMode, Job
from jobs.selectors import quota_used_today
from tests.uploads.conftest import picture, upload
from uploads.models import InputImage, private_storage
from uploads.services import input_image_upload

pytestmark = pytest.mark.django_db

FIELDS = {"prompt": "a lighthouse at dusk", "duration_seconds": 2, "resolution": "480p",
          "aspect_ratio": "16:9", "seed": 3}  # fmt: skip


@pytest.fixture
def image_mode(settings, cohort):
    """The i2v model offered and the cohort allowed to use image mode."""
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v"]
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image"])
    return cohort


def stored_inputs() -> list[Path]:
    folder = Path(private_storage().path("inputs"))
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def post(client, artist, **extra):
    client.force_login(artist)
    return client.post("/api/v1/generations/", {**FIELDS, **extra}, content_type="application/json")


def post_multipart(client, artist, **extra):
    client.force_login(artist)
    return client.post("/api/v1/generations/", {**FIELDS, **extra})


def test_a_text_client_is_unchanged(client, artist, image_mode):
    response = post(client, artist)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mode"] == "text" and body["start_image"] is None and body["model"] == "tiny-wan"


def test_image_mode_from_an_upload_id(client, artist, image_mode):
    image = input_image_upload(owner=artist, upload=upload(picture()))
    response = post(client, artist, mode="image", start_image=image.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    # No model named: the first offered model that takes a start image.
    assert (body["mode"], body["start_image"], body["model"]) == ("image", image.pk, "tiny-wan-i2v")
    job = Job.objects.get(pk=body["id"])
    assert job.start_image == image
    image.refresh_from_db()
    assert image.used_at is not None  # kept from now on
    # The same upload may start another job.
    again = post(client, artist, mode="image", start_image=image.pk, seed=4)
    assert again.status_code == 201, again.content


def test_image_mode_from_a_file_sent_with_the_submission(client, artist, image_mode):
    before = stored_inputs()
    response = post_multipart(
        client, artist, mode="image", start_image=upload(picture("JPEG"), "x.jpg", "image/jpeg")
    )
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.mode == GenerationMode.IMAGE and job.start_image is not None
    assert job.start_image.owner == artist and job.start_image.used_at is not None
    assert job.start_image.content_type == "image/jpeg"
    assert len(stored_inputs()) == len(before) + 1


def test_a_mode_the_cohort_does_not_allow_is_403_with_its_code(client, artist, settings):
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v"]
    image = input_image_upload(owner=artist, upload=upload(picture()))
    response = post(client, artist, mode="image", start_image=image.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "mode_not_allowed"
    assert not Job.objects.exists()
    image.refresh_from_db()
    assert image.used_at is None


def _bad_file(kind: str) -> SimpleUploadedFile:
    if kind == "gif":
        return upload(picture("GIF"), "x.png")  # named and declared as a PNG
    return upload(picture(size=(4200, 4200)), "huge.png")  # 17.6 megapixels > 16


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"mode": "sketch"}, "mode", "invalid_choice"),
        ({"mode": "extend"}, "extends", "required"),
        ({"mode": "image"}, "start_image", "required"),
        ({"mode": "text", "start_image": "OWN"}, "start_image", "not_for_mode"),
        ({"start_image": "OWN"}, "start_image", "not_for_mode"),
        ({"mode": "image", "start_image": "OTHERS"}, "start_image", "not_found"),
        ({"mode": "image", "start_image": 999_999}, "start_image", "not_found"),
        ({"mode": "image", "start_image": "OWN", "model": "tiny-wan"}, "model",
         "mode_not_supported"),
        ({"mode": "text", "model": "tiny-wan-i2v"}, "model", "mode_not_supported"),
        ({"mode": "image", "start_image": "gif"}, "start_image", "unsupported_type"),
        ({"mode": "image", "start_image": "huge"}, "start_image", "too_many_pixels"),
    ],
)  # fmt: skip
def test_every_bad_input_is_a_field_error_that_leaves_nothing(
    client, artist, other_artist, image_mode, extra, field, code
):
    own = input_image_upload(owner=artist, upload=upload(picture()))
    others = input_image_upload(owner=other_artist, upload=upload(picture()))
    files_before = stored_inputs()
    extra = dict(extra)
    if extra.get("start_image") in ("gif", "huge"):
        extra["start_image"] = _bad_file(extra["start_image"])
        response = post_multipart(client, artist, **extra)
    else:
        ids = {"OWN": own.pk, "OTHERS": others.pk}
        if extra.get("start_image") in ids:
            extra["start_image"] = ids[extra["start_image"]]
        response = post(client, artist, **extra)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["fields"][field][0]["code"] == code, body
    assert not Job.objects.exists()
    assert quota_used_today(user=artist) == 0
    assert set(InputImage.objects.values_list("pk", "used_at")) == {
        (own.pk, None),
        (others.pk, None),
    }
    assert stored_inputs() == files_before


def test_a_file_sent_with_a_refused_submission_is_not_kept(client, artist, image_mode):
    image_mode.daily_generation_quota = 0
    image_mode.save(update_fields=["daily_generation_quota"])
    files_before = stored_inputs()
    response = post_multipart(client, artist, mode="image", start_image=upload(picture()))
    assert response.status_code == 429
    assert not Job.objects.exists() and not InputImage.objects.exists()
    assert stored_inputs() == files_before


def test_a_refused_prompt_keeps_no_file_either(client, artist, image_mode, settings):
    settings.PROMPT_POLICY_RULES = [
        {"code": "no_lighthouses", "pattern": "lighthouse", "message": "No lighthouses."}
    ]
    files_before = stored_inputs()
    response = post_multipart(client, artist, mode="image", start_image=upload(picture()))
    assert response.status_code == 400 and response.json()["code"] == "prompt_refused"
    assert not InputImage.objects.exists() and stored_inputs() == files_before


def test_the_schema_describes_every_modes_fields(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]

    def named(ref: str) -> dict:
        return components[ref.rsplit("/", 1)[1]]

    body = schema["paths"]["/api/v1/generations/"]["post"]["requestBody"]["content"]
    json_fields = named(body["application/json"]["schema"]["$ref"])["properties"]
    assert "mode" in json_fields and "start_image" in json_fields
    # Issue 17: an end image, an extension's video, variations and a storyboard's shots.
    assert json_fields["end_image"]["type"] == "integer"
    assert json_fields["extends"]["type"] == "integer"
    assert "not_found" in json_fields["extends"]["description"]
    assert json_fields["variations"]["type"] == "integer"
    assert json_fields["variations"]["default"] == 1
    assert "above_cohort_limit" in json_fields["variations"]["description"]
    assert json_fields["shots"]["type"] == "array"
    shot = named(json_fields["shots"]["items"]["$ref"])
    assert set(shot["properties"]) == {"prompt", "duration_seconds", "start_image"}
    assert set(shot["required"]) == {"prompt", "duration_seconds"}
    assert "shots[i].<field>" in json_fields["shots"]["description"]
    # A form sends images as files, and a storyboard's shots as JSON text.
    form_fields = named(body["multipart/form-data"]["schema"]["$ref"])["properties"]
    assert form_fields["start_image"]["format"] == form_fields["end_image"]["format"] == "binary"
    assert form_fields["shots"]["type"] == "string"
    assert {"variations", "extends"} <= set(form_fields)
    # The answer says what was made of them.
    responses = schema["paths"]["/api/v1/generations/"]["post"]["responses"]
    answer = named(responses["201"]["content"]["application/json"]["schema"]["$ref"])
    assert {"end_image", "extends", "variation_of", "variation_index", "shots",
            "variations"} <= set(answer["properties"])  # fmt: skip


def test_the_create_page_offers_only_the_cohorts_modes(client, artist, settings, cohort):
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v"]
    client.force_login(artist)
    page = client.get("/generations/new/").content.decode()
    assert 'type="file"' not in page and 'type="hidden" name="mode"' in page
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image"])
    page = client.get("/generations/new/").content.decode()
    assert 'name="start_image"' in page and 'enctype="multipart/form-data"' in page
    assert '<option value="image"' in page and 'value="extend"' not in page


def test_the_create_page_submits_an_image_job(client, artist, image_mode):
    client.force_login(artist)
    response = client.post(
        "/generations/new/",
        {**FIELDS, "mode": "image", "start_image": upload(picture()), "submission_key": "k1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get()
    assert job.mode == "image" and job.start_image is not None


def test_the_create_page_says_when_a_mode_is_not_allowed(client, artist, settings):
    settings.GENERATION_ENABLED_MODELS = ["tiny-wan", "tiny-wan-i2v"]
    client.force_login(artist)
    response = client.post(
        "/generations/new/",
        {**FIELDS, "mode": "image", "start_image": upload(picture()), "submission_key": "k2"},
    )
    assert response.status_code == 403
    assert "Your cohort can&#x27;t use image to video." in response.content.decode()
    assert not Job.objects.exists() and not InputImage.objects.exists()
