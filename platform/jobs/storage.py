"""Private media: files that only authorising views serve. Nothing has a public URL."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


def private_storage() -> Storage:
    """The storage for unapproved media (``STORAGES["private"]``)."""
    return storages["private"]


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files (the embedded default), outside any static or media URL.
    ``url()`` is refused so nothing can link to a file without an authorising view."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("location", str(settings.MEDIA_ROOT / "private"))
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no public URL; serve them through a view.")
