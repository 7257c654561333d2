"""Private media in an S3-compatible bucket (``VERNISSAGE_STORAGE=s3``; the ``s3`` extra).

Imported only when configured, so the web tier runs without django-storages otherwise.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Objects are written private, never overwritten, and reachable only through
    short-lived presigned URLs, which only the media door hands out (after authorising
    the request): ``PRESIGNED_REDIRECT`` tells it to redirect instead of sending bytes."""

    PRESIGNED_REDIRECT = True

    def __init__(self, **settings: object) -> None:
        settings.update(
            default_acl="private",
            querystring_auth=True,
            signature_version="s3v4",
            file_overwrite=False,
            custom_domain=None,
            object_parameters={"CacheControl": "private, no-store"},
        )
        super().__init__(**settings)
