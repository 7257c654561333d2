"""C2PA signing cost per output: sign, and read back + validate, a real H.264 clip.

    .venv/bin/python bench/c2pa_sign.py [--seconds 5] [--resolution 480p] [--runs 30]
    .venv/bin/python bench/c2pa_sign.py --smoke   # seconds: tests/test_benchmarks.py

Encodes one clip of Wan's geometry (5 s at 480p 16:9: 81 frames, 848x480, 16 fps) from
smooth moving synthetic content with the worker's own encoder, makes a development chain,
then times ``sign_video`` (what the worker adds per job, with the signer created each
time as the worker does) and ``read_manifest`` with the trust anchor (the worker's
read-back check). No Django, no database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

import numpy as np  # noqa: E402

from generation.encoding import encode_mp4  # noqa: E402
from generation.geometry import PROFILES, geometry_for  # noqa: E402
from generation.provenance import SigningKey, created_manifest, read_manifest, sign_video  # noqa: E402
from provenance.dev_certs import dev_chain_write  # noqa: E402


def clip(frames: int, height: int, width: int) -> np.ndarray:
    """Soft moving colour fields: compresses like natural footage, not like noise."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = np.empty((frames, height, width, 3), dtype=np.uint8)
    for t in range(frames):
        phase = t / frames * 2 * np.pi
        r = 0.5 + 0.5 * np.sin(x / 90 + phase)
        g = 0.5 + 0.5 * np.sin(y / 70 - phase * 0.7)
        b = 0.5 + 0.5 * np.sin((x + y) / 120 + phase * 1.3)
        out[t] = (np.stack([r, g, b], axis=-1) * 255).astype(np.uint8)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--resolution", default="480p")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--smoke", action="store_true", help="a 2 s clip at 480p, 2 runs")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.resolution, args.runs = 2, "480p", 2
    geo = geometry_for(
        duration_seconds=args.seconds,
        resolution=args.resolution,
        aspect_ratio="16:9",
        profile=PROFILES["wan"],
    )
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        video = base / "clip.mp4"
        encode_mp4(clip(geo.num_frames, geo.height, geo.width), fps=geo.fps, path=video)
        chain, _ = dev_chain_write(folder=base / "c2pa")
        key = SigningKey.from_files(cert_chain=chain.cert_chain, private_key=chain.private_key)
        anchors = chain.root.read_bytes()
        manifest = created_manifest(
            title="Vernissage video.mp4", generator_name="Vernissage", generator_version="0.1.0",
            model_name="wan2.1-t2v-1.3b", model_source="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
            author="Alice of the Harbour",
        )  # fmt: skip
        signed = base / "signed.mp4"
        sign_video(source=video, dest=signed, manifest=manifest, key=key)  # warm-up
        assert read_manifest(signed, trust_anchors_pem=anchors).is_trusted
        sign_ms, read_ms = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            sign_video(source=video, dest=signed, manifest=manifest, key=key)
            sign_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            report = read_manifest(signed, trust_anchors_pem=anchors)
            read_ms.append((time.perf_counter() - start) * 1000)
            assert report.is_trusted, report.failures
        size, signed_size = video.stat().st_size, signed.stat().st_size
    print(
        f"clip: {geo.num_frames} frames {geo.width}x{geo.height} @ {geo.fps} fps, "
        f"{size / 1024:.0f} KiB; manifest adds {signed_size - size} bytes"
    )
    for name, values in (("sign_video", sign_ms), ("read_manifest (validate)", read_ms)):
        print(
            f"{name}: median {statistics.median(values):.1f} ms, "
            f"p90 {percentile(values, 0.9):.1f} ms, max {max(values):.1f} ms (n={len(values)})"
        )


if __name__ == "__main__":
    main()
