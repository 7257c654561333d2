"""gunicorn for the web tier: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Everything tunable comes from the environment (the same strictness as the settings: a
malformed number stops start-up). The web tier never imports torch, so a worker is small.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise SystemExit(f"{name}={value} is below the minimum of {minimum}.")
    return value


wsgi_app = "config.wsgi:application"
# nginx proxies to this address; never expose it (X-Forwarded-For is believed from it).
bind = os.environ.get("VERNISSAGE_WEB_BIND", "127.0.0.1:8000")
# Sync workers: requests are short (pages, JSON, an X-Accel-Redirect for media), and
# nginx buffers slow clients, so one process per request in flight is enough.
workers = _int("VERNISSAGE_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("VERNISSAGE_WEB_THREADS", 1)
# A request that takes longer than this is a bug or a stuck database: kill the worker.
timeout = _int("VERNISSAGE_WEB_TIMEOUT_SECONDS", 30)
graceful_timeout = _int("VERNISSAGE_WEB_GRACEFUL_TIMEOUT_SECONDS", 30)
# Longer than nginx's upstream keepalive_timeout, so nginx closes idle connections first.
keepalive = _int("VERNISSAGE_WEB_KEEPALIVE_SECONDS", 75)
# Recycle workers now and then, so a slow leak can't grow forever, but rarely and not
# together: a job page polls twice a second, so 5,000 requests (the old value) was about
# a minute per worker, and workers started together recycled within seconds of each
# other, each paying its first requests' costs at once (a visible stall in the load test,
# docs/benchmarks.md). 50,000 plus up to half again.
max_requests = _int("VERNISSAGE_WEB_MAX_REQUESTS", 50_000, minimum=0)
max_requests_jitter = max_requests // 2
# Load the app once in the master, then fork: faster start, shared memory pages.
preload_app = True
# Logs to stdout/stderr: journald (systemd) or the container runtime keeps them.
# No gunicorn access log: Django logs one line per request with its request id
# (web.request_ids) and nginx logs the client's side; a third line per request
# cost ~5 % of the web tier's CPU under the status-polling load (docs/benchmarks.md).
# VERNISSAGE_WEB_ACCESS_LOG=- turns it back on.
accesslog = os.environ.get("VERNISSAGE_WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("VERNISSAGE_WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# The scheme comes from nginx's X-Forwarded-Proto, which Django trusts itself
# (VERNISSAGE_TRUSTED_PROXY); gunicorn may trust it from the same local proxy.
forwarded_allow_ips = os.environ.get("VERNISSAGE_TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1")
# Temporary files of the worker heartbeat on tmpfs, not on a possibly slow disk.
_SHM = "/dev/shm"  # noqa: S108  (gunicorn only touches its own heartbeat files there)
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None


def when_ready(server: object) -> None:
    """Import every URLconf and view in the master (the app is preloaded), so a new or
    recycled worker starts warm instead of importing them on its first request. Nothing
    here opens a database or Redis connection: those must not cross the fork."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (evaluating it imports the views)
