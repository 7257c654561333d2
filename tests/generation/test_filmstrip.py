"""``write_filmstrip``: evenly spaced frames, scaled to one height, side by side (issue 18)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from generation.encoding import write_filmstrip


def _frames(count: int, height: int = 48, width: int = 80) -> np.ndarray:
    """Frame ``i`` is one flat grey of level ``6 * i``: a tile says which frame it shows."""
    levels = np.arange(count, dtype=np.uint8) * 6
    return np.broadcast_to(levels[:, None, None, None], (count, height, width, 3)).copy()


def test_ten_evenly_spaced_tiles_of_a_longer_video(tmp_path):
    path = tmp_path / "strip.jpg"
    strip = write_filmstrip(_frames(40), path=path)
    assert (strip.frames, strip.tile_width, strip.height) == (10, 150, 90)
    image = Image.open(path)
    assert image.format == "JPEG" and image.size == (1500, 90)
    # Tile i shows frame i * 40 // 10 = 4 i (grey level 24 i), read at its centre.
    pixels = np.asarray(image.convert("RGB"))
    shown = [int(pixels[45, i * 150 + 75, 0]) for i in range(10)]
    assert all(abs(level - 24 * i) <= 3 for i, level in enumerate(shown)), shown


def test_a_short_video_gets_one_tile_per_frame_and_a_portrait_one_narrow_tiles(tmp_path):
    strip = write_filmstrip(_frames(3, height=80, width=48), path=tmp_path / "s.jpg")
    assert (strip.frames, strip.tile_width) == (3, 54)
    assert Image.open(tmp_path / "s.jpg").size == (3 * 54, 90)
