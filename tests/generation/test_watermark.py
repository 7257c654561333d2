"""The forensic watermark on its own: coding, embedding, and detection through real ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generation import watermark
from generation.encoding import encode_mp4

KEY = b"test-watermark-key-0123456789"
STRENGTH = watermark.DEFAULT_STRENGTH
THRESHOLD = watermark.DEFAULT_THRESHOLD


def picture_clip(seed: int, *, width: int, height: int, frames: int) -> np.ndarray:
    """Smooth coloured clouds panning under a moving disc: picture-like, not noise."""
    rng = np.random.default_rng(seed)
    margin = frames * 2
    layers = []
    for _ in range(3):
        coarse = rng.normal(size=(6, 10)).astype(np.float32)
        big = Image.fromarray(coarse, mode="F").resize(
            (width + margin, height + margin), Image.Resampling.BICUBIC
        )
        layers.append(np.asarray(big))
    world = np.stack(layers, axis=-1) * 40 + rng.uniform(60, 190, size=3)
    yy, xx = np.mgrid[0:height, 0:width]
    clip = np.empty((frames, height, width, 3), np.uint8)
    for index in range(frames):
        frame = world[index * 2 : index * 2 + height, index : index + width].copy()
        disc = (yy - height / 2) ** 2 + (xx - index * width / frames) ** 2 < (height / 6) ** 2
        frame[disc] = (220, 180, 60)
        clip[index] = np.clip(frame, 0, 255)
    return clip


def reencode(source: Path, target: Path, *args: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source), *args, str(target)],
        check=True,
    )
    return target


def test_payload_round_trips_through_the_code_with_errors():
    bits = watermark.payload_bits(job_id=123456789, key=KEY)
    coded = watermark.conv_encode(bits)
    assert len(bits) == watermark.PAYLOAD_BITS and len(coded) == watermark.CODED_BITS
    soft = 1.0 - 2.0 * coded
    soft[[3, 40, 77, 110]] *= -1  # four hard errors, spread out
    assert np.array_equal(watermark.viterbi_decode(soft), bits)


def test_job_ids_must_fit():
    with pytest.raises(ValueError, match="does not fit"):
        watermark.payload_bits(job_id=1 << 40, key=KEY)


def test_embedding_changes_luma_only_and_keeps_quality():
    clip = picture_clip(1, width=320, height=176, frames=4)
    marked = watermark.embed(clip, job_id=42, key=KEY, strength=STRENGTH)
    assert marked.shape == clip.shape and marked.dtype == np.uint8
    difference = marked.astype(np.int16) - clip
    unclipped = (clip > 8).all(axis=-1) & (clip < 247).all(axis=-1)
    # the same offset in R, G and B: chroma untouched
    assert (difference[..., 0] == difference[..., 1])[unclipped].all()
    assert (difference[..., 1] == difference[..., 2])[unclipped].all()
    psnr = 10 * np.log10(255**2 / np.mean(difference.astype(np.float64) ** 2))
    assert psnr >= 40
    assert np.abs(difference).max() <= 2 * STRENGTH


def test_tiny_frames_are_marked_without_error():
    clip = np.full((9, 48, 80, 3), 128, np.uint8)
    marked = watermark.embed(clip, job_id=7, key=KEY, strength=STRENGTH)
    assert marked.shape == clip.shape
    watermark.detect_frames(marked, key=KEY, threshold=THRESHOLD)  # no crash; may not find


def test_bad_frames_are_refused():
    with pytest.raises(ValueError, match="uint8"):
        watermark.embed(np.zeros((2, 8, 8, 3), np.float32), job_id=1, key=KEY, strength=1.0)


def test_frames_detect_directly():
    clip = picture_clip(2, width=320, height=176, frames=8)
    marked = watermark.embed(clip, job_id=987654, key=KEY, strength=STRENGTH)
    found = watermark.detect_frames(marked, key=KEY, threshold=THRESHOLD)
    assert found.job_id == 987654 and found.mac_ok and found.confidence > 0.9
    assert not watermark.detect_frames(clip, key=KEY, threshold=THRESHOLD).found
    # another key reads nothing: the layout and the MAC are both keyed
    assert not watermark.detect_frames(marked, key=b"another-key-000000", threshold=THRESHOLD).found


@pytest.fixture(scope="module")
def marked_file(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("wm")
    clip = picture_clip(3, width=256, height=256, frames=48)
    encode_mp4(watermark.embed(clip, job_id=31337, key=KEY, strength=STRENGTH), fps=24,
               path=folder / "marked.mp4")  # fmt: skip
    encode_mp4(clip, fps=24, path=folder / "plain.mp4")
    return folder / "marked.mp4", folder / "plain.mp4"


def test_mark_survives_crf_28_reencode(marked_file, tmp_path):
    marked, _ = marked_file
    suspect = reencode(marked, tmp_path / "crf28.mp4", "-c:v", "libx264", "-crf", "28")
    found = watermark.detect_file(suspect, key=KEY, threshold=THRESHOLD)
    assert found.job_id == 31337
    assert found.confidence >= THRESHOLD


def test_mark_survives_cut_and_other_container(marked_file, tmp_path):
    marked, _ = marked_file
    suspect = reencode(
        marked, tmp_path / "cut.mkv", "-ss", "0.5", "-t", "1", "-c:v", "libx264", "-crf", "23"
    )
    assert watermark.detect_file(suspect, key=KEY, threshold=THRESHOLD).job_id == 31337


def test_unmarked_video_has_no_mark(marked_file):
    _, plain = marked_file
    found = watermark.detect_file(plain, key=KEY, threshold=THRESHOLD)
    assert not found.found and found.job_id is None
    assert found.frames == 48


def test_not_a_video_is_an_error(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video\n" * 50)
    with pytest.raises(watermark.WatermarkError, match="not a readable video"):
        watermark.detect_file(bogus, key=KEY, threshold=THRESHOLD)


def test_mark_survives_half_size(marked_file, tmp_path):
    marked, _ = marked_file
    suspect = reencode(marked, tmp_path / "half.mp4", "-vf", "scale=128:128", "-crf", "23")
    assert watermark.detect_file(suspect, key=KEY, threshold=THRESHOLD).job_id == 31337
