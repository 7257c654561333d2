from domain.errors import DomainError


class TransitionRefused(DomainError):
    code = "invalid_status_change"
    http_status = 409


class AlreadyResponded(DomainError):
    code = "already_responded"
    http_status = 409
