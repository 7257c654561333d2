"""Bad input to issue 17's modes (storyboard, extend, variations, an end image): every bad
field is a field error with its code, on the field the artist sent it in, and leaves
nothing behind: no job, no shot, no stored image, no upload marked used, no quota used.
A mode the cohort does not allow is a 403, a batch of variations over today's quota a 429
that makes no job at all, and a storyboard whose shot the prompt policy refuses queues
nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cohorts.services import cohort_set_allowed_modes, cohort_set_generation_limits
from jobs.models import Job, JobStatus, PromptRefusal, Shot
from jobs.selectors import quota_used_today
from tests.uploads.conftest import picture, upload
from tests.uploads.test_uploads_api import huge_png
from uploads.models import InputImage, private_storage
from uploads.services import input_image_upload

pytestmark = pytest.mark.django_db

MODELS = ["tiny-wan", "tiny-wan-i2v", "tiny-wan-flf2v"]
ALL_MODES = ["text", "image", "extend", "storyboard"]
TEXT = {"prompt": "a lighthouse at dusk", "duration_seconds": 2, "resolution": "480p",
        "aspect_ratio": "16:9", "seed": 3}  # fmt: skip
BOARD = {"mode": "storyboard", "resolution": "480p", "aspect_ratio": "16:9", "seed": 3}


def shots(count: int, **second: object) -> list[dict[str, object]]:
    """``count`` good shots; ``second`` changes the second one (``None`` drops a key)."""
    made: list[dict[str, object]] = [
        {"prompt": f"shot {n + 1}", "duration_seconds": 2} for n in range(count)
    ]
    for key, value in second.items():
        if value is None:
            made[1].pop(key, None)
        else:
            made[1][key] = value
    return made


@pytest.fixture
def modes(settings, cohort):
    """Every tiny model offered and the cohort allowed every mode."""
    settings.GENERATION_ENABLED_MODELS = MODELS
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=ALL_MODES)
    return cohort


def stored_inputs() -> list[Path]:
    folder = Path(private_storage().path("inputs"))
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@dataclass
class World:
    """What a refused submission must leave as it was."""

    jobs: set[int]
    shots: int
    images: set[tuple[int, object]]
    files: list[Path]
    quota_used: int

    @classmethod
    def now(cls, artist) -> World:
        return cls(
            jobs=set(Job.objects.values_list("pk", flat=True)),
            shots=Shot.objects.count(),
            images=set(InputImage.objects.values_list("pk", "used_at")),
            files=stored_inputs(),
            quota_used=quota_used_today(user=artist),
        )


def unfinished(artist, **fields: object) -> Job:
    """A job of the artist's with no video: queued, or as ``fields`` say."""
    if fields.get("status") in (JobStatus.FAILED, JobStatus.CANCELED):
        fields.setdefault("finished_at", timezone.now())
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a quiet harbour at dawn",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan",
        num_frames=9, width=80, height=48, fps=8, steps=4, guidance=5.0, **fields,
    )  # fmt: skip


def post_json(client, artist, body: dict[str, object]):
    client.force_login(artist)
    return client.post("/api/v1/generations/", body, content_type="application/json")


def post_multipart(client, artist, body: dict[str, object]):
    client.force_login(artist)
    return client.post("/api/v1/generations/", body)


def huge() -> SimpleUploadedFile:
    return upload(huge_png(10_000, 10_000), "huge.png")  # 100 megapixels, a few KB


def gif() -> SimpleUploadedFile:
    return upload(picture("GIF"), "x.png")  # named and declared as a PNG


