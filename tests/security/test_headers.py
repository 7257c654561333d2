"""Security headers on real pages, over HTTP and with the production settings (decision 0010)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/accounts/login/", "/gallery/"]


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # Plain HTTP (the embedded default): no HSTS, no redirect.
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_content_security_policy(client, path):
    response = client.get(path)
    header = response["Content-Security-Policy"]
    assert "default-src 'self'" in header
    assert "frame-ancestors 'none'" in header
    assert _directives(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],  # 'nonce-…' joins it only when a page has an inline script
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(client, path):
    html = client.get(path).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag for tag in scripts), scripts
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@pytest.mark.urls("tests.security.urls")
def test_each_response_gets_its_own_nonce_for_inline_scripts(client):
    nonces = []
    for _ in range(2):
        response = client.get("/csp-nonce-probe/")
        script_src = _directives(response)["script-src"]
        assert script_src[0] == "'self'"
        (source,) = script_src[1:]
        match = re.fullmatch(r"'nonce-([A-Za-z0-9+/=]{22,})'", source)
        assert match is not None, source
        assert f'<script nonce="{match.group(1)}">' in response.content.decode()
        nonces.append(match.group(1))
    assert nonces[0] != nonces[1]


def test_https_production_settings_send_hsts_and_secure_cookies(client, settings, artist):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)

    page = client.get("/accounts/login/", secure=True)
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    signed_in = client.post(
        "/accounts/login/", {"login": artist.email, "password": PASSWORD}, secure=True
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert signed_in["Strict-Transport-Security"].startswith("max-age=31536000")


def test_https_production_settings_redirect_plain_http_except_healthz(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/gallery/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/gallery/"
    # HSTS is only ever sent over HTTPS.
    assert "Strict-Transport-Security" not in response
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


def test_trusted_proxy_header_makes_the_request_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/gallery/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response
