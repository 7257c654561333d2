"""Cohen's kappa: how much two raters agree beyond what their own habits would give by
chance. Pure: no Django (decision 0036)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> float | None:
    """κ = (pₒ - pₑ) / (1 - pₑ) over ``(first rater, second rater)`` ratings of the same
    items: pₒ the share of items they agree on, pₑ the agreement expected by chance from
    each rater's own share of each category. None where it is undefined: no pairs, or
    pₑ = 1 (both raters used one and the same category throughout, so chance alone
    explains their agreement and nothing is left to measure)."""
    pairs = list(pairs)
    total = len(pairs)
    if not total:
        return None
    observed = sum(1 for first, second in pairs if first == second) / total
    firsts = Counter(first for first, _ in pairs)
    seconds = Counter(second for _, second in pairs)
    expected = sum(firsts[c] * seconds[c] for c in firsts.keys() | seconds.keys()) / total**2
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)
