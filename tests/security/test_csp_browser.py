"""Chromium enforces the policy: pages and Swagger UI run with no CSP violation (decision 0010)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_FLAGS
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")

# Collects every violation the browser reports, before any of the page's own code runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


def in_chromium(scenario: Callable[[Page], T]) -> T:
    """Run ``scenario`` on a fresh page that records CSP violations.

    Its own thread and Playwright instance: the browser tests' session-wide Playwright may
    still be running in the main thread, and the sync API cannot nest. The scenario must not
    touch the database (the main thread prepares it).
    """

    def run() -> T:
        executable = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            try:
                context = browser.new_context(viewport={"width": 1200, "height": 900})
                context.add_init_script(WATCH_VIOLATIONS)
                page = context.new_page()
                page.set_default_timeout(15_000)
                return scenario(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_swagger_ui_renders_under_the_policy(live_server):
    def scenario(page: Page) -> list[str]:
        response = page.goto(f"{live_server.url}/api/docs/")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # Swagger UI ran: it fetched the schema and drew the operations.
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Vernissage API")
        expect(page.locator(".opblock").first).to_be_visible()
        return _violations(page)

    assert in_chromium(scenario) == []


def test_portal_pages_run_under_the_policy(live_server, artist):
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)

    def scenario(page: Page) -> list[str]:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email:").fill(artist.email)
        page.get_by_label("Password:").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        for path in ["/", "/generations/new/", "/gallery/", "/feedback/"]:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            assert "content-security-policy" in response.headers, path
        return _violations(page)

    assert in_chromium(scenario) == []


def test_inline_script_runs_only_with_the_nonce(live_server, settings):
    settings.ROOT_URLCONF = "tests.security.urls"

    def scenario(page: Page) -> list[str]:
        page.goto(f"{live_server.url}/csp-nonce-probe/")
        expect(page.locator("#out")).to_have_text("ran")
        return _violations(page)

    assert in_chromium(scenario) == ["script-src-elem blocked inline"]
