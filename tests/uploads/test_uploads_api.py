"""POST /api/v1/uploads/: input images checked by content, limited in bytes and pixels
(before decoding), re-encoded without metadata, stored privately, seen by their owner only;
refusals leave nothing behind; unused uploads expire with their files."""

from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.models import TokenScope
from accounts.services import api_token_create, user_set_paused
from containment.switches import account_suspend
from domain.errors import NotAllowed
from tests.uploads.conftest import picture, upload
from uploads.errors import UploadsPaused
from uploads.models import InputImage, private_storage
from uploads.services import input_image_upload, input_image_use, input_images_expire

pytestmark = pytest.mark.django_db

URL = "/api/v1/uploads/"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int, height: int, *, complete: bool = True) -> bytes:
    """A real PNG declaring ``width`` x ``height`` pixels in a few kilobytes: 1-bit
    greyscale, all zero rows, deflated. ``complete=False`` keeps only the first rows, so
    decoding it would fail: a refusal for its size must come from the header."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    rows = height if complete else 2
    data = b"".join(packer.compress(row) for _ in range(rows)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def stored_files() -> set[str]:
    root = Path(private_storage().path("inputs"))
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def artist_client(artist) -> Client:
    client = Client()
    client.force_login(artist)
    return client


def post(client: Client, data: bytes, **kwargs):
    return client.post(URL, {"image": upload(data, **kwargs)})


@pytest.mark.parametrize(
    ("kind", "stored_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/png")],
)
def test_an_artist_uploads_png_jpeg_or_webp(artist, artist_client, kind, stored_type):
    before = timezone.now()
    response = post(artist_client, picture(kind), name=f"start.{kind.lower()}")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "width", "height", "content_type", "size_bytes", "created_at"}
    assert (body["width"], body["height"], body["content_type"]) == (64, 40, stored_type)
    image = InputImage.objects.get(pk=body["id"])
    assert image.owner == artist and image.used_at is None and image.created_at >= before
    with image.file.open("rb") as stored:
        data = stored.read()
    assert body["size_bytes"] == len(data) == image.size_bytes
    assert len(image.sha256) == 64
    # Stored under our own name, re-encoded: the pixels are the picture's.
    assert "start" not in str(image.file.name)
    decoded = Image.open(io.BytesIO(data))
    assert decoded.size == (64, 40) and decoded.mode == "RGB"
    left, right = decoded.getpixel((5, 20)), decoded.getpixel((60, 20))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[2] > 150 > left[0] and right[0] > 150 > right[2]


def test_the_same_answer_with_a_generate_token(artist):
    secret = api_token_create(user=artist, name="cli", scope=TokenScope.GENERATE).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert post(client, picture()).status_code == 201
    read_only = api_token_create(user=artist, name="ro", scope=TokenScope.READ).secret
    refused = post(Client(HTTP_AUTHORIZATION=f"Bearer {read_only}"), picture())
    assert refused.status_code == 403 and refused.json()["code"] == "token_scope"
    assert InputImage.objects.count() == 1


def test_orientation_is_applied_and_metadata_dropped(artist_client):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "Secret Camera Co"
    data = picture("JPEG", (60, 20), exif=exif.tobytes(), comment=b"secret note")
    response = post(artist_client, data, name="photo.jpg", content_type="image/jpeg")
    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (20, 60)
    image = InputImage.objects.get(pk=response.json()["id"])
    with image.file.open("rb") as stored:
        raw = stored.read()
    assert b"Secret Camera" not in raw and b"secret note" not in raw
    assert dict(Image.open(io.BytesIO(raw)).getexif()) == {}


def test_transparency_is_flattened_and_text_chunks_dropped(artist_client):
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    image.paste((10, 200, 10, 255), (16, 0, 32, 32))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "where I live")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    response = post(artist_client, out.getvalue())
    assert response.status_code == 201
    stored = InputImage.objects.get(pk=response.json()["id"])
    with stored.file.open("rb") as handle:
        raw = handle.read()
    assert b"where I live" not in raw
    decoded = Image.open(io.BytesIO(raw))
    assert decoded.mode == "RGB"
    assert decoded.getpixel((2, 2)) == (255, 255, 255)
    assert decoded.getpixel((30, 2)) == (10, 200, 10)


def refused(response, code: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert [error["code"] for error in body["fields"]["image"]] == [code]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"just some words, not a picture\n" * 10, "holiday.png", "not_an_image"),
        (picture("GIF"), "anim.png", "unsupported_type"),
        (picture("BMP"), "flat.png", "unsupported_type"),
        (picture("PNG")[:80], "cut.png", "corrupt_image"),
        (huge_png(10_000, 10_000), "huge.png", "too_many_pixels"),  # 100 MP
        (huge_png(10_000, 10_000, complete=False), "huge.png", "too_many_pixels"),
        (huge_png(5_000, 4_000), "big.png", "too_many_pixels"),  # 20 MP
        (huge_png(9_000, 100), "wide.png", "too_many_pixels"),  # 0.9 MP, 9000 wide
        (b"", "empty.png", "empty"),
    ],
    ids=["text", "gif", "bmp", "truncated", "100mp", "100mp-header", "20mp", "wide", "empty"],
)
def test_bad_files_are_refused_on_the_field_and_leave_nothing(artist_client, data, name, code):
    before = stored_files()
    refused(post(artist_client, data, name=name), code)
    assert InputImage.objects.count() == 0
    assert stored_files() == before


def test_the_100_megapixel_png_is_small_on_the_wire():
    # The refusal above is about pixels, not bytes: the file itself is tiny.
    assert len(huge_png(10_000, 10_000)) < 100_000


def test_too_many_bytes_is_refused(artist_client, settings):
    settings.UPLOAD_MAX_BYTES = 4096
    noisy = Image.frombytes("RGB", (64, 64), random.Random(0).randbytes(64 * 64 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > 4096
    before = stored_files()
    refused(post(artist_client, out.getvalue()), "too_large")
    assert InputImage.objects.count() == 0 and stored_files() == before


def test_a_missing_image_is_a_field_error(artist_client):
    response = artist_client.post(URL, {"other": "x"})
    assert response.status_code == 400
    assert response.json()["fields"]["image"][0]["code"] == "required"


def test_anonymous_is_refused():
    response = post(Client(), picture())
    assert response.status_code in (401, 403)
    assert InputImage.objects.count() == 0


def test_without_the_agreement_it_is_refused(unsigned_artist):
    client = Client()
    client.force_login(unsigned_artist)
    response = post(client, picture())
    assert response.status_code == 403 and response.json()["code"] == "agreement_required"
    assert InputImage.objects.count() == 0


def test_staff_and_people_outside_the_program_may_not_upload(reviewer, outsider, program_admin):
    before = stored_files()
    for person in (reviewer, outsider, program_admin):
        with pytest.raises(NotAllowed):
            input_image_upload(owner=person, upload=upload(picture()))
    assert InputImage.objects.count() == 0 and stored_files() == before


def test_a_paused_or_suspended_account_may_not_upload(artist, other_artist, program_admin):
    before = stored_files()
    user_set_paused(actor=program_admin, user=artist, paused=True, reason="Looks shared")
    with pytest.raises(UploadsPaused):
        input_image_upload(owner=artist, upload=upload(picture()))
    account_suspend(admin=program_admin, user=other_artist, reason="Shared account")
    other_artist.refresh_from_db()
    with pytest.raises(NotAllowed):  # suspended: no longer active, so no permission at all
        input_image_upload(owner=other_artist, upload=upload(picture()))
    assert InputImage.objects.count() == 0 and stored_files() == before


def test_only_the_owner_sees_or_uses_an_upload(artist, other_artist, artist_client):
    mine = post(artist_client, picture()).json()["id"]
    assert artist_client.get(f"{URL}{mine}/").json()["id"] == mine
    theirs = Client()
    theirs.force_login(other_artist)
    answer = theirs.get(f"{URL}{mine}/")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert input_image_use(owner=other_artist, image_id=mine) is None
    assert InputImage.objects.get(pk=mine).used_at is None
    used = input_image_use(owner=artist, image_id=mine)
    assert used is not None and used.used_at is not None
    again = input_image_use(owner=artist, image_id=mine)
    assert again is not None and again.used_at == used.used_at  # the first use counts


def test_unused_uploads_expire_with_their_files(
    artist, artist_client, django_capture_on_commit_callbacks
):
    ids = [post(artist_client, picture()).json()["id"] for _ in range(3)]
    old_unused, old_used, fresh = InputImage.objects.filter(pk__in=ids).order_by("pk")
    input_image_use(owner=artist, image_id=old_used.pk)
    day_ago = timezone.now() - timedelta(hours=25)
    InputImage.objects.filter(pk__in=[old_unused.pk, old_used.pk]).update(created_at=day_ago)
    gone = private_storage().path(str(old_unused.file.name))
    assert Path(gone).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert input_images_expire() == 1
    assert set(InputImage.objects.values_list("pk", flat=True)) == {old_used.pk, fresh.pk}
    assert not Path(gone).exists()
    assert Path(private_storage().path(str(old_used.file.name))).exists()


def test_uploads_are_in_the_personal_data_export(artist, other_artist, artist_client):
    mine = post(artist_client, picture("JPEG"), name="a.jpg", content_type="image/jpeg").json()
    input_image_upload(owner=other_artist, upload=upload(picture()))
    archive = zipfile.ZipFile(io.BytesIO(artist_client.get("/my-data.zip").content))
    listed = json.loads(archive.read("uploads.json"))
    assert [(u["id"], u["file"]) for u in listed] == [(mine["id"], f"uploads/{mine['id']}.jpg")]
    stored = InputImage.objects.get(pk=mine["id"])
    with stored.file.open("rb") as handle:
        assert archive.read(f"uploads/{mine['id']}.jpg") == handle.read()


@pytest.mark.django_db(transaction=True)
def test_the_housekeeping_command_expires_uploads(artist):
    """The command itself (it manages its own connections, so outside a test transaction)."""
    image = input_image_upload(owner=artist, upload=upload(picture()))
    path = Path(private_storage().path(str(image.file.name)))
    InputImage.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(days=2))
    out = io.StringIO()
    call_command("housekeeping", "--once", stdout=out)
    assert "uploads expired=1" in out.getvalue()
    assert not InputImage.objects.filter(pk=image.pk).exists() and not path.exists()
