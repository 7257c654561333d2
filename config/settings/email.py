"""Outgoing email: printed to the console unless an SMTP server is configured."""

from __future__ import annotations

from config.env import env_bool, env_int, env_str
from config.settings.base import DATA_DIR

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Vernissage <noreply@localhost>")
# Emails are sent after the commit by whoever made the change, GPU workers included
# ("your video is ready"): a mail server that hangs must not hold a worker for long.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10, minimum=1, maximum=300)
# For DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file each).
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
