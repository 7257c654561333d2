"""Frames to files: H.264 MP4 through ffmpeg, a poster image, a filmstrip, probing and
hashing."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np
from PIL import Image


class EncodingError(RuntimeError):
    """ffmpeg could not write or read the video; the message carries its stderr tail."""


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float frames in [0, 1], shaped (frames, height, width, 3) → contiguous uint8."""
    if frames.ndim == 5:  # (batch, frames, h, w, c) from a pipeline
        frames = frames[0]
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"expected (frames, height, width, 3), got {frames.shape}")
    scaled = np.clip(frames, 0.0, 1.0) * 255.0
    return np.ascontiguousarray(np.rint(scaled).astype(np.uint8))


def encode_mp4(frames: np.ndarray, *, fps: int, path: Path, crf: int = 20) -> None:
    """Pipe uint8 RGB frames into ffmpeg: H.264, yuv420p, moov atom first (streams at once)."""
    count, height, width, _ = frames.shape
    process = (
        ffmpeg.input("pipe:", format="rawvideo", pix_fmt="rgb24", s=f"{width}x{height}", r=fps)
        .output(
            str(path),
            vcodec="libx264",
            pix_fmt="yuv420p",
            crf=crf,
            preset="veryfast",
            movflags="+faststart",
            r=fps,
        )
        .global_args("-loglevel", "error", "-nostdin")
        .overwrite_output()
        .run_async(pipe_stdin=True, pipe_stderr=True, quiet=True)
    )
    try:
        _, stderr = process.communicate(input=frames.tobytes())
    except OSError as error:  # ffmpeg died early (disk full, bad args)
        process.kill()
        raise EncodingError(f"ffmpeg stopped: {error}") from error
    if process.returncode != 0:
        tail = (stderr or b"").decode(errors="replace")[-500:]
        raise EncodingError(f"ffmpeg exited with {process.returncode}: {tail}")
    if count == 0 or not path.exists() or path.stat().st_size == 0:
        raise EncodingError("ffmpeg wrote no video")


