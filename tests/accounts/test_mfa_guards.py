"""Guards of ``accounts.mfa`` that no other test defended (docs/mutation.md): who must
pass a second factor, and which requests of a staff session that has not passed it are
pages (sent to "enter your code") or left open. Taking a guard away
(tools/guard_mutants.py) makes its test fail."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.mfa import user_needs_mfa
from accounts.models import User
from tests.conftest import force_login_password_only

pytestmark = pytest.mark.django_db

REAUTH = "/accounts/2fa/reauthenticate/"
STAFF_PAGE = "/staff/review/"


def test_a_staff_role_needs_the_factor_even_without_the_staff_flag(client, reviewer):
    """The guard: ``accounts.permissions.is_staff_member`` (``role_of(user) in
    staff_roles()``). A reviewer whose staff flag was cleared still reviews through the
    role's permissions, so still needs the factor."""
    User.objects.filter(pk=reviewer.pk).update(is_staff=False)
    reviewer.refresh_from_db()
    assert user_needs_mfa(reviewer)
    force_login_password_only(client, reviewer)
    answer = client.get("/api/v1/review/queue/")
    assert answer.status_code == 403 and answer.json()["code"] == "mfa_required"


def test_the_staff_flag_alone_needs_the_factor(client, outsider):
    """The guard: ``user.is_staff``. An operator flag without a role (the admin site
    lets staff in) is a staff power too."""
    User.objects.filter(pk=outsider.pk).update(is_staff=True)
    outsider.refresh_from_db()
    assert user_needs_mfa(outsider)
    force_login_password_only(client, outsider)
    answer = client.get("/api/v1/me/")
    assert answer.status_code == 403 and answer.json()["code"] == "mfa_required"


@pytest.mark.parametrize(
    "accept",
    ["text/html", "*/*", "text/html,application/xhtml+xml"],
    ids=["html", "anything", "html-only-browser"],
)
def test_a_request_accepting_html_is_a_page_and_goes_to_enter_the_code(client, reviewer, accept):
    """The guard: ``is_page_navigation``'s Accept rule when no ``Sec-Fetch-Dest`` is
    sent (older browsers, curl): HTML or anything counts as a page."""
    force_login_password_only(client, reviewer)
    answer = client.get(STAFF_PAGE, HTTP_ACCEPT=accept)
    assert answer.status_code == 302
    assert answer["Location"].startswith(REAUTH)


def test_a_request_for_something_else_is_refused_not_redirected(client, reviewer):
    """The other side of the same rule: an image or JSON request is not a page."""
    force_login_password_only(client, reviewer)
    assert client.get(STAFF_PAGE, HTTP_ACCEPT="image/png").status_code == 403


def test_static_files_stay_open_to_a_staff_session_without_the_factor(client, reviewer):
    """The guard: the ``STATIC_URL`` prefix is open, so the set-up and "enter your code"
    pages keep their styles and scripts."""
    force_login_password_only(client, reviewer)
    answer = client.get(f"{settings.STATIC_URL}no-such-file.css", HTTP_ACCEPT="text/css")
    assert answer.status_code != 403
