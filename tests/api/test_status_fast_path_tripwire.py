"""A tripwire for the status fast path (decision 0018, issue 15).

``platform/studio/status_fast_path.py`` answers an artist's job poll before the whole stack
runs, so it repeats, in one SQL statement, what the middlewares, DRF's authentication,
permissions and throttles and the job serializer would have done. When any of them
changes, this test fails and says what to re-check there; once the fast path agrees
again (``tests/api/test_status_fast_path.py`` compares both answers byte for byte), bring
the snapshot below up to date.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from studio import status_fast_path
from studio.apis import GenerationDetailApi, JobDetailSerializer

FAST_PATH = "platform/studio/status_fast_path.py"

MIDDLEWARE = [
    "web.request_ids.RequestIdMiddleware",
    "web.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "web.outage.DatabaseOutageMiddleware",
    "studio.status_fast_path.StatusFastPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.sessions.UserSessionsMiddleware",
    "accounts.mfa.StaffMfaMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "containment.middleware.ActivityWatchMiddleware",
    "agreements.middleware.AgreementGateMiddleware",
]
AUTHENTICATION = [
    "accounts.authentication.ApiTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
PERMISSIONS = [
    "rest_framework.permissions.IsAuthenticated",
    "api.permissions.AgreementAccepted",
    "accounts.authentication.TokenScopeAllows",
]
THROTTLES = [
    "containment.throttles.TokenRateThrottle",
    "containment.throttles.AccountRateThrottle",
]
RENDERERS = ["rest_framework.renderers.JSONRenderer", "api.renderers.BrowsableApiRenderer"]
JOB_FIELDS = [
    "id", "status", "progress", "prompt", "negative_prompt", "duration_seconds",
    "resolution", "aspect_ratio", "seed", "model", "num_frames", "width", "height", "fps",
    "remix_of", "created_at", "started_at", "finished_at", "mode", "start_image",
    "end_image", "extends", "variation_of", "variation_index", "error", "output", "review",
    "publication", "takedown", "download_url", "download_refusal", "queue", "shots",
    "variations",
]  # fmt: skip

RECHECK = {
    "settings.MIDDLEWARE": (
        "the fast path answers from its place in this list and sets the headers the later "
        "middlewares would have set (CSP, Vary, Content-Language, X-Frame-Options); a "
        "middleware added, moved or removed after it must be repeated there, or refuse "
        "there what it would refuse"
    ),
    "REST_FRAMEWORK DEFAULT_AUTHENTICATION_CLASSES": (
        "the fast path signs the caller in itself (a session in _session_fresh, a Bearer "
        "token in _token_fresh); a new or reordered way to authenticate must be repeated "
        "there, or such polls left to the whole stack"
    ),
    "REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES": (
        "_artist_may_see and the statement in _sql repeat IsAuthenticated, "
        "AgreementAccepted and TokenScopeAllows; a new permission must be checked there"
    ),
    "REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES": (
        "api_poll_observe counts the fast answers exactly as these throttles count the "
        "others; a new or changed throttle must be counted there too"
    ),
    "REST_FRAMEWORK DEFAULT_RENDERER_CLASSES": (
        "_body writes what JSONRenderer writes; a changed renderer may change the bytes"
    ),
    "GenerationDetailApi.authentication_classes": (
        "the job detail view authenticates differently from the defaults; the fast path "
        "must sign callers in as the view does (_session_fresh, _token_fresh)"
    ),
    "GenerationDetailApi.permission_classes": (
        "the job detail view's permissions differ from the defaults; _artist_may_see and "
        "_sql must check what the view checks"
    ),
    "GenerationDetailApi.throttle_classes": (
        "the job detail view throttles differently from the defaults; api_poll_observe "
        "must count the fast answers as the view's throttles do"
    ),
    "JobDetailSerializer fields": (
        "the answer's keys follow the serializer, but _body writes each computed field "
        "itself (_COMPUTED) and the columns as the database gives them: answer a new "
        "computed field in _body, check a new column renders as DRF renders it, and check "
        "the fast path is still on (_ANSWER_KNOWN)"
    ),
}


def _dotted(classes: Sequence[Any]) -> list[str]:
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in classes]


def _now() -> dict[str, list[str]]:
    api: dict[str, Any] = settings.REST_FRAMEWORK
    return {
        "settings.MIDDLEWARE": list(settings.MIDDLEWARE),
        "REST_FRAMEWORK DEFAULT_AUTHENTICATION_CLASSES": list(
            api["DEFAULT_AUTHENTICATION_CLASSES"]
        ),
        "REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES": list(api["DEFAULT_PERMISSION_CLASSES"]),
        "REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES": list(api["DEFAULT_THROTTLE_CLASSES"]),
        "REST_FRAMEWORK DEFAULT_RENDERER_CLASSES": list(api["DEFAULT_RENDERER_CLASSES"]),
        "GenerationDetailApi.authentication_classes": _dotted(
            GenerationDetailApi.authentication_classes
        ),
        "GenerationDetailApi.permission_classes": _dotted(GenerationDetailApi.permission_classes),
        "GenerationDetailApi.throttle_classes": _dotted(GenerationDetailApi.throttle_classes),
        "JobDetailSerializer fields": list(JobDetailSerializer().fields),
    }


SNAPSHOT = {
    "settings.MIDDLEWARE": MIDDLEWARE,
    "REST_FRAMEWORK DEFAULT_AUTHENTICATION_CLASSES": AUTHENTICATION,
    "REST_FRAMEWORK DEFAULT_PERMISSION_CLASSES": PERMISSIONS,
    "REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES": THROTTLES,
    "REST_FRAMEWORK DEFAULT_RENDERER_CLASSES": RENDERERS,
    "GenerationDetailApi.authentication_classes": AUTHENTICATION,
    "GenerationDetailApi.permission_classes": PERMISSIONS,
    "GenerationDetailApi.throttle_classes": THROTTLES,
    "JobDetailSerializer fields": JOB_FIELDS,
}


def _tripped(what: str) -> str | None:
    now = _now()[what]
    if now == SNAPSHOT[what]:
        return None
    return (
        f"{what} changed: {now!r} (was {SNAPSHOT[what]!r}). {FAST_PATH} answers job polls "
        f"before the whole stack and repeats it; re-check there: {RECHECK[what]}. Then run "
        "tests/api/test_status_fast_path.py and update the snapshot in "
        "tests/api/test_status_fast_path_tripwire.py."
    )


@pytest.mark.parametrize("what", list(SNAPSHOT))
def test_what_the_fast_path_repeats_has_not_changed(what: str) -> None:
    message = _tripped(what)
    assert message is None, message


def test_the_tripwire_names_the_fast_path_and_what_to_recheck() -> None:
    with override_settings(MIDDLEWARE=[m for m in MIDDLEWARE if "AgreementGate" not in m]):
        message = _tripped("settings.MIDDLEWARE")
    assert message is not None
    assert FAST_PATH in message and RECHECK["settings.MIDDLEWARE"] in message


def test_the_fast_path_answers_with_the_serializer_the_view_uses() -> None:
    assert "JobDetailSerializer(" in inspect.getsource(GenerationDetailApi.get), (
        f"GenerationDetailApi no longer answers with JobDetailSerializer; {FAST_PATH} "
        "takes its keys from that serializer (_ANSWER): point it at the view's serializer."
    )
    assert tuple(JobDetailSerializer.Meta.fields) == status_fast_path._ANSWER


def test_the_fast_path_can_write_every_field_of_the_answer() -> None:
    assert status_fast_path._ANSWER_KNOWN, (
        f"{FAST_PATH} can't write every field of JobDetailSerializer (a computed field it "
        "doesn't answer in _body, or a column DRF renders differently), so it is off and "
        "the whole stack answers every poll: teach _body the new field."
    )
