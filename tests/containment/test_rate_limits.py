"""Per-token and per-account API budgets: 429 with Retry-After and a clear code."""

from __future__ import annotations

import pytest

from accounts.services import api_token_create
from tests.bystanders import Bystanders, give_everything
from tests.clocks import hold_clocks

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_token_budget_answers_429_with_retry_after(client, artist, settings, monkeypatch):
    settings.API_RATE_LIMIT_TOKEN_PER_MINUTE = 3
    hold_clocks(monkeypatch)  # every request in one budget minute, whenever the test runs
    one = api_token_create(user=artist, name="one", scope="read").secret
    two = api_token_create(user=artist, name="two", scope="read").secret
    for _ in range(3):
        assert client.get("/api/v1/me/", **bearer(one)).status_code == 200
    refused = client.get("/api/v1/me/", **bearer(one))
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert "with this token" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert body["retry_after"] == int(refused["Retry-After"])
    # Another token of the same account has its own budget.
    assert client.get("/api/v1/me/", **bearer(two)).status_code == 200


def test_account_budget_covers_all_tokens_and_the_session(
    client, artist, other_artist, reviewer, make_output, settings, monkeypatch
):
    settings.API_RATE_LIMIT_ACCOUNT_PER_MINUTE = 4
    hold_clocks(monkeypatch)  # every request in one budget minute, whenever the test runs
    give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    bystanders = Bystanders.snapshot(except_for=[artist])
    assert bystanders.of(other_artist).has_everything
    secrets = [api_token_create(user=artist, name=f"t{n}", scope="read").secret for n in range(2)]
    for n in range(4):
        assert client.get("/api/v1/me/", **bearer(secrets[n % 2])).status_code == 200
    assert client.get("/api/v1/me/", **bearer(secrets[0])).status_code == 429
    client.force_login(artist)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429
    assert "for this account" in refused.json()["detail"]
    # Another artist is not affected: nothing of theirs changed, and their budget is whole.
    bystanders.assert_untouched()
    client.force_login(other_artist)
    assert client.get("/api/v1/me/").status_code == 200
