from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from domain.errors import DomainError


class GenerationPaused(DomainError):
    code = "paused"
    http_status = 403


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    http_status = 429

    def __init__(self, message: str, *, resets_at: datetime) -> None:
        super().__init__(message)
        self.resets_at = resets_at

    def extra(self) -> dict[str, object]:
        return {"resets_at": self.resets_at.isoformat().replace("+00:00", "Z")}

    def headers(self) -> dict[str, str]:
        seconds = max(1, int((self.resets_at - timezone.now()).total_seconds()))
        return {"Retry-After": str(seconds)}


class PromptRefused(DomainError):
    code = "prompt_refused"
    http_status = 400

    def __init__(self, message: str, *, reason_code: str, field: str = "prompt") -> None:
        """``field``: where the refused prompt was written (a storyboard shot's is
        ``shots[i].prompt``)."""
        super().__init__(message, field=field)
        self.reason_code = reason_code

    def extra(self) -> dict[str, object]:
        return {
            "reason_code": self.reason_code,
            "fields": {self.field: [{"code": self.reason_code, "message": self.message}]},
        }


class LeaseLost(Exception):
    """This worker no longer owns the job (it was re-queued or finished elsewhere)."""


class RenderTimedOut(Exception):
    """The render ran past its model's time limit (``jobs.watchdog.render_limit_seconds``);
    raised by the step callback, it ends the attempt as a failed one."""


class IdempotencyKeyReused(DomainError):
    """The key was used before for a different request: a client bug, never a replay."""

    code = "idempotency_key_reused"
    http_status = 409


class ModeNotAllowed(DomainError):
    """The artist's cohort does not offer this generation mode (``Cohort.allowed_modes``)."""

    code = "mode_not_allowed"
    http_status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, field="mode")
