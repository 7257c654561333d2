"""Forensic watermark benchmark: recovery after attacks, false attributions, quality, speed.

    .venv/bin/python bench/watermark.py [--marked 200] [--unmarked 1000] [--workers 2]
    .venv/bin/python bench/watermark.py --smoke   # seconds: tests/test_benchmarks.py

Test clips are synthetic but picture-like, not noise: a fractal (1/f) terrain under a sky
with a wandering horizon, a slow camera pan, one to three soft-edged objects crossing the
frame; 854x480, 72 frames at 24 fps (3 s). Each marked clip is marked with a random job id
(generation.watermark.embed at the default strength), encoded exactly as the worker does
(generation.encoding.encode_mp4, CRF 20), then attacked with ffmpeg/libx264 (veryfast):

* crf23, crf28: re-encode at that CRF;
* half: 50 % downscale (427x240 → even 426x240), CRF 23;
* cut: a 2-second excerpt from the middle (0.5 s → 2.5 s), CRF 23;
* combined: the cut, the downscale and CRF 28 in one pass.

Recovery counts a detection that names the right job id (MAC verified, confidence over
the default threshold). False attributions: unmarked clips (other seeds, same generator,
encoded the same way) that the detector attributes to *any* job; the platform would also
require the job to exist, so this is the stricter count. PSNR is measured on RGB, marked
against unmarked frames, before encoding. Time per 1080p frame is the embed call on 1080p
frames (median of repeats), with the once-per-clip pattern set-up reported apart.
"""

from __future__ import annotations

import argparse
import os
import platform as stdlib_platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from generation import watermark  # noqa: E402
from generation.encoding import encode_mp4  # noqa: E402

KEY = b"vernissage-benchmark-watermark-key"
FPS = 24
WIDTH, HEIGHT, FRAMES = 854, 480, 72
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
HALF = ["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2"]
CUT = ["-ss", "0.5", "-t", "2"]  # input options: 2 s from the middle of a 3 s clip
ATTACKS: dict[str, tuple[list[str], list[str]]] = {
    "delivered": ([], []),
    "crf23": ([], [*X264, "-crf", "23"]),
    "crf28": ([], [*X264, "-crf", "28"]),
    "half": ([], [*HALF, *X264, "-crf", "23"]),
    "cut": (CUT, [*X264, "-crf", "23"]),
    "combined": (CUT, [*HALF, *X264, "-crf", "28"]),
}


def _field(rng: np.random.Generator, height: int, width: int, exponent: float) -> np.ndarray:
    """Gaussian noise shaped to a 1/f^exponent amplitude spectrum: terrain, clouds."""
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fx**2 + fy**2)
    radius[0, 0] = 1.0
    spectrum = rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)
    spectrum /= radius**exponent
    spectrum[0, 0] = 0
    field = np.fft.irfft2(spectrum, s=(height, width))
    return ((field - field.mean()) / (field.std() + 1e-9)).astype(np.float32)


def synthetic_clip(
    seed: int, *, width: int = WIDTH, height: int = HEIGHT, frames: int = FRAMES
) -> np.ndarray:
    """A picture-like uint8 RGB clip (frames, height, width, 3), the same for a seed."""
    rng = np.random.default_rng(seed)
    pan = rng.uniform(-2.5, 2.5, size=2)
    margin = int(np.ceil(np.abs(pan).max() * frames)) + 2
    world_h, world_w = height + margin, width + margin
    terrain = _field(rng, world_h, world_w, rng.uniform(1.2, 1.6))
    grain = _field(rng, world_h, world_w, 0.9)
    palette = rng.uniform(0.1, 0.9, size=(3, 3)).astype(np.float32)
    t = np.clip(0.5 + 0.22 * terrain, 0, 1)[..., None]
    world = palette[0] * (1 - t) ** 2 + 2 * palette[1] * t * (1 - t) + palette[2] * t**2
    world += 0.05 * grain[..., None]
    horizon = world_h * rng.uniform(0.2, 0.6) + 0.08 * world_h * _field(rng, 1, world_w, 1.5)[0]
    rows = np.arange(world_h, dtype=np.float32)[:, None]
    sky_alpha = np.clip((horizon[None, :] - rows) / 3.0, 0, 1)[..., None]
    top, bottom = rng.uniform(0.3, 1.0, size=(2, 3)).astype(np.float32)
    sky = top + (bottom - top) * (rows / world_h)[..., None] + 0.015 * grain[..., None]
    world = world * (1 - sky_alpha) + sky * sky_alpha
    objects = [
        (
            rng.uniform([0, 0], [height, width]),
            rng.uniform(-4, 4, size=2),
            rng.uniform(0.08, 0.25, size=2) * height,
            rng.uniform(0, 1, size=3).astype(np.float32),
        )
        for _ in range(rng.integers(1, 4))
    ]
    clip = np.empty((frames, height, width, 3), np.uint8)
    start = np.array([margin / 2, margin / 2])
    for index in range(frames):
        top_y, left_x = np.clip((start + pan * (index - frames / 2)).astype(int), 0, margin)
        frame = world[top_y : top_y + height, left_x : left_x + width].copy()
        for centre, velocity, radius, colour in objects:
            cy, cx = centre + velocity * index
            y0, y1 = int(max(0, cy - radius[0])), int(min(height, cy + radius[0] + 1))
            x0, x1 = int(max(0, cx - radius[1])), int(min(width, cx + radius[1] + 1))
            if y0 >= y1 or x0 >= x1:
                continue
            yy = ((np.arange(y0, y1, dtype=np.float32) - cy) / radius[0])[:, None]
            xx = ((np.arange(x0, x1, dtype=np.float32) - cx) / radius[1])[None, :]
            alpha = np.clip((1.0 - yy**2 - xx**2) * 6, 0, 1)[..., None]
            patch = frame[y0:y1, x0:x1]
            frame[y0:y1, x0:x1] = patch * (1 - alpha) + colour * alpha * (0.8 + 0.2 * patch)
        clip[index] = np.clip(frame * 255 + 0.5, 0, 255)
    return clip


