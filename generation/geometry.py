"""From what an artist asks for (seconds, preset, aspect) to what a pipeline needs
(frames, height, width). The one place that mapping lives."""

from __future__ import annotations

from dataclasses import dataclass

ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}


@dataclass(frozen=True)
class ModelProfile:
    """What a model family renders: its frame rate and the short side of each preset."""

    fps: int
    short_side: dict[str, int]  # resolution preset -> pixels on the short side


@dataclass(frozen=True)
class Geometry:
    num_frames: int
    height: int
    width: int
    fps: int

    @property
    def duration_seconds(self) -> float:
        return self.num_frames / self.fps


def _multiple_of_16(value: float) -> int:
    return max(16, round(value / 16) * 16)


def frames_for(duration_seconds: int, fps: int) -> int:
    """Frame count nearest ``duration_seconds * fps`` of the form 4k+1 (what Wan needs)."""
    if duration_seconds < 1:
        raise ValueError("duration must be at least 1 second")
    k = max(1, round((duration_seconds * fps - 1) / 4))
    return 4 * k + 1


def geometry_for(
    *, duration_seconds: int, resolution: str, aspect_ratio: str, profile: ModelProfile
) -> Geometry:
    """Frames (4k+1) and size (multiples of 16) for a request. Raises ValueError for an
    unknown preset or aspect ratio."""
    if resolution not in profile.short_side:
        raise ValueError(f"unknown resolution preset {resolution!r}")
    if aspect_ratio not in ASPECT_RATIOS:
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}")
    short = profile.short_side[resolution]
    across, down = ASPECT_RATIOS[aspect_ratio]
    if across >= down:
        height, width = _multiple_of_16(short), _multiple_of_16(short * across / down)
    else:
        width, height = _multiple_of_16(short), _multiple_of_16(short * down / across)
    return Geometry(
        num_frames=frames_for(duration_seconds, profile.fps),
        height=height,
        width=width,
        fps=profile.fps,
    )


PROFILES: dict[str, ModelProfile] = {
    # Wan 2.1: 16 fps; 480p is 832x480 at 16:9.
    "wan": ModelProfile(fps=16, short_side={"480p": 480, "720p": 720, "1080p": 1080}),
    # The tiny CPU model: same shapes of request, thumbnail sizes, so a laptop keeps up.
    "tiny": ModelProfile(fps=8, short_side={"480p": 48, "720p": 64, "1080p": 96}),
}
