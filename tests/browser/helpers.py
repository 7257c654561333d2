"""Signing people in through the real login page."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.conftest import PASSWORD


def sign_in(page: Page, base: str, user: User) -> Page:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(user.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return page


def signed_in(browser: Browser, base: str, user: User) -> Page:
    """A fresh browser context (its own cookies) signed in as ``user``."""
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    return sign_in(page, base, user)
