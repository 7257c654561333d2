"""Strict parsing of settings from the environment.

A value that is set but malformed stops start-up with a message naming the variable;
an unset variable takes the embedded default.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    return value.strip()


def env_str(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate items by commas.")
    return items


def env_choice(
    name: str, default: str, choices: list[str], *, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {choices}.")
    return value


def env_json_records(
    name: str,
    default: list[dict[str, str]],
    *,
    keys: set[str],
    environ: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """A JSON file, named by the variable, holding a non-empty list of objects that each
    have at least ``keys`` as text. Unset: ``default``."""
    path = env_str(name, "", environ=environ)
    if not path:
        return default
    try:
        with open(path, encoding="utf-8") as handle:
            records = json.load(handle)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"{name}={path!r} can't be read as JSON: {error}") from None
    if not isinstance(records, list) or not records:
        raise ImproperlyConfigured(f"{name}={path!r} must hold a non-empty JSON list.")
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in keys):
            raise ImproperlyConfigured(
                f"{name}={path!r}: item {number} needs text fields {sorted(keys)}."
            )
    return records
