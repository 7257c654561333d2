"""Review, publishing and private media."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from config.env import env_bool, env_int, env_json_records, env_str

# A claim is exclusive for this long, then the item is free again by itself.
REVIEW_CLAIM_MINUTES = env_int("VERNISSAGE_REVIEW_CLAIM_MINUTES", 15, minimum=1, maximum=240)
# Artists see "a reviewer" / "a program admin" unless this is on.
REVIEW_SHOW_REVIEWER_NAME = env_bool("VERNISSAGE_REVIEW_SHOW_REVIEWER_NAME", False)

# Why an output may be rejected: a configurable policy list of {"code", "label"}. Artists
# read the label in their language when the catalogues have it (the defaults are there;
# labels from a reasons file are shown as written).
REVIEW_REJECTION_REASONS = env_json_records(
    "VERNISSAGE_REVIEW_REASONS_FILE",
    [
        {"code": "nda_risk", "label": _("Reveals confidential details of the model or program")},
        {"code": "content_policy", "label": _("Outside the preview's content policy")},
        {"code": "real_person", "label": _("Depicts a real, identifiable person")},
        {"code": "third_party_ip", "label": _("Uses someone else's protected work or brand")},
        {"code": "technical_quality", "label": _("Technical defect that misrepresents the model")},
        {"code": "other", "label": _("Other (see the note)")},
    ],
    keys={"code", "label"},
)

# Signed media URLs for the player live this long; every request re-checks access anyway.
MEDIA_URL_TTL_SECONDS = env_int("VERNISSAGE_MEDIA_URL_TTL_SECONDS", 600, minimum=10, maximum=86400)
# In production, Django authorises and nginx sends the bytes: set this to the nginx
# `internal` location that maps to the private media folder, e.g. "/_private/".
MEDIA_ACCEL_REDIRECT_PREFIX = env_str("VERNISSAGE_MEDIA_ACCEL_PREFIX", "")