# Placeholders the test replaces: OWN/OTHERS (an upload of the artist's / another
# artist's), MINE/THEIRS/QUEUED/FAILED (a finished job of the artist's, of another
# artist's, the artist's queued and failed jobs), HUGE/GIF (a file: sent as multipart).
CASES: list[tuple[dict[str, Any], str, str]] = [
    # An end image: the artist's own upload, a readable image, in mode image only.
    ({**TEXT, "mode": "image", "start_image": "OWN", "end_image": "OTHERS"},
     "end_image", "not_found"),
    ({**TEXT, "mode": "image", "start_image": "OWN", "end_image": 999_999},
     "end_image", "not_found"),
    ({**TEXT, "mode": "image", "start_image": "OWN", "end_image": "GIF"},
     "end_image", "unsupported_type"),
    ({**TEXT, "mode": "image", "start_image": "OWN", "end_image": "HUGE"},
     "end_image", "too_many_pixels"),
    ({**TEXT, "mode": "image", "start_image": "HUGE"}, "start_image", "too_many_pixels"),
    ({**TEXT, "mode": "image", "end_image": "OWN"}, "start_image", "required"),
    ({**TEXT, "end_image": "OWN"}, "end_image", "not_for_mode"),
    ({**TEXT, "mode": "text", "end_image": "GIF"}, "end_image", "not_for_mode"),
    ({**BOARD, "shots": shots(2), "end_image": "OWN"}, "end_image", "not_for_mode"),
    # The model must be able to end on an image.
    ({**TEXT, "mode": "image", "start_image": "OWN", "end_image": "OWN",
      "model": "tiny-wan-i2v"}, "end_image", "mode_not_supported"),
    # A storyboard: 2-6 shots, within the cohort's limit, each a prompt and an allowed
    # duration, each start image an upload of the artist's own.
    ({**BOARD, "shots": []}, "shots", "required"),
    ({**BOARD}, "shots", "required"),
    ({**BOARD, "shots": shots(1)}, "shots", "out_of_range"),
    ({**BOARD, "shots": shots(7)}, "shots", "out_of_range"),
    ({**BOARD, "shots": shots(4), "LIMIT": {"max_shots": 3}}, "shots", "above_cohort_limit"),
    ({**BOARD, "shots": shots(2, duration_seconds=3)},
     "shots[1].duration_seconds", "not_allowed"),
    ({**BOARD, "shots": shots(2, duration_seconds=None)},
     "shots[1].duration_seconds", "required"),
    ({**BOARD, "shots": shots(2, duration_seconds="long")},
     "shots[1].duration_seconds", "invalid"),
    ({**BOARD, "shots": shots(2, prompt="")}, "shots[1].prompt", "required"),
    ({**BOARD, "shots": shots(2, prompt=" \t ")}, "shots[1].prompt", "required"),
    ({**BOARD, "shots": shots(2, prompt=None)}, "shots[1].prompt", "required"),
    ({**BOARD, "shots": shots(2, prompt="x" * 2001)}, "shots[1].prompt", "max_length"),
    ({**BOARD, "shots": shots(2, start_image="OTHERS")}, "shots[1].start_image", "not_found"),
    ({**BOARD, "shots": shots(2, start_image=999_999)}, "shots[1].start_image", "not_found"),
    ({**BOARD, "shots": shots(2, start_image=2**64)}, "shots[1].start_image", "not_found"),
    ({**BOARD, "shots": shots(2, start_image="x")}, "shots[1].start_image", "invalid"),
    ({**BOARD, "shots": "two shots"}, "shots", "not_a_list"),
    ({**BOARD, "shots": ["one", "two"]}, "shots[0]", "invalid"),
    ({**BOARD, "shots": shots(2, start_img=5)}, "shots[1]", "unknown_field"),
    ({**BOARD, "shots": shots(2), "prompt": "one prompt for all"}, "prompt", "not_for_mode"),
    ({**BOARD, "shots": shots(2), "duration_seconds": 2}, "duration_seconds", "not_for_mode"),
    ({**BOARD, "shots": shots(2), "start_image": "OWN"}, "start_image", "not_for_mode"),
    ({**TEXT, "shots": shots(2)}, "shots", "not_for_mode"),
    # An extension continues one of the artist's own finished videos, at its size.
    ({"mode": "extend", "extends": "THEIRS"}, "extends", "not_found"),
    ({"mode": "extend", "extends": "QUEUED"}, "extends", "not_found"),
    ({"mode": "extend", "extends": "FAILED"}, "extends", "not_found"),
    ({"mode": "extend", "extends": 999_999}, "extends", "not_found"),
    ({"mode": "extend", "extends": 2**64}, "extends", "not_found"),
    ({"mode": "extend"}, "extends", "required"),
    ({"mode": "extend", "extends": "MINE", "resolution": "720p"},
     "resolution", "must_match_parent"),
    ({"mode": "extend", "extends": "MINE", "aspect_ratio": "1:1"},
     "aspect_ratio", "must_match_parent"),
    ({"mode": "extend", "extends": "MINE", "duration_seconds": 3},
     "duration_seconds", "not_allowed"),
    ({"mode": "extend", "extends": "MINE", "model": "tiny-wan"}, "model", "mode_not_supported"),
    ({**TEXT, "extends": "MINE"}, "extends", "not_for_mode"),
    # Variations: 1-4, within the cohort's limit, seeds that stay in range.
    ({**TEXT, "variations": 0}, "variations", "out_of_range"),
    ({**TEXT, "variations": 5}, "variations", "out_of_range"),
    ({**TEXT, "variations": -1}, "variations", "out_of_range"),
    ({**TEXT, "variations": "many"}, "variations", "invalid"),
    ({**TEXT, "variations": 3, "LIMIT": {"max_variations": 2}},
     "variations", "above_cohort_limit"),
    ({**BOARD, "shots": shots(2), "variations": 5}, "variations", "out_of_range"),
    ({**TEXT, "variations": 4, "seed": 2**32 - 3}, "seed", "out_of_range"),
]  # fmt: skip


