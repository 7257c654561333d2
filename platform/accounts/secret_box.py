"""Encryption at rest for second-factor secrets (authenticator keys, recovery-code seeds).

allauth hands every such secret to the MFA adapter's ``encrypt``/``decrypt`` hooks
(``accounts.mfa_adapter``). The keys come from ``VERNISSAGE_MFA_ENCRYPTION_KEYS``
(comma-separated; the first encrypts, all decrypt), so a database dump alone reveals no
staff member's second factor. Rotation (deploy/RUNBOOK.md): put a new key first, run
``manage.py mfa_reencrypt``, then drop the old key.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"
# What allauth keeps secret in ``Authenticator.data``.
SECRET_FIELDS = ("secret", "seed")

logger = logging.getLogger(__name__)


def _fernet_for(key: str) -> Fernet:
    # Any long random string works as a key: it is stretched into Fernet's format.
    digest = hashlib.sha256(b"vernissage.mfa:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _box() -> MultiFernet:
    keys = list(settings.MFA_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("VERNISSAGE_MFA_ENCRYPTION_KEYS is empty.")
    return MultiFernet([_fernet_for(key) for key in keys])


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def secret_encrypt(text: str) -> str:
    return PREFIX + _box().encrypt(text.encode()).decode("ascii")


def secret_decrypt(value: str) -> str:
    if not is_encrypted(value):
        # Written before encryption existed; post_migrate encrypts such rows.
        logger.warning("An authenticator secret is stored unencrypted; run manage.py migrate.")
        return value
    try:
        return _box().decrypt(value[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An authenticator secret can't be decrypted with VERNISSAGE_MFA_ENCRYPTION_KEYS: "
            "was a key removed before `manage.py mfa_reencrypt` ran?"
        ) from None


def authenticator_secrets_encrypt(*, rotate: bool = False, **_: object) -> int:
    """Encrypt every plaintext secret (run after each migrate); with ``rotate``, also
    re-encrypt encrypted ones under the first key. Returns how many rows changed."""
    from allauth.mfa.models import Authenticator
    from django.db import transaction

    changed = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = dict(authenticator.data)
            for field in SECRET_FIELDS:
                value = data.get(field)
                if not isinstance(value, str):
                    continue
                if not is_encrypted(value):
                    data[field] = secret_encrypt(value)
                elif rotate:
                    data[field] = secret_encrypt(secret_decrypt(value))
            if data != authenticator.data:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                changed += 1
    return changed
