"""Every API operation, with every token scope, held by an artist, a reviewer and a
program admin: the answer's class matches the table below, which must also match
docs/api-tokens.md. The operations come from the OpenAPI schema (built from the URLconf),
so a new operation fails here until it has an entry."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.api_tokens import token_display, token_generate, token_hash
from accounts.models import ApiToken, TokenScope, User

pytestmark = pytest.mark.django_db

READ, GENERATE = TokenScope.READ.value, TokenScope.GENERATE.value
REVIEW_READ, REVIEW_WRITE = TokenScope.REVIEW_READ.value, TokenScope.REVIEW_WRITE.value
SCOPES = [READ, GENERATE, REVIEW_READ, REVIEW_WRITE]
ALL = frozenset(SCOPES)
NONE: frozenset[str] = frozenset()
PUBLIC = "public"  # no credentials are read at all

# Who may hold which scope. A token of a scope its holder may not hold reaches nothing.
HOLDABLE = {
    "artist": {READ, GENERATE},
    "reviewer": {REVIEW_READ, REVIEW_WRITE},
    "program_admin": {REVIEW_READ, REVIEW_WRITE},
}
# Who the operation serves, once a scope has reached it (the role checks that follow).
WHO = {
    "anyone": {"artist", "reviewer", "program_admin"},
    "artist": {"artist"},
    "staff": {"reviewer", "program_admin"},
    "program": {"program_admin"},
}

# operation: (the scopes that reach it, or PUBLIC; who it serves)
EXPECTED: dict[str, tuple[frozenset[str] | str, str]] = {
    "GET /api/v1/me/": (ALL, "anyone"),
    "GET /api/v1/agreements/current/": (ALL, "anyone"),
    "POST /api/v1/agreements/current/": (NONE, "anyone"),
    "GET /api/v1/invitations/": (frozenset({REVIEW_READ, REVIEW_WRITE}), "program"),
    "POST /api/v1/invitations/": (NONE, "program"),
    "POST /api/v1/invitations/verify/": (PUBLIC, "anyone"),
    "POST /api/v1/invitations/{id}/revoke/": (NONE, "program"),
    "GET /api/v1/generations/": (frozenset({READ, GENERATE}), "artist"),
    "POST /api/v1/generations/": (frozenset({GENERATE}), "artist"),
    "GET /api/v1/generations/{id}/": (ALL, "anyone"),
    "POST /api/v1/generations/{id}/cancel/": (frozenset({GENERATE, REVIEW_WRITE}), "anyone"),
    "GET /api/v1/generations/{id}/download/": (frozenset({READ, GENERATE}), "artist"),
    "POST /api/v1/generations/{id}/appeal/": (NONE, "artist"),
    "POST /api/v1/generations/{id}/publish/": (NONE, "artist"),
    "POST /api/v1/generations/{id}/unpublish/": (NONE, "artist"),
    "GET /api/v1/review/queue/": (frozenset({REVIEW_READ, REVIEW_WRITE}), "staff"),
    "GET /api/v1/review/{id}/": (frozenset({REVIEW_READ, REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/{id}/claim/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/{id}/approve/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/{id}/reject/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/{id}/notes/": (frozenset({REVIEW_WRITE}), "staff"),
    "GET /api/v1/review/second-opinions/": (frozenset({REVIEW_READ, REVIEW_WRITE}), "staff"),
    "GET /api/v1/review/second-opinions/{id}/": (frozenset({REVIEW_READ, REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/second-opinions/{id}/claim/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/second-opinions/{id}/approve/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/review/second-opinions/{id}/reject/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/publications/{id}/takedown/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/publications/{id}/lift-takedown/": (frozenset({REVIEW_WRITE}), "staff"),
    "POST /api/v1/uploads/": (frozenset({GENERATE}), "artist"),
    "GET /api/v1/uploads/{id}/": (frozenset({READ, GENERATE}), "artist"),
    "GET /api/v1/gallery/": (PUBLIC, "anyone"),
    "GET /api/v1/feedback/": (frozenset({READ, GENERATE}), "artist"),
    "POST /api/v1/feedback/": (NONE, "artist"),
    "GET /api/v1/feedback/{id}/": (ALL, "anyone"),
    "POST /api/v1/feedback/{id}/me-too/": (NONE, "artist"),
    "POST /api/v1/feedback/{id}/status/": (frozenset({REVIEW_WRITE}), "staff"),
    "GET /api/v1/ledger/": (frozenset({READ, GENERATE}), "artist"),
    "GET /api/v1/rate-card/": (ALL, "anyone"),
    "GET /api/v1/notifications/": (ALL, "anyone"),
    "POST /api/v1/notifications/{id}/read/": (frozenset({GENERATE, REVIEW_WRITE}), "anyone"),
    "GET /api/v1/notification-preferences/": (ALL, "anyone"),
    "PUT /api/v1/notification-preferences/": (NONE, "anyone"),
}


def _schema_operations() -> list[str]:
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


OPERATIONS = _schema_operations()


def expected_class(operation: str, holder: str, scope: str) -> str:
    reaches, who = EXPECTED[operation]
    if reaches == PUBLIC:
        return "ok"
    if scope not in HOLDABLE[holder] or scope not in reaches:
        return "scope"
    return "ok" if holder in WHO[who] else "role"


def answer_class(response: Any) -> str:
    if response.status_code == 403:
        return "scope" if response.json().get("code") == "token_scope" else "role"
    assert response.status_code not in (401,) and response.status_code < 500, (
        response.status_code,
        response.content[:300],
    )
    return "ok"


def make_token(user: User, scope: str) -> str:
    """A token of any scope, as one issued before the rules (or before a role change)
    could be: straight into the table, past api_token_create's checks."""
    secret = token_generate()
    now = timezone.now()
    ApiToken.objects.create(
        user=user, name=f"{scope} script", token_hash=token_hash(secret),
        display=token_display(secret), scope=scope, created_at=now,
        expires_at=now + timedelta(days=30),
    )  # fmt: skip
    return secret


