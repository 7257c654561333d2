from domain.errors import DomainError


class AgreementRequired(DomainError):
    code = "agreement_required"
    http_status = 403


class NoAgreementPublished(DomainError):
    code = "no_agreement"
    http_status = 404


class AgreementChanged(DomainError):
    """The text the person read is no longer the current version."""

    code = "agreement_changed"
    http_status = 409


class AgreementFrozen(DomainError):
    code = "agreement_frozen"
    http_status = 409