def write_poster(frames: np.ndarray, *, path: Path) -> None:
    """The middle frame as a JPEG."""
    Image.fromarray(frames[len(frames) // 2]).save(path, format="JPEG", quality=88)


FILMSTRIP_TILES = 10
FILMSTRIP_HEIGHT = 90


@dataclass(frozen=True)
class Filmstrip:
    frames: int  # tiles, left to right, evenly spaced over the video
    tile_width: int  # pixels; the image is frames x tile_width wide, height high
    height: int


def write_filmstrip(
    frames: np.ndarray, *, path: Path, tiles: int = FILMSTRIP_TILES, height: int = FILMSTRIP_HEIGHT
) -> Filmstrip:
    """``tiles`` evenly spaced frames (fewer if the video has fewer), each scaled to
    ``height`` pixels high, side by side in one JPEG: tile ``i`` shows the frame at
    ``i / tiles`` of the way through, so a position on the strip is a time in the video."""
    count, frame_height, frame_width, _ = frames.shape
    if count == 0:
        raise ValueError("no frames for a filmstrip")
    tiles = max(1, min(tiles, count))
    tile_width = max(1, round(frame_width * height / frame_height))
    strip = Image.new("RGB", (tiles * tile_width, height))
    for i in range(tiles):
        frame = Image.fromarray(frames[i * count // tiles])
        strip.paste(
            frame.resize((tile_width, height), Image.Resampling.BILINEAR), (i * tile_width, 0)
        )
    strip.save(path, format="JPEG", quality=80)
    return Filmstrip(frames=tiles, tile_width=tile_width, height=height)


@dataclass(frozen=True)
class VideoInfo:
    codec: str
    pix_fmt: str
    width: int
    height: int
    frame_count: int
    fps: float
    duration_seconds: float


def probe(path: Path, *, count_frames: bool = True) -> VideoInfo:
    """What ffprobe says the file really is. ``count_frames``: decode it to count its
    frames (else ``frame_count`` is the container's figure, 0 where it has none)."""
    options: dict[str, object] = {"select_streams": "v:0"}
    if count_frames:
        options["count_frames"] = None
    try:
        info = ffmpeg.probe(str(path), **options)
    except ffmpeg.Error as error:
        raise EncodingError((error.stderr or b"").decode(errors="replace")[-500:]) from error
    stream = info["streams"][0]
    numerator, denominator = (int(x) for x in stream["avg_frame_rate"].split("/"))
    return VideoInfo(
        codec=stream["codec_name"],
        pix_fmt=stream.get("pix_fmt", ""),
        width=int(stream["width"]),
        height=int(stream["height"]),
        frame_count=int(stream.get("nb_read_frames") or stream.get("nb_frames") or 0),
        fps=numerator / denominator if denominator else 0.0,
        duration_seconds=float(info["format"].get("duration") or 0.0),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _decode_rgb(path: Path, *, width: int, height: int, before_input: Sequence[str] = ()) -> bytes:
    """Raw RGB frames of ``path``'s video, whole frames only (ffmpeg's ``before_input``
    options, e.g. a seek, go before ``-i``). Raises EncodingError with ffmpeg's words."""
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", *before_input, "-i", str(path),
        "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=600)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EncodingError(f"ffmpeg could not read {path.name}: {error}") from error
    frame_size = width * height * 3
    if result.returncode != 0 or len(result.stdout) < frame_size:
        tail = result.stderr.decode(errors="replace")[-500:]
        raise EncodingError(f"ffmpeg could not decode {path.name}: {tail or 'no frames'}")
    return result.stdout[: len(result.stdout) // frame_size * frame_size]


def read_frames(path: Path) -> np.ndarray:
    """Every frame of a video file as uint8 RGB (frames, height, width, 3)."""
    info = probe(path)
    data = _decode_rgb(path, width=info.width, height=info.height)
    return np.frombuffer(data, np.uint8).reshape(-1, info.height, info.width, 3)


def last_frame(path: Path) -> np.ndarray:
    """The last frame of a video file, uint8 RGB (height, width, 3): where an extension
    starts from. Decodes only its last second (``-sseof``), not the whole video."""
    info = probe(path, count_frames=False)
    data = _decode_rgb(path, width=info.width, height=info.height, before_input=("-sseof", "-1"))
    frames = np.frombuffer(data, np.uint8).reshape(-1, info.height, info.width, 3)
    return frames[-1].copy()


def concat_mp4(parts: Sequence[Path], *, path: Path) -> None:
    """Cut ``parts`` together in order into ``path`` with ffmpeg's concat demuxer, without
    re-encoding. The parts must share codec, size and frame rate (as ``encode_mp4`` writes
    them for one job): a part that differs raises EncodingError rather than make a video
    whose picture or pace jumps where two parts meet."""
    if len(parts) < 2:
        raise ValueError("concat_mp4 needs at least two parts")
    infos = [probe(part, count_frames=False) for part in parts]  # headers suffice
    shapes = {(i.codec, i.pix_fmt, i.width, i.height, round(i.fps, 3)) for i in infos}
    if len(shapes) != 1:
        raise EncodingError(f"the parts differ in codec, size or frame rate: {sorted(shapes)}")
    listing = path.with_name(path.stem + "-parts.txt")
    quoted = [str(part.resolve()).replace("'", "'\\''") for part in parts]
    listing.write_text("".join(f"file '{name}'\n" for name in quoted))
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
        "-i", str(listing), "-map", "0:v:0", "-c", "copy", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=600)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EncodingError(f"ffmpeg could not cut the parts together: {error}") from error
    finally:
        listing.unlink(missing_ok=True)
    if result.returncode != 0 or not path.exists() or path.stat().st_size == 0:
        tail = result.stderr.decode(errors="replace")[-500:]
        raise EncodingError(f"ffmpeg could not cut the parts together: {tail}")
