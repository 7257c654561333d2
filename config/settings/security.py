"""Secret key, hosts, cookies. Secrets come from the environment, never from the code."""

from __future__ import annotations

import secrets

from config.env import env_bool, env_list, env_str
from config.settings.base import DATA_DIR

DEBUG = env_bool("DJANGO_DEBUG", False)


def _embedded_secret_key() -> str:
    """A per-installation key for the embedded default, generated once and kept in DATA_DIR."""
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or _embedded_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS in production: set DJANGO_SECURE_COOKIES=true.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
