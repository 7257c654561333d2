"""REST API (Django REST framework) and its OpenAPI schema."""

from __future__ import annotations

from config.env import env_bool

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every endpoint needs a signed-in user who has accepted the current agreement,
    # unless it says otherwise (and tests/api/test_gate.py lists those that do).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.AgreementAccepted",
        "accounts.authentication.TokenScopeAllows",
    ],
    # Budgets per token and per account (config/settings/containment.py): 429 + Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "containment.throttles.TokenRateThrottle",
        "containment.throttles.AccountRateThrottle",
    ],
    # JSON nested deeper than api.parsers.MAX_JSON_DEPTH is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.NestingLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsableApiRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}

# Status polls of queued and running jobs answered without the whole stack (decision 0018):
# on unless an operator switches it off to rule it out.
API_STATUS_FAST_PATH = env_bool("VERNISSAGE_STATUS_FAST_PATH", True)

SPECTACULAR_SETTINGS = {
    "TITLE": "Vernissage API",
    "DESCRIPTION": (
        "Gated artist preview of a generative video model. Errors are JSON objects with a "
        "stable `code`, a human `detail` and, for bad input, per-field `fields`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Refusals (400/401/403/404/409/410/429/503) in the one error format: api/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several resources have a "status"; name each enum after its lifecycle.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.JobStatus",
        "ReviewStatusEnum": "moderation.models.ReviewStatus",
        "PublicationStatusEnum": "publishing.models.PublicationStatus",
        "FeedbackStatusEnum": "feedback.models.FeedbackStatus",
        "LedgerEntryKindEnum": "ledger.models.EntryKind",
        "GenerationModeEnum": "cohorts.options.GenerationMode",
    },
}
