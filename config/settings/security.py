"""Secret key, hosts, cookies, HTTPS and security headers (decision 0010).

Secrets come from the environment, never from the code. With nothing set, the embedded
default serves plain HTTP on 127.0.0.1; ``VERNISSAGE_HTTPS=true`` is production mode.
"""

from __future__ import annotations

from csp.constants import NONCE, NONE, SELF

from config.env import env_bool, env_int, env_list, env_str
from config.settings.base import embedded_secret

DEBUG = env_bool("DJANGO_DEBUG", False)


SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or embedded_secret("secret_key", nbytes=50)
# Rotation: put the old key here while the new one takes over, so sessions, signed media
# URLs and password-reset links made with it keep working until they expire.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Production mode: the site is only ever reached over HTTPS. One switch turns on secure
# cookies, the redirect to HTTPS and HSTS together; off, plain HTTP keeps working.
SITE_HTTPS = env_bool("VERNISSAGE_HTTPS", False)

# TLS ends at a reverse proxy (deploy/nginx.conf) that overwrites X-Forwarded-Proto, and the
# app is reachable only through it. Never set this when clients can reach Django directly:
# they could then claim to be on HTTPS.
TRUSTED_PROXY = env_bool("VERNISSAGE_TRUSTED_PROXY", False)
# The proxy's own addresses: X-Forwarded-For/-Proto are believed only from these peers.
TRUSTED_PROXY_ADDRESSES = env_list("VERNISSAGE_TRUSTED_PROXY_ADDRESSES", ["127.0.0.1", "::1"])
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# DJANGO_SECURE_COOKIES=true alone still marks the cookies Secure (it predates
# VERNISSAGE_HTTPS); in production mode they are Secure whatever it says.
SESSION_COOKIE_SECURE = SITE_HTTPS or env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

SECURE_SSL_REDIRECT = SITE_HTTPS
# Load balancers probe /healthz and /readyz, and Prometheus scrapes /metrics, over plain
# HTTP on the private network (decision 0015).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Browsers remember HSTS for this long: lower it while trying HTTPS out (0 turns it off).
SECURE_HSTS_SECONDS = (
    env_int("VERNISSAGE_HSTS_SECONDS", 31_536_000, minimum=0, maximum=63_072_000)
    if SITE_HTTPS
    else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_HTTPS
SECURE_HSTS_PRELOAD = SITE_HTTPS

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4). All JavaScript is served as files from
# static/; the nonce is there for an inline script that really must be one:
# <script nonce="{{ request.csp_nonce }}">. django-csp adds 'nonce-…' to the header only
# on responses whose template asked for it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
