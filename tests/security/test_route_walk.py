"""Every URL pattern, asked as every role and session state (issue 12).

Tests written against the routes we know miss the ones we don't: this one walks the whole
URLconf (the admin's included) and compares each answer's *class* with ``EXPECTED``. A new
URL pattern without an entry fails ``test_every_route_has_an_expected_answer``; a changed
answer fails the walk and names the route.

Each route is asked as a page navigation (``GET``, ``Accept: text/html``; API routes ask
for JSON). A route that answers 405 to GET is asked again with an empty ``POST``, so
POST-only actions are walked too. Every request starts from a fresh sign-in, and what it
changed is rolled back.

To rewrite EXPECTED after a deliberate change, run
``ROUTE_WALK_DUMP=/tmp/walk pytest tests/security/test_route_walk.py`` (a folder that
exists), read every changed letter as a claim about who may reach what, and paste.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from containment.switches import account_suspend
from tests.conftest import force_login_password_only

pytestmark = pytest.mark.django_db

# The roles and session states, in the order of the letters in EXPECTED.
ROLES = (
    "anonymous",
    "unsigned_artist",  # signed in, NDA not accepted
    "artist",
    "suspended_artist",  # a session made for a suspended account
    "staff_password_only",  # a reviewer whose session skipped the second factor
    "staff",  # a reviewer with both factors
    "superuser",  # with both factors
)

# One letter per answer class.
LEGEND = {
    "o": "ok (200/204)",
    "l": "redirect to sign-in",
    "n": "redirect to the NDA",
    "m": "second factor needed (redirect to it, or 403 mfa_required / plain 403)",
    "r": "another redirect",
    "d": "denied (401/403)",
    "x": "not found (404)",
    "b": "bad request (400)",
    "c": "conflict with the object's state (409)",
    "g": "gone (410)",
    "a": "not acceptable (406)",
    "M": "method not allowed (405) even to POST",
}


def classify(response) -> str:
    status = response.status_code
    if status in (200, 201, 204):
        return "o"
    if 300 <= status < 400:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "l"
        if location.startswith("/agreement/"):
            return "n"
        if location.startswith(("/accounts/2fa/reauthenticate/", "/accounts/2fa/totp/activate/")):
            return "m"
        return "r"
    if status in (401, 403):
        body = response.content.decode(errors="replace")
        return "m" if ("mfa_required" in body or "two-factor" in body) and status == 403 else "d"
    return {404: "x", 400: "b", 409: "c", 410: "g", 405: "M", 406: "a"}.get(status, f"?{status}")


# Route → answers for the roles above, in order. The words matter more than the letters:
# each row is a claim about who may reach what.
# fmt: off
EXPECTED: dict[str, str] = {
    '': 'lnolmoo',
    'account/credit/': 'lnolmoo',
    'account/notifications/': 'lnolmoo',
    'account/sessions/<int:pk>/end/': 'lnrlmrr',
    'account/tokens/': 'lnolmoo',
    'account/tokens/<int:pk>/revoke/': 'lnrlmxx',
    'accounts/2fa/': 'loolmoo',
    'accounts/2fa/authenticate/': 'lrrlmrr',
    'accounts/2fa/reauthenticate/': 'lrrlooo',
    'accounts/2fa/recovery-codes/': 'lxxlmoo',
    'accounts/2fa/recovery-codes/download/': 'lxxlmoo',
    'accounts/2fa/recovery-codes/generate/': 'loolmoo',
    'accounts/2fa/totp/activate/': 'loolmrr',
    'accounts/2fa/totp/deactivate/': 'lxxlmoo',
    'accounts/^confirm-email/(?P<key>[-:\\w]+)/$': 'xxxxmxx',
    'accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$': 'xxxxmxx',
    'accounts/confirm-email/': 'oooomoo',
    'accounts/email/': 'loolmoo',
    'accounts/inactive/': 'oooomoo',
    'accounts/login/': 'orromrr',
    'accounts/login/code/confirm/': 'lrrlmrr',
    'accounts/logout/': 'roorooo',
    'accounts/password/change/': 'loolmoo',
    'accounts/password/reset/': 'oooomoo',
    'accounts/password/reset/done/': 'oooomoo',
    'accounts/password/reset/key/done/': 'oooomoo',
    'accounts/password/set/': 'lrrlmrr',
    'accounts/reauthenticate/': 'loolmoo',
    'accounts/sessions/': 'loolmoo',
    'accounts/signup/': 'orromrr',
    'admin/': 'llllmoo',
    'admin/(?P<url>.*)$': 'llllmxx',
    'admin/<app_label>/': 'llllmxx',
    'admin/account/emailaddress/': 'llllmdo',
    'admin/account/emailaddress/<path:object_id>/': 'llllmrr',
    'admin/account/emailaddress/<path:object_id>/change/': 'llllmdr',
    'admin/account/emailaddress/<path:object_id>/delete/': 'llllmdr',
    'admin/account/emailaddress/<path:object_id>/history/': 'llllmrr',
    'admin/account/emailaddress/add/': 'llllmdo',
    'admin/accounts/user/': 'llllmdo',
    'admin/accounts/user/<id>/password/': 'llllmdx',
    'admin/accounts/user/<path:object_id>/': 'llllmrr',
    'admin/accounts/user/<path:object_id>/change/': 'llllmdr',
    'admin/accounts/user/<path:object_id>/delete/': 'llllmdr',
    'admin/accounts/user/<path:object_id>/history/': 'llllmrr',
    'admin/accounts/user/add/': 'llllmdo',
    'admin/agreements/agreementacceptance/': 'llllmdo',
    'admin/agreements/agreementacceptance/<path:object_id>/': 'llllmrr',
    'admin/agreements/agreementacceptance/<path:object_id>/change/': 'llllmdr',
    'admin/agreements/agreementacceptance/<path:object_id>/delete/': 'llllmdd',
    'admin/agreements/agreementacceptance/<path:object_id>/history/': 'llllmrr',
    'admin/agreements/agreementacceptance/add/': 'llllmdd',
    'admin/agreements/agreementversion/': 'llllmdo',
    'admin/agreements/agreementversion/<path:object_id>/': 'llllmrr',
    'admin/agreements/agreementversion/<path:object_id>/change/': 'llllmdr',
    'admin/agreements/agreementversion/<path:object_id>/delete/': 'llllmrr',
    'admin/agreements/agreementversion/<path:object_id>/history/': 'llllmrr',
    'admin/agreements/agreementversion/add/': 'llllmdo',
    'admin/audit/auditevent/': 'llllmdo',
    'admin/audit/auditevent/<path:object_id>/': 'llllmrr',
    'admin/audit/auditevent/<path:object_id>/change/': 'llllmdr',
    'admin/audit/auditevent/<path:object_id>/delete/': 'llllmdd',
    'admin/audit/auditevent/<path:object_id>/history/': 'llllmrr',
    'admin/audit/auditevent/add/': 'llllmdd',
    'admin/auth/group/': 'llllmdo',
    'admin/auth/group/<path:object_id>/': 'llllmrr',
    'admin/auth/group/<path:object_id>/change/': 'llllmdr',
    'admin/auth/group/<path:object_id>/delete/': 'llllmdr',
    'admin/auth/group/<path:object_id>/history/': 'llllmrr',
    'admin/auth/group/add/': 'llllmdo',
    'admin/autocomplete/': 'llllmdd',
    'admin/cohorts/cohort/': 'llllmoo',
    'admin/cohorts/cohort/<path:object_id>/': 'llllmrr',
    'admin/cohorts/cohort/<path:object_id>/change/': 'llllmrr',
    'admin/cohorts/cohort/<path:object_id>/delete/': 'llllmdr',
    'admin/cohorts/cohort/<path:object_id>/history/': 'llllmrr',
    'admin/cohorts/cohort/add/': 'llllmdo',
    'admin/feedback/feedbackitem/': 'llllmdo',
    'admin/feedback/feedbackitem/<path:object_id>/': 'llllmrr',
    'admin/feedback/feedbackitem/<path:object_id>/change/': 'llllmdr',
    'admin/feedback/feedbackitem/<path:object_id>/delete/': 'llllmdr',
    'admin/feedback/feedbackitem/<path:object_id>/history/': 'llllmrr',
    'admin/feedback/feedbackitem/add/': 'llllmdd',
    'admin/feedback/survey/': 'llllmdo',
    'admin/feedback/survey/<path:object_id>/': 'llllmrr',
    'admin/feedback/survey/<path:object_id>/change/': 'llllmdr',
    'admin/feedback/survey/<path:object_id>/delete/': 'llllmdr',
    'admin/feedback/survey/<path:object_id>/history/': 'llllmrr',
    'admin/feedback/survey/add/': 'llllmdo',
    'admin/feedback/surveyresponse/': 'llllmdo',
    'admin/feedback/surveyresponse/<path:object_id>/': 'llllmrr',
    'admin/feedback/surveyresponse/<path:object_id>/change/': 'llllmdr',
    'admin/feedback/surveyresponse/<path:object_id>/delete/': 'llllmdr',
    'admin/feedback/surveyresponse/<path:object_id>/history/': 'llllmrr',
    'admin/feedback/surveyresponse/add/': 'llllmdo',
    'admin/invitations/invitation/': 'llllmdo',
    'admin/invitations/invitation/<path:object_id>/': 'llllmrr',
    'admin/invitations/invitation/<path:object_id>/change/': 'llllmdr',
    'admin/invitations/invitation/<path:object_id>/delete/': 'llllmdd',
    'admin/invitations/invitation/<path:object_id>/history/': 'llllmrr',
    'admin/invitations/invitation/add/': 'llllmdo',
    'admin/jsi18n/': 'llllmoo',
    'admin/ledger/ledgerentry/': 'llllmdo',
    'admin/ledger/ledgerentry/<path:object_id>/': 'llllmrr',
    'admin/ledger/ledgerentry/<path:object_id>/change/': 'llllmdr',
    'admin/ledger/ledgerentry/<path:object_id>/delete/': 'llllmdd',
    'admin/ledger/ledgerentry/<path:object_id>/history/': 'llllmrr',
    'admin/ledger/ledgerentry/add/': 'llllmdd',
    'admin/ledger/ratecard/': 'llllmdo',
    'admin/ledger/ratecard/<path:object_id>/': 'llllmrr',
    'admin/ledger/ratecard/<path:object_id>/change/': 'llllmdr',
    'admin/ledger/ratecard/<path:object_id>/delete/': 'llllmdd',
    'admin/ledger/ratecard/<path:object_id>/history/': 'llllmrr',
    'admin/ledger/ratecard/add/': 'llllmdo',
    'admin/login/': 'llllmll',
    'admin/logout/': 'rrrrmoo',
    'admin/mfa/authenticator/': 'llllmdo',
    'admin/mfa/authenticator/<path:object_id>/': 'llllmrr',
    'admin/mfa/authenticator/<path:object_id>/change/': 'llllmdr',
    'admin/mfa/authenticator/<path:object_id>/delete/': 'llllmdr',
    'admin/mfa/authenticator/<path:object_id>/history/': 'llllmrr',
    'admin/mfa/authenticator/add/': 'llllmdd',
    'admin/notifications/notificationpreference/': 'llllmdo',
    'admin/notifications/notificationpreference/<path:object_id>/': 'llllmrr',
    'admin/notifications/notificationpreference/<path:object_id>/change/': 'llllmdr',
    'admin/notifications/notificationpreference/<path:object_id>/delete/': 'llllmdd',
    'admin/notifications/notificationpreference/<path:object_id>/history/': 'llllmrr',
    'admin/notifications/notificationpreference/add/': 'llllmdd',
    'admin/password_change/': 'rrrrmrr',
    'admin/password_change/done/': 'llllmoo',
    'admin/r/<path:content_type_id>/<path:object_id>/': 'llllmxx',
    'admin/usersessions/usersession/': 'llllmdo',
    'admin/usersessions/usersession/<path:object_id>/': 'llllmrr',
    'admin/usersessions/usersession/<path:object_id>/change/': 'llllmdr',
    'admin/usersessions/usersession/<path:object_id>/delete/': 'llllmdr',
    'admin/usersessions/usersession/<path:object_id>/history/': 'llllmrr',
    'admin/usersessions/usersession/add/': 'llllmdo',
    'agreement/': 'loolmoo',
    'agreement/signed/': 'loolmoo',
    'agreement/signed/<int:pk>/': 'lxolmxx',
    'announcements/': 'lnolmoo',
    'announcements/<int:announcement_id>/': 'lnolmxx',
    'api/docs/': 'oooomoo',
    'api/schema/': 'oooomoo',
    'api/v1/^.*/$': 'xxxxmxx',
    'api/v1/agreements/current/': 'doodmoo',
    'api/v1/feedback/': 'ddodmoo',
    'api/v1/feedback/<int:pk>/': 'ddodmoo',
    'api/v1/feedback/<int:pk>/me-too/': 'ddddmdb',
    'api/v1/feedback/<int:pk>/status/': 'ddddmbb',
    'api/v1/gallery/': 'oooomoo',
    'api/v1/generations/': 'ddodmoo',
    'api/v1/generations/<int:pk>/': 'ddodmoo',
    'api/v1/generations/<int:pk>/appeal/': 'ddbdmxx',
    'api/v1/generations/<int:pk>/cancel/': 'ddcdmcc',
    'api/v1/generations/<int:pk>/download/': 'ddrdmdd',
    'api/v1/generations/<int:pk>/publish/': 'ddbdmxx',
    'api/v1/generations/<int:pk>/unpublish/': 'ddodmxx',
    'api/v1/invitations/': 'ddddmdo',
    'api/v1/invitations/<int:pk>/revoke/': 'ddddmdo',
    'api/v1/invitations/verify/': 'bbbbmbb',
    'api/v1/ledger/': 'ddodmoo',
    'api/v1/me/': 'ddodmoo',
    'api/v1/notification-preferences/': 'ddodmoo',
    'api/v1/notifications/': 'ddodmoo',
    'api/v1/notifications/<int:pk>/read/': 'ddodmxx',
    'api/v1/publications/<int:pk>/lift-takedown/': 'ddddmbb',
    'api/v1/publications/<int:pk>/takedown/': 'ddddmbb',
    'api/v1/rate-card/': 'ddxdmxx',
    'api/v1/review/<int:pk>/': 'ddddmoo',
    'api/v1/review/<int:pk>/approve/': 'ddddmcc',
    'api/v1/review/<int:pk>/claim/': 'ddddmcc',
    'api/v1/review/<int:pk>/notes/': 'ddddmbb',
    'api/v1/review/<int:pk>/reject/': 'ddddmbb',
    'api/v1/review/queue/': 'ddddmoo',
    # Blind second opinions (decision 0036); the walk names none (999999).
    'api/v1/review/second-opinions/': 'ddddmoo',
    'api/v1/review/second-opinions/<int:pk>/': 'ddddmxx',
    'api/v1/review/second-opinions/<int:pk>/approve/': 'ddddmxx',
    'api/v1/review/second-opinions/<int:pk>/claim/': 'ddddmxx',
    'api/v1/review/second-opinions/<int:pk>/reject/': 'ddddmbb',
    'api/v1/uploads/': 'ddbdmdd',
    'api/v1/uploads/<int:pk>/': 'ddodmxx',
    'favicon.ico': 'onooooo',
    'feedback/': 'lnolmoo',
    'feedback/<int:pk>/': 'lnolmoo',
    'feedback/<int:pk>/me-too/': 'lnrlmrr',
    'feedback/new/<str:kind>/': 'lnolmdo',
    'feedback/staff/': 'lndlmoo',
    'feedback/staff/<int:pk>/': 'lndlmoo',
    'feedback/surveys/<int:pk>/': 'lnxlmxx',
    'gallery/': 'oooomoo',
    'gallery/<int:publication_id>/media/': 'xxxxmxx',
    'generations/': 'lnolmoo',
    'generations/<int:job_id>/appeal/': 'lnrlmxx',
    'generations/<int:job_id>/download/': 'lnrlmrr',
    'generations/<int:job_id>/publish/': 'lnrlmrr',
    'generations/<int:job_id>/unpublish/': 'lnrlmrr',
    'generations/<int:pk>/': 'lnolmoo',
    'generations/<int:pk>/cancel/': 'lnrlmrr',
    'generations/compare/': 'lnblmdb',
    'generations/new/': 'lnolmdo',
    'healthz': 'oooomoo',
    'i18n/setlang/': 'rrrrmrr',
    'invitations/<str:token>/': 'rccrmcc',
    'ledger/': 'lnolmoo',
    'ledger/export.csv': 'lndlmdb',
    'ledger/rates/': 'lnolmoo',
    'ledger/staff/': 'lndlmdo',
    'ledger/staff/entries/': 'lndlmdr',
    'ledger/staff/entries/<int:entry_id>/reverse/': 'lndlmdx',
    'm/<int:output_id>/<str:kind>/': 'xnxxmxx',
    'm/<int:output_id>/download/': 'xnxxmxx',
    'm/inputs/<int:image_id>/': 'xnxxmxx',
    'm/screenshots/<int:attachment_id>/': 'xnxxmxx',
    'metrics': 'oooomoo',
    'my-data.zip': 'lnolmoo',
    'notifications/': 'lnolmoo',
    'notifications/<int:pk>/read/': 'lnrlmxx',
    'notifications/read/': 'lnrlmrr',
    'readyz': 'oooomoo',
    's/<str:slug>/': 'oooomoo',
    's/<str:slug>/media/': 'oooomoo',
    'staff/agreements/': 'lndlmdo',
    'staff/agreements/<int:pk>/': 'lndlmdo',
    'staff/announcements/': 'lndlmdo',
    'staff/announcements/<int:announcement_id>/': 'lndlmdo',
    'staff/announcements/<int:announcement_id>/edit/': 'lndlmdr',
    'staff/announcements/<int:announcement_id>/publish/': 'lndlmdr',
    'staff/announcements/new/': 'lndlmdo',
    'staff/cohorts/': 'lndlmdo',
    'staff/cohorts/<int:cohort_id>/': 'lndlmdo',
    'staff/cohorts/<int:cohort_id>/analytics/': 'lndlmdo',
    'staff/cohorts/<int:cohort_id>/analytics/export.csv': 'lndlmdo',
    'staff/credits/': 'lndlmdo',
    'staff/invitations/': 'lndlmdo',
    'staff/invitations/<int:invitation_id>/resend/': 'lndlmdr',
    'staff/invitations/<int:invitation_id>/revoke/': 'lndlmdr',
    'staff/invitations/invite/': 'lndlmdb',
    'staff/invitations/upload/': 'lndlmdb',
    'staff/publications/<int:publication_id>/showcase/': 'lndlmdr',
    'staff/publications/<int:publication_id>/takedown/': 'lndlmrr',
    'staff/rate-cards/': 'lndlmdo',
    'staff/rate-cards/<int:card_id>/': 'lndlmdx',
    'staff/rate-cards/<int:card_id>/publish/': 'lndlmdx',
    'staff/rate-cards/new/': 'lndlmdo',
    'staff/review/': 'lndlmoo',
    'staff/review/<int:item_id>/': 'lndlmoo',
    'staff/review/<int:item_id>/notes/': 'lndlmbb',
    'staff/review/<int:item_id>/<str:action>/': 'lndlmrr',
    'staff/review/bulk-approve/': 'lndlmrr',
    # Second opinions (decision 0036): reviewers; settling, program admins only. The walk
    # names no opinion (999999): the pages themselves are tested in
    # tests/moderation/test_second_opinions.py.
    'staff/review/second-opinions/': 'lndlmoo',
    'staff/review/second-opinions/<int:opinion_id>/': 'lndlmxx',
    'staff/review/second-opinions/<int:opinion_id>/<str:action>/': 'lndlmxx',
    'staff/review/second-opinions/<int:opinion_id>/settle/': 'lndlmdx',
    'staff/review/sla/': 'lndlmoo',
    'staff/surveys/': 'lndlmdo',
    'staff/surveys/<int:survey_id>/': 'lndlmdx',
    'staff/surveys/<int:survey_id>/send/': 'lndlmdx',
    'staff/surveys/new/': 'lndlmdo',
    'staff/switches/': 'lndlmdo',
    'staff/takedowns/': 'lndlmoo',
    'staff/takedowns/<int:takedown_id>/lift/': 'lndlmxx',
    'staff/trace/': 'lndlmdo',
}
# fmt: on


def _walk(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            # The admin's app index lists every app label; one key whatever the apps.
            yield re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "<app_label>/", route)


def all_routes() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


@pytest.fixture
def world(artist: User, reviewer: User, make_output, invite) -> dict[str, str]:
    """One of each object the routes name, owned by ``artist``."""
    from accounts.services import api_token_create
    from announcements.services import announcement_create, announcement_publish
    from feedback.services import feedback_submit
    from moderation.services import review_approve, review_claim
    from publishing.services import publication_create
    from tests.feedback.conftest import BUG
    from tests.uploads.conftest import picture, upload
    from uploads.services import input_image_upload

    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication = publication_create(output=output, artist=artist, visibility="link")
    feedback = feedback_submit(reporter=artist, kind="bug", data=dict(BUG))
    invitation, token = invite("newcomer@example.com")
    api_token = api_token_create(user=artist, name="cli", scope="read").token
    acceptance = artist.agreement_acceptances.first()
    image = input_image_upload(owner=artist, upload=upload(picture()))
    announcement = announcement_publish(
        actor=None,
        announcement=announcement_create(
            actor=None, cohort=artist.cohort, title="Studio hours", body="Open on Friday."
        ),
    )
    return {
        "job": str(output.job_id),
        "output": str(output.pk),
        "review": str(output.review.pk),
        "publication": str(publication.pk),
        "slug": publication.slug,
        "feedback": str(feedback.pk),
        "invitation": str(invitation.pk),
        "invitation_token": token,
        "api_token": str(api_token.pk),
        "acceptance": str(acceptance.pk) if acceptance else "0",
        "agreement": str(acceptance.version_id) if acceptance else "0",
        # The approval above told the artist: their newest notification.
        "notification": str(artist.notifications.latest("pk").pk),
        "upload": str(image.pk),
        "cohort": str(artist.cohort_id),
        "announcement": str(announcement.pk),
    }


# Which object an ambiguous parameter names, by the route's start.
_PK_BY_PREFIX = (
    ("api/v1/generations/", "job"),
    ("generations/", "job"),
    ("api/v1/review/second-opinions/", None),  # none in the world: 999999
    ("api/v1/review/", "review"),
    ("api/v1/publications/", "publication"),
    ("api/v1/feedback/", "feedback"),
    ("feedback/surveys/", None),
    ("feedback/", "feedback"),
    ("api/v1/invitations/", "invitation"),
    ("agreement/signed/", "acceptance"),
    ("staff/agreements/", "agreement"),
    ("account/tokens/", "api_token"),
    ("api/v1/notifications/", "notification"),
    ("notifications/", "notification"),
    ("api/v1/uploads/", "upload"),
)
_BY_NAME = {
    "cohort_id": "cohort",
    "announcement_id": "announcement",
    "job_id": "job",
    "output_id": "output",
    "publication_id": "publication",
    "item_id": "review",
    "invitation_id": "invitation",
    "image_id": "upload",
    "slug": "slug",
}
_LITERALS = {"kind": "video", "action": "claim", "uidb36": "1", "key": "x-y"}


def route_url(route: str, world: dict[str, str]) -> str:
    def value(name: str) -> str:
        if route.startswith("feedback/new/") and name == "kind":
            return "bug"
        if route.startswith("invitations/") and name == "token":
            return world["invitation_token"]
        if name in _BY_NAME:
            return world[_BY_NAME[name]]
        if name in _LITERALS:
            return _LITERALS[name]
        if name in ("pk",):
            for prefix, key in _PK_BY_PREFIX:
                if route.startswith(prefix):
                    return world[key] if key else "999999"
        return "999999"  # an object that doesn't exist (admin object ids, other ids)

    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), url)
    url = url.replace("^", "").replace("$", "")
    url = url.replace(".*/", "nothing-here/")
    return "/" + url


def _client_as(role: str, cast: dict[str, User]) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "staff_password_only":
        force_login_password_only(client, cast["staff"])
    else:
        client.force_login(cast[role])
    return client


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def ask_raw(role: str, cast: dict[str, User], url: str, *, accept: str) -> Any:
    """One fresh sign-in, one GET with ``accept``; whatever it changed is rolled back."""
    headers: dict[str, Any] = {"HTTP_ACCEPT": accept}
    with transaction.atomic():
        answer = _client_as(role, cast).get(url, **headers)
        transaction.set_rollback(True)
    return answer


def ask(role: str, cast: dict[str, User], url: str) -> str:
    """One fresh sign-in, one question; whatever it changed is rolled back, so every
    route sees the same world."""
    api = url.startswith(("/api/v1/", "/api/schema/"))
    accept = "application/json" if api else BROWSER_ACCEPT
    headers: dict[str, Any] = {
        "HTTP_ACCEPT": accept,
        "HTTP_SEC_FETCH_DEST": "empty" if api else "document",
    }
    with transaction.atomic():
        client = _client_as(role, cast)
        answer = client.get(url, **headers)
        if answer.status_code == 405:
            answer = client.post(url, {}, **headers)
        transaction.set_rollback(True)
    return classify(answer)


@pytest.fixture
def cast(artist, unsigned_artist, other_artist, reviewer, admin_user, program_admin) -> dict:
    suspended = other_artist
    account_suspend(admin=program_admin, user=suspended, reason="Route walk")
    return {
        "unsigned_artist": unsigned_artist,
        "artist": artist,
        "suspended_artist": suspended,
        "staff": reviewer,
        "superuser": admin_user,
    }


def test_every_route_has_an_expected_answer():
    routes = set(all_routes())
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"Routes without an expected answer (add them to EXPECTED): {missing}"
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_route(role: str, world, cast, settings) -> None:
    settings.API_RATE_ACCOUNT_PER_MINUTE = 100_000
    settings.API_RATE_TOKEN_PER_MINUTE = 100_000
    column = ROLES.index(role)
    observed = {route: ask(role, cast, route_url(route, world)) for route in all_routes()}
    if os.environ.get("ROUTE_WALK_DUMP"):  # rewriting EXPECTED by hand: see the docstring
        Path(os.environ["ROUTE_WALK_DUMP"], f"{role}.json").write_text(json.dumps(observed))
    unknown = "?" * len(ROLES)
    wrong = {
        route: f"expected {EXPECTED.get(route, unknown)[column]!r} "
        f"({LEGEND.get(EXPECTED.get(route, unknown)[column], 'no entry')}), got {got!r}"
        for route, got in observed.items()
        if EXPECTED.get(route, unknown)[column] != got
    }
    assert not wrong, "\n".join(f"{role} {route}: {why}" for route, why in wrong.items())