def _ids(case: tuple[dict[str, Any], str, str]) -> str:
    body, field, code = case
    return f"{body.get('mode', 'text')}-{field}-{code}"


@pytest.mark.parametrize(("body", "field", "code"), CASES, ids=[_ids(c) for c in CASES])
def test_every_bad_input_is_a_field_error_that_leaves_nothing(
    client, artist, other_artist, modes, make_output, body, field, code
):
    own = input_image_upload(owner=artist, upload=upload(picture()))
    others = input_image_upload(owner=other_artist, upload=upload(picture()))
    mine = make_output(artist).job
    theirs = make_output(other_artist).job
    queued = unfinished(artist)
    failed = unfinished(artist, status=JobStatus.FAILED, error_code="internal_error")
    body = dict(body)
    limits = body.pop("LIMIT", None)
    if limits is not None:
        cohort_set_generation_limits(
            actor=None, cohort=modes, **{"max_variations": 4, "max_shots": 6, **limits}
        )
    ids: dict[str, object] = {
        "OWN": own.pk, "OTHERS": others.pk, "MINE": mine.pk, "THEIRS": theirs.pk,
        "QUEUED": queued.pk, "FAILED": failed.pk,
    }  # fmt: skip
    files = {"HUGE": huge, "GIF": gif}
    multipart = False
    for key, value in list(body.items()):
        if isinstance(value, str) and value in ids:
            body[key] = ids[value]
        elif isinstance(value, str) and value in files:
            body[key] = files[value]()
            multipart = True
    if isinstance(body.get("shots"), list):
        body["shots"] = [
            {k: ids.get(v, v) if isinstance(v, str) and k == "start_image" else v
             for k, v in shot.items()}
            if isinstance(shot, dict) else shot
            for shot in body["shots"]
        ]  # fmt: skip
    before = World.now(artist)

    if multipart:
        response = post_multipart(client, artist, body)
    else:
        response = post_json(client, artist, body)

    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid", answer
    assert answer["fields"][field][0]["code"] == code, answer
    assert World.now(artist) == before


