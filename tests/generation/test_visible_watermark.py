"""The visible watermark: tiled text that a crop does not remove."""

from __future__ import annotations

import numpy as np
import pytest

from generation.visible_watermark import apply_visible_watermark, overlay

TEXT = "Vernissage · Alice Artist"


def test_overlay_is_translucent_and_spread_over_the_frame():
    tile = overlay(text=TEXT, width=854, height=480)
    assert tile.shape == (480, 854, 4)
    alpha = tile[..., 3]
    assert 0 < alpha.max() <= round(255 * 0.22) + 1  # never opaque
    covered = alpha > 0
    assert 0.05 < covered.mean() < 0.4  # text, not a veil
    # every quarter of the frame (what a crop might keep) holds a good share of text
    for rows in (slice(0, 240), slice(240, 480)):
        for columns in (slice(0, 427), slice(427, 854)):
            assert covered[rows, columns].mean() > 0.03


@pytest.mark.parametrize(("left", "top"), [(0, 0), (500, 250), (200, 100), (600, 0)])
def test_any_third_of_the_frame_keeps_text(left, top):
    covered = overlay(text=TEXT, width=854, height=480)[..., 3] > 0
    crop = covered[top : top + 160, left : left + 284]
    assert crop.mean() > 0.03


def test_blending_changes_only_pixels_under_the_text():
    frames = np.full((3, 270, 480, 3), 90, np.uint8)
    marked = apply_visible_watermark(frames, text=TEXT)
    assert marked.shape == frames.shape and marked.dtype == np.uint8
    changed = (marked != frames).any(axis=-1)
    covered = overlay(text=TEXT, width=480, height=270)[..., 3] > 0
    assert changed[0].any() and not (changed[0] & ~covered).any()
    assert (marked[0] == marked[2]).all()  # the same mark on every frame
    assert frames[0, 0, 0, 0] == 90  # input untouched


def test_bright_and_dark_pictures_both_show_it():
    for level in (10, 245):
        frames = np.full((1, 200, 320, 3), level, np.uint8)
        marked = apply_visible_watermark(frames, text=TEXT)
        assert np.abs(marked.astype(int) - level).max() >= 25


def test_tiny_frames_work():
    marked = apply_visible_watermark(np.zeros((2, 48, 80, 3), np.uint8), text=TEXT)
    assert marked.shape == (2, 48, 80, 3)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="uint8"):
        apply_visible_watermark(np.zeros((4, 4, 3), np.uint8), text=TEXT)
