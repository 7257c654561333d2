"""The GPU side on its own: the real tiny diffusers pipeline, ffmpeg encoding, probing."""

from __future__ import annotations

import numpy as np
import pytest

from generation.encoding import EncodingError, encode_mp4, probe, sha256_of, to_uint8, write_poster
from generation.registry import ModelSpec, PipelineRegistry
from generation.runner import RenderCanceled, RenderRequest, render


@pytest.fixture(scope="module")
def registry(tiny_model):
    return PipelineRegistry(
        {
            "tiny": ModelSpec(
                name="tiny",
                source=tiny_model,
                profile="tiny",
                dtype="float32",
                device="cpu",
                steps=2,
            )
        }
    )


def request_for(seed=7, steps=2):
    return RenderRequest(
        prompt="a red bird over the sea",
        negative_prompt="",
        num_frames=9,
        height=48,
        width=80,
        seed=seed,
        steps=steps,
        guidance=5.0,
    )


def test_pipeline_loads_once_and_is_reused(registry):
    first = registry.get("tiny")
    again = registry.get("tiny")
    assert first is again
    assert registry.load_count == 1
    assert type(first.pipeline).__name__ == "WanPipeline"


def test_render_is_seeded_and_reports_every_step(registry):
    steps: list[tuple[int, int]] = []
    frames = render(
        registry.get("tiny"), request_for(steps=3), lambda done, total: steps.append((done, total))
    )
    assert frames.shape == (9, 48, 80, 3) and frames.dtype == np.uint8
    assert steps == [(1, 3), (2, 3), (3, 3)]
    same = render(registry.get("tiny"), request_for(steps=3), lambda *_: None)
    other = render(registry.get("tiny"), request_for(seed=8, steps=3), lambda *_: None)
    assert np.array_equal(frames, same)
    assert not np.array_equal(frames, other)


def test_cancel_stops_at_the_next_step(registry):
    seen = []

    def stop_after_first(done, total):
        seen.append(done)
        if done == 1:
            raise RenderCanceled()

    with pytest.raises(RenderCanceled):
        render(registry.get("tiny"), request_for(steps=5), stop_after_first)
    assert seen == [1]


def test_unknown_model_is_a_key_error(registry):
    with pytest.raises(KeyError, match="unknown model"):
        registry.get("nope")


def test_encode_probe_and_poster(tmp_path):
    gradient = np.linspace(0, 1, 9 * 48 * 80 * 3, dtype=np.float32).reshape(9, 48, 80, 3)
    frames = to_uint8(gradient)
    video = tmp_path / "v.mp4"
    encode_mp4(frames, fps=8, path=video)
    info = probe(video)
    assert (info.codec, info.pix_fmt, info.width, info.height) == ("h264", "yuv420p", 80, 48)
    assert info.frame_count == 9
    assert info.fps == pytest.approx(8)
    assert info.duration_seconds == pytest.approx(9 / 8, abs=0.05)
    # faststart: the moov atom comes before the media data.
    head = video.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (
        head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat")
    )
    poster = tmp_path / "p.jpg"
    write_poster(frames, path=poster)
    assert poster.read_bytes()[:2] == b"\xff\xd8"
    assert len(sha256_of(video)) == 64


def test_to_uint8_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="expected"):
        to_uint8(np.zeros((4, 4), dtype=np.float32))


def test_encoder_failure_is_reported(tmp_path):
    frames = np.zeros((3, 48, 80, 3), dtype=np.uint8)
    with pytest.raises(EncodingError):
        encode_mp4(frames, fps=8, path=tmp_path / "missing-folder" / "v.mp4")


def test_probe_of_a_non_video_is_reported(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video")
    with pytest.raises(EncodingError):
        probe(junk)
