"""Personal API token format: ``vrn_`` + 30 random base62 characters + a 6-character
base62 CRC32 checksum of them.

The prefix makes a leaked token easy to find (secret scanners, logs); the checksum lets
anyone tell a real token from noise without asking the database. Only the SHA-256 of the
whole token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import zlib

PREFIX = "vrn_"
_ALPHABET = string.digits + string.ascii_letters
_SECRET_LENGTH = 30
_CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(PREFIX) + _SECRET_LENGTH + _CHECKSUM_LENGTH


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(_ALPHABET[remainder])
    return "".join(reversed(digits))


def _checksum(secret: str) -> str:
    return _base62(zlib.crc32(secret.encode()), _CHECKSUM_LENGTH)


def token_generate() -> str:
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    return PREFIX + secret + _checksum(secret)


def token_well_formed(token: str) -> bool:
    """Prefix, length, alphabet and checksum are right (says nothing about validity)."""
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return False
    body = token[len(PREFIX) :]
    if any(c not in _ALPHABET for c in body):
        return False
    secret, checksum = body[:_SECRET_LENGTH], body[_SECRET_LENGTH:]
    return secrets.compare_digest(_checksum(secret), checksum)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_display(token: str) -> str:
    """What we show later: enough to recognise it, useless to an attacker."""
    return token[: len(PREFIX) + 6] + "…"
