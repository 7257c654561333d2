"""Sign in, sign out, password reset and email verification: allauth, in our layout."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OUR_LAYOUT = 'class="skip-link" href="#main"'


@pytest.fixture
def verified_artist(artist):
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)
    return artist


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/"]
)
def test_auth_pages_use_our_layout(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert OUR_LAYOUT in page.content.decode()


def test_sign_in_by_email_and_sign_out(client, verified_artist):
    response = client.post("/accounts/login/", {"login": "ALICE@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(verified_artist.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_with_a_message(client, verified_artist):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, verified_artist, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mailoutbox[0].body)
    assert link is not None
    form_page = client.get(link.group(0), follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(0)
    new_password = "a brand new passphrase 7"
    done = client.post(action, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    verified_artist.refresh_from_db()
    assert verified_artist.check_password(new_password)


def test_adding_an_email_requires_verification(client, verified_artist, mailoutbox):
    client.force_login(verified_artist)
    client.post("/accounts/email/", {"email": "alice.second@example.com", "action_add": ""})
    address = EmailAddress.objects.get(email="alice.second@example.com")
    assert address.verified is False
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mailoutbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200
    assert OUR_LAYOUT in page.content.decode()
    client.post(path)
    address.refresh_from_db()
    assert address.verified is True


@pytest.mark.parametrize("path", ["/staff/review/", "/generations/new/", "/feedback/new/bug/"])
def test_someone_not_signed_in_is_asked_to_sign_in_and_brought_back(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer["Location"] == f"/accounts/login/?next={path}"


def test_a_signed_in_person_without_access_is_told_so(client, artist):
    client.force_login(artist)
    answer = client.get("/staff/review/")
    assert answer.status_code == 403 and "can't open this page" in answer.content.decode()


def test_the_sign_in_page_says_how_to_get_an_invitation(client, settings):
    settings.CONTACT_EMAIL = "preview-team@example.com"
    page = client.get("/accounts/login/").content.decode()
    assert "sign up" not in page.lower()
    assert "invitation" in page and "preview-team@example.com" in page
