"""Forensic watermark: a keyed, invisible mark of the job id in every frame's luma.

The mark survives what a leaked clip usually goes through (H.264 re-encode, downscale,
cutting) because it lives where those operations keep the signal (decision 0011):

* **Luma, low spatial frequency.** The same value is added to R, G and B, which changes
  Y only; chroma subsampling (4:2:0) never touches it. The pattern is defined on a fixed
  ``ROWS x COLS`` lattice over the *normalised* frame and smoothly resized to the frame, so
  a 50 % downscale, another aspect or another resolution reads back on the same lattice.
* **Every frame carries the same mark.** Cuts keep it; averaging frames at detection adds
  the mark coherently while content and codec noise partly cancel.
* **Spread spectrum with error correction.** The 64-bit payload (40-bit job id + 24-bit
  HMAC) is convolutionally coded (K=7, rate 1/2, 140 coded bits); each coded bit is spread
  over ~29 lattice cells at keyed positions with keyed ±1 chips. Detection removes the
  picture with a high-pass filter, correlates, and Viterbi-decodes soft values.
* **Deciding, not guessing.** A decode counts only when the MAC verifies *and* the
  normalised correlation between the soft values and the re-encoded codeword passes a
  threshold; the caller then checks that the job exists. Anything else is "no mark".

Nothing here imports Django: the key and strength are arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

# Lattice cells (rows, columns) over the normalised frame; independent of the frame's size.
ROWS, COLS = 96, 96
JOB_ID_BITS = 40
MAC_BITS = 24
PAYLOAD_BITS = JOB_ID_BITS + MAC_BITS
# Convolutional code: constraint length 7, the NASA/Voyager generators, zero-tailed.
_K = 7
_GENERATORS = (0o171, 0o133)
CODED_BITS = 2 * (PAYLOAD_BITS + _K - 1)
# Default amplitude of the luma pattern on the lattice, in 8-bit levels (PSNR ≈ 41 dB).
DEFAULT_STRENGTH = 2.8
# Default decision threshold on the normalised correlation (see docs/benchmarks.md).
DEFAULT_THRESHOLD = 0.75
# Frames read from a suspect file at most (evenly spaced); more adds time, not much SNR.
MAX_DETECT_FRAMES = 240
# Each lattice cell becomes this many pixels per side when a suspect is decoded.
_DECODE_CELL = 4


class WatermarkError(RuntimeError):
    """A suspect file could not be read as video."""


@dataclass(frozen=True)
class Detection:
    """What a suspect's frames say.

    ``job_id`` is set only when the payload's MAC verifies and ``confidence`` (normalised
    correlation between the soft values read and the codeword they decode to, 0..1)
    reaches ``threshold``. ``frames`` is how many frames were read.
    """

    job_id: int | None
    confidence: float
    threshold: float
    frames: int
    mac_ok: bool

    @property
    def found(self) -> bool:
        return self.job_id is not None


# ---------------------------------------------------------------- payload and coding


def _mac(key: bytes, job_id: int) -> int:
    digest = hmac.new(key, b"vernissage-job:" + job_id.to_bytes(8, "big"), hashlib.sha256)
    return int.from_bytes(digest.digest()[: MAC_BITS // 8], "big")


def payload_bits(*, job_id: int, key: bytes) -> np.ndarray:
    """The 64 payload bits (job id, then its MAC), most significant first."""
    if not 0 <= job_id < 1 << JOB_ID_BITS:
        raise ValueError(f"job id {job_id} does not fit in {JOB_ID_BITS} bits")
    value = (job_id << MAC_BITS) | _mac(key, job_id)
    return np.array([(value >> (PAYLOAD_BITS - 1 - i)) & 1 for i in range(PAYLOAD_BITS)], np.uint8)


def _bits_to_int(bits: np.ndarray) -> int:
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


@lru_cache(maxsize=1)
def _trellis() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each state (the previous K-1 input bits) and input bit: next state and the two
    output bits. State bit K-2 is the newest input."""
    states = 1 << (_K - 1)
    next_state = np.zeros((states, 2), np.int64)
    outputs = np.zeros((states, 2, 2), np.uint8)
    for state in range(states):
        for bit in (0, 1):
            register = (bit << (_K - 1)) | state
            next_state[state, bit] = register >> 1
            for j, generator in enumerate(_GENERATORS):
                outputs[state, bit, j] = bin(register & generator).count("1") & 1
    # predecessors of each next state: (state, bit) pairs, exactly two per next state
    prev = np.zeros((states, 2, 2), np.int64)
    filled = np.zeros(states, np.int64)
    for state in range(states):
        for bit in (0, 1):
            target = next_state[state, bit]
            prev[target, filled[target]] = (state, bit)
            filled[target] += 1
    return next_state, outputs, prev


