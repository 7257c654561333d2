"""Client addresses come from a trusted proxy's header, never blindly from the client."""

from __future__ import annotations

import pytest

from agreements.models import AgreementAcceptance

pytestmark = pytest.mark.django_db


def accept(client, nda, **meta):
    client.post(
        "/agreement/",
        {"full_name": "Carol Sculptor", "confirm": "on", "text_sha256": nda.text_sha256},
        **meta,
    )
    return AgreementAcceptance.objects.get().ip_address


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, unsigned_artist, nda):
    client.force_login(unsigned_artist)
    assert accept(client, nda, HTTP_X_FORWARDED_FOR="198.51.100.7") == "127.0.0.1"


def test_trusted_proxy_supplies_the_client_address(client, unsigned_artist, nda, settings):
    settings.TRUSTED_PROXY = True
    client.force_login(unsigned_artist)
    # A client may prepend anything; our proxy's entry is the last one.
    assert accept(client, nda, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7") == "198.51.100.7"


def test_header_from_an_untrusted_peer_is_ignored(client, unsigned_artist, nda, settings):
    settings.TRUSTED_PROXY = True
    client.force_login(unsigned_artist)
    ip = accept(client, nda, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert ip == "203.0.113.5"


def test_garbage_header_keeps_the_peer_address(client, unsigned_artist, nda, settings):
    settings.TRUSTED_PROXY = True
    client.force_login(unsigned_artist)
    assert accept(client, nda, HTTP_X_FORWARDED_FOR="not-an-ip") == "127.0.0.1"
