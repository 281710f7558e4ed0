"""Re-ranking: pick the top k from the feasible pool, varied and fair to both.

A greedy pass, one position at a time, for a whole batch of pairs at once.
Candidate ``i`` at position ``j`` is worth

    (1 - diversity) * pair_i - diversity * max_sim(i, chosen)
        - fairness * |D + (s1_i - s2_i)| / (j + 1)

``max_sim`` is maximal marginal relevance (Carbonell & Goldstein 1998) over the
structure vectors (intimacy mix, practice, energy, setting, novelty, tags), so
the list spreads across types and practices unless the pair clearly wants one.
``D`` is the running sum of ``s1 - s2`` over the items already chosen: the
fairness term keeps the mean difference of every prefix small (GFAR's "no
prefix favours one member", Kaya et al. 2020). Ties go to the higher pair
score, then the smaller id.

The reported score is the pair score capped by the one above it, so scores
never rise down the list even where balance or variety moved an item down.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ._linalg import exact_gram, single_threaded_blas
from .features import STRUCTURE_SCALE

__all__ = ["select", "top_items"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


#: Items per group in :func:`top_items`'s first pass.
GROUP = 16


def top_items(pair: F32, size: int) -> I64:
    """Per row, the columns of the ``size`` largest values, in no order; among
    equal values at the boundary, the smallest columns.

    Two passes instead of one selection over every item: the row is cut into
    ``GROUP`` interleaved groups' worth of columns, and only the ``size``
    groups with the largest maxima can hold the row's top ``size`` (every other
    group's maximum is below all of theirs). Selecting among those few groups'
    items is about twice as fast at 10k items and ten times at a million.

    Examples
    --------
    >>> row = np.arange(100, dtype=np.float32)[None, ::-1]
    >>> sorted(top_items(row, 3)[0].tolist())
    [0, 1, 2]
    """
    top = _top_any(pair, size)
    # Ties cut at the boundary: keep the smallest columns (ids) among the tied, so
    # the pool never depends on how the selection algorithm orders equal values.
    values = np.take_along_axis(pair, top, axis=1)
    boundary = values.min(axis=1)
    cut = np.flatnonzero(
        np.isfinite(boundary)  # -inf are infeasible items: never chosen anyway
        & ((pair == boundary[:, None]).sum(axis=1) > (values == boundary[:, None]).sum(axis=1))
    )
    for row in cut.tolist():
        above = np.flatnonzero(pair[row] > boundary[row])
        tied = np.flatnonzero(pair[row] == boundary[row])[: size - len(above)]
        top[row] = np.concatenate([above, tied])
    return top


def _top_any(pair: F32, size: int) -> I64:
    """:func:`top_items` with ties at the boundary broken arbitrarily."""
    n_pairs, n_items = pair.shape
    groups = n_items // GROUP
    if groups <= 4 * size:
        # One selection, on the negated scores: with many -inf (infeasible)
        # entries, the k-th smallest is several times faster than the (n-k)-th largest.
        return np.argpartition(-pair, size - 1, axis=1)[:, :size].astype(np.int64)
    # Group j holds columns j, j + groups, j + 2 * groups, ...: the maxima are an
    # elementwise maximum of GROUP contiguous slices, which numpy vectorises.
    head = pair[:, : groups * GROUP].reshape(n_pairs, GROUP, groups)
    best = np.argpartition(-head.max(axis=1), size - 1, axis=1)[:, :size]
    columns = (best[:, :, None] + groups * np.arange(GROUP)).reshape(n_pairs, -1)
    if groups * GROUP < n_items:  # the last few columns are always candidates
        tail = np.arange(groups * GROUP, n_items)
        columns = np.concatenate([columns, np.broadcast_to(tail, (n_pairs, len(tail)))], axis=1)
    values = np.take_along_axis(pair, columns, axis=1)
    pick = np.argpartition(-values, size - 1, axis=1)[:, :size]
    return np.take_along_axis(columns, pick, axis=1)


def select(
    pair: F32,
    person: F32,
    structure: npt.NDArray[Any],
    *,
    k: int,
    diversity: float,
    fairness: float,
    pool: int,
    items: I64 | None = None,
) -> tuple[I64, F32]:
    """Choose up to ``k`` items per pair.

    Parameters
    ----------
    pair : (P, n) float32
        Pair scores; ``-inf`` where an item is not allowed.
    person : (2, P, n) float32
        Each person's relevance.
    structure : (n, d) float32, or int8 scaled by ``features.STRUCTURE_SCALE``
        L2-normalised item vectors for similarity.
    items : (n,) int64, optional
        The structure row of each column of ``pair`` when they are a subset
        of the catalogue (ascending); the returned indices are still columns.

    Returns
    -------
    chosen : (P, k) int64, item indices, -1 where fewer than k items are allowed
    score : (P, k) float32, the capped pair score of each chosen item (nan for -1)

    Examples
    --------
    >>> pair = np.array([[0.9, 0.8, -np.inf]], np.float32)
    >>> person = np.array([[[0.9, 0.8, 0.0]], [[0.9, 0.8, 0.0]]], np.float32)
    >>> chosen, score = select(pair, person, np.eye(3, dtype=np.float32), k=3,
    ...                        diversity=0.0, fairness=0.0, pool=10)
    >>> chosen.tolist()
    [[0, 1, -1]]
    """
    n_pairs, n_items = pair.shape
    size = min(n_items, max(pool, k))
    if size < n_items:
        top = top_items(pair, size)
    else:
        top = np.broadcast_to(np.arange(n_items), (n_pairs, n_items))
    top_scores = np.take_along_axis(pair, top, axis=1)
    order = np.lexsort((top, -top_scores), axis=-1)  # by score desc, then index (id) asc
    cand = np.take_along_axis(top, order, axis=1).astype(np.int64)
    cand_pair = np.take_along_axis(top_scores, order, axis=1)
    valid = np.isfinite(cand_pair)
    rows = np.arange(n_pairs)[:, None]
    diff = person[0][rows, cand] - person[1][rows, cand]

    relevance = np.where(valid, cand_pair, 0.0).astype(np.float32)
    if n_pairs == 1 and (diversity == 0 or structure.dtype == np.int8):
        vectors = structure[cand[0] if items is None else items[cand[0]]] if diversity > 0 else None
        picked = _greedy_one(
            relevance[0],
            valid[0],
            diff[0],
            vectors,
            k=min(k, size),
            diversity=diversity,
            fairness=fairness,
        )
        chosen = np.full((1, k), -1, np.int64)
        score = np.full((1, k), np.nan, np.float32)
        chosen[0, : len(picked)] = cand[0, picked]
        score[0, : len(picked)] = cand_pair[0, picked]
        return chosen, _capped(chosen, score)
    if diversity > 0:
        vectors = structure[cand if items is None else items[cand]].astype(np.float32)
        if structure.dtype == np.int8:  # stored compactly, see features.STRUCTURE_SCALE
            # Whole numbers: every sum is exact, however it is computed, so one
            # pair and a batch get the same similarities; scaled afterwards.
            sims = exact_gram(vectors)
            sims *= np.float32(1.0 / STRUCTURE_SCALE**2)
        else:
            with single_threaded_blas():  # one small product per pair: same shape, same sums
                sims = np.matmul(vectors, vectors.transpose(0, 2, 1))
    max_sim = np.zeros_like(relevance)
    balance = np.zeros(n_pairs, np.float32)
    taken = ~valid
    chosen = np.full((n_pairs, k), -1, np.int64)
    score = np.full((n_pairs, k), np.nan, np.float32)
    flat = np.arange(n_pairs)
    for j in range(min(k, size)):
        worth = (1.0 - diversity) * relevance - diversity * max_sim
        if fairness > 0:
            worth = worth - fairness * np.abs(balance[:, None] + diff) / (j + 1)
        worth = np.where(taken, -np.inf, worth)
        pick = np.argmax(worth, axis=1)
        ok = np.isfinite(worth[flat, pick])
        if not ok.any():
            break
        chosen[ok, j] = cand[ok, pick[ok]]
        score[ok, j] = cand_pair[ok, pick[ok]]
        taken[flat[ok], pick[ok]] = True
        balance[ok] += diff[ok, pick[ok]]
        if diversity > 0:
            max_sim[ok] = np.maximum(max_sim[ok], sims[ok, :, pick[ok]])
    return chosen, _capped(chosen, score)


def _capped(chosen: I64, score: F32) -> F32:
    """Each chosen item's score capped by the one above it (nan where none was chosen)."""
    capped = np.fmin.accumulate(np.where(np.isnan(score), np.inf, score), axis=1)
    return np.where(chosen >= 0, capped, np.nan).astype(np.float32)


