from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.permissions import is_program_admin, is_reviewer
from agreements.selectors import agreement_required


class AgreementRequiredError(APIException):
    status_code = 403
    default_code = "agreement_required"
    default_detail = gettext_lazy(
        "Accept the current agreement first: GET /api/v1/agreements/current/ to read it, "
        "POST there with your full name to accept."
    )


class AgreementAccepted(BasePermission):
    """The API half of the NDA gate (pages have agreements.middleware)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return True  # IsAuthenticated, listed first, answers for anonymous callers
        if agreement_required(user=user):
            raise AgreementRequiredError()
        return True


class IsProgramAdmin(BasePermission):
    message = gettext_lazy("Only program admins may do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_program_admin(request.user)


class IsReviewer(BasePermission):
    message = "Only reviewers may use the review queue."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_reviewer(request.user)
