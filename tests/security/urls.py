"""The project's URLs plus one page with an inline script, to see the nonce at work."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

INLINE_SCRIPT_PAGE = engines["django"].from_string(
    '<!DOCTYPE html><title>nonce</title><p id="out">waiting</p>'
    '<script nonce="{{ request.csp_nonce }}">'
    'document.getElementById("out").textContent = "ran";'
    "</script>"
    # The same script without the nonce: the policy must block it.
    '<script>document.getElementById("out").textContent = "injected";</script>'
)


def inline_script(request: HttpRequest) -> HttpResponse:
    return HttpResponse(INLINE_SCRIPT_PAGE.render({}, request))


urlpatterns = [
    path("csp-nonce-probe/", inline_script),
    path("", include("config.urls")),
]
