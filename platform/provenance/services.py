"""Signing outputs with the platform's C2PA key (worker side; decision 0012)."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from accounts.selectors import user_public_credit
from generation.provenance import (
    Ingredient,
    ProvenanceError,
    SigningKey,
    created_manifest,
    read_manifest,
    sign_video,
)
from provenance.dev_certs import dev_chain_write

if TYPE_CHECKING:
    # Annotations only: the worker (jobs) calls this module, so it must not import jobs.
    from jobs.models import Job
    from uploads.models import InputImage

log = logging.getLogger(__name__)

PLATFORM_NAME = "Vernissage"
# "owner/name" as on the Hugging Face hub; a local folder path is never published.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class SigningNotConfigured(ProvenanceError):
    """Signing is on, but there is no key it may use."""


@dataclass(frozen=True)
class SigningSetup:
    key: SigningKey
    trust_anchors_pem: bytes | None
    is_development: bool


def platform_version() -> str:
    try:
        return metadata.version("vernissage")
    except metadata.PackageNotFoundError:
        return "unknown"


def output_manifest(*, job: Job, when: datetime | None = None) -> dict[str, Any]:
    """The manifest for ``job``'s video: the model and the platform, and the artist's
    chosen public credit if there is one (``user_public_credit``: none set or refused
    means no author). No legal name, email, account id, prompt or job id: the manifest
    travels with the published file."""
    model = settings.GENERATION_MODELS.get(job.model, {})
    source = str(model.get("source", ""))
    return created_manifest(
        title=f"{PLATFORM_NAME} video.mp4",
        generator_name=PLATFORM_NAME,
        generator_version=platform_version(),
        model_name=job.model,
        model_source=source if _HUB_ID.match(source) and not os.path.isabs(source) else None,
        author=user_public_credit(user=job.artist),
        when=(when or datetime.now(UTC)).isoformat(timespec="seconds"),
    )


def output_ingredients(*, job: Job) -> list[Ingredient]:
    """What the video was made from, for its manifest, each titled by its role, never by
    the name it was uploaded under: an image job's start (and end) image, a storyboard's
    shots' start images (their stored, re-encoded bytes), and an extension's parent video
    (``parentOf``: the output contains it, its own manifest and all). Text jobs have none."""
    images: list[tuple[str, InputImage]] = []
    if job.start_image is not None:
        images.append(("start image", job.start_image))
    if job.end_image is not None:
        images.append(("end image", job.end_image))
    if job.mode == "storyboard":  # jobs.models.GenerationMode (not imported: see above)
        for shot in job.shots.select_related("start_image"):
            if shot.start_image is not None:
                images.append((f"shot {shot.position + 1} start image", shot.start_image))
    ingredients = []
    for role, image in images:
        extension = "png" if image.content_type == "image/png" else "jpg"
        with image.file.open("rb") as handle:
            data = handle.read()
        ingredients.append(
            Ingredient(title=f"{role}.{extension}", format=image.content_type, data=data)
        )
    if job.extends_id is not None:
        with job.extends.output.video.open("rb") as handle:  # type: ignore[union-attr]
            data = handle.read()
        ingredients.append(
            Ingredient(
                title="extended video.mp4", format="video/mp4", data=data, relationship="parentOf"
            )
        )
    return ingredients


_warned_development = False


def signing_setup() -> SigningSetup:
    """The key to sign with: the configured one, else (where allowed) the development
    chain, made on first use. Raises SigningNotConfigured."""
    global _warned_development
    anchors_path = settings.C2PA_TRUST_ANCHORS
    if settings.C2PA_CERT_CHAIN:
        try:
            key = SigningKey.from_files(
                cert_chain=Path(settings.C2PA_CERT_CHAIN),
                private_key=Path(settings.C2PA_PRIVATE_KEY),
            )
            anchors = Path(anchors_path).read_bytes() if anchors_path else None
        except OSError as error:
            raise SigningNotConfigured(
                f"C2PA key files can't be read ({error.filename}: {error.strerror}); check "
                "VERNISSAGE_C2PA_CERT_CHAIN, VERNISSAGE_C2PA_PRIVATE_KEY and "
                "VERNISSAGE_C2PA_TRUST_ANCHORS."
            ) from error
        return SigningSetup(key=key, trust_anchors_pem=anchors, is_development=False)
    if not settings.C2PA_ALLOW_DEV_CERT:
        raise SigningNotConfigured(
            "C2PA signing is on but no key is configured: set VERNISSAGE_C2PA_CERT_CHAIN and "
            "VERNISSAGE_C2PA_PRIVATE_KEY. Production mode never signs with the development "
            "certificate (decision 0012)."
        )
    chain, created = dev_chain_write(folder=settings.C2PA_DEV_DIR)
    if created or not _warned_development:
        log.warning(
            "C2PA: signing with the DEVELOPMENT certificate chain in %s%s; anyone can make "
            "one like it. Configure VERNISSAGE_C2PA_CERT_CHAIN/_PRIVATE_KEY for real use.",
            chain.folder,
            " (just created)" if created else "",
        )
        _warned_development = True
    key = SigningKey.from_files(cert_chain=chain.cert_chain, private_key=chain.private_key)
    return SigningSetup(key=key, trust_anchors_pem=chain.root.read_bytes(), is_development=True)


def output_sign(*, job: Job, path: Path) -> bool:
    """Sign the encoded video at ``path`` in place (the signed file replaces it), its
    inputs named as ingredients (``output_ingredients``), then read it back and insist
    that it validates. Returns False when signing is switched off.
    Raises ProvenanceError: the caller must not keep an unsigned or invalid file."""
    if not settings.C2PA_SIGNING:
        return False
    setup = signing_setup()
    handle, name = tempfile.mkstemp(prefix=".signed-", suffix=".mp4", dir=path.parent)
    os.close(handle)
    signed = Path(name)
    try:
        sign_video(
            source=path,
            dest=signed,
            manifest=output_manifest(job=job),
            key=setup.key,
            ingredients=output_ingredients(job=job),
        )
        report = read_manifest(signed, trust_anchors_pem=setup.trust_anchors_pem)
        if not report.is_valid or report.failures:
            raise ProvenanceError(
                f"the signed video does not validate ({report.state}: "
                f"{', '.join(report.failure_codes) or 'no details'})"
            )
        os.replace(signed, path)
    finally:
        signed.unlink(missing_ok=True)
    return True
