"""Image to video from a start image: the tiny Wan I2V pipeline, built by the project's own
command, loaded through the registry (``from_pretrained``) and rendered for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from generation.registry import ModelSpec, PipelineRegistry
from generation.runner import RenderRequest, render, start_frame


@pytest.fixture(scope="module")
def tiny_i2v_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("models") / "tiny-wan-i2v"
    call_command("build_tiny_model", str(path), model="tiny-wan-i2v")
    return str(path)


@pytest.fixture(scope="module")
def registry(tiny_i2v_model, tiny_model):
    common = {"profile": "tiny", "dtype": "float32", "device": "cpu", "steps": 2}
    return PipelineRegistry(
        {
            "i2v": ModelSpec.from_dict(
                "i2v", {**common, "source": tiny_i2v_model, "capabilities": ["start_image"]}
            ),
            "t2v": ModelSpec.from_dict("t2v", {**common, "source": tiny_model}),
        }
    )


def gradient(width: int = 96, height: int = 64) -> np.ndarray:
    ramp = np.linspace(0, 255, width).astype(np.uint8)
    return np.stack(
        [
            np.tile(ramp, (height, 1)),
            np.tile(ramp[::-1], (height, 1)),
            np.full((height, width), 128, np.uint8),
        ],
        axis=-1,
    )


def solid(rgb: tuple[int, int, int], width: int = 80, height: int = 120) -> Image.Image:
    return Image.new("RGB", (width, height), rgb)


def request_for(start_image, seed: int = 7) -> RenderRequest:
    return RenderRequest(
        prompt="a red bird over the sea",
        negative_prompt="",
        num_frames=9,
        height=64,
        width=64,
        seed=seed,
        steps=2,
        guidance=5.0,
        start_image=start_image,
    )


def test_the_command_builds_an_image_to_video_pipeline(tiny_i2v_model):
    index = json.loads((Path(tiny_i2v_model) / "model_index.json").read_text())
    assert index["_class_name"] == "WanImageToVideoPipeline"
    assert index["image_encoder"] == ["transformers", "CLIPVisionModel"]
    transformer = json.loads((Path(tiny_i2v_model) / "transformer" / "config.json").read_text())
    assert transformer["in_channels"] == 36 and transformer["image_dim"] == 16


def test_render_from_a_start_image_is_seeded_and_reports_every_step(registry):
    loaded = registry.get("i2v")
    assert type(loaded.pipeline).__name__ == "WanImageToVideoPipeline"
    steps: list[tuple[int, int]] = []
    frames = render(loaded, request_for(gradient()), lambda *step: steps.append(step))
    assert frames.shape == (9, 64, 64, 3) and frames.dtype == np.uint8
    assert steps == [(1, 2), (2, 2)]
    # The same picture as an array or as a PIL image, the same seed: the same frames.
    again = render(loaded, request_for(Image.fromarray(gradient())), lambda *_: None)
    assert np.array_equal(frames, again)
    reseeded = render(loaded, request_for(gradient(), seed=8), lambda *_: None)
    assert not np.array_equal(frames, reseeded)


def test_the_start_image_conditions_the_render(registry):
    # The weights are random, so the first frame need not resemble the picture; what must
    # hold is that the picture reaches the model: another picture, other frames.
    loaded = registry.get("i2v")
    first = render(loaded, request_for(solid((230, 20, 20))), lambda *_: None)
    second = render(loaded, request_for(solid((20, 20, 230))), lambda *_: None)
    assert not np.array_equal(first, second)


def test_a_start_image_is_fitted_to_the_frame_without_stretching():
    # A tall picture, left half black, right half white, into a wide frame: scaled to
    # cover and centre-cropped, so the halves stay halves.
    tall = np.zeros((200, 100, 3), np.uint8)
    tall[:, 50:] = 255
    fitted = np.asarray(start_frame(tall, width=64, height=32))
    assert fitted.shape == (32, 64, 3)
    assert fitted[:, :28].max() < 40 and fitted[:, 36:].min() > 215
    assert start_frame(solid((1, 2, 3)), width=80, height=120).getpixel((0, 0)) == (1, 2, 3)
    with pytest.raises(ValueError, match="uint8"):
        start_frame(np.zeros((4, 4), np.float32), width=16, height=16)


def test_a_model_is_asked_only_what_it_can_do(registry):
    with pytest.raises(ValueError, match="needs a start image"):
        render(registry.get("i2v"), request_for(None), lambda *_: None)
    with pytest.raises(ValueError, match="does not take a start image"):
        render(registry.get("t2v"), request_for(gradient()), lambda *_: None)


def test_capabilities_are_checked_when_read_from_settings():
    with pytest.raises(ValueError, match="capabilities"):
        ModelSpec.from_dict("m", {"source": "x", "capabilities": "text"})
    with pytest.raises(ValueError, match="capabilities"):
        ModelSpec.from_dict("m", {"source": "x", "capabilities": []})
    assert ModelSpec.from_dict("m", {"source": "x"}).capabilities == ("text",)


def test_the_settings_describe_the_image_model_without_offering_it(settings):
    from jobs.pipelines import model_spec

    spec = ModelSpec.from_dict("tiny-wan-i2v", dict(settings.GENERATION_MODELS["tiny-wan-i2v"]))
    assert spec.capabilities == ("start_image",)
    assert "tiny-wan-i2v" not in settings.GENERATION_ENABLED_MODELS
    with pytest.raises(KeyError):
        model_spec("tiny-wan-i2v")
