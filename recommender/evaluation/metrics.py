"""Per-person and per-pair measures of ranked lists, numpy over a batch of pairs.

Lists are ``(P, k)`` arrays of activity rows, ``-1`` where a list is shorter.

``ndcg``
    nDCG@k of one person's true utility: the list's discounted gain over the
    best ``k`` activities the pair's limits allow. It equals
    ``sklearn.metrics.ndcg_score`` on the allowed activities (a test checks
    it); it is written out here to score a batch of pairs per call and give
    each pair its own value.
``jain``
    Jain's fairness index over the two people's nDCG: 1 when equal, 0.5 when
    one gets everything.
``ild``
    Intra-list diversity: the mean, over the list's pairs of activities, of
    half "different strongest type" plus half "different practice".
``coverage``
    Share of the catalogue's joint activities that appear in any list.
``violations``
    Activities in a list that break a hard limit (the independent checker).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["coverage", "ild", "jain", "ndcg", "padded", "violations"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def padded(lists: Sequence[Sequence[int]], k: int) -> I64:
    """Lists as a ``(P, k)`` array, cut at ``k`` and padded with -1.

    Examples
    --------
    >>> padded([[3, 1], [2, 0, 4]], 3).tolist()
    [[3, 1, -1], [2, 0, 4]]
    """
    out = np.full((len(lists), k), -1, np.int64)
    for row, items in enumerate(lists):
        top = list(items)[:k]
        out[row, : len(top)] = top
    return out


def _discounts(k: int) -> F64:
    return np.asarray(1.0 / np.log2(np.arange(k) + 2.0))


def ndcg(lists: I64, utility: F64, allowed: Mask, k: int) -> F64:
    """Each pair's nDCG@k for one person (``utility`` is theirs, ``(P, n)``).

    0 when the person's utility is 0 on every allowed activity (as scikit-learn).

    Examples
    --------
    >>> u = np.array([[0.9, 0.1, 0.5]])
    >>> ok = np.ones((1, 3), bool)
    >>> ndcg(np.array([[0, 2], [1, 0]]), np.vstack([u, u]), np.vstack([ok, ok]), 2).round(3)
    array([1.   , 0.549])
    """
    top = lists[:, :k]
    gains = np.take_along_axis(utility, np.maximum(top, 0), axis=1) * (top >= 0)
    discounts = _discounts(top.shape[1])
    dcg = gains @ discounts
    best = -np.sort(-np.where(allowed, utility, 0.0), axis=1)[:, : top.shape[1]]
    ideal = best @ discounts[: best.shape[1]]
    return np.asarray(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0))


def jain(first: F64, second: F64) -> F64:
    """Jain's index of two values per pair, in [0.5, 1]; 1 when both are 0.

    Examples
    --------
    >>> jain(np.array([0.5, 1.0, 0.0]), np.array([0.5, 0.0, 0.0])).tolist()
    [1.0, 0.5, 1.0]
    """
    # Scaled by the larger value so tiny utilities do not square into
    # subnormals, where the ratio loses its precision and can exceed 1.
    scale = np.maximum(first, second)
    safe = np.where(scale > 0, scale, 1.0)
    a, b = first / safe, second / safe
    squares = 2.0 * (a**2 + b**2)
    total = (a + b) ** 2
    return np.asarray(np.divide(total, squares, out=np.ones_like(total), where=squares > 0))


def ild(lists: I64, strongest: I64, practice: I64) -> F64:
    """Mean pairwise distance over each list (type and practice), 0 for < 2 items.

    Examples
    --------
    >>> ild(np.array([[0, 1, -1]]), np.array([0, 1]), np.array([2, 2])).tolist()
    [0.5]
    """
    valid = lists >= 0
    safe = np.maximum(lists, 0)
    types, practices = strongest[safe], practice[safe]
    distance = 0.5 * (types[:, :, None] != types[:, None, :]) + 0.5 * (
        practices[:, :, None] != practices[:, None, :]
    )
    both = valid[:, :, None] & valid[:, None, :]
    both &= ~np.eye(lists.shape[1], dtype=bool)[None]
    counted = both.sum(axis=(1, 2))
    total = (distance * both).sum(axis=(1, 2))
    return np.asarray(np.divide(total, counted, out=np.zeros_like(total), where=counted > 0))


def listed(lists: I64, n_items: int) -> Mask:
    """``(P, n)``: True where a pair's list holds the activity."""
    marks = np.zeros((lists.shape[0], n_items + 1), bool)
    np.put_along_axis(marks, np.where(lists >= 0, lists, n_items), True, axis=1)
    return marks[:, :n_items]


def coverage(lists: I64, joint: Mask) -> float:
    """Share of the joint activities that some list holds.

    Examples
    --------
    >>> coverage(np.array([[0], [0], [2]]), np.array([True, True, True, False]))
    0.6666666666666666
    """
    shown = np.asarray(listed(lists, len(joint)).any(axis=0))
    return float(shown[joint].sum() / max(int(joint.sum()), 1))


def violations(lists: I64, allowed: Mask) -> F64:
    """How many activities of each list its pair's limits do not allow.

    Examples
    --------
    >>> violations(np.array([[0, 1, -1]]), np.array([[True, False, True]])).tolist()
    [1.0]
    """
    hit = np.take_along_axis(allowed, np.maximum(lists, 0), axis=1)
    return np.asarray(((lists >= 0) & ~hit).sum(axis=1), np.float64)