def test_the_schema_lists_every_api_route():
    """So that walking the schema is walking the URLconf: no route is left out of it."""
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    )
    routes = [p for p in resolver.url_patterns if isinstance(p, URLPattern)]
    paths = {operation.split(" ", 1)[1] for operation in OPERATIONS}
    assert len(paths) == len([p for p in routes if p.name != "not-found"])


def test_every_operation_has_an_expected_entry_and_no_entry_is_stale():
    assert sorted(EXPECTED) == OPERATIONS


def test_the_documented_table_is_this_table():
    text = (Path(__file__).resolve().parents[2] / "docs" / "api-tokens.md").read_text()
    documented: dict[str, frozenset[str] | str] = {}
    for line in text.splitlines():
        match = re.match(r"\| `(GET|POST|PUT|PATCH|DELETE) (/api/v1/\S*)` \|(.*)$", line)
        if not match:
            continue
        cells = [cell.strip() for cell in match.group(3).split("|")][:4]
        if all(cell == f"*{PUBLIC}*" for cell in cells):
            documented[f"{match.group(1)} {match.group(2)}"] = PUBLIC
        else:
            assert set(cells) <= {"✓", "–"}, line
            reached = frozenset(s for s, c in zip(SCOPES, cells, strict=True) if c == "✓")
            documented[f"{match.group(1)} {match.group(2)}"] = reached
    assert documented == {op: reaches for op, (reaches, _) in EXPECTED.items()}


@pytest.fixture
def holders(artist, reviewer, program_admin, make_output):
    output = make_output(artist)
    return {
        "users": {"artist": artist, "reviewer": reviewer, "program_admin": program_admin},
        # Real objects where an id is asked for, so "ok" is a real answer, not only a 404.
        "ids": {"generations": output.job_id, "review": output.review.pk},
    }


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_scope_reaches_exactly_what_the_table_says(operation, holders):
    if operation not in EXPECTED:
        pytest.fail(f"{operation} has no entry in EXPECTED (and in docs/api-tokens.md)")
    method, path = operation.split(" ", 1)
    resource = path.removeprefix("/api/v1/").split("/", 1)[0]
    url = path.replace("{id}", str(holders["ids"].get(resource, 999_999)))
    seen, wanted = {}, {}
    for holder, user in holders["users"].items():
        for scope in SCOPES:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(user, scope)}")
            response = client.generic(method, url, "{}", content_type="application/json")
            seen[holder, scope] = answer_class(response)
            wanted[holder, scope] = expected_class(operation, holder, scope)
    assert seen == wanted
