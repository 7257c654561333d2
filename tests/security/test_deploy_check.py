"""`manage.py check --deploy` with production settings: no warnings at all (decision 0010)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    """The suite's environment (its PostgreSQL and Redis) without any Django or app setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VERNISSAGE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["VERNISSAGE_DATA_DIR"] = str(tmp_path)
    env.update(values)
    return env


def _production(tmp_path: Path, **values: str) -> dict[str, str]:
    return _environment(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="preview.example.com",
        VERNISSAGE_HTTPS="true",
        **values,
    )


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_deploy_check_passes_with_production_settings(tmp_path):
    assert "DATABASE_URL" in os.environ and "REDIS_URL" in os.environ
    result = _manage(_production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_production_settings_raise_no_security_warning(tmp_path):
    # The security part of the check on its own, so it is clear which part fails.
    result = _manage(_production(tmp_path), "check", "--deploy")
    output = result.stdout + result.stderr
    assert "security." not in output, output


def test_without_the_https_switch_the_deploy_check_names_what_is_missing(tmp_path):
    # The embedded default (plain HTTP on 127.0.0.1) still starts, and it is the one
    # switch that makes the difference.
    result = _manage(_environment(tmp_path), "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for warning in HTTPS_WARNINGS:
        assert warning in output, output


def test_the_switch_turns_on_cookies_redirect_and_hsts(tmp_path):
    names = (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
    )
    embedded = _settings(_environment(tmp_path), *names)
    assert embedded == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$", "^metrics$"],
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    production = _settings(_production(tmp_path), *names)
    assert production == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$", "^metrics$"],
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_proxy_header_and_hsts_lifetime_come_from_the_environment(tmp_path):
    env = _production(tmp_path, VERNISSAGE_TRUSTED_PROXY="true", VERNISSAGE_HSTS_SECONDS="300")
    values = _settings(env, "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS")
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 300,
    }


def test_old_secure_cookies_switch_still_works_alone(tmp_path):
    env = _environment(tmp_path, DJANGO_SECURE_COOKIES="true")
    values = _settings(env, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT")
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": False,
    }


def test_malformed_switch_stops_start_up(tmp_path):
    result = _manage(_environment(tmp_path, VERNISSAGE_HTTPS="sometimes"), "check")
    assert result.returncode != 0
    assert "VERNISSAGE_HTTPS='sometimes' is not a boolean" in result.stderr
