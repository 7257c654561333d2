"""Rules of the preview program itself."""

from __future__ import annotations

from config.env import env_bool, env_int, env_str
from config.settings.base import served_url

# How long an invitation link stays valid.
INVITATION_EXPIRY_DAYS = env_int("VERNISSAGE_INVITATION_EXPIRY_DAYS", 7, minimum=1, maximum=90)
# The address printed in invitation emails and commands (no trailing slash).
# Unset, the embedded default uses the address `manage.py serve` last served (it writes
# DATA_DIR/served_url), so `manage.py invite` prints links that work under `make demo PORT=…`.
SITE_URL = (env_str("VERNISSAGE_SITE_URL", "") or served_url() or "http://127.0.0.1:8000").rstrip(
    "/"
)
# Whom a suspended artist is told to contact (shown when they try to sign in).
CONTACT_EMAIL = env_str("VERNISSAGE_CONTACT_EMAIL", "")
# Cohorts are separate waves and may sign different NDAs: by default an artist sees other
# artists' bug reports and feature requests from their own cohort only. True shares them
# across cohorts (safety findings stay reporter + staff only either way).
FEEDBACK_SHARED_ACROSS_COHORTS = env_bool("VERNISSAGE_FEEDBACK_SHARED_ACROSS_COHORTS", False)
