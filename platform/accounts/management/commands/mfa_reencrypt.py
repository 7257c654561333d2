"""Re-encrypt every authenticator secret under the first VERNISSAGE_MFA_ENCRYPTION_KEYS key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.secret_box import authenticator_secrets_encrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every authenticator secret with the first key of "
        "VERNISSAGE_MFA_ENCRYPTION_KEYS (key rotation: deploy/RUNBOOK.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = authenticator_secrets_encrypt(rotate=True)
        self.stdout.write(f"Re-encrypted {changed} authenticator(s).")
