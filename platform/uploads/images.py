"""Input images: checked by content (never by name or claimed type), limited in bytes and
pixels (the pixel count read from the header, before any pixel is decoded), and re-encoded
so no original bytes or metadata are kept. The same rules as bug screenshots
(``feedback.images``), plus what a video's first frame needs: orientation applied, colours
in sRGB, transparency flattened."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

FIELD = "image"
ACCEPTED = {"PNG", "JPEG", "WEBP"}
MAX_SIDE = 8000
# Transparent areas become this colour: a start frame has none.
BACKGROUND = (255, 255, 255)


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str  # image/png or image/jpeg
    extension: str
    width: int
    height: int
    sha256: str


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({FIELD: ValidationError(message, code=code)})


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _("Too many pixels: at most %(side)s on a side and %(megapixels)s megapixels.")
        % {"side": MAX_SIDE, "megapixels": settings.UPLOAD_MAX_PIXELS // 1_000_000},
        "too_many_pixels",
    )


def _too_large() -> ValidationError:
    return _refuse(
        _("Larger than %(megabytes)s MB.")
        % {"megabytes": round(settings.UPLOAD_MAX_BYTES / (1024 * 1024), 1)},
        "too_large",
    )


def _read(upload: UploadedFile) -> bytes:
    if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
        raise _too_large()
    data = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise _too_large()
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    return data


def _open(data: bytes) -> Image.Image:
    """The decoded image, after its format and declared size passed."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (then refuses) on headers claiming ~90M+ pixels; both are ours.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in ACCEPTED:
                raise _refuse(_("Only PNG, JPEG and WebP images are accepted."), "unsupported_type")
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _too_many_pixels()
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise _refuse(
            _("This is not a PNG, JPEG or WebP image we can read."), "not_an_image"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):  # truncated or corrupt image data
        raise _refuse(_("The image is damaged or incomplete."), "corrupt_image") from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: an embedded colour profile is applied (then dropped with the rest of
    the metadata); transparency is flattened onto ``BACKGROUND``."""
    profile = image.info.get("icc_profile")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit / float greyscale
        image = image.point(lambda value: value / 256).convert("L")
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    return image


def input_image_clean(upload: UploadedFile) -> CleanImage:
    """The upload re-encoded (JPEG stays JPEG at quality 95; PNG and WebP become PNG), or
    a ValidationError on ``image`` with a code: too_large, empty, unsupported_type,
    not_an_image, corrupt_image, too_many_pixels."""
    image = _open(_read(upload))
    kind = image.format
    try:
        upright = ImageOps.exif_transpose(image)  # the camera's orientation, applied
        picture = _to_srgb(upright if upright is not None else image)
    except (OSError, SyntaxError, ValueError):
        raise _refuse(_("The image is damaged or incomplete."), "corrupt_image") from None
    # A fresh file: no EXIF, XMP, comments, profile or trailing bytes of the original
    # (Pillow would write some of them back from ``info``).
    picture.info = {}
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, format="JPEG", quality=95, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    else:
        picture.save(out, format="PNG", compress_level=6)
        content_type, extension = "image/png", "png"
    data = out.getvalue()
    return CleanImage(
        data=data,
        content_type=content_type,
        extension=extension,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
