"""VERNISSAGE_STORAGE picks local folders or a private S3 bucket; the door still decides."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory

from config.settings.storage import private_media_origin, storages_from_env
from jobs.storage_s3 import PrivateS3Storage
from publishing.media import media_response

S3_ENV = {
    "VERNISSAGE_STORAGE": "s3",
    "VERNISSAGE_S3_BUCKET": "vernissage-private",
    "VERNISSAGE_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "VERNISSAGE_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "VERNISSAGE_S3_ENDPOINT_URL": "https://objects.example.net",
    "VERNISSAGE_S3_URL_TTL_SECONDS": "20",
}


def test_nothing_set_keeps_the_local_private_folder():
    storages = storages_from_env({})
    assert storages["private"] == {"BACKEND": "jobs.storage.PrivateFileSystemStorage"}
    assert private_media_origin(storages) is None


def test_s3_selects_the_private_bucket_with_short_presigned_urls():
    storages = storages_from_env(S3_ENV)
    private = storages["private"]
    assert private["BACKEND"] == "jobs.storage_s3.PrivateS3Storage"
    assert private["OPTIONS"]["bucket_name"] == "vernissage-private"
    assert private["OPTIONS"]["endpoint_url"] == "https://objects.example.net"
    assert private["OPTIONS"]["querystring_expire"] == 20
    assert private_media_origin(storages) == "https://objects.example.net"


def test_s3_without_its_keys_stops_start_up_naming_them():
    with pytest.raises(ImproperlyConfigured, match="VERNISSAGE_S3_SECRET_ACCESS_KEY"):
        storages_from_env({"VERNISSAGE_STORAGE": "s3", "VERNISSAGE_S3_BUCKET": "b",
                           "VERNISSAGE_S3_ACCESS_KEY_ID": "k"})  # fmt: skip


def test_an_unknown_storage_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="'local' or 's3'"):
        storages_from_env({"VERNISSAGE_STORAGE": "ftp"})


def test_bucket_objects_are_private_and_never_overwritten():
    storage = PrivateS3Storage(**storages_from_env(S3_ENV)["private"]["OPTIONS"])
    assert storage.default_acl == "private"
    assert storage.querystring_auth is True
    assert storage.file_overwrite is False


def test_the_door_redirects_an_authorised_request_to_a_presigned_url(settings):
    """No bytes pass through Django; the URL is signed and expires in seconds (offline:
    botocore signs locally, no S3 server is needed)."""
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_private/"  # ignored for bucket files
    storage = PrivateS3Storage(**storages_from_env(S3_ENV)["private"]["OPTIONS"])
    field = models.FileField(storage=storage)
    file = FieldFile(None, field, "outputs/2026/01/01/v.mp4")  # type: ignore[arg-type]
    request = RequestFactory().get("/m/1/video/")
    response = media_response(request=request, file=file, content_type="video/mp4")
    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response
    assert response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    assert location.netloc == "objects.example.net"
    assert location.path == "/vernissage-private/outputs/2026/01/01/v.mp4"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["20"]
    assert "X-Amz-Signature" in query
