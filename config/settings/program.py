"""Rules of the preview program itself."""

from __future__ import annotations

from config.env import env_int, env_str

# How long an invitation link stays valid.
INVITATION_EXPIRY_DAYS = env_int("VERNISSAGE_INVITATION_EXPIRY_DAYS", 7, minimum=1, maximum=90)
# The address printed in invitation emails and commands (no trailing slash).
SITE_URL = env_str("VERNISSAGE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
