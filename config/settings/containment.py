"""Containment: API rate limits and per-account anomaly detection.

Every threshold is a setting so an operator can tune it to the program's real traffic
(docs/decisions/0014-anomaly-containment.md explains the defaults).
"""

from __future__ import annotations

from config.env import env_bool, env_int, env_str

# API request budgets per fixed one-minute window: one per account (all its tokens and
# sessions together) and a smaller one per token. Exceeding either answers 429 with
# Retry-After; nothing else happens to the account.
API_RATE_LIMIT_ACCOUNT_PER_MINUTE = env_int(
    "VERNISSAGE_API_RATE_ACCOUNT_PER_MINUTE", 600, minimum=1, maximum=100_000
)
API_RATE_LIMIT_TOKEN_PER_MINUTE = env_int(
    "VERNISSAGE_API_RATE_TOKEN_PER_MINUTE", 300, minimum=1, maximum=100_000
)

# Anomaly detection looks at each artist's last ANOMALY_WINDOW_SECONDS of traffic.
ANOMALY_DETECTION = env_bool("VERNISSAGE_ANOMALY_DETECTION", True)
ANOMALY_WINDOW_SECONDS = env_int(
    "VERNISSAGE_ANOMALY_WINDOW_SECONDS", 600, minimum=10, maximum=86400
)
# A person uses a laptop, a phone, maybe a studio machine: a handful of addresses and
# browsers. A shared front end shows dozens.
ANOMALY_MAX_DISTINCT_IPS = env_int("VERNISSAGE_ANOMALY_MAX_DISTINCT_IPS", 12, minimum=2)
ANOMALY_MAX_DISTINCT_USER_AGENTS = env_int(
    "VERNISSAGE_ANOMALY_MAX_DISTINCT_USER_AGENTS", 10, minimum=2
)
# Submissions in the window: suspicious only when above both the floor and FACTOR times
# the cohort's median (artists who submitted in the same window).
ANOMALY_SUBMISSION_FLOOR = env_int("VERNISSAGE_ANOMALY_SUBMISSION_FLOOR", 40, minimum=2)
ANOMALY_SUBMISSION_FACTOR = env_int("VERNISSAGE_ANOMALY_SUBMISSION_FACTOR", 5, minimum=2)
# Machine-regular cadence: the last N submission intervals vary by less than this many
# percent (coefficient of variation) and average under the maximum interval.
ANOMALY_CADENCE_SAMPLES = env_int("VERNISSAGE_ANOMALY_CADENCE_SAMPLES", 12, minimum=4, maximum=200)
ANOMALY_CADENCE_MAX_VARIATION_PERCENT = env_int(
    "VERNISSAGE_ANOMALY_CADENCE_MAX_VARIATION_PERCENT", 5, minimum=1, maximum=100
)
ANOMALY_CADENCE_MAX_INTERVAL_SECONDS = env_int(
    "VERNISSAGE_ANOMALY_CADENCE_MAX_INTERVAL_SECONDS", 120, minimum=1
)
# Where the sliding windows live: "cache" uses the Redis cache when REDIS_URL is set (all
# web processes see one window), else a per-process memory store (the embedded default).
ANOMALY_STORE_PREFIX = env_str("VERNISSAGE_ANOMALY_STORE_PREFIX", "vernissage:containment")
