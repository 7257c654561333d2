from domain.errors import DomainError


class RateCardFrozen(DomainError):
    """A published rate card never changes: draft a new version instead."""

    code = "rate_card_frozen"
    http_status = 409


class NoRateCard(DomainError):
    code = "no_rate_card"
    http_status = 404


class AlreadyReversed(DomainError):
    code = "already_reversed"
    http_status = 409


class NotReversible(DomainError):
    code = "not_reversible"
    http_status = 409


class LedgerImmutable(DomainError):
    """Something tried to change or remove a ledger entry. The ledger is append-only:
    a mistake is corrected by a reversal or a new entry."""

    code = "ledger_immutable"
    http_status = 409
