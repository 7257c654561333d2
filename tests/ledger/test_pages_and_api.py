"""Who sees which ledger: artists only their own, program admins everyone's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.models import LedgerEntry
from ledger.services import ledger_credit, ledger_manual_entry, ledger_reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ledger.urls")]


@pytest.fixture
def ledgers(artist, other_artist, program_admin, rate_card):
    mine = ledger_credit(artist=artist, source_key="f:1", rate_key="bug:high", reason="Alice bug")
    assert mine is not None
    ledger_manual_entry(
        admin=program_admin, artist=artist, amount=Decimal("10.00"), reason="Alice workshop"
    )
    ledger_reverse(admin=program_admin, entry=mine, reason="Alice duplicate")
    ledger_credit(artist=other_artist, source_key="f:2", rate_key="feature", reason="Bob idea")
    return mine


def test_an_artist_sees_their_own_ledger_and_the_rates(client, artist, ledgers):
    client.force_login(artist)
    html = client.get("/ledger/").content.decode()

    assert "10.00 EUR" in html  # the balance: 40 - 40 + 10
    assert 'id="balance">10.00 EUR' in html
    assert "Alice bug" in html and "Alice workshop" in html and "Alice duplicate" in html
    assert f'reversed by <a href="#entry-{ledgers.reversed_by.pk}">' in html
    assert f'reverses <a href="#entry-{ledgers.pk}">' in html
    assert "Bob idea" not in html and "bob@example.com" not in html
    assert "Rate card v1" in html and "Bug report, high severity" in html and "40.00" in html
    assert 'scope="col"' in html and "<caption>" in html


def test_the_page_shows_the_running_balance(client, artist, ledgers):
    client.force_login(artist)
    entries = client.get("/ledger/").context["page"].object_list
    assert [e.running_balance for e in entries] == [
        Decimal("10.00"),  # the reversal, newest first
        Decimal("50.00"),  # the manual entry
        Decimal("40.00"),  # the credit
    ]


def test_the_api_returns_only_the_callers_entries(client, artist, other_artist, ledgers):
    client.force_login(other_artist)
    body = client.get("/api/v1/ledger/").json()

    assert (body["currency"], body["balance"], body["count"]) == ("EUR", "25.50", 1)
    assert [e["reason"] for e in body["results"]] == ["Bob idea"]
    assert body["balances"] == [{"currency": "EUR", "balance": "25.50"}]

    client.force_login(artist)
    mine = client.get("/api/v1/ledger/").json()
    assert mine["balance"] == "10.00" and mine["count"] == 3
    assert [e["kind"] for e in mine["results"]] == ["reversal", "manual", "auto"]
    assert [e["amount"] for e in mine["results"]] == ["-40.00", "10.00", "40.00"]
    by_kind = {e["kind"]: e for e in mine["results"]}
    assert by_kind["reversal"]["reverses"] == ledgers.pk
    assert by_kind["auto"]["reversed_by"] == by_kind["reversal"]["id"]
    assert "Bob idea" not in str(mine)


def test_a_new_artist_has_an_empty_ledger(client, artist):
    client.force_login(artist)
    body = client.get("/api/v1/ledger/").json()
    assert (body["balance"], body["count"], body["results"]) == ("0.00", 0, [])
    assert "No entries yet." in client.get("/ledger/").content.decode()


def test_the_rate_card_api_and_page(client, artist, program_admin, rate_card):
    client.force_login(artist)
    body = client.get("/api/v1/rate-card/").json()
    assert (body["version"], body["currency"]) == (1, "EUR")
    assert body["rates"]["bug:high"] == "40.00" and body["rates"]["safety:low"] == "0.00"
    assert list(body["rates"])[:2] == ["bug:low", "bug:medium"]
    html = client.get("/ledger/rates/").content.decode()
    assert "Rate card v1" in html and "Survey completed" in html


def test_without_a_card_in_force_the_rate_card_api_answers_404(client, artist):
    client.force_login(artist)
    response = client.get("/api/v1/rate-card/")
    assert response.status_code == 404 and response.json()["code"] == "no_rate_card"
    assert "No rate card is in force yet" in client.get("/ledger/rates/").content.decode()


def test_the_api_is_behind_the_agreement_gate(client, unsigned_artist, rate_card):
    client.force_login(unsigned_artist)
    for url in ("/api/v1/ledger/", "/api/v1/rate-card/"):
        response = client.get(url)
        assert response.status_code == 403 and response.json()["code"] == "agreement_required"
    assert client.get("/ledger/")["Location"].startswith("/agreement/")


def test_anonymous_visitors_see_nothing(client, rate_card):
    assert client.get("/api/v1/ledger/").status_code == 401
    assert client.get("/api/v1/rate-card/").status_code == 401
    for url in ("/ledger/", "/ledger/rates/", "/ledger/staff/"):
        assert "/accounts/login/" in client.get(url)["Location"]


@pytest.mark.parametrize("who", ["artist", "other_artist", "reviewer"])
def test_staff_pages_are_for_program_admins(client, request, who, ledgers):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/ledger/staff/").status_code == 403
    assert client.post("/ledger/staff/entries/", {"amount": "5"}).status_code == 403
    assert client.post(f"/ledger/staff/entries/{ledgers.pk}/reverse/").status_code == 403
    assert LedgerEntry.objects.count() == 4


def test_program_admin_sees_balances_adds_and_reverses(client, program_admin, artist, ledgers):
    client.force_login(program_admin)
    html = client.get("/ledger/staff/").content.decode()
    assert "alice@example.com" in html and "bob@example.com" in html
    assert "25.50 EUR" in html and "10.00 EUR" in html
    assert 'action="/ledger/export.csv"' in html and 'for="export-from"' in html

    added = client.post(
        "/ledger/staff/entries/",
        {"artist": artist.pk, "amount": "12.34", "reason": "Panel talk"},
        follow=True,
    )
    assert "Added 12.34 EUR for alice@example.com." in added.content.decode()
    entry = LedgerEntry.objects.get(reason="Panel talk")

    refused = client.post(
        "/ledger/staff/entries/", {"artist": artist.pk, "amount": "0", "reason": "x"}, follow=True
    )
    assert "Enter a non-zero amount." in refused.content.decode()

    reversed_page = client.post(
        f"/ledger/staff/entries/{entry.pk}/reverse/", {"reason": "Wrong artist"}, follow=True
    )
    assert f"Entry #{entry.pk} reversed by entry" in reversed_page.content.decode()
    twice = client.post(
        f"/ledger/staff/entries/{entry.pk}/reverse/", {"reason": "Again"}, follow=True
    )
    assert "has already been reversed" in twice.content.decode()
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1

    only_alice = client.get(f"/ledger/staff/?artist={artist.pk}").content.decode()
    assert "Panel talk" in only_alice and "Bob idea" not in only_alice


def test_an_outsider_gets_no_ledger_page_at_all(client, outsider, ledgers):
    # No role: held at the agreement gate before any ledger view runs.
    client.force_login(outsider)
    for url in ("/ledger/", "/ledger/staff/", "/ledger/export.csv?from=2025-01-01&to=2025-01-02"):
        assert client.get(url)["Location"].startswith("/agreement/")
