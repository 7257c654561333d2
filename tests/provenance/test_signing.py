"""Sign a real MP4, read the manifest back, validate it; any changed byte is caught."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generation.encoding import probe
from generation.provenance import (
    DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA,
    ProvenanceError,
    SigningKey,
    created_manifest,
    read_manifest,
    sign_video,
)
from provenance.dev_certs import DevChain, dev_chain_pems


def manifest(author: str | None = None) -> dict:
    return created_manifest(
        title="Vernissage video.mp4",
        generator_name="Vernissage",
        generator_version="0.1.0",
        model_name="wan2.1-t2v-1.3b",
        model_source="Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
        author=author,
        when="2026-01-02T03:04:05+00:00",
    )


def signed(tiny_mp4: Path, key: SigningKey, author: str | None = None) -> Path:
    dest = tiny_mp4.with_name("signed.mp4")
    sign_video(source=tiny_mp4, dest=dest, manifest=manifest(author), key=key)
    return dest


def boxes(path: Path) -> list[tuple[bytes, int, int]]:
    """Top-level MP4 boxes as (type, offset, size)."""
    data, found, offset = path.read_bytes(), [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        found.append((data[offset + 4 : offset + 8], offset, size))
        offset += size
    return found


def flipped(path: Path, offset: int) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    out = path.with_name(f"flipped-{offset}.mp4")
    out.write_bytes(bytes(data))
    return out


def test_signed_video_reads_back_valid_and_trusted(tiny_mp4, signing_key, dev_chain):
    path = signed(tiny_mp4, signing_key)
    report = read_manifest(path, trust_anchors_pem=dev_chain.root.read_bytes())
    assert report.state == "Trusted" and report.is_trusted and report.is_valid, report.failures
    assert report.failures == []
    # Still the same playable video, moov still ahead of mdat (streams at once).
    assert probe(path).frame_count == 9
    order = [kind for kind, _, _ in boxes(path)]
    assert order.index(b"moov") < order.index(b"mdat")

    actions = report.assertion("c2pa.actions")
    assert actions is not None
    [created] = actions["actions"]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA
    assert created["softwareAgent"] == {"name": "wan2.1-t2v-1.3b"}
    assert created["parameters"]["model_source"] == "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
    assert report.manifest is not None
    assert report.manifest["claim_generator_info"][0]["name"] == "Vernissage"
    assert report.manifest["claim_generator_info"][0]["version"] == "0.1.0"
    assert report.manifest["signature_info"]["alg"].upper() == "ES256"


def test_without_a_credit_there_is_no_author_and_nothing_personal(tiny_mp4, signing_key):
    report = read_manifest(signed(tiny_mp4, signing_key))
    assert report.is_valid, report.failures
    assert report.assertion("stds.schema-org.CreativeWork") is None
    text = json.dumps(report.store)
    assert "author" not in text and "@" not in text.replace("@context", "").replace("@type", "")


def test_the_chosen_credit_is_the_author(tiny_mp4, signing_key):
    report = read_manifest(signed(tiny_mp4, signing_key, author="Alice Artist"))
    assert report.is_valid, report.failures
    work = report.assertion("stds.schema-org.CreativeWork")
    assert work is not None
    assert work["author"] == [{"@type": "Person", "name": "Alice Artist"}]


def test_a_flipped_byte_in_the_media_data_is_detected(tiny_mp4, signing_key, dev_chain):
    path = signed(tiny_mp4, signing_key)
    [(_, offset, size)] = [box for box in boxes(path) if box[0] == b"mdat"]
    damaged = flipped(path, offset + size // 2)
    assert probe(damaged).frame_count == 9  # still "plays": only the signature notices
    report = read_manifest(damaged, trust_anchors_pem=dev_chain.root.read_bytes())
    assert report.state == "Invalid" and not report.is_valid
    assert "assertion.bmffHash.mismatch" in report.failure_codes


def test_a_flipped_byte_in_the_movie_header_is_detected(tiny_mp4, signing_key):
    path = signed(tiny_mp4, signing_key)
    [(_, offset, size)] = [box for box in boxes(path) if box[0] == b"moov"]
    report = read_manifest(flipped(path, offset + size - 3))
    assert not report.is_valid and report.state == "Invalid"


def test_a_flipped_byte_in_the_manifest_itself_is_detected(tiny_mp4, signing_key):
    path = signed(tiny_mp4, signing_key)
    [(_, offset, size)] = [box for box in boxes(path) if box[0] == b"uuid"]
    data = path.read_bytes()
    # Change one character of the model name inside the signed claim.
    at = data.index(b"wan2.1-t2v-1.3b", offset, offset + size)
    report = read_manifest(flipped(path, at))
    assert not report.is_valid


def test_an_unsigned_video_has_no_manifest(tiny_mp4):
    report = read_manifest(tiny_mp4)
    assert (report.state, report.manifest, report.is_valid) == (None, None, False)


def test_a_chain_from_another_root_is_not_trusted(tiny_mp4, signing_key):
    path = signed(tiny_mp4, signing_key)
    _, _, stranger_root = dev_chain_pems()
    report = read_manifest(path, trust_anchors_pem=stranger_root)
    assert not report.is_trusted and not report.is_valid
    assert "signingCredential.untrusted" in report.failure_codes


def test_a_key_that_does_not_match_the_certificate_is_refused(tiny_mp4, signing_key, tmp_path):
    _, other_key, _ = dev_chain_pems()
    mismatched = SigningKey(cert_chain_pem=signing_key.cert_chain_pem, private_key_pem=other_key)
    dest = tmp_path / "out.mp4"
    with pytest.raises(ProvenanceError, match="does not match"):
        sign_video(source=tiny_mp4, dest=dest, manifest=manifest(), key=mismatched)
    assert not dest.exists()


def _signer_chain(*, key_usage: dict[str, bool], eku: bool) -> SigningKey:
    """A one-level chain whose signer certificate has the given key usage / EKU."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    usage = dict.fromkeys(
        ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
         "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"],
        False,
    )  # fmt: skip
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test signer")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**{**usage, **key_usage}), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
    )
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(**{**usage, "key_cert_sign": True, "crl_sign": True}), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return SigningKey(
        cert_chain_pem=builder.sign(ca_key, hashes.SHA256()).public_bytes(pem)
        + ca.public_bytes(pem),
        private_key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def test_the_test_helper_chain_signs_when_the_profile_is_right(tiny_mp4, tmp_path):
    # The control for the two refusals below: same helper, correct profile.
    key = _signer_chain(key_usage={"digital_signature": True}, eku=True)
    sign_video(source=tiny_mp4, dest=tmp_path / "ok.mp4", manifest=manifest(), key=key)
    assert read_manifest(tmp_path / "ok.mp4").is_valid


@pytest.mark.parametrize(
    ("key_usage", "eku"),
    [
        pytest.param({"digital_signature": True}, False, id="no-extended-key-usage"),
        pytest.param({"key_agreement": True}, True, id="no-signing-key-usage"),
    ],
)
def test_c2pa_refuses_a_signer_certificate_outside_its_profile(tiny_mp4, tmp_path, key_usage, eku):
    key = _signer_chain(key_usage=key_usage, eku=eku)
    dest = tmp_path / "refused.mp4"
    with pytest.raises(ProvenanceError, match="certificate"):
        sign_video(source=tiny_mp4, dest=dest, manifest=manifest(), key=key)
    assert not dest.exists()


def test_the_dev_chain_has_the_c2pa_signer_profile(dev_chain: DevChain):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    signer, intermediate = x509.load_pem_x509_certificates(dev_chain.cert_chain.read_bytes())
    root = x509.load_pem_x509_certificate(dev_chain.root.read_bytes())
    assert signer.issuer == intermediate.subject and intermediate.issuer == root.subject
    public_key = signer.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.curve.name == "secp256r1"
    usage = signer.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {oid.dotted_string for oid in eku} == {"1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36"}
    assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
