"""The storyboard's and the extension's cut (generation.encoding.concat_mp4) and where an
extension starts (last_frame): real ffmpeg, real files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generation.encoding import (
    EncodingError,
    concat_mp4,
    encode_mp4,
    last_frame,
    probe,
    read_frames,
)


def _clip(frames: int, *, width: int = 80, height: int = 48, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, None, :, None]
    noise = rng.integers(0, 40, (frames, height, width, 3))
    return np.clip(ramp + noise + np.arange(frames)[:, None, None, None] * 5, 0, 255).astype(
        np.uint8
    )


def test_parts_are_cut_together_without_re_encoding(tmp_path: Path) -> None:
    parts = []
    for index, frames in enumerate((9, 17, 5)):
        path = tmp_path / f"part-{index}.mp4"
        encode_mp4(_clip(frames, seed=index), fps=8, path=path)
        parts.append(path)
    out = tmp_path / "cut.mp4"
    concat_mp4(parts, path=out)
    info = probe(out)
    assert (info.frame_count, info.width, info.height, info.fps) == (31, 80, 48, 8.0)
    # Every frame is the part's frame as it was encoded: copied, not encoded again.
    expected = np.concatenate([read_frames(part) for part in parts])
    assert np.array_equal(read_frames(out), expected)
    assert not list(tmp_path.glob("*.txt"))  # the parts list is cleaned up


@pytest.mark.parametrize(
    ("other", "why"),
    [({"width": 64}, "size"), ({"fps": 16}, "frame rate")],
)
def test_parts_that_differ_are_refused_rather_than_cut_with_a_seam(
    tmp_path: Path, other: dict[str, int], why: str
) -> None:
    first, second = tmp_path / "a.mp4", tmp_path / "b.mp4"
    encode_mp4(_clip(9), fps=8, path=first)
    fps = other.pop("fps", 8)
    encode_mp4(_clip(9, **other), fps=fps, path=second)
    with pytest.raises(EncodingError, match="differ"):
        concat_mp4([first, second], path=tmp_path / "cut.mp4")
    assert not (tmp_path / "cut.mp4").exists(), why


def test_the_last_frame_is_the_videos_last_whatever_its_length(tmp_path: Path) -> None:
    for frames in (1, 9, 41):
        path = tmp_path / f"v{frames}.mp4"
        encode_mp4(_clip(frames, seed=frames), fps=8, path=path)
        last = last_frame(path)
        assert last.shape == (48, 80, 3) and last.dtype == np.uint8
        assert np.array_equal(last, read_frames(path)[-1])
    with pytest.raises(EncodingError):
        last_frame(tmp_path / "missing.mp4")
