"""Write a local development C2PA certificate chain (root → intermediate → signer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from provenance.dev_certs import dev_chain_write


class Command(BaseCommand):
    help = (
        "Write a development certificate chain for C2PA signing: chain.pem (signer + "
        "intermediate), signer.key (ES256, mode 600) and root.pem (the trust anchor) in "
        "--out (default: VERNISSAGE_C2PA_DEV_DIR, i.e. DATA_DIR/c2pa). An existing, unexpired "
        "chain is kept unless --force. For development and tests only: production keys come "
        "from VERNISSAGE_C2PA_CERT_CHAIN and VERNISSAGE_C2PA_PRIVATE_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="Folder to write to.")
        parser.add_argument("--force", action="store_true", help="Replace an existing chain.")
        parser.add_argument(
            "--days", type=int, default=365, help="Signer certificate lifetime (default 365)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import cryptography  # noqa: F401
        except ImportError:  # the web tier may be installed without the gpu extra
            raise CommandError("cryptography is missing: pip install -e '.[gpu]'.") from None
        if not 1 <= options["days"] <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        folder: Path = (options["out"] or settings.C2PA_DEV_DIR).resolve()
        try:
            chain, created = dev_chain_write(
                folder=folder, force=options["force"], days=options["days"]
            )
        except OSError as error:
            raise CommandError(f"Can't write {folder}: {error.strerror or error}") from None
        verb = "Wrote" if created else "Kept the existing"
        self.stdout.write(
            f"{verb} development C2PA chain in {chain.folder} (signer valid until "
            f"{chain.signer_expires_at():%Y-%m-%d}).\n"
            f"  VERNISSAGE_C2PA_CERT_CHAIN={chain.cert_chain}\n"
            f"  VERNISSAGE_C2PA_PRIVATE_KEY={chain.private_key}\n"
            f"  VERNISSAGE_C2PA_TRUST_ANCHORS={chain.root}\n"
            "Not for production: anyone can make a chain like this one."
        )
