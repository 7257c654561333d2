from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_me_describes_an_artist(client, artist, nda):
    client.force_login(artist)
    body = client.get("/api/v1/me/").json()
    assert body["email"] == "alice@example.com"
    assert body["full_name"] == "Alice Artist"
    assert body["role"] == "artist"
    assert body["cohort"]["name"] == "Wave 1"
    assert body["cohort"]["allowed_durations"] == [2, 5, 10]
    assert body["agreement"] == {
        "current_version_id": nda.pk,
        "accepted": True,
        "accepted_at": body["agreement"]["accepted_at"],
        "required": False,
    }
    assert body["agreement"]["accepted_at"].endswith("Z")
    assert body["quota_remaining_today"] == 7


def test_me_describes_staff(client, reviewer, program_admin, nda):
    client.force_login(reviewer)
    body = client.get("/api/v1/me/").json()
    assert (body["role"], body["cohort"], body["quota_remaining_today"]) == ("reviewer", None, None)
    assert body["agreement"]["required"] is False
    client.force_login(program_admin)
    assert client.get("/api/v1/me/").json()["role"] == "program_admin"


def test_openapi_schema_lists_the_contract(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/me/",
        "/api/v1/agreements/current/",
        "/api/v1/invitations/",
        "/api/v1/invitations/verify/",
        "/api/v1/invitations/{id}/revoke/",
    ):
        assert path in schema["paths"], path


def test_api_docs_page_serves_its_assets_locally(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
