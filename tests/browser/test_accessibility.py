"""Accessibility stays at zero violations (issue 14): axe-core over every page, as each role.

Every URL pattern (the route walk's list, ``tests/security/test_route_walk.py``, filled in
with the same objects) is asked as each role; every one that answers a GET with ``200``
and HTML is loaded in Chromium with that role's session, and axe-core
(``tests/browser/axe``, installed by ``make test`` with ``npm ci``) checks it. A serious
or critical violation fails the role's test, listing page, rule, impact, elements and the
rule's help page; moderate and minor ones are only printed (``-rP`` shows them).

Which pages: the portal's and the staff pages (``/staff/…``, the review queue, triage,
ledgers, …), allauth's account pages in the site's templates, and the 404 page. Not the
Django admin (``/admin/…``, "Operations") nor Swagger UI (``/api/docs/``): both are
third-party interfaces whose markup we don't write; checking them here would test Django
and swagger-ui, and a finding could only be waived, not fixed in a template of ours.

Besides each route's state in the walk's world (a job that succeeded, approved and
published by link), pages whose markup depends on state are loaded in their other
states too: a queued job, a job whose output waits for review, a rejected one (the appeal
form), a review item claimed by the reviewer (the decision form), the gallery with a video
in it, and two forms re-shown with errors (create, sign-in).

axe is injected by Playwright (an init script) into a context made with ``bypass_csp=True``:
the browser ignores the policy only in this test's context; the site's CSP is unchanged
(decision 0010, tests/security/test_csp_browser.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.models import User
from tests.security import test_route_walk as walk
from tests.security.test_route_walk import BROWSER_ACCEPT, EXPECTED, all_routes, ask_raw, route_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The route walk's fixtures: one of each object a route names, and its cast of users.
world = walk.world
cast = walk.cast

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")

# Each role's session as the route walk makes it (``client.force_login``: a full sign-in,
# the second factor included for staff).
ROLES = ("anonymous", "unsigned_artist", "artist", "staff", "superuser")

# Third-party interfaces (see the docstring) and routes that aren't pages.
NOT_OURS = ("admin/", "api/")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded now (by a context from ``axe_context``)."""
    return page.evaluate(RUN_AXE)


def describe(where: str, violation: dict[str, Any]) -> str:
    targets = ", ".join(violation["targets"][:5])
    more = len(violation["targets"]) - 5
    if more > 0:
        targets += f" (+{more} more)"
    return (
        f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} "
        f"— {targets} — {violation['helpUrl']}"
    )


def html_pages(role: str, cast: dict[str, User], world: dict[str, str]) -> list[str]:
    """Every route's URL that answers ``role``'s GET with 200 and HTML (asked through
    Django's test client, rolled back), in the route walk's order. Only the routes the
    walk expects to answer ``o`` (ok) are asked, and those it has no entry for yet."""
    column = walk.ROLES.index(role)
    urls = []
    for route in all_routes():
        if route.startswith(NOT_OURS) or EXPECTED.get(route, "o" * len(walk.ROLES))[column] != "o":
            continue
        url = route_url(route, world)
        answer = ask_raw(role, cast, url, accept=BROWSER_ACCEPT)
        if answer.status_code == 200 and answer["Content-Type"].startswith("text/html"):
            urls.append(url)
    return urls


