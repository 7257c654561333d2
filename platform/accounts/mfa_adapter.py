"""allauth's two-factor adapter, with secrets encrypted at rest (``accounts.secret_box``)."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from accounts.secret_box import secret_decrypt, secret_encrypt


class MfaAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
