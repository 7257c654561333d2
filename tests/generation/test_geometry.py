"""The one function that maps a request to frames and sizes."""

from __future__ import annotations

import pytest

from generation.geometry import PROFILES, frames_for, geometry_for


@pytest.mark.parametrize(
    ("seconds", "fps", "frames"),
    [(1, 16, 17), (5, 16, 81), (10, 16, 161), (2, 8, 17), (5, 8, 41), (10, 8, 81), (1, 1, 5)],
)
def test_frames_are_4k_plus_1_nearest_the_duration(seconds, fps, frames):
    assert frames_for(seconds, fps) == frames
    assert (frames - 1) % 4 == 0


def test_zero_duration_is_refused():
    with pytest.raises(ValueError, match="at least 1 second"):
        frames_for(0, 16)


@pytest.mark.parametrize(
    ("resolution", "aspect", "size"),
    [
        ("480p", "16:9", (480, 848)),
        ("480p", "9:16", (848, 480)),
        ("480p", "1:1", (480, 480)),
        ("720p", "16:9", (720, 1280)),
        ("1080p", "16:9", (1088, 1920)),
        ("1080p", "9:16", (1920, 1088)),
    ],
)
def test_wan_sizes_are_multiples_of_16_with_the_right_shape(resolution, aspect, size):
    geometry = geometry_for(
        duration_seconds=5, resolution=resolution, aspect_ratio=aspect, profile=PROFILES["wan"]
    )
    assert (geometry.height, geometry.width) == size
    assert geometry.height % 16 == 0 and geometry.width % 16 == 0
    assert geometry.num_frames == 81 and geometry.fps == 16
    assert geometry.duration_seconds == pytest.approx(81 / 16)


def test_tiny_profile_keeps_requests_small():
    geometry = geometry_for(
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", profile=PROFILES["tiny"]
    )
    assert (geometry.num_frames, geometry.height, geometry.width) == (17, 48, 80)


@pytest.mark.parametrize(("resolution", "aspect"), [("4k", "16:9"), ("480p", "4:3")])
def test_unknown_presets_are_refused(resolution, aspect):
    with pytest.raises(ValueError, match="unknown"):
        geometry_for(
            duration_seconds=2, resolution=resolution, aspect_ratio=aspect, profile=PROFILES["wan"]
        )
