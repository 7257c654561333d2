"""Schemathesis against our own OpenAPI schema (/api/schema/), in-process over WSGI.

An artist with a generate-scope token calls every operation with generated input (valid
and invalid): no answer may be a 5xx, and every answer must be documented: its status
code, its content type and its body's shape.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import TokenScope
from accounts.services import api_token_create

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _our_schema() -> schemathesis.schemas.BaseSchema:
    """What /api/schema/ serves (the same generator and renderer), built without a
    request so the operations are known when pytest collects them."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from config.wsgi import application

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application
    return loaded


schema = _our_schema()


@pytest.fixture(autouse=True)
def _wsgi_calls_share_the_test_connection(db, settings):
    # Anomaly detection would suspend an artist who submits this fast: it has tests of
    # its own (tests/containment/).
    settings.ANOMALY_DETECTION = False
    # As Django's test client does: a request must not close the test's connection (the
    # test runs in a transaction that is rolled back at the end).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(artist, make_output) -> str:
    make_output(artist)  # something to read, appeal, publish
    return api_token_create(user=artist, name="fuzz", scope=TokenScope.GENERATE).secret


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_and_never_5xx(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


# Regression tests for what the fuzzing found.


def test_list_operations_are_documented_as_the_paginated_pages_they_are():
    document = schema.raw_schema
    for path in ("/api/v1/generations/", "/api/v1/feedback/", "/api/v1/gallery/"):
        ok = document["paths"][path]["get"]["responses"]["200"]
        reference = ok["content"]["application/json"]["schema"]["$ref"]
        assert reference.rsplit("/", 1)[1].startswith("Paginated"), path


def test_error_answers_are_documented_in_the_error_format():
    operation = schema.raw_schema["paths"]["/api/v1/generations/{id}/cancel/"]["post"]
    assert {"400", "401", "403", "404", "409", "429", "503"} <= set(operation["responses"])
    assert schema.raw_schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


def test_an_unknown_api_path_answers_json_404_even_to_a_post_without_csrf(artist):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(artist)
    for response in (
        browser.get("/api/v1/generations/abc/"),
        browser.post("/api/v1/feedback/null,null/me-too/", {}, content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "No such API endpoint."}
    # Without the trailing slash Django still redirects to the real endpoint.
    assert browser.get("/api/v1/me")["Location"] == "/api/v1/me/"


def test_a_404_from_a_view_carries_a_code(client, artist):
    client.force_login(artist)
    response = client.get("/api/v1/generations/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
