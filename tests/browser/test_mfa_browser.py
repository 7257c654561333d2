"""A reviewer's first sign-in: forced to set up an authenticator app, then to work."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from accounts.services import user_has_mfa
from tests.browser.helpers import fresh_totp_code, sign_in
from tests.conftest import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sets_up_totp_then_reaches_the_review_queue(page: Page, live_server, reviewer):
    base = live_server.url
    Authenticator.objects.filter(user=reviewer).delete()  # a brand-new staff account
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(reviewer.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Sent straight to the set-up, with the reason, and nowhere else until it is done.
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("status")).to_contain_text("Staff accounts need two-factor")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0  # CSP lets it load
    page.get_by_role("link", name="Review queue").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")

    # The "authenticator app": the key shown for people who can't scan makes the code.
    key = page.get_by_label("Can't scan? Type this key into the app instead")
    secret = key.input_value()
    # What a browser does around a page (nothing is blocked here): the favicon, a
    # background fetch, a reload. None of it may replace the key on screen.
    assert page.evaluate("fetch('/favicon.ico').then(r => r.status)") == 200
    assert page.evaluate("fetch('/staff/review/').then(r => r.status)") == 403
    page.reload()
    assert key.input_value() == secret
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert user_has_mfa(reviewer)

    page.get_by_role("link", name="I have saved them: continue").click()
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")

    # Next time, the password alone is not enough.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, reviewer)  # the helper types the app's code at the second step
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("region", name="Authenticator app")).to_contain_text("On")


def test_the_admin_sign_in_asks_for_the_code_too(page: Page, live_server, reviewer):
    """``/admin/login/`` is allauth's sign-in: no staff page before the second step."""
    base = live_server.url
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    page.goto(f"{base}/admin/login/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=%2Fadmin%2F")
    page.get_by_label("Email:").fill(reviewer.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-factor")
    # Skipping the step gets nothing staff: every door leads back to it.
    for path in ("/admin/", "/staff/review/", "/admin/login/"):
        page.goto(f"{base}{path}")
        heading = page.get_by_role("heading", level=1)
        expect(heading).not_to_have_text(re.compile("administration|Review queue"))
        expect(heading).to_have_text(re.compile("Two-factor|can't open this page"))
    page.goto(f"{base}/admin/login/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-factor")
    page.get_by_label("Code").fill(fresh_totp_code(reviewer))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