def conv_encode(bits: np.ndarray) -> np.ndarray:
    """Rate-1/2 convolutional code, zero-tailed: 64 bits → 140 coded bits."""
    next_state, outputs, _ = _trellis()
    state = 0
    coded: list[int] = []
    for bit in [*bits.tolist(), *([0] * (_K - 1))]:
        coded.extend(outputs[state, bit].tolist())
        state = int(next_state[state, bit])
    return np.array(coded, np.uint8)


def viterbi_decode(soft: np.ndarray) -> np.ndarray:
    """Maximum-likelihood payload for soft values (positive means coded bit 0)."""
    _, outputs, prev = _trellis()
    states = 1 << (_K - 1)
    steps = len(soft) // 2
    signs = 1.0 - 2.0 * outputs.astype(np.float64)  # (state, bit, 2)
    metric = np.full(states, -np.inf)
    metric[0] = 0.0
    choice = np.zeros((steps, states), np.int64)  # which predecessor (0/1) won
    prev_state, prev_bit = prev[..., 0], prev[..., 1]
    for step in range(steps):
        pair = soft[2 * step : 2 * step + 2]
        branch = signs[prev_state, prev_bit] @ pair  # (next state, 2 candidates)
        candidates = metric[prev_state] + branch
        best = np.argmax(candidates, axis=1)
        choice[step] = best
        metric = candidates[np.arange(states), best]
    state = 0  # the tail brings the encoder back to zero
    decoded = np.zeros(steps, np.uint8)
    for step in range(steps - 1, -1, -1):
        which = choice[step, state]
        decoded[step] = prev_bit[state, which]
        state = int(prev_state[state, which])
    return decoded[:PAYLOAD_BITS]


# ---------------------------------------------------------------- the keyed lattice


