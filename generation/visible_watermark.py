"""Visible watermark: a line of text tiled diagonally across every frame.

The text ("<program> · <artist>") repeats in staggered rows at 30°, light letters with a
dark outline so it reads on bright and dark pictures alike, at low opacity. Rows are
about a quarter of the frame height apart and each copy is shorter than the frame, so any
crop that keeps a useful part of the picture keeps whole copies of the text; removing
it means repainting most of the frame. The overlay is drawn once per clip and blended
into each frame with integer arithmetic.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ANGLE_DEGREES = 30
DEFAULT_OPACITY = 0.22


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):  # Pillow built without FreeType: fixed bitmap font
        return ImageFont.load_default()


def overlay(*, text: str, width: int, height: int, opacity: float = DEFAULT_OPACITY) -> np.ndarray:
    """RGBA uint8 (height, width, 4): the tiled text, alpha already scaled by opacity."""
    if width < 1 or height < 1:
        raise ValueError(f"frame size must be positive, got {width}x{height}")
    size = max(9, round(min(width, height) / 18))
    font = _font(size)
    stroke = max(1, size // 12)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    box = probe.textbbox((0, 0), text, font=font, stroke_width=stroke)
    left, top, right, bottom = (math.floor(box[0]), math.floor(box[1]), *map(math.ceil, box[2:]))
    stamp = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(stamp).text(
        (1 - left, 1 - top), text, font=font, fill=(255, 255, 255, 255),
        stroke_width=stroke, stroke_fill=(0, 0, 0, 255),
    )  # fmt: skip
    # One rotated stamp, pasted on a rotated, staggered lattice: whole copies everywhere.
    stamp = stamp.rotate(ANGLE_DEGREES, resample=Image.Resampling.BICUBIC, expand=True)
    angle = math.radians(ANGLE_DEGREES)
    along = np.array([math.cos(angle), -math.sin(angle)])  # the text's direction on screen
    across = np.array([math.sin(angle), math.cos(angle)])
    step_along = stamp.width / math.cos(angle) + size * 4
    step_across = max(size * 3.0, min(width, height) / 4)
    reach = math.hypot(width, height)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    centre = np.array([width / 2, height / 2])
    rows = int(reach / step_across / 2) + 2
    columns = int(reach / step_along / 2) + 2
    for row in range(-rows, rows + 1):
        shift = (row % 2) * step_along / 2  # staggered rows: no column without text
        for column in range(-columns, columns + 1):
            x, y = centre + along * (column * step_along + shift) + across * row * step_across
            left_x, top_y = round(x - stamp.width / 2), round(y - stamp.height / 2)
            if -stamp.width < left_x < width and -stamp.height < top_y < height:
                canvas.alpha_composite(
                    stamp, dest=(max(0, left_x), max(0, top_y)),
                    source=(max(0, -left_x), max(0, -top_y)),
                )  # fmt: skip
    tile = np.array(canvas)
    tile[..., 3] = np.rint(tile[..., 3] * opacity).astype(np.uint8)
    return tile


def apply_visible_watermark(
    frames: np.ndarray, *, text: str, opacity: float = DEFAULT_OPACITY
) -> np.ndarray:
    """Blend the tiled text into uint8 RGB frames (frames, height, width, 3); new array."""
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"expected uint8 (frames, height, width, 3), got {frames.shape}")
    count, height, width, _ = frames.shape
    tile = overlay(text=text, width=width, height=height, opacity=opacity).reshape(-1, 4)
    covered = np.flatnonzero(tile[:, 3])  # only pixels under the text change
    alpha = tile[covered, 3:4].astype(np.uint16)
    keep = 255 - alpha
    ink = tile[covered, :3].astype(np.uint16) * alpha + 127
    marked = frames.copy()
    pixels = marked.reshape(count, -1, 3)
    for frame in pixels:
        # (frame * (255 - a) + ink * a + 127) / 255, rounded, in 16-bit integers
        blended = frame[covered] * keep + ink
        frame[covered] = (blended + (blended >> 8) + 1) >> 8
    return marked