@pytest.mark.parametrize(
    "body",
    [
        {**BOARD, "shots": shots(2)},
        {"mode": "extend", "extends": "MINE"},
    ],
)
def test_a_mode_the_cohort_does_not_allow_is_403_and_leaves_nothing(
    client, artist, settings, cohort, make_output, body
):
    settings.GENERATION_ENABLED_MODELS = MODELS
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image"])
    mine = make_output(artist).job
    body = {**body, **({"extends": mine.pk} if "extends" in body else {})}
    before = World.now(artist)
    response = post_json(client, artist, body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "mode_not_allowed"
    assert World.now(artist) == before


@pytest.mark.parametrize(
    ("used", "quota", "variations"),
    [(0, 2, 3), (1, 3, 3), (3, 3, 1), (0, 0, 2)],
)
def test_variations_that_would_overrun_todays_quota_make_no_job_at_all(
    client, artist, modes, used, quota, variations
):
    modes.daily_generation_quota = quota
    modes.save(update_fields=["daily_generation_quota"])
    for seed in range(used):
        response = post_json(client, artist, {**TEXT, "seed": seed})
        assert response.status_code == 201, response.content
    image = input_image_upload(owner=artist, upload=upload(picture()))
    before = World.now(artist)
    response = post_json(
        client,
        artist,
        {**TEXT, "mode": "image", "start_image": image.pk, "variations": variations, "seed": 50},
    )
    assert response.status_code == 429, response.content
    answer = response.json()
    assert answer["code"] == "quota_exceeded" and answer["resets_at"]
    assert response.headers["Retry-After"]
    left = quota - used
    if left:
        assert f"ask for at most {left} variations" in answer["detail"]
    assert World.now(artist) == before  # not a partial batch: nothing at all
    assert quota_used_today(user=artist) == used


def test_variations_over_the_quota_keep_no_file_sent_with_them(client, artist, modes):
    modes.daily_generation_quota = 2
    modes.save(update_fields=["daily_generation_quota"])
    before = World.now(artist)
    response = post_multipart(
        client, artist, {**TEXT, "mode": "image", "start_image": upload(picture()),
                         "variations": 3},
    )  # fmt: skip
    assert response.status_code == 429, response.content
    assert World.now(artist) == before


def test_an_extension_of_a_storyboard_continues_its_last_shot(client, artist, modes, make_output):
    """Sent with no prompt and no length, an extension takes its video's; a storyboard's
    are its last shot's (the shot it continues), not the whole board's: 2 + 5 seconds is
    no length the cohort offers, and the joined prompts may be longer than one may be."""
    board = make_output(artist).job
    Job.objects.filter(pk=board.pk).update(
        mode="storyboard", prompt="a harbour / gulls lift off", duration_seconds=7
    )
    Shot.objects.bulk_create(
        Shot(job=board, position=n, prompt=p, duration_seconds=d, num_frames=9, model="tiny-wan")
        for n, (p, d) in enumerate([("a harbour", 2), ("gulls lift off", 5)])
    )
    response = post_json(client, artist, {"mode": "extend", "extends": board.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["prompt"], body["duration_seconds"]) == ("gulls lift off", 5)
    assert (body["extends"], body["mode"]) == (board.pk, "extend")


def test_a_form_sends_a_storyboards_shots_as_json(client, artist, modes):
    """multipart/form-data (as a client sending image files does): the shots are one
    field of JSON text, checked as the JSON body's are."""
    before = World.now(artist)
    for text, field, code in [
        (json.dumps(shots(2))[:-1], "shots", "invalid"),
        (json.dumps({"prompt": "one"}), "shots", "not_a_list"),
        (json.dumps(shots(2, duration_seconds=3)), "shots[1].duration_seconds", "not_allowed"),
        (json.dumps(shots(2, prompt=None)), "shots[1].prompt", "required"),
    ]:
        response = post_multipart(client, artist, {**BOARD, "shots": text})
        assert response.status_code == 400, response.content
        assert response.json()["fields"][field][0]["code"] == code, response.json()
        assert World.now(artist) == before
    response = post_multipart(client, artist, {**BOARD, "shots": json.dumps(shots(2))})
    assert response.status_code == 201, response.content
    assert [s["prompt"] for s in response.json()["shots"]] == ["shot 1", "shot 2"]


def test_a_storyboard_shot_the_policy_refuses_queues_nothing(client, artist, modes, settings):
    settings.PROMPT_POLICY_RULES = [
        {"code": "no_lighthouses", "pattern": "lighthouse", "message": "No lighthouses."}
    ]
    image = input_image_upload(owner=artist, upload=upload(picture()))
    before = World.now(artist)
    board = shots(3, prompt="the Lighthouse burns", start_image=image.pk)
    response = post_json(client, artist, {**BOARD, "shots": board, "variations": 2})
    assert response.status_code == 400, response.content
    answer = response.json()
    assert (answer["code"], answer["reason_code"]) == ("prompt_refused", "no_lighthouses")
    # Named on the shot the artist wrote it in.
    assert answer["fields"] == {
        "shots[1].prompt": [{"code": "no_lighthouses", "message": "No lighthouses."}]
    }
    assert World.now(artist) == before
    refusal = PromptRefusal.objects.get()
    assert (refusal.artist, refusal.prompt, refusal.reason_code) == (
        artist,
        "the Lighthouse burns",
        "no_lighthouses",
    )


def test_every_bad_field_of_a_storyboard_is_reported_at_once(client, artist, other_artist, modes):
    others = input_image_upload(owner=other_artist, upload=upload(picture()))
    board = [
        {"prompt": "", "duration_seconds": 2},
        {"prompt": "fine", "duration_seconds": 7},
        {"prompt": "fine too", "duration_seconds": 2, "start_image": others.pk},
    ]
    before = World.now(artist)
    response = post_json(
        client, artist, {**BOARD, "shots": board, "prompt": "also", "variations": 9}
    )
    assert response.status_code == 400, response.content
    codes = {name: errors[0]["code"] for name, errors in response.json()["fields"].items()}
    assert codes == {
        "shots[0].prompt": "required",
        "shots[1].duration_seconds": "not_allowed",
        "shots[2].start_image": "not_found",
        "prompt": "not_for_mode",
        "variations": "out_of_range",
    }
    assert World.now(artist) == before


def test_a_100_megapixel_upload_is_refused_and_kept_nowhere(client, artist, modes):
    client.force_login(artist)
    before = World.now(artist)
    response = client.post("/api/v1/uploads/", {"image": huge()})
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["image"][0]["code"] == "too_many_pixels"
    assert World.now(artist) == before
