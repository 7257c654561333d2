"""Pre-screening (issue 18; decision 0035): the frame classifier's cost per 5 s 480p output
and its flag rate on tiny-model videos.

    .venv/bin/python bench/prescreen.py [--repeats 30] [--videos 24]
    .venv/bin/python bench/prescreen.py --smoke   # seconds: tests/test_benchmarks.py

No database: the default classifier (``generation.screening.nudenet_classify``, NudeNet's
ONNX detector on CPU) as the worker calls it, on the frames array the worker already holds.

1. cost: a 5 s 480p output is 81 frames of 848x480 (16 fps); the classifier samples 8 of
   them. Timed per call after one warm-up call (the worker loads the session once per
   process); the first call, session load included, is printed apart.
2. flag rate: the tiny Wan model (built here with ``generation.tiny_model`` unless
   ``VERNISSAGE_TINY_MODEL_PATH`` names one) renders N videos (17 frames at 80x48, varied
   prompts and seeds), each scaled to 848x480 and stretched to 81 frames as the worker
   would hand them over; flagged = a label of the default flag labels at or above the
   default threshold (50 %). Also the highest score any label reached.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from generation.screening import nudenet_classify  # noqa: E402

# config/settings/generation.py's defaults (this script runs without Django).
FLAG_LABELS = {
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "BUTTOCKS_EXPOSED",
    "ANUS_EXPOSED",
}
FLAG_THRESHOLD = 0.5
PROMPTS = [
    "a red bird over the sea",
    "a quiet harbour at dawn",
    "a dancer on a rooftop at night",
    "two people swimming in a lake",
    "a portrait of a woman in soft light",
    "a crowded beach in summer",
    "rain on a city street",
    "a figure drawing class, charcoal",
]


def summary(name: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return (
        f"{name}: n={len(ordered)} median={statistics.median(ordered):.1f} ms "
        f"p90={pct(90):.1f} ms p99={pct(99):.1f} ms min={ordered[0]:.1f} ms "
        f"max={ordered[-1]:.1f} ms"
    )


def to_480p(frames: np.ndarray, count: int = 81) -> np.ndarray:
    """Tiny-model frames scaled to 848x480 and stretched to ``count`` frames."""
    import cv2

    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    return np.stack(
        [cv2.resize(frames[i], (848, 480), interpolation=cv2.INTER_LINEAR) for i in picks]
    )


def tiny_videos(count: int) -> list[np.ndarray]:
    from generation.registry import ModelSpec, PipelineRegistry
    from generation.runner import RenderRequest, render
    from generation.tiny_model import build_tiny_wan

    path = os.environ.get("VERNISSAGE_TINY_MODEL_PATH", "")
    folder = None
    if not path or not (Path(path) / "model_index.json").exists():
        folder = tempfile.TemporaryDirectory(prefix="bench-prescreen-")
        path = str(build_tiny_wan(Path(folder.name) / "tiny-wan"))
    spec = ModelSpec(
        name="tiny", source=path, profile="tiny", dtype="float32", device="cpu", steps=4
    )
    loaded = PipelineRegistry({"tiny": spec}).get("tiny")
    videos = []
    for index in range(count):
        request = RenderRequest(
            prompt=PROMPTS[index % len(PROMPTS)], negative_prompt="", num_frames=17,
            height=48, width=80, seed=1000 + index, steps=4, guidance=5.0,
        )  # fmt: skip
        videos.append(render(loaded, request, lambda done, total: None))
    if folder is not None:
        folder.cleanup()
    return videos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--videos", type=int, default=24)
    parser.add_argument("--smoke", action="store_true", help="3 repeats, 2 videos")
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.videos = 3, 2

    rng = np.random.default_rng(7)
    output = rng.integers(0, 256, size=(81, 480, 848, 3), dtype=np.uint8)
    started = time.perf_counter()
    first = nudenet_classify(output)
    first_ms = (time.perf_counter() - started) * 1000
    print(f"classifier: {first.classifier}, {first.frames} of 81 frames sampled")
    print(f"first call (session load included): {first_ms:.1f} ms")
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        nudenet_classify(output)
        times.append((time.perf_counter() - started) * 1000)
    print(summary("cost per 5 s 480p output (81 frames 848x480)", times))

    videos = [to_480p(frames) for frames in tiny_videos(args.videos)]
    flagged, best = 0, 0.0
    for frames in videos:
        seen = nudenet_classify(frames)
        watched = [score for label, score in seen.scores.items() if label in FLAG_LABELS]
        flagged += any(score >= FLAG_THRESHOLD for score in watched)
        best = max([best, *seen.scores.values()])
    print(
        f"flag rate, tiny-model videos: {flagged}/{len(videos)} flagged "
        f"({100 * flagged / len(videos):.0f} %), highest label score {best:.2f}"
    )


if __name__ == "__main__":
    main()
