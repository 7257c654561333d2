"""Watermarks: the forensic mark's key, strength and decision threshold; the visible mark.

The key must stay the same for as long as marked videos may turn up: a mark can only be
traced with the key that made it. Set ``VERNISSAGE_WATERMARK_KEY`` in production; the
embedded default derives one from SECRET_KEY, so rotating that would orphan old marks.
"""

from __future__ import annotations

import hashlib
import hmac

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str
from config.settings.security import SECRET_KEY


def _float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = env_str(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} must be between {minimum} and {maximum}.")
    return value


WATERMARK_KEY = (
    env_str("VERNISSAGE_WATERMARK_KEY", "")
    or hmac.new(SECRET_KEY.encode(), b"vernissage-forensic-watermark", hashlib.sha256).hexdigest()
)
if len(WATERMARK_KEY) < 16:
    raise ImproperlyConfigured("VERNISSAGE_WATERMARK_KEY must be at least 16 characters.")
# Amplitude of the luma pattern in 8-bit levels: 2.8 keeps PSNR near 41 dB (benchmarks).
WATERMARK_STRENGTH = _float("VERNISSAGE_WATERMARK_STRENGTH", 2.8, minimum=0.5, maximum=8.0)
# Normalised correlation a decode needs (besides a verified MAC) to name a job.
WATERMARK_THRESHOLD = _float("VERNISSAGE_WATERMARK_THRESHOLD", 0.75, minimum=0.5, maximum=1.0)
# The largest suspect file the trace page accepts.
WATERMARK_TRACE_MAX_UPLOAD_MB = env_int(
    "VERNISSAGE_TRACE_MAX_UPLOAD_MB", 200, minimum=1, maximum=4096
)
# The program's name in the visible watermark ("<program> · <artist>").
WATERMARK_PROGRAM_NAME = env_str("VERNISSAGE_PROGRAM_NAME", "Vernissage")
