"""Who may reach what: artists never reach staff pages or staff API."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.services import user_set_role

pytestmark = pytest.mark.django_db


def test_roles_come_from_groups_and_staff_flag_follows(artist, reviewer, program_admin, outsider):
    assert artist.role == Role.ARTIST and not artist.is_staff
    assert reviewer.role == Role.REVIEWER and reviewer.is_staff
    assert program_admin.role == Role.PROGRAM_ADMIN and program_admin.is_staff
    assert outsider.role is None


def test_permissions_follow_the_role(artist, reviewer, program_admin):
    assert artist.has_perm("accounts.create_generations")
    assert not artist.has_perm("accounts.review_outputs")
    assert reviewer.has_perm("accounts.review_outputs")
    assert not reviewer.has_perm("accounts.run_program")
    assert program_admin.has_perm("accounts.run_program")
    assert program_admin.has_perm("invitations.add_invitation")


def test_changing_role_replaces_the_old_one(artist):
    user_set_role(user=artist, role=Role.REVIEWER)
    assert artist.role == Role.REVIEWER
    assert list(artist.groups.values_list("name", flat=True)) == ["reviewer"]
    assert not artist.has_perm("accounts.create_generations")
    assert artist.has_perm("accounts.review_outputs")


@pytest.mark.parametrize(
    "path", ["/staff/agreements/", "/admin/", "/admin/invitations/invitation/"]
)
def test_artist_cannot_reach_staff_pages(client, artist, path):
    client.force_login(artist)
    response = client.get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


def test_reviewer_cannot_see_nda_report_but_admin_can(
    client, reviewer, program_admin, artist, unsigned_artist, nda
):
    client.force_login(reviewer)
    assert client.get("/staff/agreements/").status_code == 403
    client.force_login(program_admin)
    listing = client.get("/staff/agreements/")
    assert listing.status_code == 200
    assert nda.title in listing.content.decode()
    report = client.get(f"/staff/agreements/{nda.pk}/")
    html = report.content.decode()
    accepted, _, pending = html.partition('id="pending"')
    assert "alice@example.com" in accepted and "Alice Artist" in accepted
    assert "carol@example.com" in pending and "carol@example.com" not in accepted


def test_program_admin_uses_the_admin_for_invitations(client, program_admin, cohort, mailoutbox):
    client.force_login(program_admin)
    assert client.get("/admin/invitations/invitation/add/").status_code == 200
    response = client.post(
        "/admin/invitations/invitation/add/",
        {"email": "via-admin@example.com", "cohort": cohort.pk, "expires_in_days": 5},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "Sign-up link (shown once): http://127.0.0.1:8000/invitations/" in response.content.decode()
    )
    bad = client.post(
        "/admin/invitations/invitation/add/",
        {"email": "via-admin@example.com", "cohort": cohort.pk, "expires_in_days": 5},
    )
    assert bad.status_code == 200
    assert "already has a pending invitation" in bad.content.decode()


def test_artist_dashboard_shows_cohort_nda_and_quota(client, artist, nda):
    client.force_login(artist)
    html = client.get("/").content.decode()
    assert "Wave 1" in html
    assert 'You accepted <a href="/agreement/signed/' in html
    assert '<strong class="quota">7</strong> of 7 left today' in html
    assert 'href="/admin/"' not in html
