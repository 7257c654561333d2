"""One error format for the whole API.

    {"code": "<stable identifier>", "detail": "<for people>", "fields": {"<field>": [...]}}

``fields`` appears only for bad input; each entry is ``{"code": ..., "message": ...}``.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from domain.errors import DomainError


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            return [{"code": item.code, "message": str(item)} for item in detail]  # type: ignore[return-value]
        return [_field_errors(item) for item in detail]  # type: ignore[return-value]
    if isinstance(detail, exceptions.ErrorDetail):
        return [{"code": detail.code, "message": str(detail)}]  # type: ignore[return-value]
    return detail


def _from_django(error: DjangoValidationError) -> dict[str, list[exceptions.ErrorDetail]]:
    """Keep each message's code when a service's ValidationError reaches the API."""
    groups = error.error_dict if hasattr(error, "error_dict") else {"non_field_errors": [error]}
    return {
        field: [
            exceptions.ErrorDetail(message, code=item.code or "invalid")
            for group in errors
            for item in group.error_list
            for message in item.messages
        ]
        for field, errors in groups.items()
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["fields"] = {exc.field: [{"code": exc.code, "message": exc.message}]}
        body.update(exc.extra())
        return Response(body, status=exc.http_status, headers=exc.headers())
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_from_django(exc))
    # DRF answers these too, but only as APIExceptions do they get a "code".
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        response.data = {
            "code": "invalid",
            "detail": _("Some fields are missing or invalid."),
            "fields": _field_errors(detail),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.detail,
        }
        wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
        if wait is not None:
            response.data["retry_after"] = math.ceil(wait)
    return response
