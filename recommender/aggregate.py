"""Pair aggregation: two people's relevance rows -> one pair score (pure numpy).

Every function takes ``scores`` with the two people on axis 0 (shape ``(2, ...)``,
e.g. ``(2, n_items)`` or ``(2, n_pairs, n_items)``) and returns the pair score
with axis 0 removed. Definitions follow Masthoff (2004):

==========================  =====================================================
``average``                 mean of the two
``least_misery``            the lower of the two
``most_pleasure``           the higher of the two
``average_without_misery``  mean, but items where either is below a threshold
                            are removed (see :func:`misery_mask`)
``product``                 Nash product, reported as its square root (the
                            geometric mean) so it stays on the 0..1 scale; the
                            ranking is the product's. Unchanged by either person
                            rescaling their scores.
``fair``                    mean here; the re-ranker then balances every prefix
                            of the list between the two (GFAR, Kaya et al. 2020)
==========================  =====================================================

Examples
--------
>>> import numpy as np
>>> s = np.array([[0.9, 0.5, 0.2], [0.1, 0.5, 0.8]])
>>> aggregate("least_misery", s).tolist()
[0.1, 0.5, 0.2]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["STRATEGIES", "aggregate", "misery_mask"]

Array = npt.NDArray[Any]


def _average(s: Array) -> Array:
    total = np.asarray(s[0] + s[1])
    total *= 0.5  # in place: one (pairs x items) array, not two
    return total


def _least_misery(s: Array) -> Array:
    return np.asarray(np.minimum(s[0], s[1]))


def _most_pleasure(s: Array) -> Array:
    return np.asarray(np.maximum(s[0], s[1]))


def _product(s: Array) -> Array:
    return np.asarray(np.sqrt(np.clip(s[0], 0, None) * np.clip(s[1], 0, None)))


_RULES: dict[str, Callable[[Array], Array]] = {
    "average": _average,
    "least_misery": _least_misery,
    "most_pleasure": _most_pleasure,
    "average_without_misery": _average,
    "product": _product,
    "fair": _average,
}

#: Names accepted by ``Recommender(strategy=...)``.
STRATEGIES: tuple[str, ...] = tuple(sorted(_RULES))


def aggregate(strategy: str, scores: Array) -> Array:
    """Combine the two people's scores (axis 0) into the pair's, by ``strategy``."""
    return _RULES[strategy](scores)


def misery_mask(scores: Array, threshold: float) -> npt.NDArray[np.bool_]:
    """True where neither person scores below ``threshold`` (average without misery).

    Examples
    --------
    >>> misery_mask(np.array([[0.9, 0.2], [0.4, 0.9]]), 0.3).tolist()
    [True, False]
    """
    return np.asarray(np.minimum(scores[0], scores[1]) >= threshold)
