"""The storyboard's cut (issue 17): what a storyboard's output costs to encode the way the
worker does it (each shot encoded on its own with ``encode_mp4``, then the parts cut
together with ffmpeg's concat, ``concat_mp4``: ``jobs.worker._encode_video``) over
encoding the same frames as one video (one ``encode_mp4``), for 2 to 6 shots, at the tiny
model's size and at Wan 2.1's 480p.

    .venv/bin/python bench/storyboard_cut.py [--repeats 5] [--shots 2 3 4 5 6]
        [--sizes tiny 480p]
    .venv/bin/python bench/storyboard_cut.py --smoke   # seconds: tests/test_benchmarks.py

No database, no worker: ``generation.encoding`` and ``generation.geometry`` only. Shots are
synthetic but compressible: colour gradients that drift, moving stripes and a little
grain, a different hue per shot (what a model renders is smooth, not noise). Sizes: the
platform's own for a 2 s shot at 480p 16:9 on the tiny model (17 frames, 80x48, 8 fps),
and a 5 s shot at Wan 2.1's native 480p (81 frames, 832x480, 16 fps). Each repeat times
both ways back to back, alternating which goes first; "extra" is the cut way minus the
one encode, paired per repeat, and per shot is that over the shots. ``concat_mp4`` probes
every part's headers first (ffprobe without counting frames) to refuse parts that differ:
that probing is timed on its own too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench._stack import date_line, load_average, machine_line  # noqa: E402
from generation.encoding import concat_mp4, encode_mp4, probe  # noqa: E402
from generation.geometry import PROFILES, Geometry, frames_for, geometry_for  # noqa: E402

SIZES = {
    "tiny": geometry_for(
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", profile=PROFILES["tiny"]
    ),
    # Wan 2.1's native 480p (the project maps 480p 16:9 to 848x480: 2 % more pixels).
    "480p": Geometry(
        num_frames=frames_for(5, PROFILES["wan"].fps),
        height=480,
        width=832,
        fps=PROFILES["wan"].fps,
    ),
}


def shot_frames(geometry: Geometry, shot: int) -> np.ndarray:
    """One shot's frames, uint8 (frames, height, width, 3): drifting gradients, moving
    stripes and ±3 grain, in a hue of its own."""
    rng = np.random.default_rng(shot)
    y, x = np.mgrid[0 : geometry.height, 0 : geometry.width].astype(np.float32)
    u, v = x / geometry.width, y / geometry.height
    frames = np.empty((geometry.num_frames, geometry.height, geometry.width, 3), np.uint8)
    for t in range(geometry.num_frames):
        phase = t / geometry.num_frames
        stripes = 40 * np.sin(18 * (u + v) - 6 * phase + shot)
        channels = (
            120 + 100 * np.cos(np.pi * (u + phase + shot / 6)) + stripes,
            120 + 90 * v + 30 * np.sin(2 * np.pi * phase) - stripes / 2,
            60 + 25 * shot + 80 * u * v + stripes / 3,
        )
        picture = np.stack(channels, axis=-1)
        picture += rng.integers(-3, 4, picture.shape, dtype=np.int8)
        frames[t] = np.clip(picture, 0, 255).astype(np.uint8)
    return frames


@dataclass
class Timing:
    one: float  # ms: one encode_mp4 of all the frames
    parts: float  # ms: each shot's encode_mp4, summed
    concat: float  # ms: concat_mp4 (probing the parts included)
    probes: float  # ms: probing the parts alone, as concat_mp4 does first
    one_bytes: int
    cut_bytes: int

    @property
    def cut(self) -> float:
        return self.parts + self.concat

    @property
    def extra(self) -> float:
        return self.cut - self.one


def time_once(frames: np.ndarray, *, shots: int, per_shot: int, fps: int, folder: Path,
              cut_first: bool) -> Timing:  # fmt: skip
    """Both ways once, in the order given; the cut as ``jobs.worker._encode_video`` does it."""
    one_path, cut_path = folder / "one.mp4", folder / "cut.mp4"
    timed: dict[str, float] = {}

    def one() -> None:
        started = time.perf_counter()
        encode_mp4(frames, fps=fps, path=one_path)
        timed["one"] = (time.perf_counter() - started) * 1000

    def cut() -> None:
        parts = []
        started = time.perf_counter()
        for shot in range(shots):
            part = folder / f"shot-{shot}.mp4"
            encode_mp4(frames[shot * per_shot : (shot + 1) * per_shot], fps=fps, path=part)
            parts.append(part)
        encoded = time.perf_counter()
        concat_mp4(parts, path=cut_path)
        timed["parts"] = (encoded - started) * 1000
        timed["concat"] = (time.perf_counter() - encoded) * 1000
        started = time.perf_counter()
        for part in parts:
            probe(part, count_frames=False)  # as concat_mp4 checks them: headers only
        timed["probes"] = (time.perf_counter() - started) * 1000

    for step in (cut, one) if cut_first else (one, cut):
        step()
    return Timing(
        one=timed["one"], parts=timed["parts"], concat=timed["concat"], probes=timed["probes"],
        one_bytes=one_path.stat().st_size, cut_bytes=cut_path.stat().st_size,
    )  # fmt: skip


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5, help="timings of each shot count")
    parser.add_argument("--shots", type=int, nargs="+", default=[2, 3, 4, 5, 6])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["tiny", "480p"])
    parser.add_argument(
        "--smoke", action="store_true", help="2 and 3 shots, 1 repeat, 480p shots of 9 frames"
    )
    args = parser.parse_args()
    sizes = dict(SIZES)
    if args.smoke:
        args.repeats, args.shots = 1, [2, 3]
        big = sizes["480p"]
        sizes["480p"] = Geometry(num_frames=9, height=big.height, width=big.width, fps=big.fps)

    started, load = time.time(), load_average()
    rows: list[tuple[str, int, list[Timing]]] = []
    for name in args.sizes:
        geometry = sizes[name]
        frames = np.concatenate([shot_frames(geometry, shot) for shot in range(max(args.shots))])
        label = (
            f"{name} {geometry.width}x{geometry.height} @ {geometry.fps} fps, "
            f"{geometry.num_frames} frames per shot"
        )
        with tempfile.TemporaryDirectory(prefix="bench-cut-") as folder:
            for shots in args.shots:
                clip = frames[: shots * geometry.num_frames]
                timings = [
                    time_once(
                        clip, shots=shots, per_shot=geometry.num_frames, fps=geometry.fps,
                        folder=Path(folder), cut_first=repeat % 2 == 1,
                    )
                    for repeat in range(args.repeats)
                ]  # fmt: skip
                # The cut is the whole storyboard, frame for frame, as the one video is.
                cut, one = probe(Path(folder) / "cut.mp4"), probe(Path(folder) / "one.mp4")
                assert cut.frame_count == one.frame_count == len(clip), (cut, one, len(clip))
                rows.append((label, shots, timings))

    print(machine_line())
    print(date_line(started, load))
    print(f"{args.repeats} repeat(s) of each; medians")
    for label, shots, timings in rows:
        extra = median([t.extra for t in timings])
        print(
            f"{label}, {shots} shots: one encode {median([t.one for t in timings]):.1f} ms; "
            f"per-shot encodes {median([t.parts for t in timings]):.1f} ms + concat "
            f"{median([t.concat for t in timings]):.1f} ms (probing the parts "
            f"{median([t.probes for t in timings]):.1f} ms) = cut "
            f"{median([t.cut for t in timings]):.1f} ms; extra {extra:.1f} ms = "
            f"{extra / shots:.1f} ms per shot; size one {timings[0].one_bytes / 1024:.0f} KiB, "
            f"cut {timings[0].cut_bytes / 1024:.0f} KiB"
        )
    for label in dict.fromkeys(label for label, _, _ in rows):
        counts = [
            (shots, median([t.extra for t in ts])) for name, shots, ts in rows if name == label
        ]
        if len(counts) > 1:
            slope, intercept = np.polyfit([c for c, _ in counts], [e for _, e in counts], 1)
            print(
                f"{label}: extra ≈ {intercept:.1f} ms + {slope:.1f} ms per shot "
                f"(least squares over {counts[0][0]}..{counts[-1][0]} shots)"
            )
    print(
        "| size | shots | one encode | per-shot encodes | concat (probing) | extra | "
        "extra per shot |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, shots, timings in rows:
        extra = median([t.extra for t in timings])
        print(
            f"| {label.split(',')[0]} | {shots} | {median([t.one for t in timings]):.0f} ms "
            f"| {median([t.parts for t in timings]):.0f} ms "
            f"| {median([t.concat for t in timings]):.0f} ms "
            f"({median([t.probes for t in timings]):.0f}) | {extra:.0f} ms "
            f"| {extra / shots:.0f} ms |"
        )


if __name__ == "__main__":
    main()