@lru_cache(maxsize=8)
def _layout(key: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Keyed chips (±1 per cell) and the coded bit each cell carries (shuffled, so each
    bit is spread over the whole frame and no region holds one bit alone)."""
    seed = hmac.new(key, b"vernissage-watermark-layout-v1", hashlib.sha256).digest()
    rng = np.random.default_rng(np.frombuffer(seed, np.uint32))
    cells = ROWS * COLS
    chips = rng.choice(np.array([-1.0, 1.0]), size=cells)
    owner = rng.permutation(np.arange(cells) % CODED_BITS)
    return chips.reshape(ROWS, COLS), owner.reshape(ROWS, COLS)


def lattice(*, job_id: int, key: bytes) -> np.ndarray:
    """The ±1 mark on the ROWS x COLS lattice for one job."""
    chips, owner = _layout(key)
    coded = conv_encode(payload_bits(job_id=job_id, key=key))
    return chips * (1.0 - 2.0 * coded[owner])


def _resize(plane: np.ndarray, *, width: int, height: int) -> np.ndarray:
    image = Image.fromarray(plane.astype(np.float32), mode="F")
    return np.asarray(image.resize((width, height), Image.Resampling.BICUBIC), np.float64)


def mark_plane(*, job_id: int, key: bytes, width: int, height: int, strength: float) -> np.ndarray:
    """The luma offsets for one frame size, as int16 (same for every frame of the clip)."""
    plane = _resize(lattice(job_id=job_id, key=key), width=width, height=height)
    return np.rint(plane * strength).astype(np.int16)


def embed(frames: np.ndarray, *, job_id: int, key: bytes, strength: float) -> np.ndarray:
    """Mark uint8 RGB frames shaped (frames, height, width, 3). Returns new frames.

    The same offset is added to R, G and B, i.e. to luma only. Any frame size works; very
    small frames are marked too but hold too few pixels per cell to trace reliably.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"expected uint8 (frames, height, width, 3), got {frames.shape}")
    _, height, width, _ = frames.shape
    offsets = mark_plane(job_id=job_id, key=key, width=width, height=height, strength=strength)
    # Saturating uint8 arithmetic (min, add, max, subtract) is ~3x faster than widening.
    up = np.repeat(np.clip(offsets, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    down = np.repeat(np.clip(-offsets, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    ceiling = 255 - up
    marked = np.empty_like(frames)
    for frame, out in zip(frames, marked, strict=True):
        np.minimum(frame, ceiling, out=out)
        out += up
        np.maximum(out, down, out=out)
        out -= down
    return marked


# ---------------------------------------------------------------- detection


def _box3(grid: np.ndarray) -> np.ndarray:
    padded = np.pad(grid, 1, mode="edge")
    total = np.zeros_like(grid)
    for dy in range(3):
        for dx in range(3):
            total += padded[dy : dy + grid.shape[0], dx : dx + grid.shape[1]]
    return total / 9.0


def residual(grid: np.ndarray) -> np.ndarray:
    """Remove the picture from a lattice of mean luma: keep what the four neighbours don't
    predict (the mark is white across cells, pictures are not), then even out busy and
    flat regions so that edges don't drown the mark."""
    padded = np.pad(grid, 1, mode="edge")
    neighbours = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
    detail = grid - neighbours / 4.0
    return detail / (np.sqrt(_box3(detail**2)) + 1e-3)


def luma_grids(frames: np.ndarray) -> np.ndarray:
    """(frames, GRID, GRID) mean luma per lattice cell, from uint8 RGB or gray frames."""
    if frames.ndim == 4:
        luma = frames[..., 0] * 0.299 + frames[..., 1] * 0.587 + frames[..., 2] * 0.114
    else:
        luma = frames.astype(np.float64)
    grids = np.empty((len(luma), ROWS, COLS))
    for index, plane in enumerate(luma):
        image = Image.fromarray(plane.astype(np.float32), mode="F")
        grids[index] = np.asarray(image.resize((COLS, ROWS), Image.Resampling.BOX))
    return grids


def detect_grids(grids: np.ndarray, *, key: bytes, threshold: float) -> Detection:
    """Decode the mark from per-frame lattices of mean luma."""
    chips, owner = _layout(key)
    if len(grids) == 0:
        return Detection(None, 0.0, threshold, 0, mac_ok=False)
    # Residuals are linear in the frame, so one residual of the mean frame would do; per
    # frame and averaged keeps the local normalisation honest when the picture moves.
    spread = np.mean([residual(grid) for grid in grids], axis=0)
    soft = np.bincount(owner.ravel(), weights=(spread * chips).ravel(), minlength=CODED_BITS)
    bits = viterbi_decode(soft)
    codeword = 1.0 - 2.0 * conv_encode(bits)
    norm = float(np.linalg.norm(soft)) * math.sqrt(CODED_BITS)
    confidence = max(0.0, float(soft @ codeword) / norm) if norm > 0 else 0.0
    value = _bits_to_int(bits)
    job_id, mac = value >> MAC_BITS, value & ((1 << MAC_BITS) - 1)
    mac_ok = hmac.compare_digest(mac.to_bytes(3, "big"), _mac(key, job_id).to_bytes(3, "big"))
    found = mac_ok and confidence >= threshold
    return Detection(job_id if found else None, confidence, threshold, len(grids), mac_ok)


def detect_frames(frames: np.ndarray, *, key: bytes, threshold: float) -> Detection:
    """Decode the mark from decoded frames (RGB or gray) of any size."""
    return detect_grids(luma_grids(frames), key=key, threshold=threshold)


def read_grids(path: Path, *, max_frames: int = MAX_DETECT_FRAMES) -> np.ndarray:
    """Decode a video file's luma straight onto the lattice (ffmpeg scales with area
    averaging, so any input size works). Raises WatermarkError for a file that is not a
    readable video."""
    height, width = ROWS * _DECODE_CELL, COLS * _DECODE_CELL
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
        "-vf", f"scale={width}:{height}:flags=area,format=gray",
        "-frames:v", str(max_frames * 4), "-f", "rawvideo", "pipe:",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=300)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        raise WatermarkError(f"ffmpeg could not read the file: {error}") from error
    frame_size = width * height
    data = result.stdout[: len(result.stdout) // frame_size * frame_size]
    if result.returncode != 0 or not data:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no video"]
        raise WatermarkError(f"not a readable video: {tail[0][:200]}")
    planes = np.frombuffer(data, np.uint8).reshape(-1, height, width)
    if len(planes) > max_frames:
        planes = planes[np.linspace(0, len(planes) - 1, max_frames).round().astype(int)]
    cells = planes.reshape(len(planes), ROWS, _DECODE_CELL, COLS, _DECODE_CELL)
    return cells.mean(axis=(2, 4))


def detect_file(path: Path, *, key: bytes, threshold: float) -> Detection:
    """Decode the mark from a suspect video file."""
    return detect_grids(read_grids(path), key=key, threshold=threshold)
