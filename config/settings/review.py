"""Review, publishing and private media."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

# A claim is exclusive for this long, then the item is free again by itself.
REVIEW_CLAIM_MINUTES = env_int("VERNISSAGE_REVIEW_CLAIM_MINUTES", 15, minimum=1, maximum=240)
# Artists see "a reviewer" / "a program admin" unless this is on.
REVIEW_SHOW_REVIEWER_NAME = env_bool("VERNISSAGE_REVIEW_SHOW_REVIEWER_NAME", False)

# Why an output may be rejected: a configurable policy list of {"code", "label"}.
REVIEW_REJECTION_REASONS: list[dict[str, str]] = [
    {"code": "nda_risk", "label": "Reveals confidential details of the model or program"},
    {"code": "content_policy", "label": "Outside the preview's content policy"},
    {"code": "real_person", "label": "Depicts a real, identifiable person"},
    {"code": "third_party_ip", "label": "Uses someone else's protected work or brand"},
    {"code": "technical_quality", "label": "Technical defect that misrepresents the model"},
    {"code": "other", "label": "Other (see the note)"},
]
_reasons_file = env_str("VERNISSAGE_REVIEW_REASONS_FILE", "")
if _reasons_file:
    try:
        with open(_reasons_file, encoding="utf-8") as _handle:
            REVIEW_REJECTION_REASONS = json.load(_handle)
    except (OSError, ValueError) as _error:
        raise ImproperlyConfigured(
            f"VERNISSAGE_REVIEW_REASONS_FILE={_reasons_file!r} can't be read: {_error}"
        ) from None

# Signed media URLs for the player live this long; every request re-checks access anyway.
MEDIA_URL_TTL_SECONDS = env_int("VERNISSAGE_MEDIA_URL_TTL_SECONDS", 600, minimum=10, maximum=86400)
# In production, Django authorises and nginx sends the bytes: set this to the nginx
# `internal` location that maps to the private media folder, e.g. "/_private/".
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("VERNISSAGE_MEDIA_ACCEL_PREFIX", "")
