"""Hostile and unusual prompts, through the API (JSON) and the portal form: each is either
stored exactly (emoji, joiners) or refused with a clear field error and nothing queued.
PostgreSQL must never see a NUL or an unpaired surrogate: it refuses both with an error
that would otherwise be a 500."""

from __future__ import annotations

import json

import pytest

from jobs.models import Job, PromptRefusal
from jobs.services import job_submit

pytestmark = pytest.mark.django_db

FORM = {"duration_seconds": "5", "resolution": "720p", "aspect_ratio": "9:16"}
REQUEST = {"duration_seconds": 5, "resolution": "720p", "aspect_ratio": "9:16"}

ACCEPTED = {
    "emoji": "a fox 🦊 painting 🎨 under a rainbow 🏳️‍🌈",
    "zwj_sequence": "portrait of a 👩🏽‍🎨 in her studio",
    "right_to_left_text": "a city called مدينة at dusk",
    "max_length": "a" * 2000,
}

# (prompt, field error code from the API, words the portal page shows)
REFUSED = {
    "nul": ("a cat\x00 on a mat", "null_characters_not_allowed", "Null characters"),
    "bidi_override": ("a \u202egnirts reversed", "control_characters", "U+202E"),
    "bidi_isolate": ("a \u2066hidden\u2069 word", "control_characters", "U+2066"),
    "tag_characters": ("a cat\U000e0041\U000e0042", "control_characters", "U+E0041"),
    "ten_thousand": ("a" * 10_000, "max_length", "Keep it to 2000 characters"),
}


@pytest.mark.parametrize("prompt", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_api_stores_unusual_but_valid_prompts_exactly(client, artist, prompt):
    client.force_login(artist)
    response = client.post(
        "/api/v1/generations/", {**REQUEST, "prompt": prompt}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["prompt"] == prompt
    assert Job.objects.get().prompt == prompt


@pytest.mark.parametrize("prompt", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_portal_stores_unusual_but_valid_prompts_exactly(client, artist, prompt):
    client.force_login(artist)
    response = client.post("/generations/new/", {**FORM, "prompt": prompt})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Job.objects.get().prompt == prompt


@pytest.mark.parametrize(("prompt", "code", "_"), REFUSED.values(), ids=REFUSED.keys())
def test_api_refuses_hostile_prompts_with_a_field_error(client, artist, prompt, code, _):
    client.force_login(artist)
    response = client.post(
        "/api/v1/generations/", {**REQUEST, "prompt": prompt}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert [error["code"] for error in body["fields"]["prompt"]] == [code]
    assert not Job.objects.exists() and not PromptRefusal.objects.exists()


@pytest.mark.parametrize(("prompt", "_", "shown"), REFUSED.values(), ids=REFUSED.keys())
def test_portal_refuses_hostile_prompts_with_a_field_error(client, artist, prompt, _, shown):
    client.force_login(artist)
    response = client.post("/generations/new/", {**FORM, "prompt": prompt})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and shown in html
    assert not Job.objects.exists()


@pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
def test_api_refuses_a_lone_surrogate_escape(client, artist, field):
    # json.dumps writes the escape "\ud800", which json.loads turns into a lone surrogate.
    body = json.dumps({**REQUEST, "prompt": "a quiet lake", field: "a lake \ud800 at noon"})
    assert "\\ud800" in body
    client.force_login(artist)
    response = client.post("/api/v1/generations/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"][field][0]["code"] == "surrogate_characters_not_allowed"
    assert not Job.objects.exists()


def test_portal_cannot_smuggle_a_surrogate_through_form_encoding(client, artist):
    """The UTF-8 bytes of a surrogate are invalid UTF-8: Django decodes them as U+FFFD."""
    client.force_login(artist)
    response = client.post(
        "/generations/new/",
        "prompt=a%ED%A0%80b&duration_seconds=5&resolution=720p&aspect_ratio=9%3A16",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert Job.objects.get().prompt == "a\ufffd\ufffd\ufffdb"


def _service_checks_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs import services

    monkeypatch.setattr(services, "normalise_prompt", lambda text, **_: text)


@pytest.mark.parametrize(
    "protection",
    [
        "on",
        pytest.param(
            "off",
            marks=pytest.mark.xfail(
                strict=True, reason="without the service's check the text reaches PostgreSQL"
            ),
        ),
    ],
)
@pytest.mark.parametrize(
    "prompt", ["a\x00b", "a\ud800b", "a\u202eb"], ids=["nul", "surrogate", "bidi"]
)
def test_the_service_refuses_what_the_api_and_form_already_refuse(
    artist, monkeypatch, protection, prompt
):
    """The protection: ``jobs.policy.normalise_prompt``, called by ``job_request_validate``
    for every caller (API, portal, scripts). With it off, a NUL or a surrogate makes
    PostgreSQL raise and a bidi override is stored."""
    from django.core.exceptions import ValidationError

    if protection == "off":
        _service_checks_off(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        job_submit(
            artist=artist, prompt=prompt, duration_seconds=5, resolution="720p",
            aspect_ratio="9:16",
        )  # fmt: skip
    assert "prompt" in refused.value.error_dict
    assert not Job.objects.exists()
