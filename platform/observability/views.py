"""Probes and metrics: no sign-in, no NDA gate, no HTTPS redirect (decision 0015)."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from observability.health import readiness
from observability.metrics import registry


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage does
    not get every web process restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: database, broker and private storage, each named in the answer; 503
    naming the failing checks when any fails."""
    results = readiness()
    failing = [result.name for result in results if not result.ok]
    body: dict[str, object] = {
        "status": "fail" if failing else "ok",
        "checks": {result.name: result.as_dict() for result in results},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.OBSERVABILITY_METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            offered.strip().encode(), token.encode()
        ):
            return True
    # A forwarded request from a proxy we don't trust has the proxy's address (often
    # loopback) in REMOTE_ADDR: the client's address is unknown, so only the token counts.
    if "HTTP_X_FORWARDED_FOR" in request.META and not settings.TRUSTED_PROXY:
        return False
    # REMOTE_ADDR as corrected by web.middleware.TrustedProxyMiddleware.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.OBSERVABILITY_METRICS_ALLOWED_NETWORKS)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, from the database. Anyone not allowed gets a 404, as if
    there were nothing here."""
    if not _metrics_allowed(request):
        raise Http404()
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
