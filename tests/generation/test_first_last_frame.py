"""Image to video from a start and an end image: the tiny Wan first-and-last-frame pipeline,
built by the project's own command, loaded through the registry (``from_pretrained``) and
rendered for real. Its weights are random, so the last frames need not look like the end
image; what is checked is what can break: shapes, seeding, and who may be asked what."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from generation.registry import LoadedPipeline, ModelSpec, PipelineRegistry
from generation.runner import RenderRequest, render


@pytest.fixture(scope="module")
def tiny_flf2v_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("models") / "tiny-wan-flf2v"
    call_command("build_tiny_model", str(path), model="tiny-wan-flf2v")
    return str(path)


@pytest.fixture(scope="module")
def flf2v(tiny_flf2v_model) -> LoadedPipeline:
    spec = ModelSpec.from_dict(
        "flf2v",
        {
            "source": tiny_flf2v_model,
            "profile": "tiny",
            "dtype": "float32",
            "device": "cpu",
            "steps": 2,
            "capabilities": ["start_end_image"],
        },
    )
    return PipelineRegistry({"flf2v": spec}).get("flf2v")


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


def request_for(start_image, end_image, seed: int = 7) -> RenderRequest:
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
        end_image=end_image,
    )


def test_the_command_builds_a_first_and_last_frame_pipeline(tiny_flf2v_model):
    index = json.loads((Path(tiny_flf2v_model) / "model_index.json").read_text())
    assert index["_class_name"] == "WanImageToVideoPipeline"
    assert index["image_encoder"] == ["transformers", "CLIPVisionModel"]
    transformer = json.loads((Path(tiny_flf2v_model) / "transformer" / "config.json").read_text())
    # Two images' CLIP tokens (2 x (4 x 4 patches + 1 class token)) in the image embedder.
    assert transformer["in_channels"] == 36 and transformer["image_dim"] == 16
    assert transformer["pos_embed_seq_len"] == 2 * (4 * 4 + 1)


def test_render_from_a_start_and_an_end_image_is_seeded_and_reports_every_step(flf2v):
    assert type(flf2v.pipeline).__name__ == "WanImageToVideoPipeline"
    steps: list[tuple[int, int]] = []
    start, end = gradient(), solid((20, 20, 230))
    frames = render(flf2v, request_for(start, end), lambda *step: steps.append(step))
    assert frames.shape == (9, 64, 64, 3) and frames.dtype == np.uint8
    assert steps == [(1, 2), (2, 2)]
    # The same pictures as arrays or PIL images, the same seed: the same frames.
    again = render(flf2v, request_for(Image.fromarray(start), np.asarray(end)), lambda *_: None)
    assert np.array_equal(frames, again)
    reseeded = render(flf2v, request_for(start, end, seed=8), lambda *_: None)
    assert not np.array_equal(frames, reseeded)
    # The end image reaches the model: another end image, other frames.
    other_end = render(flf2v, request_for(start, solid((230, 20, 20))), lambda *_: None)
    assert not np.array_equal(frames, other_end)


def test_the_model_needs_both_images(flf2v):
    # The pipeline itself fails on one image: its image embedder is sized for two. So the
    # model does not claim start_image, and the runner says so before rendering.
    with pytest.raises(RuntimeError, match="shape"):
        flf2v.pipeline(
            prompt="a bird", image=solid((1, 2, 3), 64, 64), num_frames=5, height=32,
            width=32, num_inference_steps=1, output_type="np",
        )  # fmt: skip
    with pytest.raises(ValueError, match="needs an end image"):
        render(flf2v, request_for(gradient(), None), lambda *_: None)
    with pytest.raises(ValueError, match="needs a start image"):
        render(flf2v, request_for(None, None), lambda *_: None)
    with pytest.raises(ValueError, match="an end image needs a start image"):
        render(flf2v, request_for(None, gradient()), lambda *_: None)


class _NeverCalled:
    def __call__(self, **kwargs):
        raise AssertionError("the pipeline should not run")


def unrunnable(*capabilities: str) -> LoadedPipeline:
    """A model with ``capabilities`` whose pipeline must never be reached."""
    spec = ModelSpec(name="m", source="x", capabilities=capabilities)
    return LoadedPipeline(spec=spec, pipeline=_NeverCalled(), device="cpu")


@pytest.mark.parametrize("capabilities", [("start_image",), ("text",), ("text", "start_image")])
def test_a_model_without_the_capability_refuses_an_end_image(capabilities):
    with pytest.raises(ValueError, match="does not take an end image"):
        render(unrunnable(*capabilities), request_for(gradient(), solid((1, 2, 3))), print)


def test_an_end_image_array_is_checked_like_a_start_image():
    bad = np.zeros((4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="uint8"):
        render(unrunnable("start_end_image"), request_for(gradient(), bad), print)


def test_an_end_image_does_not_change_request_equality():
    assert request_for(None, gradient()) == request_for(None, None)


def test_the_settings_describe_the_model_without_offering_it(settings):
    from jobs.pipelines import model_spec

    values = dict(settings.GENERATION_MODELS["tiny-wan-flf2v"])
    spec = ModelSpec.from_dict("tiny-wan-flf2v", values)
    assert spec.capabilities == ("start_end_image",)
    assert Path(str(values["source"])).name == "tiny-wan-flf2v"
    assert "tiny-wan-flf2v" not in settings.GENERATION_ENABLED_MODELS
    with pytest.raises(KeyError):
        model_spec("tiny-wan-flf2v")
