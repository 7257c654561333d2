"""A local development certificate chain for C2PA signing: root CA → intermediate CA →
signer, all ES256 (P-256).

The signer certificate has what the C2PA certificate profile asks of a claim signer:
``digitalSignature`` key usage (critical), an allowed extended key usage
(emailProtection and documentSigning; never anyExtendedKeyUsage), not a CA. Only the
signer's private key is written: the CA keys are thrown away, so the chain can't be
extended by anyone who copies the folder. Never use this chain in production: anyone can
make one exactly like it (decision 0012).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

CHAIN_FILE = "chain.pem"  # signer, then intermediate
KEY_FILE = "signer.key"  # the signer's private key, PKCS#8
ROOT_FILE = "root.pem"  # the trust anchor, for validating what was signed
# C2PA allows this EKU for claim signers; cryptography has no constant for it.
DOCUMENT_SIGNING_OID = "1.3.6.1.5.5.7.3.36"
ORGANIZATION = "Vernissage development (not for production)"


@dataclass(frozen=True)
class DevChain:
    folder: Path

    @property
    def cert_chain(self) -> Path:
        return self.folder / CHAIN_FILE

    @property
    def private_key(self) -> Path:
        return self.folder / KEY_FILE

    @property
    def root(self) -> Path:
        return self.folder / ROOT_FILE

    def is_complete(self) -> bool:
        return all(p.is_file() for p in (self.cert_chain, self.private_key, self.root))

    def signer_expires_at(self) -> datetime:
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.cert_chain.read_bytes()).not_valid_after_utc


def _name(common_name: str) -> x509.Name:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def dev_chain_pems(*, days: int = 365) -> tuple[bytes, bytes, bytes]:
    """Make a fresh chain: (signer + intermediate PEM, signer key PEM, root PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

    now = datetime.now(UTC)
    start = now - timedelta(minutes=5)  # tolerate small clock differences between machines

    def issue(
        *,
        subject: x509.Name,
        issuer: x509.Name,
        public_key: ec.EllipticCurvePublicKey,
        issuer_key: ec.EllipticCurvePrivateKey,
        days: int,
        ca: bool,
        path_length: int | None = None,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
            .add_extension(_key_usage(signer=not ca), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.EMAIL_PROTECTION, ObjectIdentifier(DOCUMENT_SIGNING_OID)]
                ),
                critical=False,
            )
        return builder.sign(issuer_key, hashes.SHA256())

    root_key = ec.generate_private_key(ec.SECP256R1())
    middle_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Vernissage Dev Root CA")
    middle_name = _name("Vernissage Dev Intermediate CA")
    root = issue(
        subject=root_name, issuer=root_name, public_key=root_key.public_key(),
        issuer_key=root_key, days=days * 10, ca=True,
    )  # fmt: skip
    middle = issue(
        subject=middle_name, issuer=root_name, public_key=middle_key.public_key(),
        issuer_key=root_key, days=days * 5, ca=True, path_length=0,
    )  # fmt: skip
    signer = issue(
        subject=_name("Vernissage Dev Content Signer"), issuer=middle_name,
        public_key=signer_key.public_key(), issuer_key=middle_key, days=days, ca=False,
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    key_pem = signer_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signer.public_bytes(pem) + middle.public_bytes(pem), key_pem, root.public_bytes(pem)


def dev_chain_write(*, folder: Path, force: bool = False, days: int = 365) -> tuple[DevChain, bool]:
    """Write a development chain into ``folder``; returns (chain, created).

    An existing complete, unexpired chain is kept unless ``force``. Only the three files
    above are written (each replaced atomically); nothing else in the folder is touched.
    A lock file keeps two processes starting at once from pairing one's certificate with
    the other's key.
    """
    chain = DevChain(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and chain.is_complete() and chain.signer_expires_at() > datetime.now(UTC):
            return chain, False
        cert_pem, key_pem, root_pem = dev_chain_pems(days=days)
        _write_atomically(chain.private_key, key_pem, mode=0o600)
        _write_atomically(chain.cert_chain, cert_pem, mode=0o644)
        _write_atomically(chain.root, root_pem, mode=0o644)
    return chain, True


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        os.fchmod(out.fileno(), mode)
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(name, path)
