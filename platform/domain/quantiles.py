"""Quantiles computed in Python where the database has none (the embedded SQLite default
has no ``percentile_cont``): the same answer as PostgreSQL's."""

from __future__ import annotations

from collections.abc import Sequence


def quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks of a sorted, non-empty sequence, as
    PostgreSQL's ``percentile_cont(q)``."""
    if not ordered:
        raise ValueError("no values")
    if not 0 <= q <= 1:
        raise ValueError("q is a fraction between 0 and 1")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
