"""Where files live: local folders (the embedded default) or an S3-compatible bucket.

``VERNISSAGE_STORAGE=local`` keeps private media under ``MEDIA_ROOT/private`` (served by
the media door itself, or by nginx through X-Accel-Redirect). ``VERNISSAGE_STORAGE=s3``
puts it in a private bucket: nothing in it is public, and the media door, after
authorising each request, redirects to a presigned URL that lives only a few seconds
(decision 0016). The S3 backend (django-storages) is the optional ``s3`` extra.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str
from config.settings.security import CONTENT_SECURITY_POLICY

_STATIC = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}


def storages_from_env(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """``STORAGES`` for this environment; a missing or malformed S3 setting stops start-up."""
    kind = env_str("VERNISSAGE_STORAGE", "local", environ=environ).lower()
    if kind == "local":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "jobs.storage.PrivateFileSystemStorage"},
            "staticfiles": _STATIC,
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"VERNISSAGE_STORAGE={kind!r} must be 'local' or 's3'.")
    bucket = env_str("VERNISSAGE_S3_BUCKET", "", environ=environ)
    access_key = env_str("VERNISSAGE_S3_ACCESS_KEY_ID", "", environ=environ)
    secret_key = env_str("VERNISSAGE_S3_SECRET_ACCESS_KEY", "", environ=environ)
    missing = [
        name
        for name, value in (
            ("VERNISSAGE_S3_BUCKET", bucket),
            ("VERNISSAGE_S3_ACCESS_KEY_ID", access_key),
            ("VERNISSAGE_S3_SECRET_ACCESS_KEY", secret_key),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"VERNISSAGE_STORAGE=s3 needs {', '.join(missing)}.")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "access_key": access_key,
        "secret_key": secret_key,
        "endpoint_url": env_str("VERNISSAGE_S3_ENDPOINT_URL", "", environ=environ) or None,
        "region_name": env_str("VERNISSAGE_S3_REGION", "", environ=environ) or None,
        # A presigned URL can be replayed by whoever holds it until it expires: keep it to
        # the seconds a player needs to start, since the door re-authorises every request.
        "querystring_expire": env_int(
            "VERNISSAGE_S3_URL_TTL_SECONDS", 30, minimum=5, maximum=600, environ=environ
        ),
    }
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "jobs.storage_s3.PrivateS3Storage", "OPTIONS": options},
        "staticfiles": _STATIC,
    }


def private_media_origin(storages: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The origin the browser is redirected to for private media, if not our own."""
    private = storages["private"]
    if private["BACKEND"] != "jobs.storage_s3.PrivateS3Storage":
        return None
    endpoint = private["OPTIONS"]["endpoint_url"]
    if not endpoint:
        return "https://*.amazonaws.com"
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


STORAGES = storages_from_env()
# Players follow the door's redirect to the bucket: the policy must let them (decision 0010).
_origin = private_media_origin(STORAGES)
if _origin:
    _directives = cast(dict[str, list[str]], CONTENT_SECURITY_POLICY["DIRECTIVES"])
    for _directive in ("media-src", "img-src"):
        _directives[_directive].append(_origin)
