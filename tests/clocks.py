"""Hold still the clocks whose reading ends up in an answer, so that two answers compared
byte for byte, or a count that must stay in one window, can't depend on when the second
or the minute turns.

- ``django.core.signing``: a signed media URL carries the second it was signed in
  (``publishing.media``, decision 0007);
- the API budgets (``containment.throttles`` for the whole stack, ``containment.services``
  for the status fast path): a fixed one-minute window, and a 429's ``Retry-After``
  counting down to its end;
- the queue estimate (``jobs.estimates.clock``): a queued or running job's estimated
  start and finish are counted from now.

Only these modules' clocks stop; the rest of the program (``timezone.now()``, the
sessions' "seen lately", the media door's age check) keeps real time.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.core import signing

from containment import services as containment_services
from containment import throttles
from jobs import estimates


def hold_clocks(monkeypatch: pytest.MonkeyPatch, *, at: float | None = None) -> float:
    """Stop the signing and budget clocks at ``at`` (now if not given); returns it."""
    moment = time.time() if at is None else at
    still = SimpleNamespace(time=lambda: moment)
    monkeypatch.setattr(signing, "time", still)
    monkeypatch.setattr(throttles, "time", still)
    monkeypatch.setattr(containment_services, "clock", lambda: moment)
    monkeypatch.setattr(estimates, "clock", lambda: moment)
    return moment
