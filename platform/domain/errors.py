"""Domain errors: raised by services, translated to pages and API responses at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the program refused an action.

    ``code`` is a stable, public identifier (API clients branch on it); ``message`` is
    for people; ``http_status`` is what the API answers with.
    """

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def extra(self) -> dict[str, object]:
        """Further public fields for the API's error body."""
        return {}

    def headers(self) -> dict[str, str]:
        return {}


class NotAllowed(DomainError):
    """The acting user's role does not permit this action."""

    code = "permission_denied"
    http_status = 403


class InvalidTransition(DomainError):
    """A state machine was asked for a transition its current state does not allow."""

    code = "invalid_transition"
    http_status = 409
