"""Apps, middleware, templates, static and media files."""

from __future__ import annotations

from pathlib import Path

from config.env import env_str
from config.paths import BASE_DIR, add_platform_to_path

add_platform_to_path()

# Where the embedded default keeps its database, media and generated secret.
DATA_DIR = Path(env_str("VERNISSAGE_DATA_DIR", str(BASE_DIR / "var"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "accounts",
    "cohorts",
    "invitations",
    "agreements",
    "web",
    "studio",
    "portal",
    "api",
    "jobs",
    "screening",
    "audit",
    "moderation",
    "publishing",
    "feedback",
    "ledger",
    "provenance",
    "containment",
    "tracing",
    "observability",
    "notifications",
    "uploads",
    "announcements",
]

MIDDLEWARE = [
    "web.request_ids.RequestIdMiddleware",
    "web.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # PostgreSQL unreachable: 503 + Retry-After rather than a 500 (web/outage.py).
    "web.outage.DatabaseOutageMiddleware",
    # Job-page polls answered in one query when nothing but a 200 is possible (decision 0018).
    "studio.status_fast_path.StatusFastPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switcher's cookie, else the browser's Accept-Language (no URL
    # prefixes: URLs are a contract). A signed-in person's stored one wins (below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything that may answer with a page, a message or an error in words.
    "accounts.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.sessions.UserSessionsMiddleware",
    "accounts.mfa.StaffMfaMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "containment.middleware.ActivityWatchMiddleware",
    "agreements.middleware.AgreementGateMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
                "announcements.context_processors.unread_announcements",
            ],
        },
    },
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# The portal speaks these (decision 0025); the catalogues are in locale/ (README).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Private media: never served by a static handler; views authorise every file.
MEDIA_ROOT = Path(env_str("VERNISSAGE_MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "/media/"
# Uploads are accepted whatever their name's length, under a short name (web/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "web.uploads.ShortNameMemoryFileUploadHandler",
    "web.uploads.ShortNameTemporaryFileUploadHandler",
]
# STORAGES (local folders or an S3 bucket): config/settings/storage.py
# Serve static files straight from the finders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# LOGGING: config/settings/observability.py (request and job ids, text or JSON).


def embedded_secret(name: str, *, nbytes: int) -> str:
    """A per-installation secret for the embedded default, generated once into
    ``DATA_DIR/<name>`` (owner-only) and read back on every start."""
    import secrets

    path = DATA_DIR / name
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    path.write_text(value)
    path.chmod(0o600)
    return value


SERVED_URL_FILE = "served_url"


def served_url() -> str:
    """The address ``manage.py serve`` last served, if it ever ran here."""
    path = DATA_DIR / SERVED_URL_FILE
    return path.read_text().strip() if path.exists() else ""
