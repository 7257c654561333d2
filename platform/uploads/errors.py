from __future__ import annotations

from domain.errors import DomainError


class UploadsPaused(DomainError):
    """The account is paused (by an admin or by automatic containment): it may not add
    anything, inputs included. Same code as a paused generation."""

    code = "paused"
    http_status = 403
