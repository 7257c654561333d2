from domain.errors import DomainError


class NotApproved(DomainError):
    code = "not_approved"
    http_status = 409


class TakedownInForce(DomainError):
    """Staff took this output down; it stays unpublished until they lift the takedown."""

    code = "taken_down"
    http_status = 409