def axe_context(browser: Browser, base: str, user: User | None) -> BrowserContext:
    """A browser context carrying ``user``'s session (none for anonymous) whose every page
    has axe-core loaded. The script is handed to Chromium once, as an init script
    (``page.add_script_tag`` per page costs ~0.5 s of this machine's 2 cores each time);
    ``bypass_csp`` lets the injected script run under the site's CSP, in this context only."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    context.add_init_script(path=AXE_JS)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context


@pytest.fixture
def states(artist: User, reviewer: User, make_output) -> dict[str, str]:
    """Pages in the states the walk's world doesn't show; and a video in the public
    gallery (the walk's is shared by link), which every role's gallery page then lists."""
    from jobs.models import Job, JobStatus
    from moderation.services import review_approve, review_claim, review_reject
    from publishing.services import publication_create

    assert artist.cohort is not None
    queued = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a paper boat in the rain",
        duration_seconds=2, resolution="480p", aspect_ratio="1:1", seed=7, model="tiny-wan",
        num_frames=9, width=48, height=48, fps=8, steps=4, guidance=5.0,
        status=JobStatus.QUEUED,
    )  # fmt: skip
    pending = make_output(artist, prompt="moss on a stone wall")
    review_claim(item=pending.review, reviewer=reviewer)
    rejected = make_output(artist, prompt="a crowd under fireworks")
    review_reject(
        item=review_claim(item=rejected.review, reviewer=reviewer),
        reviewer=reviewer, reason_code="content_policy", note="Reads as an explosion.",
    )  # fmt: skip
    shown = make_output(artist, prompt="gulls over a grey sea")
    review_approve(item=review_claim(item=shown.review, reviewer=reviewer), reviewer=reviewer)
    publication_create(output=shown, artist=artist, visibility="gallery")
    return {
        "queued job": f"/generations/{queued.pk}/",
        "job awaiting review": f"/generations/{pending.job_id}/",
        "rejected job (appeal form)": f"/generations/{rejected.job_id}/",
        "claimed review item": f"/staff/review/{pending.review.pk}/",
    }


def state_pages(role: str, states: dict[str, str]) -> dict[str, str]:
    if role == "artist":
        return {
            name: states[name]
            for name in ("queued job", "job awaiting review", "rejected job (appeal form)")
        }
    if role == "staff":
        return {"claimed review item": states["claimed review item"]}
    return {}


ERRORS_SHOWN = ".errorlist, [aria-invalid=true]"


def forms_with_errors(page: Page, base: str, role: str) -> Iterator[str]:
    """Submit a form wrongly and yield, for each, the name of the page now showing errors."""
    if role == "artist":
        page.goto(f"{base}/generations/new/")
        page.get_by_role("button", name="Generate").click()  # no prompt
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "create form with errors"
    if role == "anonymous":
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Email:").fill("nobody@example.com")
        page.get_by_label("Password:").fill("not the password")
        page.get_by_role("button", name="Sign In").click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "sign-in form with errors"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_serious_violation(
    role: str, browser: Browser, live_server, world, cast, states
) -> None:
    assert AXE_JS.exists(), f"{AXE_JS} is missing: `make test` installs it (npm ci)"
    base = live_server.url
    pages = {url: url for url in html_pages(role, cast, world)}
    assert pages, f"no page answered {role}"
    pages.update(state_pages(role, states))
    if role != "unsigned_artist":  # who hasn't signed the NDA is sent to it first
        pages["404 page"] = "/nothing-here/"
    context = axe_context(browser, base, None if role == "anonymous" else cast[role])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        for name, url in pages.items():
            answer = page.goto(base + url)
            status = answer.status if answer else None
            assert status == (404 if name == "404 page" else 200), f"{name}: answered {status}"
            assert page.url.startswith(base + url), f"{name}: redirected to {page.url}"
            found += [(name, v) for v in axe_violations(page)]
        for name in forms_with_errors(page, base, role):
            found += [(name, v) for v in axe_violations(page)]
    finally:
        context.close()
    failing = [describe(name, v) for name, v in found if v["impact"] in FAILING]
    others = [describe(name, v) for name, v in found if v["impact"] not in FAILING]
    print(f"{role}: {len(pages)} pages; moderate/minor:", *others, sep="\n  ")
    assert not failing, f"{role}: serious or critical violations:\n" + "\n".join(failing)


def test_axe_reports_a_known_violation(browser: Browser, live_server) -> None:
    """The check bites: an ``<img>`` without ``alt`` put into a page that passes is reported
    as critical, with the element named."""
    context = axe_context(browser, live_server.url, None)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/gallery/")
        assert [v for v in axe_violations(page) if v["impact"] in FAILING] == []
        page.evaluate(
            "() => { const img = document.createElement('img'); img.id = 'no-alt';"
            " img.src = '/static/favicon.svg'; document.querySelector('main').append(img); }"
        )
        failing = [v for v in axe_violations(page) if v["impact"] in FAILING]
    finally:
        context.close()
    assert [(v["id"], v["impact"], v["targets"]) for v in failing] == [
        ("image-alt", "critical", ["#no-alt"])
    ]
