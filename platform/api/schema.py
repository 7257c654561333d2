"""The error answers every operation can give, added to the OpenAPI schema.

drf-spectacular documents what a view returns when all goes well; the refusals come from
shared layers (authentication, the agreement gate, scopes, budgets, the database-outage
503) and from services, all in one format (``api.errors``). This postprocessing hook
describes that format once (``Error``) and lists, for each operation, the statuses it
can answer with.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every refusal: a stable `code`, a `detail` for people and, for bad "
    "input, per-field `fields`.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"description": "Usually text; a structured detail for a few codes."},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": 'Per field: a list of {"code", "message"}.',
        },
        "retry_after": {"type": "integer", "description": "On 429: seconds to wait."},
        "resets_at": {"type": "string", "format": "date-time"},
        "reason_code": {
            "type": "string",
            "description": "Why a prompt, or a download (`download_not_allowed`), was refused.",
        },
    },
    "required": ["code", "detail"],
    "additionalProperties": True,
}

_WHY = {
    "400": "Bad input: see `fields`.",
    "401": "No valid credentials (a token or a session).",
    "403": "Not allowed: role, token scope, unsigned agreement, missing two-factor, pause.",
    "404": "No such object, or not one you may see.",
    "409": "Not possible in the object's current state.",
    "410": "No longer usable (expired, used or revoked).",
    "429": "Over a budget or quota; see Retry-After.",
    "503": "Briefly unavailable (the database is unreachable); see Retry-After.",
}
# 404 too: besides unknown ids, several operations answer it for something missing
# (an unknown invitation token, no rate card in force).
_EVERYWHERE = ("401", "403", "404", "429", "503")
_UNSAFE = ("400", "409", "410")


def _error_response(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _WHY[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status in ("429", "503"):
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}
        }
    return response


def error_responses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: document the error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = operation.get("parameters", [])
            statuses = list(_EVERYWHERE)
            if method != "get":
                statuses.extend(_UNSAFE)
            elif any(p.get("in") == "query" for p in parameters):
                statuses.append("400")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, _error_response(status))
    return result
