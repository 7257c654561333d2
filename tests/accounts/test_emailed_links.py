"""Links in mail point at VERNISSAGE_SITE_URL, never at the Host header of the request
that caused the mail (any port or alias of an allowed host reaches the site)."""

from __future__ import annotations

import re

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.core.context import request_context
from django.test import RequestFactory

from accounts.adapter import AccountAdapter
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db

SITE = "https://vernissage.example"
ODD_HOST = "localhost:8444"  # an allowed host, on a port the site isn't served on


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def _mail_adapter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # The protection off: allauth's own send_mail, links built from the request's Host.
    monkeypatch.setattr(AccountAdapter, "send_mail", DefaultAccountAdapter.send_mail)


@pytest.mark.parametrize(
    "protection", protection_params(reason="allauth builds the link from the Host header")
)
def test_password_reset_link_uses_the_site_url(client, artist, mailoutbox, monkeypatch, protection):
    """The protection: ``accounts.adapter.AccountAdapter.send_mail``."""
    if protection == "off":
        _mail_adapter_off(monkeypatch)
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)
    client.post("/accounts/password/reset/", {"email": artist.email}, HTTP_HOST=ODD_HOST)
    [mail] = mailoutbox
    links = _links(mail.body)
    assert links and all(link.startswith(SITE + "/") for link in links), links
    assert any("/accounts/password/reset/key/" in link for link in links)
    assert "localhost" not in mail.body


def test_the_reset_link_from_the_site_url_works(client, artist, mailoutbox):
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)
    client.post("/accounts/password/reset/", {"email": artist.email}, HTTP_HOST=ODD_HOST)
    [link] = [link for link in _links(mailoutbox[0].body) if "/reset/key/" in link]
    page = client.get(link.removeprefix(SITE), follow=True)
    assert page.status_code == 200
    assert "password1" in page.content.decode()


@pytest.mark.parametrize(
    "protection", protection_params(reason="allauth builds the link from the Host header")
)
def test_a_reset_for_an_unknown_address_links_to_the_site_url(
    client, mailoutbox, monkeypatch, protection
):
    if protection == "off":
        _mail_adapter_off(monkeypatch)
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, HTTP_HOST=ODD_HOST)
    [mail] = mailoutbox  # allauth tells the address it has no account, with a link
    links = _links(mail.body)
    assert links and all(link.startswith(SITE + "/") for link in links), mail.body
    assert "localhost" not in mail.body


@pytest.mark.parametrize(
    "protection", protection_params(reason="allauth builds the link from the Host header")
)
def test_the_address_confirmation_link_uses_the_site_url(
    artist, mailoutbox, monkeypatch, protection
):
    if protection == "off":
        _mail_adapter_off(monkeypatch)
    address = EmailAddress.objects.create(user=artist, email="alice.new@example.com")
    request = RequestFactory().get("/accounts/email/", HTTP_HOST=ODD_HOST)
    request.user = artist
    with request_context(request):
        EmailConfirmationHMAC(address).send(request, signup=False)
    [mail] = mailoutbox
    links = _links(mail.body)
    assert links and all(link.startswith(SITE + "/accounts/confirm-email/") for link in links)
    assert "localhost" not in mail.body
