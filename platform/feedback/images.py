"""Screenshot uploads: checked by content (never by name), limited in bytes and pixels,
decompression bombs refused, and re-encoded so no original bytes (or metadata) are kept."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000  # e.g. 4000 x 4000
MAX_SIDE = 8000
MAX_FILES = 5


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refuse(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({"screenshots": ValidationError(f"{name}: {message}", code=code)})


def _too_large() -> str:
    return _("larger than %(megabytes)s MB.") % {"megabytes": MAX_BYTES // (1024 * 1024)}


def screenshot_clean(upload: UploadedFile) -> CleanImage:
    """The upload re-encoded, or a ValidationError on ``screenshots`` saying what's wrong."""
    name = upload.name or "screenshot"
    if (upload.size or 0) > MAX_BYTES:
        raise _refuse(name, _too_large(), "too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(name, _too_large(), "too_large")
    if not data:
        raise _refuse(name, _("is empty."), "empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format or ""
            if kind not in FORMATS:
                raise _refuse(
                    name, _("only PNG, JPEG and WebP images are accepted."), "unsupported_type"
                )
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _refuse(
                    name,
                    _(
                        "%(width)s×%(height)s pixels is too large (at most %(side)s on a side "
                        "and %(megapixels)s megapixels)."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "side": MAX_SIDE,
                        "megapixels": MAX_PIXELS // 1_000_000,
                    },
                    "too_many_pixels",
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses to open headers claiming this many pixels before we can ask.
        raise _refuse(
            name,
            _("claims too many pixels (at most %(side)s on a side and %(megapixels)s megapixels).")
            % {"side": MAX_SIDE, "megapixels": MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        ) from None
    except UnidentifiedImageError:
        raise _refuse(
            name, _("is not a PNG, JPEG or WebP image we can read."), "not_an_image"
        ) from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt image data
        raise _refuse(name, _("is damaged or incomplete."), "corrupt_image") from None
    content_type, extension = FORMATS[kind]
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and kind != "JPEG" else "RGB"
    clean = image.convert(mode)
    out = io.BytesIO()
    options: dict[str, object] = {
        "PNG": {"optimize": True},
        "JPEG": {"quality": 90},
        "WEBP": {"quality": 90},
    }[kind]  # type: ignore[assignment]
    clean.save(out, format=kind, **options)  # a fresh file: no EXIF, no trailing bytes
    return CleanImage(out.getvalue(), content_type, extension, width, height)