def _greedy_one(
    relevance: F32,
    valid: npt.NDArray[np.bool_],
    diff: F32,
    vectors: npt.NDArray[np.int8] | None,
    *,
    k: int,
    diversity: float,
    fairness: float,
) -> list[int]:
    """:func:`select`'s greedy pass for one pair, on 1-d arrays: the same float32
    operations in the same order on the same values (so the same picks), without
    a batch's indexing. Similarities are made only against the items picked:
    ``vectors @ vectors[pick]`` in whole numbers, exact like :func:`exact_gram`.

    Returns the positions of the candidates picked, in order.
    """
    worth_base = (1.0 - diversity) * relevance
    max_sim = np.zeros_like(relevance)
    blocked = np.where(valid, np.float32(0.0), np.float32(-np.inf))
    balance = np.float32(0.0)
    whole = None if vectors is None else vectors.astype(np.float32)
    scale = np.float32(1.0 / STRUCTURE_SCALE**2)
    picked: list[int] = []
    for j in range(k):
        worth = worth_base - diversity * max_sim
        if fairness > 0:
            worth = worth - fairness * np.abs(balance + diff) / (j + 1)
        worth += blocked  # -inf where taken or not allowed
        pick = int(np.argmax(worth))
        if not np.isfinite(worth[pick]):
            break
        picked.append(pick)
        blocked[pick] = -np.inf
        balance += diff[pick]
        if whole is not None:
            sims = whole @ whole[pick]
            sims *= scale
            np.maximum(max_sim, sims, out=max_sim)
    return picked
