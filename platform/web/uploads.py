"""Uploaded files' names: whatever a client sends, an upload is accepted with a short name.

We never store a file under its uploaded name (screenshots get our own name, trace
videos a temporary one); the name is only shown back, in messages and audit events. Two
things in Django turn a long name into an error before any form or serializer sees it:

- the multipart parser refuses a part whose headers pass 1 KiB ("Request max total
  header size exceeded"): a bare 400 page, or a JSON ``parse_error`` without a field,
  for a name of about 950 characters. ``multipart_header_limit_raise`` lets part headers
  reach ``MULTIPART_PART_HEADER_BYTES``;
- a file over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` goes to a temporary file named after the
  upload's extension, which the OS refuses past 255 bytes (a 500). The handlers below
  shorten the name first (``upload_name``).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import multipartparser

# Room for a file name of 1,000 characters of 4-byte UTF-8, percent-encoded, twice
# (filename and filename*): far past any name a file system allows.
MULTIPART_PART_HEADER_BYTES = 32 * 1024
_LIMIT = "MAX_TOTAL_HEADER_SIZE"  # not in Django's type stubs
MAX_NAME = 100
MAX_EXTENSION = 16


def upload_name(name: str) -> str:
    """``name`` cut to ``MAX_NAME`` characters, keeping a short extension."""
    if len(name) <= MAX_NAME:
        return name
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION:
        stem, extension = name, ""
    return stem[: MAX_NAME - len(extension) - 1] + "…" + extension


def multipart_header_limit_raise() -> None:
    """Let each multipart part's headers (where the file name is) reach
    ``MULTIPART_PART_HEADER_BYTES``. Django has no setting for it; its parser reads this
    module constant on every request. Called once at start-up (``PortalConfig.ready``)."""
    current = getattr(multipartparser, _LIMIT, None)
    if not isinstance(current, int):
        raise ImproperlyConfigured(
            f"django.http.multipartparser.{_LIMIT} is gone: long upload names would be "
            "refused again; see web/uploads.py."
        )
    setattr(multipartparser, _LIMIT, max(current, MULTIPART_PART_HEADER_BYTES))


class ShortNameMemoryFileUploadHandler(MemoryFileUploadHandler):
    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, upload_name(file_name), *args, **kwargs)


class ShortNameTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, upload_name(file_name), *args, **kwargs)
