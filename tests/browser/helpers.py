"""Signing people in through the real login page."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.services import user_has_mfa
from tests.conftest import PASSWORD, totp_code, totp_secret


def sign_in(page: Page, base: str, user: User) -> Page:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(user.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if user_has_mfa(user):  # staff: the second step asks for the authenticator's code
        expect(page.get_by_role("heading", level=1)).to_contain_text("Two-factor")
        page.get_by_label("Code").fill(fresh_totp_code(user))
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return page


def fresh_totp_code(user: User) -> str:
    """The app's current code. allauth accepts each code once; a test signing the same
    person in twice within 30 seconds would be refused, so forget that it was used."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache

    code = totp_code(totp_secret(user))
    totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
    cache.delete(totp._get_used_cache_key(code))
    return code


def signed_in(browser: Browser, base: str, user: User) -> Page:
    """A fresh browser context (its own cookies) signed in as ``user``."""
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    return sign_in(page, base, user)