def _attack(source: Path, target: Path, before: list[str], after: list[str]) -> Path:
    if not after:
        return source
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *before, "-i", str(source)]
    subprocess.run([*command, *after, str(target)], check=True)  # noqa: S603
    return target


def run_marked(seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    job_id = int(rng.integers(1, 1 << 31))
    clip = synthetic_clip(seed)
    marked = watermark.embed(clip, job_id=job_id, key=KEY, strength=watermark.DEFAULT_STRENGTH)
    mse = float(np.mean((marked.astype(np.float64) - clip) ** 2))
    result: dict[str, object] = {"psnr": 10 * np.log10(255**2 / mse)}
    with tempfile.TemporaryDirectory() as folder:
        delivered = Path(folder) / "delivered.mp4"
        encode_mp4(marked, fps=FPS, path=delivered)
        for name, (before, after) in ATTACKS.items():
            suspect = _attack(delivered, Path(folder) / f"{name}.mp4", before, after)
            found = watermark.detect_file(suspect, key=KEY, threshold=watermark.DEFAULT_THRESHOLD)
            result[name] = (found.job_id == job_id, found.found and found.job_id != job_id)
            result[f"{name}:confidence"] = found.confidence
    return result


def run_unmarked(seed: int) -> tuple[bool, bool, float]:
    clip = synthetic_clip(seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unmarked.mp4"
        encode_mp4(clip, fps=FPS, path=path)
        found = watermark.detect_file(path, key=KEY, threshold=watermark.DEFAULT_THRESHOLD)
    return found.found, found.mac_ok, found.confidence


def time_1080p(repeats: int = 7, frames: int = 24) -> tuple[float, float]:
    clip = synthetic_clip(5, width=1920, height=1080, frames=frames)
    strength = watermark.DEFAULT_STRENGTH
    setups, per_frame = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        watermark.mark_plane(job_id=1, key=KEY, width=1920, height=1080, strength=strength)
        setup = time.perf_counter() - started
        started = time.perf_counter()
        watermark.embed(clip, job_id=1, key=KEY, strength=strength)
        total = time.perf_counter() - started
        setups.append(setup)
        per_frame.append((total - setup) / len(clip))
    return statistics.median(setups) * 1000, statistics.median(per_frame) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marked", type=int, default=200)
    parser.add_argument("--unmarked", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--smoke", action="store_true", help="1 marked and 2 unmarked clips, 1 timing of 4 frames"
    )
    options = parser.parse_args()
    if options.smoke:
        options.marked, options.unmarked, options.workers = 1, 2, 1
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {stdlib_platform.node()}, {os.cpu_count()} cpus"
    )
    setup_ms, frame_ms = time_1080p(repeats=1, frames=4) if options.smoke else time_1080p()
    print(f"1080p: pattern set-up {setup_ms:.1f} ms per clip, {frame_ms:.2f} ms per frame")
    started = time.perf_counter()
    with ProcessPoolExecutor(options.workers) as pool:
        marked = list(pool.map(run_marked, range(1, options.marked + 1)))
        print(f"marked clips done in {time.perf_counter() - started:.0f} s", flush=True)
        unmarked = list(pool.map(run_unmarked, range(10**6, 10**6 + options.unmarked)))
    print(f"all done in {time.perf_counter() - started:.0f} s")
    psnr = [float(row["psnr"]) for row in marked]  # type: ignore[arg-type]
    print(f"PSNR marked vs unmarked: mean {statistics.mean(psnr):.2f} dB, min {min(psnr):.2f} dB")
    print("| condition | recovered | wrong job | min confidence | median confidence |")
    print("|---|---|---|---|---|")
    for name in ATTACKS:
        right = sum(bool(row[name][0]) for row in marked)  # type: ignore[index]
        wrong = sum(bool(row[name][1]) for row in marked)  # type: ignore[index]
        scores = [float(row[f"{name}:confidence"]) for row in marked]  # type: ignore[arg-type]
        print(
            f"| {name} | {right}/{len(marked)} ({100 * right / len(marked):.1f} %) | {wrong} "
            f"| {min(scores):.3f} | {statistics.median(scores):.3f} |"
        )
    attributed = sum(found for found, _, _ in unmarked)
    mac_passes = sum(mac for _, mac, _ in unmarked)
    scores = sorted(score for _, _, score in unmarked)
    print(
        f"unmarked: {attributed}/{len(unmarked)} attributed, {mac_passes} MAC passes, "
        f"confidence median {statistics.median(scores):.3f}, max {scores[-1]:.3f} "
        f"(threshold {watermark.DEFAULT_THRESHOLD})"
    )


if __name__ == "__main__":
    main()
