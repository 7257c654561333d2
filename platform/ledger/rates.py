"""The rate keys the rest of the platform credits against, and how rates are checked."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Order matters: pages and the API list rates in this order.
RATE_LABELS: dict[str, str] = {
    "bug:low": "Bug report, low severity",
    "bug:medium": "Bug report, medium severity",
    "bug:high": "Bug report, high severity",
    "bug:critical": "Bug report, critical severity",
    "safety:low": "Safety report, low severity",
    "safety:medium": "Safety report, medium severity",
    "safety:high": "Safety report, high severity",
    "safety:critical": "Safety report, critical severity",
    "feature": "Feature suggestion adopted",
    "survey": "Survey completed",
    "showcase": "Work chosen for a showcase",
}
RATE_KEYS: tuple[str, ...] = tuple(RATE_LABELS)

CENT = Decimal("0.01")
# LedgerEntry.amount is DecimalField(max_digits=12, decimal_places=2).
MAX_AMOUNT = Decimal("9999999999.99")


def decimal_or_none(value: object) -> Decimal | None:
    """``value`` as a finite Decimal with at most 2 places, or None if it isn't one.

    A float (a JSON number) is read through its shortest repr, which is the text that was
    typed (``12.5`` → ``"12.5"``), never through its binary value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = value.strip()
    if not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(value)
        if not number.is_finite():
            return None
        rounded = number.quantize(CENT)
    except (InvalidOperation, ValueError):
        return None
    return rounded if rounded == number else None


def rates_clean(rates: object) -> dict[str, str]:
    """Check a rate card's rates and return them normalised (``{"bug:low": "5.00"}``).

    Keys must be known rate keys; values non-negative amounts with at most 2 decimal
    places (strings preferred; JSON numbers are accepted). Raises ValidationError (field
    ``rates``) naming every bad entry.
    """
    if not isinstance(rates, Mapping):
        raise ValidationError(
            {"rates": ValidationError(_("Rates must map rate keys to amounts."), code="invalid")}
        )
    problems: list[ValidationError] = []
    cleaned: dict[str, str] = {}
    for key, value in rates.items():
        if key not in RATE_LABELS:
            problems.append(
                ValidationError(
                    _("Unknown rate key %(key)r. Use one of: %(keys)s.")
                    % {"key": key, "keys": ", ".join(RATE_KEYS)},
                    code="unknown_rate_key",
                )
            )
            continue
        amount = decimal_or_none(value)
        if amount is None:
            problems.append(
                ValidationError(
                    _(
                        "The rate for %(key)s must be an amount with at most 2 "
                        'decimal places (e.g. "12.50"), not %(value)r.'
                    )
                    % {"key": key, "value": value},
                    code="invalid_amount",
                )
            )
        elif amount < 0:
            problems.append(
                ValidationError(
                    _("The rate for %(key)s can't be negative.") % {"key": key},
                    code="negative_amount",
                )
            )
        elif amount > MAX_AMOUNT:
            problems.append(
                ValidationError(
                    _("The rate for %(key)s is too large.") % {"key": key}, code="too_large"
                )
            )
        else:
            cleaned[key] = str(amount)
    if problems:
        raise ValidationError({"rates": problems})
    # Stored in the canonical order, so two equal cards are stored alike.
    return {key: cleaned[key] for key in RATE_KEYS if key in cleaned}
