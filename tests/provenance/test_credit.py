"""The public credit page and API field: the artist edits only their own credit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.services import user_set_public_credit

URL = "/account/credit/"


def test_artist_sees_the_form_with_the_current_credit(client, artist):
    user_set_public_credit(user=artist, credit="Alice A.")
    client.force_login(artist)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'name="public_credit"' in page.content and b'value="Alice A."' in page.content
    assert b"leave blank to stay uncredited" in page.content


def test_artist_sets_and_clears_the_credit(client, artist):
    client.force_login(artist)
    response = client.post(URL, {"public_credit": "  Alice   of the Harbour "})
    assert response.status_code == 302 and response["Location"] == URL
    artist.refresh_from_db()
    assert artist.public_credit == "Alice of the Harbour"
    assert "Alice of the Harbour" in client.get(URL).content.decode()

    client.post(URL, {"public_credit": ""})
    artist.refresh_from_db()
    assert artist.public_credit == ""


@pytest.mark.parametrize(
    ("credit", "message"),
    [
        ("alice@example.com", "not an email address"),
        ("x" * 101, "At most 100 characters"),
        ("Alice\x00", "letters, digits and punctuation"),
        ("Alice \u202egnp.exe", "letters, digits and punctuation"),
    ],
)
def test_a_bad_credit_gets_a_field_error_and_keeps_the_old_one(client, artist, credit, message):
    user_set_public_credit(user=artist, credit="Alice A.")
    client.force_login(artist)
    response = client.post(URL, {"public_credit": credit})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="e-credit"' in html and 'aria-invalid="true"' in html
    artist.refresh_from_db()
    assert artist.public_credit == "Alice A."


def test_scripts_that_need_joiners_are_allowed(artist):
    # Persian uses the zero-width non-joiner inside words.
    user_set_public_credit(user=artist, credit="می\u200cخواهم")
    assert artist.public_credit == "می\u200cخواهم"


def test_saving_changes_only_the_signed_in_artist(client, artist, other_artist):
    user_set_public_credit(user=other_artist, credit="Bob P.")
    client.force_login(artist)
    # There is no account in the URL or the form; extra fields are ignored.
    client.post(URL, {"public_credit": "Alice", "user": other_artist.pk, "id": other_artist.pk})
    other_artist.refresh_from_db()
    artist.refresh_from_db()
    assert (artist.public_credit, other_artist.public_credit) == ("Alice", "Bob P.")


def test_anonymous_visitors_are_sent_to_sign_in(client, artist):
    for response in (client.get(URL), client.post(URL, {"public_credit": "x"})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    artist.refresh_from_db()
    assert artist.public_credit == ""


def test_me_api_shows_the_credit(client, artist):
    user_set_public_credit(user=artist, credit="Alice A.")
    client.force_login(artist)
    assert client.get("/api/v1/me/").json()["public_credit"] == "Alice A."


def test_service_refuses_an_email_even_inside_other_text(artist):
    with pytest.raises(ValidationError) as error:
        user_set_public_credit(user=artist, credit="Alice (alice@studio.example)")
    assert "public_credit" in error.value.message_dict


def test_the_account_pages_link_the_credit_page_for_artists(client, artist):
    client.force_login(artist)
    page = client.get(URL).content.decode()
    assert 'aria-label="Account settings"' in page
    assert f'href="{URL}" aria-current="page"' in page
