from domain.errors import DomainError


class NotApproved(DomainError):
    code = "not_approved"
    http_status = 409
