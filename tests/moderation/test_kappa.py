"""Cohen's kappa (decision 0036) against textbook figures, and where it is undefined."""

from __future__ import annotations

import pytest

from moderation.kappa import cohen_kappa

A, R = "approved", "rejected"


def table(both_a: int, a_r: int, r_a: int, both_r: int) -> list[tuple[str, str]]:
    """A 2x2 table as pairs: (first rater, second rater)."""
    return [(A, A)] * both_a + [(A, R)] * a_r + [(R, A)] * r_a + [(R, R)] * both_r


@pytest.mark.parametrize(
    ("counts", "kappa"),
    [
        # Wikipedia, "Cohen's kappa", simple example: pₒ 0.7, pₑ 0.5.
        ((20, 5, 10, 15), 0.4),
        # The same article's pair with equal pₒ (0.60) and different marginals.
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
        ((10, 0, 0, 10), 1.0),  # full agreement, both categories used
        ((0, 5, 5, 0), -1.0),  # full disagreement with balanced marginals
        ((9, 1, 0, 0), 0.0),  # the first rater always approves: no better than chance
        # No (rejected, rejected) cell: at most 0 whatever the raters do, which is why
        # pairing a reviewer's ratings "over both roles" measured nothing (decision 0036).
        ((190, 5, 5, 0), -0.0256),
    ],
)
def test_textbook_values(counts: tuple[int, int, int, int], kappa: float) -> None:
    assert cohen_kappa(table(*counts)) == pytest.approx(kappa, abs=5e-5)


@pytest.mark.parametrize(
    "pairs",
    [[], table(7, 0, 0, 0), table(0, 0, 0, 3)],
    ids=["no pairs", "all approved by both", "all rejected by both"],
)
def test_undefined_when_nothing_is_left_beyond_chance(pairs: list[tuple[str, str]]) -> None:
    assert cohen_kappa(pairs) is None


def test_the_order_of_the_raters_does_not_matter() -> None:
    pairs = table(20, 5, 10, 15)
    swapped = [(second, first) for first, second in pairs]
    assert cohen_kappa(swapped) == pytest.approx(cohen_kappa(pairs))
