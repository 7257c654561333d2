"""Why an invitation can't be used. Each has a stable code, a page and an API status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from domain.errors import DomainError


class InvitationError(DomainError):
    code = "invitation_invalid"
    http_status = 400
    title = gettext_lazy("This invitation can't be used")


class InvitationUnknown(InvitationError):
    code = "invitation_unknown"
    http_status = 404
    title = gettext_lazy("We don't recognise this invitation link")


class InvitationExpired(InvitationError):
    code = "invitation_expired"
    http_status = 410
    title = gettext_lazy("This invitation has expired")


class InvitationUsed(InvitationError):
    code = "invitation_used"
    http_status = 410
    title = gettext_lazy("This invitation has already been used")


class InvitationRevoked(InvitationError):
    code = "invitation_revoked"
    http_status = 410
    title = gettext_lazy("This invitation was withdrawn")


class CohortFull(InvitationError):
    code = "cohort_full"
    http_status = 409
    title = gettext_lazy("This cohort is full")


class EmailMismatch(InvitationError):
    code = "email_mismatch"
    http_status = 400
    title = gettext_lazy("Use the invited email address")
