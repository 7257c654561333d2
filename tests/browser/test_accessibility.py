"""Accessibility stays at zero violations (issue 14): axe-core over every page, as each role.

Every URL pattern (the route walk's list, ``tests/security/test_route_walk.py``, filled in
with the same objects) is asked as each role; every one that answers a GET with ``200``
and HTML is loaded in Chromium with that role's session, and axe-core
(``tests/browser/axe``, installed by ``make test`` with ``npm ci``) checks it. A serious
or critical violation fails the role's test, listing page, rule, impact, elements and the
rule's help page; moderate and minor ones are only printed (``-rP`` shows them).

Which pages: the portal's and the staff pages (``/staff/…``, the review queue, triage,
ledgers, …), allauth's account pages in the site's templates, the 404 page, the Django
admin ("Operations", for program admins and superusers) and Swagger UI (``/api/docs/``,
checked once swagger-ui has drawn the operations). Of the admin the walk reaches the
index, every changelist and add form; the pages it can't fill in (it asks for object
``999999``) are added here: one app index, every admin model's change form for its first
object in the walk's world, and one delete confirmation and one history page (the same
template for every model).

What we own is fixed at the source: ``templates/admin/base_site.html`` adds
``static/css/admin.css`` (underlined breadcrumb links), ``templates/api/swagger_ui.html``
sets ``<html lang="en">``. What lives inside third-party widgets is in ``ALLOWED``, a
(page, rule) → reason list kept minimal and printed with ``-rP``; an entry that matches
nothing in the superuser's run (who reaches every page it names) fails, so the list can't
outlive its reasons.

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

import re
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

# Routes that aren't pages (the API; its docs page is one).
NOT_PAGES = ("api/v1/", "api/schema/")

# Serious violations inside third-party widgets we can't reasonably change:
# (page regex, axe rule, regex every element named must match) → why. A violation is waived
# only when all its elements match; anything else serious or critical fails.
ALLOWED: dict[tuple[str, str, str], str] = {
    (
        r"^/admin/(auth/group|accounts/user)/(add|\d+/change)/$",
        "aria-prohibited-attr",
        r"> \.help-tooltip\.search-label-icon$",
    ): "Django's SelectFilter2 JS (filter_horizontal) puts aria-label on a plain <span>",
    (r"^/admin/\w+/\w+/(add|\d+/change)/$", "label", r"^#id_\w+_[01]$"): (
        "Django's AdminSplitDateTime: 'Date:'/'Time:' are bare text before the two inputs; "
        "its widget template is rendered by the form renderer, which doesn't look in "
        "templates/ (FORM_RENDERER is Django's default)"
    ),
    (r"^/api/docs/$", "color-contrast", r""): "swagger-ui's own stylesheet colours",
    (r"^/api/docs/$", "nested-interactive", r"\.opblock-summary-control$"): (
        "swagger-ui draws each operation's summary as a button holding other controls"
    ),
}

# Pages drawn by script after load: axe waits for this element first.
DRAWN = {"/api/docs/": ".swagger-ui .opblock"}

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
        if route.startswith(NOT_PAGES) or EXPECTED.get(route, "o" * len(walk.ROLES))[column] != "o":
            continue
        urls.append(route_url(route, world))
    return [url for url in urls + admin_objects() if answers_html(role, cast, url)]


def answers_html(role: str, cast: dict[str, User], url: str) -> bool:
    answer = ask_raw(role, cast, url, accept=BROWSER_ACCEPT)
    return answer.status_code == 200 and answer["Content-Type"].startswith("text/html")


def admin_objects() -> list[str]:
    """The admin pages the walk can't fill in (its object ids are ``999999``): each admin
    model's change form for its first object in the world, one app index, one delete
    confirmation and one history page (templates shared by every model)."""
    from django.contrib import admin
    from django.urls import reverse

    urls = []
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
            urls.append(reverse(name, args=[first.pk]))
    user = User.objects.order_by("pk").first()
    assert user is not None
    urls += [
        reverse("admin:app_list", args=["accounts"]),
        reverse("admin:accounts_user_delete", args=[user.pk]),
        reverse("admin:accounts_user_history", args=[user.pk]),
    ]
    return urls


def allowed_by(url: str, violation: dict[str, Any]) -> tuple[str, str, str] | None:
    """The ``ALLOWED`` entry that waives ``violation`` on ``url``, or None."""
    for entry in ALLOWED:
        pattern, rule, targets = entry
        if (
            rule == violation["id"]
            and re.search(pattern, url)
            and all(re.search(targets, target) for target in violation["targets"])
        ):
            return entry
    return None


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


def _prescreen_flagged(output) -> None:
    import numpy as np
    from django.db import transaction

    from moderation.services import review_item_screened
    from screening.services import screen_frames

    frames = np.zeros((9, 48, 80, 3), dtype=np.uint8)
    with transaction.atomic():
        review_item_screened(
            output=output, result=screen_frames(frames=frames, prompt_code="graphic_violence")
        )


@pytest.fixture
def states(artist: User, reviewer: User, second_reviewer: User, make_output) -> dict[str, str]:
    """Pages in the states the walk's world doesn't show; and a video in the public
    gallery (the walk's is shared by link), which every role's gallery page then lists."""
    from jobs.models import Job, JobStatus
    from moderation.services import review_approve, review_claim, review_reject, staff_note_add
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
    # Its staff notes and side panel filled in (the rejected and approved items below).
    staff_note_add(item=pending.review, author=reviewer, body="Same seed as last week's.")
    # Flagged by the pre-screen (issue 18): its page shows the flags and the reveal button,
    # and the queue's row its mark and blurred preview.
    _prescreen_flagged(pending)
    rejected = make_output(artist, prompt="a crowd under fireworks")
    review_reject(
        item=review_claim(item=rejected.review, reviewer=reviewer),
        reviewer=reviewer, reason_code="content_policy", note="Reads as an explosion.",
    )  # fmt: skip
    shown = make_output(artist, prompt="gulls over a grey sea")
    review_approve(item=review_claim(item=shown.review, reviewer=reviewer), reviewer=reviewer)
    publication_create(output=shown, artist=artist, visibility="gallery")
    # Second opinions (decision 0036): one open for the reviewer (the blind page), one
    # disagreement for the superuser to settle. Approved by another reviewer, all sampled.
    from cohorts.services import cohort_set_second_opinion_share
    from moderation.models import ReviewStatus
    from moderation.second_opinions import second_opinion_decide

    cohort_set_second_opinion_share(actor=None, cohort=artist.cohort, share=100)
    blind, disputed = (
        review_approve(
            item=review_claim(item=make_output(artist, prompt=p).review, reviewer=second_reviewer),
            reviewer=second_reviewer,
        ).second_opinions.get()
        for p in ("a kite over dunes", "a lighthouse in fog")
    )
    second_opinion_decide(
        opinion=disputed, reviewer=reviewer, decision=ReviewStatus.REJECTED,
        reason_code="other", note="Looks like a real logo.", claim_if_free=True,
    )  # fmt: skip
    return {
        "second opinion (blind)": f"/staff/review/second-opinions/{blind.pk}/",
        "second opinion to settle": f"/staff/review/second-opinions/{disputed.pk}/settle/",
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
        return {name: states[name] for name in ("claimed review item", "second opinion (blind)")}
    if role == "superuser":
        return {"second opinion to settle": states["second opinion to settle"]}
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
    if role == "staff":
        page.goto(f"{base}/staff/review/")
        page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
        page.get_by_role("button", name="Add note").click()  # no text
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "staff note form with errors"
        page.goto(f"{base}/staff/review/?artist={'x' * 201}")
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "queue filter with an error"
        page.goto(f"{base}/staff/review/sla/?last=7")
        for summary in page.locator("details.chart-numbers > summary").all():
            summary.click()
        yield "SLA page with its charts' tables open"
        page.goto(f"{base}/staff/review/sla/?start=2026-02-10&end=2026-02-01")
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "SLA page period with an error"
    if role == "superuser":
        page.goto(f"{base}/staff/cohorts/")
        page.get_by_role("link", name="Wave 1").click()
        page.get_by_label("Capacity (seats)").fill("0")
        page.get_by_role("checkbox", name="480p").uncheck()
        page.get_by_role("checkbox", name="720p").uncheck()  # no resolution left
        page.get_by_role("button", name="Save settings").click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "cohort settings with errors"
        page.goto(f"{base}/staff/announcements/new/")
        page.get_by_label("Title").fill("x" * 201)
        page.get_by_role("button", name="Save draft").click()  # no cohort, no text
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "announcement form with errors"
        page.locator("#id_cohort").select_option(index=1)
        page.get_by_label("Title").fill("Studio hours")
        page.get_by_label("Text").fill("Open on Friday.")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("button", name="Publish and email").wait_for()
        yield "announcement draft (publish form)"
        page.goto(f"{base}/staff/rate-cards/new/")
        page.get_by_label("Bug report, low severity (bug:low)").fill("-1")
        page.get_by_role("button", name="Save as draft").click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "rate card form with errors"
        page.get_by_label("Bug report, low severity (bug:low)").fill("1.00")
        page.get_by_role("button", name="Save as draft").click()
        page.get_by_role("button", name=re.compile(r"^Publish v\d+$")).wait_for()
        yield "rate card draft"
        page.goto(f"{base}/staff/surveys/new/")
        page.get_by_role("button", name="Add a question").click()  # the script's new row
        page.locator("#id_questions-3-type").select_option("choice")
        page.locator("#id_questions-3-text").fill("Best part?")
        page.get_by_role("button", name="Save", exact=True).click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "survey editor with errors"
        page.locator("#id_title").fill("Week 1")
        page.locator("#id_cohort").select_option(index=1)
        page.locator("#id_questions-3-choices").fill("motion\ncolour")
        page.get_by_role("button", name="Save", exact=True).click()
        page.locator("#send-survey").wait_for()
        yield "survey draft"
        page.goto(f"{base}/staff/invitations/")
        page.locator("#id_email").fill("wave@example.com")
        page.locator("#id_cohort").select_option(index=1)
        page.locator("#id_new_wave").fill("x" * 100)
        page.get_by_role("button", name="Send invitation").click()
        page.goto(f"{base}/staff/invitations/")
        page.locator("#id_email").fill("wave2@example.com")
        page.locator("#id_cohort").select_option(index=1)
        page.locator("#id_new_wave").fill("X" * 100)  # the same name: refused on its field
        page.get_by_role("button", name="Send invitation").click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "invitation form with a wave error"
        page.goto(f"{base}/staff/cohorts/")
        page.get_by_role("link", name="Wave 1").click()
        page.get_by_role("link", name=re.compile(r"^Analytics")).click()
        for summary in page.locator("details.chart-numbers > summary").all():
            summary.click()  # every table of numbers open, as a screen reader user may
        yield "cohort analytics with its tables open"
        page.get_by_label("From (YYYY-MM-DD)").fill("2026-02-10")
        page.get_by_label("To (YYYY-MM-DD)").fill("2026-02-01")
        page.get_by_role("button", name="Show").click()
        page.locator(ERRORS_SHOWN).first.wait_for()
        yield "cohort analytics period with errors"


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
    found: list[tuple[str, str, dict[str, Any]]] = []
    try:
        for name, url in pages.items():
            answer = page.goto(base + url)
            status = answer.status if answer else None
            assert status == (404 if name == "404 page" else 200), f"{name}: answered {status}"
            assert page.url.startswith(base + url), f"{name}: redirected to {page.url}"
            if url in DRAWN:
                page.locator(DRAWN[url]).first.wait_for()
            found += [(name, url, v) for v in axe_violations(page)]
        for name in forms_with_errors(page, base, role):
            found += [(name, page.url.removeprefix(base), v) for v in axe_violations(page)]
    finally:
        context.close()
    serious = [(name, v, allowed_by(url, v)) for name, url, v in found if v["impact"] in FAILING]
    failing = [describe(name, v) for name, v, entry in serious if entry is None]
    waived = [f"{describe(name, v)} — {ALLOWED[entry]}" for name, v, entry in serious if entry]
    others = [describe(name, v) for name, url, v in found if v["impact"] not in FAILING]
    print(f"{role}: {len(pages)} pages; allowed (ALLOWED):", *waived, sep="\n  ")
    print(f"{role}: moderate/minor:", *others, sep="\n  ")
    assert not failing, f"{role}: serious or critical violations:\n" + "\n".join(failing)
    if role == "superuser":  # who reaches every page ALLOWED names: no entry outlives its reason
        unused = set(ALLOWED) - {entry for _, _, entry in serious}
        assert not unused, f"ALLOWED entries that match nothing: {unused}"


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
