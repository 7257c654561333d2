"""The first thing an artist does: invitation link → sign up → NDA → dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from agreements.models import AgreementAcceptance
from invitations.services import invitation_create
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invitation_to_dashboard(page: Page, live_server, cohort, nda):
    token = invitation_create(
        inviter=None, email="newcomer@example.com", cohort=cohort, send_email=False
    ).token

    page.goto(f"{live_server.url}/invitations/{token}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_label("Email:")).to_have_value("newcomer@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    # Everything is held behind the agreement until it is signed.
    expect(page).to_have_url(f"{live_server.url}/agreement/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text(nda.title)
    expect(page.get_by_role("article", name="Agreement text")).to_contain_text(
        "Keep unpublished outputs private."
    )
    # Keyboard only: type the name, tab to the box, tick it with space, submit with Enter.
    page.get_by_label("Type your full name to sign").fill("Nia Newcomer")
    page.keyboard.press("Tab")
    expect(page.get_by_label("I have read this agreement and accept it.")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nia Newcomer")
    expect(page.get_by_role("region", name="Your cohort")).to_contain_text("Wave 1")
    expect(page.get_by_role("region", name="Agreement")).to_contain_text("You accepted")
    expect(page.get_by_role("region", name="Today's generations")).to_contain_text("7 of 7 left")

    acceptance = AgreementAcceptance.objects.get(user__email="newcomer@example.com")
    assert acceptance.typed_full_name == "Nia Newcomer"
    assert acceptance.ip_address == "127.0.0.1"
    assert "Chrome" in acceptance.user_agent


def test_bad_invitation_link_shows_a_clear_page(page: Page, live_server, cohort):
    page.goto(f"{live_server.url}/invitations/not-a-real-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We don't recognise this invitation link"
    )
