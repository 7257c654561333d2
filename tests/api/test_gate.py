"""The NDA gate on the API: every endpoint answers 403 agreement_required until the
current agreement is accepted, except reading/accepting the agreement and auth."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# The only endpoints a gated user may use: the way out, and what is public anyway.
# "api:not-found" is no endpoint: the JSON 404 for paths that match none.
UNGATED = {"api:agreement-current", "api:invitation-verify", "api:gallery", "api:not-found"}


def api_route_names() -> list[str]:
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    )
    return [f"api:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)]


def test_the_route_list_is_not_empty():
    names = api_route_names()
    assert {"api:me", "api:invitations", "api:agreement-current"} <= set(names)


@pytest.mark.parametrize("name", sorted(set(api_route_names()) - UNGATED))
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_every_other_endpoint_refuses_a_gated_user(client, unsigned_artist, name, method):
    client.force_login(unsigned_artist)
    kwargs = (
        {"pk": 1}
        if "<int:pk>" in str(get_resolver().reverse_dict.getlist(name.split(":")[1]))
        else {}
    )
    try:
        url = reverse(name, kwargs=kwargs)
    except Exception:
        url = reverse(name, kwargs={"pk": 1})
    response = getattr(client, method)(url, content_type="application/json")
    assert response.status_code == 403, (url, response.content)
    body = response.json()
    assert body["code"] == "agreement_required"
    assert "/api/v1/agreements/current/" in body["detail"]


def test_gated_user_reads_and_accepts_through_the_api(client, unsigned_artist, nda):
    client.force_login(unsigned_artist)
    current = client.get("/api/v1/agreements/current/")
    assert current.status_code == 200
    data = current.json()
    assert data["accepted"] is False
    assert data["text_sha256"] == nda.text_sha256
    assert data["body"] == nda.body
    assert "<strong>unpublished</strong>" in data["body_html"]

    refused = client.post("/api/v1/agreements/current/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["fields"]["full_name"][0]["code"] == "required"

    stale = client.post(
        "/api/v1/agreements/current/",
        {"full_name": "Carol Sculptor", "text_sha256": "f" * 64},
        content_type="application/json",
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "agreement_changed")
    assert client.get("/api/v1/me/").status_code == 403

    accepted = client.post(
        "/api/v1/agreements/current/",
        {"full_name": "Carol Sculptor", "text_sha256": nda.text_sha256},
        content_type="application/json",
        HTTP_USER_AGENT="vernissage-cli/1.0",
    )
    assert accepted.status_code == 201
    assert accepted.json()["accepted"] is True
    assert client.get("/api/v1/me/").status_code == 200
    record = unsigned_artist.agreement_acceptances.get()
    assert record.user_agent == "vernissage-cli/1.0"
    assert record.typed_full_name == "Carol Sculptor"


def test_short_name_is_a_field_error(client, unsigned_artist, nda):
    client.force_login(unsigned_artist)
    response = client.post(
        "/api/v1/agreements/current/", {"full_name": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["full_name"][0]["message"] == "Type your full name to sign."


def test_no_agreement_published_is_a_clear_404(client, cohort):
    from accounts.roles import Role
    from accounts.services import user_create

    client.force_login(
        user_create(email="e@example.com", password="x", role=Role.ARTIST, cohort=cohort)
    )
    response = client.get("/api/v1/agreements/current/")
    assert (response.status_code, response.json()["code"]) == (404, "no_agreement")
    assert client.get("/api/v1/me/").json()["code"] == "agreement_required"


def test_anonymous_callers_are_told_to_authenticate(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "not_authenticated"
    assert client.get("/api/v1/agreements/current/").json()["code"] == "not_authenticated"
