"""C2PA Content Credentials for finished videos: build, sign, read back and validate.

Signing is the last step after encoding: any later change to the file (a re-mux, a
fragmented rewrite, a flipped byte) breaks the BMFF hash the manifest carries. The
signer is ES256 over a certificate chain in PEM; no timestamp authority is used (none is
reachable from the workers), so a manifest is valid only while its certificate is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
)
MP4 = "video/mp4"


class ProvenanceError(RuntimeError):
    """The file could not be signed, or what was signed does not validate."""


@dataclass(frozen=True)
class SigningKey:
    """An ES256 signing key and its certificate chain (end entity first), both PEM."""

    cert_chain_pem: bytes
    private_key_pem: bytes

    @classmethod
    def from_files(cls, *, cert_chain: Path, private_key: Path) -> SigningKey:
        return cls(cert_chain_pem=cert_chain.read_bytes(), private_key_pem=private_key.read_bytes())


@dataclass(frozen=True)
class Ingredient:
    """A file the video was made from (a start image), named in the manifest as an
    ingredient with its hash. ``relationship`` is C2PA's: ``inputTo`` for an input the
    model used (``parentOf`` would claim the video is an edit of it). No thumbnail of it
    is embedded: the manifest is public, the input is not."""

    title: str
    format: str  # its MIME type, e.g. image/png
    data: bytes
    relationship: str = "inputTo"


def created_manifest(
    *,
    title: str,
    generator_name: str,
    generator_version: str,
    model_name: str,
    model_source: str | None = None,
    author: str | None = None,
    when: str | None = None,
) -> dict[str, Any]:
    """A manifest for a video the model made from a prompt.

    One ``c2pa.created`` action with digital source type *trainedAlgorithmicMedia*, the
    model as its software agent and the platform as claim generator. ``author`` (the
    credit the artist chose) becomes a schema.org author; without it there is no author
    at all. Nothing else about the person goes in: the manifest is public.
    """
    agent: dict[str, Any] = {"name": model_name}
    action: dict[str, Any] = {
        "action": "c2pa.created",
        "digitalSourceType": DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA,
        "softwareAgent": agent,
    }
    if model_source:
        action["parameters"] = {"model": model_name, "model_source": model_source}
    if when:
        action["when"] = when
    assertions: list[dict[str, Any]] = [{"label": "c2pa.actions", "data": {"actions": [action]}}]
    if author:
        assertions.append(
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [{"@type": "Person", "name": author}],
                },
            }
        )
    return {
        "claim_generator_info": [{"name": generator_name, "version": generator_version}],
        "title": title,
        "format": MP4,
        "assertions": assertions,
    }


def sign_video(
    *,
    source: Path,
    dest: Path,
    manifest: Mapping[str, Any],
    key: SigningKey,
    ingredients: Sequence[Ingredient] = (),
) -> None:
    """Embed ``manifest``, signed with ``key``, in the non-fragmented MP4 ``source``,
    writing the result to ``dest`` (a different path), with ``ingredients`` named in it
    (no thumbnails). Raises ProvenanceError."""
    import io

    import c2pa

    if source.resolve() == dest.resolve():
        raise ValueError("sign_video writes to a new file; source and dest must differ")
    # Without ingredients, the builder's defaults (as before inputs existed).
    context = (
        c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
        if ingredients
        else None
    )
    try:
        info = c2pa.C2paSignerInfo(
            c2pa.C2paSigningAlg.ES256, key.cert_chain_pem, key.private_key_pem, None
        )
        builder_made = (
            c2pa.Builder(dict(manifest), context=context)
            if context is not None
            else c2pa.Builder(dict(manifest))
        )
        with (
            c2pa.Signer.from_info(info) as signer,
            builder_made as builder,
            source.open("rb") as src,
            dest.open("w+b") as out,
        ):
            for ingredient in ingredients:
                builder.add_ingredient(
                    {"title": ingredient.title, "relationship": ingredient.relationship},
                    ingredient.format,
                    io.BytesIO(ingredient.data),
                )
            builder.sign(signer, MP4, src, out)
            out.flush()
            os.fsync(out.fileno())
    except c2pa.C2paError as error:
        dest.unlink(missing_ok=True)
        raise ProvenanceError(f"C2PA signing failed: {error}") from error
    finally:
        if context is not None:
            context.close()


@dataclass(frozen=True)
class ManifestReport:
    """What a reader found in a file.

    ``state`` is c2pa's validation state: ``"Trusted"`` (valid, and the chain ends in one
    of the trust anchors given), ``"Valid"`` (valid, signer not checked against anchors),
    ``"Invalid"``, or None when the file carries no manifest.
    """

    state: str | None
    manifest: dict[str, Any] | None
    failures: list[dict[str, Any]] = field(default_factory=list)
    store: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        """Intact and correctly signed (and, when anchors were given, trusted)."""
        return self.state in {"Valid", "Trusted"} and not self.failures

    @property
    def is_trusted(self) -> bool:
        return self.state == "Trusted" and not self.failures

    @property
    def failure_codes(self) -> list[str]:
        return [str(item.get("code")) for item in self.failures]

    def assertion(self, label: str) -> dict[str, Any] | None:
        """The data of the active manifest's first assertion whose label starts with
        ``label`` (c2pa may store ``c2pa.actions`` as ``c2pa.actions.v2``)."""
        for item in (self.manifest or {}).get("assertions", []):
            if item.get("label") == label or str(item.get("label", "")).startswith(label + "."):
                data: dict[str, Any] = item.get("data", {})
                return data
        return None


def read_manifest(path: Path, *, trust_anchors_pem: bytes | None = None) -> ManifestReport:
    """Read and validate the C2PA manifest of an MP4. With ``trust_anchors_pem`` the
    signing chain must end in one of those roots for the state to be ``"Trusted"``."""
    import c2pa

    context = None
    if trust_anchors_pem:
        context = c2pa.Context.from_dict(
            {
                "trust": {"trust_anchors": trust_anchors_pem.decode("ascii")},
                "verify": {"verify_trust": True},
            }
        )
    try:
        with path.open("rb") as stream:
            try:
                reader = (
                    c2pa.Reader(MP4, stream, None, context)
                    if context is not None
                    else c2pa.Reader(MP4, stream)
                )
            except c2pa.C2paError.ManifestNotFound:
                return ManifestReport(state=None, manifest=None)
            with reader:
                store: dict[str, Any] = json.loads(reader.json())
    except c2pa.C2paError as error:
        # Damaged beyond reading (e.g. the manifest box itself): report, don't crash.
        return ManifestReport(
            state="Invalid",
            manifest=None,
            failures=[{"code": "unreadable", "explanation": str(error)}],
        )
    finally:
        if context is not None:
            context.close()
    active = store.get("manifests", {}).get(store.get("active_manifest", ""))
    results = store.get("validation_results", {}).get("activeManifest", {})
    failures = list(results.get("failure", []))
    state = store.get("validation_state")
    if trust_anchors_pem is None:
        # Without anchors every chain is "untrusted"; that says nothing about integrity.
        failures = [f for f in failures if f.get("code") != "signingCredential.untrusted"]
    return ManifestReport(state=state, manifest=active, failures=failures, store=store)
