from domain.errors import DomainError


class AlreadyClaimed(DomainError):
    code = "already_claimed"
    http_status = 409


class SelfReview(DomainError):
    code = "self_review"
    http_status = 403


class SameReviewer(DomainError):
    """Two-person rule: whoever rejected may not decide the appeal."""

    code = "same_reviewer"
    http_status = 403


class ClaimRequired(DomainError):
    code = "claim_required"
    http_status = 409


class NotAppealable(DomainError):
    code = "not_appealable"
    http_status = 409
