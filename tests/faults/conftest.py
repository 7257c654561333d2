from __future__ import annotations

import pytest


def protection_params(*, reason: str) -> list[object]:
    """``on`` and ``off`` for a test parametrised over its protection: ``off`` must fail
    (strict xfail), which proves the test catches the fault it is about."""
    return [
        "on",
        pytest.param("off", marks=pytest.mark.xfail(strict=True, reason=reason)),
    ]


# The smallest job the test cohort allows: fault tests wait for real renders.
SMALL_REQUEST: dict[str, str | int] = {
    "prompt": "a kite on a windy hill",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "1:1",
}
