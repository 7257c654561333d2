"""Health probes, Prometheus metrics and structured logs (decision 0015)."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str


def _networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from None
    return networks


# /metrics answers these client addresses (single addresses or networks) ...
OBSERVABILITY_METRICS_ALLOWED_NETWORKS = _networks(
    "VERNISSAGE_METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"]
)
# ... and anyone sending "Authorization: Bearer <token>"; everyone else gets a 404.
OBSERVABILITY_METRICS_TOKEN = env_str("VERNISSAGE_METRICS_TOKEN", "")
if OBSERVABILITY_METRICS_TOKEN and len(OBSERVABILITY_METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("VERNISSAGE_METRICS_TOKEN must be at least 24 characters.")
# Job outcomes and durations cover the jobs that ended this recently.
OBSERVABILITY_METRICS_WINDOW_SECONDS = env_int(
    "VERNISSAGE_METRICS_WINDOW_SECONDS", 3600, minimum=60, maximum=7 * 86400
)
# /readyz gives each check this long (seconds) before calling it failed.
OBSERVABILITY_READY_TIMEOUT_SECONDS = env_int(
    "VERNISSAGE_READY_TIMEOUT_SECONDS", 2, minimum=1, maximum=30
)
# Workers write their heartbeat row this often; rows silent for longer than the second
# number (a worker killed without a clean shutdown) leave the metrics.
OBSERVABILITY_WORKER_HEARTBEAT_SECONDS = env_int(
    "VERNISSAGE_WORKER_HEARTBEAT_SECONDS", 15, minimum=1, maximum=600
)
OBSERVABILITY_WORKER_FORGET_SECONDS = env_int("VERNISSAGE_WORKER_FORGET_SECONDS", 86400, minimum=60)

# One access line per request (method, path, status, ms), with its request id.
OBSERVABILITY_ACCESS_LOG = env_bool("VERNISSAGE_ACCESS_LOG", True)

# Logs: "text" for people (the embedded default), "json" (one object per line) for a
# log pipeline. Both carry the request and job ids.
LOG_FORMAT = env_choice("VERNISSAGE_LOG_FORMAT", "text", ["text", "json"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "web.logs.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"},
        "json": {"()": "web.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("VERNISSAGE_LOG_LEVEL", "INFO")},
}
