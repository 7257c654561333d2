from domain.errors import DomainError
from publishing.downloads import WHO_REFUSALS, DownloadRefusal


class NotApproved(DomainError):
    code = "not_approved"
    http_status = 409


class TakedownInForce(DomainError):
    """Staff took this output down; it stays unpublished until they lift the takedown."""

    code = "taken_down"
    http_status = 409


class DownloadNotAllowed(DomainError):
    """The download rule (``publishing.downloads``) refuses: ``reason_code`` says why.
    403 when it is about who asks (not the artist, suspended, the cohort allows none),
    409 when it is about the video's state (not finished, not approved, taken down)."""

    code = "download_not_allowed"

    def __init__(self, refusal: DownloadRefusal) -> None:
        super().__init__(str(refusal.label))
        self.reason_code = refusal.value
        self.http_status = 403 if refusal in WHO_REFUSALS else 409

    def extra(self) -> dict[str, object]:
        return {"reason_code": self.reason_code}
