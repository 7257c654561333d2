"""The hash chain's arithmetic: canonical JSON and each event's hash. Pure functions.

An event's hash covers its own content and the previous event's hash, so changing or
removing any event breaks every link after it. The id is deliberately left out: ids come
from a sequence that skips numbers on rollback, and the chain must not depend on them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from audit.context import normalize_ip

# The prev_hash of the very first event.
GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One exact text for a JSON-like value: sorted keys, no spaces, ``str()`` for the rest.

    Anything JSON can't express (datetimes, Decimals, UUIDs) becomes its ``str()``; NaN and
    infinities are refused because PostgreSQL's jsonb can't store them.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, allow_nan=False)


def storable_json(value: Any) -> Any:
    """``value`` as the plain JSON the database will store and hand back unchanged.

    Stored data must be exactly what was hashed. Mapping keys become strings (as JSON
    would make them). Floats written with a positive exponent (``1e+16``) are kept as
    strings: PostgreSQL's jsonb would hand them back as integers, spelled differently,
    and the event would then look tampered with.
    """

    def parse_float(text: str) -> float | str:
        return text if "e+" in text.lower() else float(text)

    return json.loads(canonical_json(_string_keys(value)), parse_float=parse_float)


def _string_keys(value: Any) -> Any:
    # JSON keys are strings anyway; making them strings first lets sort_keys order a
    # mapping whose keys mix types (1 and "a") instead of failing.
    if isinstance(value, Mapping):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(item) for item in value]
    return value


def event_payload(
    *,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    ip_address: str | None,
) -> dict[str, Any]:
    """The hashed content of an event, in the form that survives a database round trip.

    Time is UTC with microseconds always written out, and the IP is re-spelled by
    ``normalize_ip``, because databases may hand both back in a different spelling.
    """
    return {
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
        "ip_address": normalize_ip(ip_address),
    }


def chain_hash(*, prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash followed by the payload's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()
